"""Backups: one automatic copy a shop day, its rotation (7 daily + 4 weekly), the daily job, the
checks before a restore and PostgreSQL's pg_dump files."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cobrador_desktop.domain.backups import (
    DAILY,
    MANUAL,
    PRE_MIGRATION,
    WEEKLY,
    BackupFailed,
    BackupFileMissing,
    BackupNotDatabase,
    BackupTooNew,
)
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.scheduler.daily import DailyJob
from cobrador_desktop.services.backups import BackupService, find_pg_dumps, recent_pg_dump
from cobrador_desktop.storage.backup import backup_sqlite
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.migrate import head_revision

SHOP = ZoneInfo("America/Sao_Paulo")  # UTC-3


def _service(path: Path, backup_dir: Path, clock: FakeClock) -> BackupService:
    return BackupService(path, backup_dir, clock, SHOP)


def test_one_copy_a_shop_day_first_of_the_week_weekly(
        sqlite_database: Database, sqlite_db_path: Path, tmp_path: Path) -> None:
    # Monday 2026-12-07 10:00 in São Paulo
    clock = FakeClock(datetime(2026, 12, 7, 13, 0, tzinfo=UTC))
    service = _service(sqlite_db_path, tmp_path / "b", clock)

    first = service.take_daily()
    assert first is not None and first.name.endswith(f"-{WEEKLY}.db")
    clock.advance(timedelta(hours=10))  # 20:00 the same shop day (23:00 UTC)
    assert service.take_daily() is None
    clock.advance(timedelta(hours=2))  # 01:00 UTC is still 22:00 of the same shop day
    assert service.take_daily() is None
    clock.advance(timedelta(hours=3))  # Tuesday 01:00 in the shop
    second = service.take_daily()
    assert second is not None and second.name.endswith(f"-{DAILY}.db")
    assert [b.reason for b in service.backups()] == [DAILY, WEEKLY]


def test_rotation_keeps_seven_daily_and_four_weekly_and_leaves_the_others(
        sqlite_db_path: Path, sqlite_database: Database, tmp_path: Path) -> None:
    backup_dir = tmp_path / "b"
    clock = FakeClock(datetime(2026, 10, 1, 6, 0, tzinfo=UTC))
    service = _service(sqlite_db_path, backup_dir, clock)
    manual = service.take(reason=MANUAL)
    pre = backup_sqlite(sqlite_db_path, backup_dir, reason=PRE_MIGRATION, now=clock.now())
    for _day in range(60):
        clock.advance(timedelta(days=1))
        assert service.take_daily() is not None

    backups = service.backups()
    daily = [b for b in backups if b.reason == DAILY]
    weekly = [b for b in backups if b.reason == WEEKLY]
    assert len(daily) == 7 and len(weekly) == 4
    days = [b.taken_at.astimezone(SHOP).date() for b in daily]
    last = clock.now().astimezone(SHOP).date()
    weekly_days = [b.taken_at.astimezone(SHOP).date() for b in weekly]
    # every one of the last 7 days has its copy (a Monday's is the weekly one)
    covered = set(days) | set(weekly_days)
    assert all(last - timedelta(days=i) in covered for i in range(7))
    assert days == sorted(days, reverse=True) and days[-1] >= last - timedelta(days=8)
    # one weekly per ISO week, each the first copy of its week (a Monday here)
    assert len({d.isocalendar()[:2] for d in weekly_days}) == 4
    assert all(d.isoweekday() == 1 for d in weekly_days)
    # the other reasons rotate on their own
    assert manual.exists() and pre.exists()


def test_a_copy_to_a_folder_of_the_users_deletes_nothing_there(
        sqlite_db_path: Path, sqlite_database: Database, tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 12, 7, 13, 0, tzinfo=UTC))
    service = _service(sqlite_db_path, tmp_path / "b", clock)
    usb = tmp_path / "pendrive"
    for _ in range(12):
        service.take(dest=usb)
        clock.advance(timedelta(minutes=1))
    assert len(list(usb.iterdir())) == 12
    assert service.backups() == ()


def test_a_copy_that_cannot_be_written_is_a_known_error(
        sqlite_db_path: Path, sqlite_database: Database, tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    service = _service(sqlite_db_path, blocked, FakeClock())
    with pytest.raises(BackupFailed) as err:
        service.take_daily()
    assert str(blocked) in str(err.value)


def _run_job(service: BackupService, clock: FakeClock, until: datetime,
             fail_first: bool = False) -> list[Path | None]:
    """The daily job as the window runs it, on a clock that moves with each sleep."""
    stop = asyncio.Event()
    results: list[Path | None] = []
    statuses: list[object] = []
    service.subscribe(statuses.append)

    async def job() -> None:
        results.append(await service.run_daily())

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))
        if clock.now() >= until:
            stop.set()
        await asyncio.sleep(0)

    daily = DailyJob("daily backup", job, clock, SHOP, at=time(0, 0),
                     max_sleep=timedelta(hours=1), sleep=sleep)
    asyncio.run(asyncio.wait_for(daily.run_forever(stop), timeout=20))
    assert statuses, "the window hears how each copy went"
    return results


def test_the_daily_job_makes_one_copy_a_day_and_not_twice(
        sqlite_db_path: Path, sqlite_database: Database, tmp_path: Path) -> None:
    # started Monday 15:00 in the shop, runs until Thursday 12:00
    clock = FakeClock(datetime(2026, 12, 7, 18, 0, tzinfo=UTC))
    service = _service(sqlite_db_path, tmp_path / "b", clock)
    _run_job(service, clock, datetime(2026, 12, 10, 15, 0, tzinfo=UTC))
    days = sorted(b.taken_at.astimezone(SHOP).date() for b in service.backups())
    assert days == [date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)]
    # Tuesday's and the next ones at the shop's midnight (the first look after it)
    later = [b.taken_at.astimezone(SHOP) for b in service.backups()][:3]
    assert all(t.hour == 0 for t in later)

    # a second process (the window, then serve) the same day: no second copy
    again = _service(sqlite_db_path, tmp_path / "b", clock)
    assert asyncio.run(again.run_daily()) is None
    assert len(again.backups()) == 4


def test_a_failed_daily_copy_is_recorded_and_tried_again(
        sqlite_db_path: Path, sqlite_database: Database, tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 12, 7, 18, 0, tzinfo=UTC))
    blocked = tmp_path / "b"
    blocked.write_text("not a folder")
    service = _service(sqlite_db_path, blocked, clock)
    seen: list[str | None] = []
    service.subscribe(lambda status: seen.append(status.last_error))

    async def unblock_later() -> None:
        with pytest.raises(BackupFailed):
            await service.run_daily()
        blocked.unlink()
        await service.run_daily()

    asyncio.run(unblock_later())
    assert seen[0] is not None and "cópia" in seen[0]
    assert seen[-1] is None and service.status.last_ok == clock.now()
    assert len(service.backups()) == 1


def _cobrador_copy(sqlite_db_path: Path, tmp_path: Path, revision: str | None) -> Path:
    copy = backup_sqlite(sqlite_db_path, tmp_path / "copies", reason=MANUAL,
                         now=datetime(2026, 12, 1, tzinfo=UTC))
    if revision is not None:
        with sqlite3.connect(copy) as conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    return copy


def test_a_restore_checks_the_file_first(
        sqlite_db_path: Path, sqlite_database: Database, tmp_path: Path) -> None:
    service = _service(sqlite_db_path, tmp_path / "b", FakeClock())
    good = _cobrador_copy(sqlite_db_path, tmp_path, None)
    assert service.check_restorable(good) == head_revision()

    newer = _cobrador_copy(sqlite_db_path, tmp_path, "9999")
    with pytest.raises(BackupTooNew) as err:
        service.check_restorable(newer)
    assert err.value.exit_code == 2 and "9999" in err.value.message

    text = tmp_path / "notes.db"
    text.write_text("isto não é um banco")
    with pytest.raises(BackupNotDatabase) as not_db:
        service.check_restorable(text)
    assert "não é um arquivo de banco de dados SQLite" in not_db.value.message

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE clientes (nome TEXT)")
    with pytest.raises(BackupNotDatabase):
        service.check_restorable(other)

    with pytest.raises(BackupFileMissing):
        service.check_restorable(tmp_path / "missing.db")


def test_pg_dump_files_are_found_and_judged_recent(tmp_path: Path) -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    folder = tmp_path / "dumps"
    folder.mkdir()
    old = folder / "cobrador-20261201.dump"
    old.write_bytes(b"PGDMP old")
    week_ago = (now - timedelta(days=6)).timestamp()
    os.utime(old, (week_ago, week_ago))
    (folder / "leia-me.txt").write_text("not a dump")
    assert [d.path for d in find_pg_dumps([folder, tmp_path / "missing"])] == [old]
    assert recent_pg_dump([folder], now) is None

    fresh_dir = folder / "cobrador-20261207"  # directory format: a folder with toc.dat
    fresh_dir.mkdir()
    (fresh_dir / "toc.dat").write_bytes(b"PGDMP")
    stamp = (now - timedelta(hours=3)).timestamp()
    os.utime(fresh_dir / "toc.dat", (stamp, stamp))
    recent = recent_pg_dump([folder], now)
    assert recent is not None and recent.path == fresh_dir
