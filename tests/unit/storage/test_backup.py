"""Online backups: names, rotation, listing, and restoring."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cobrador_desktop.domain.errors import DatabaseCorrupt
from cobrador_desktop.storage.backup import (
    backup_sqlite,
    latest_backup,
    list_backups,
    restore_sqlite,
)
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.orm import Debtor
from tests.unit.storage.factories import add_debtor

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def plain_db(tmp_path: Path) -> Path:
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.execute("INSERT INTO t VALUES (42)")
    conn.commit()
    conn.close()
    return path


def test_backup_of_an_open_database_holds_its_committed_data(
        sqlite_database: Database, sqlite_db_path: Path, tmp_path: Path) -> None:
    # the rows are still in the -wal file (no checkpoint yet): the backup API must see them
    sqlite_database.run_sync(lambda s: add_debtor(s, "Maria José"))
    backup = backup_sqlite(sqlite_db_path, tmp_path / "b", reason="manual", now=NOW)

    assert backup.name == "cobrador-20261123T130000Z-manual.db"
    assert _rows(backup, "SELECT name FROM debtors") == [("Maria José",)]
    # a backup is one self-contained file, not a WAL database that needs a -wal beside it
    assert _rows(backup, "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [backup.name]
    # the database keeps working
    assert sqlite_database.run_sync(
        lambda s: s.scalar(select(func.count()).select_from(Debtor))) == 1


def test_names_use_utc_and_a_slug_of_the_reason(plain_db: Path, tmp_path: Path) -> None:
    sao_paulo = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=-3)))
    backup = backup_sqlite(plain_db, tmp_path / "b", reason="Antes da Restauração",
                           now=sao_paulo)
    assert backup.name == "cobrador-20261123T130000Z-antes-da-restauracao.db"
    with pytest.raises(ValueError, match="aware"):
        backup_sqlite(plain_db, tmp_path / "b", reason="x", now=datetime(2026, 1, 1))


def test_two_backups_in_the_same_second_do_not_overwrite(plain_db: Path, tmp_path: Path) -> None:
    first = backup_sqlite(plain_db, tmp_path, reason="manual", now=NOW)
    second = backup_sqlite(plain_db, tmp_path, reason="manual", now=NOW)
    assert first != second
    assert first.exists() and second.exists()
    assert list_backups(tmp_path) == [second, first]


def test_rotation_keeps_the_newest_per_reason(plain_db: Path, tmp_path: Path) -> None:
    dest = tmp_path / "b"
    manual = backup_sqlite(plain_db, dest, reason="manual", now=NOW - timedelta(days=30))
    made = [backup_sqlite(plain_db, dest, reason="pre-migracao", now=NOW + timedelta(hours=i),
                          keep=3) for i in range(6)]

    assert list_backups(dest) == [made[5], made[4], made[3], manual]
    assert latest_backup(dest) == made[5]
    (dest / "notes.txt").write_text("not a backup")
    (dest / ".cobrador-20991231T000000Z-manual.db.partial").write_bytes(b"half")
    assert list_backups(dest) == [made[5], made[4], made[3], manual]


def test_no_backups(tmp_path: Path) -> None:
    assert list_backups(tmp_path / "missing") == []
    assert latest_backup(tmp_path) is None


def test_restore_replaces_a_corrupt_database_and_keeps_the_old_file(
        tmp_path: Path, backup_dir: Path) -> None:
    path = tmp_path / "data" / "cobrador.db"
    db = open_database(sqlite_url(path), backup_dir=backup_dir)
    db.run_sync(lambda s: add_debtor(s, "João"))
    db.close()
    backup = backup_sqlite(path, backup_dir, reason="manual", now=NOW)
    path.write_bytes(b"garbage" * 100)
    path.with_name("cobrador.db-wal").write_bytes(b"stale wal")

    kept = restore_sqlite(backup, path, now=NOW)

    assert kept is not None and kept.read_bytes() == b"garbage" * 100
    assert kept.with_name(kept.name + "-wal").read_bytes() == b"stale wal"
    assert not path.with_name("cobrador.db-wal").exists()
    db = open_database(sqlite_url(path), backup_dir=backup_dir)
    try:
        assert db.run_sync(lambda s: s.scalars(select(Debtor.name)).all()) == ["João"]
    finally:
        db.close()


def test_restore_refuses_a_bad_backup_and_changes_nothing(plain_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "cobrador-20261123T130000Z-manual.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    before = plain_db.read_bytes()
    with pytest.raises(DatabaseCorrupt):
        restore_sqlite(bad, plain_db)
    assert plain_db.read_bytes() == before


def test_restore_onto_a_missing_file(plain_db: Path, tmp_path: Path) -> None:
    backup = backup_sqlite(plain_db, tmp_path / "b", reason="manual", now=NOW)
    target = tmp_path / "new" / "cobrador.db"
    target.parent.mkdir()
    assert restore_sqlite(backup, target) is None
    assert _rows(target, "SELECT x FROM t") == [(42,)]
