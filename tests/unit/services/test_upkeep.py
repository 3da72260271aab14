"""The daily upkeep job: once per shop day, shortly after local midnight, surviving errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.settings import AGREEMENT_BREAK_AFTER_DAYS
from cobrador_desktop.scheduler.daily import RETRY_AFTER, DailyJob
from cobrador_desktop.services.upkeep import RUN_AT, DailyUpkeep
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Agreement
from cobrador_desktop.storage.repos import agreements, debtors
from cobrador_desktop.storage.repos.settings import write_setting
from cobrador_desktop.storage.repos.upkeep import last_upkeep_day
from tests.unit.storage.factories import add_debt, add_debtor

T = TypeVar("T")
SHOP = ZoneInfo("America/Sao_Paulo")  # UTC-3


class CountingRunner:
    """The real database, counting visits and failing the first `fail` of them."""

    def __init__(self, db: Database, clock: FakeClock, fail: int = 0) -> None:
        self.db = db
        self.clock = clock
        self.fail = fail
        self.visits: list[datetime] = []

    async def run(self, fn: Callable[[Any], T]) -> T:
        if not self.visits or self.visits[-1] != self.clock.now():
            # one visit per moment: a run's chunked refresh happens at the same (fake) instant
            self.visits.append(self.clock.now())
        if self.fail:
            self.fail -= 1
            raise OSError("the database server went away")
        return await self.db.run(fn)


def _job(upkeep: DailyUpkeep, clock: FakeClock) -> DailyJob:
    """The upkeep as the app schedules it."""
    return DailyJob("daily upkeep", upkeep.run_once, clock, SHOP, at=RUN_AT)


def _drive(job: DailyJob, clock: FakeClock, until: datetime) -> list[float]:
    """Run `run_forever` with a sleep that moves the clock, until the clock reaches `until`."""
    slept: list[float] = []
    stop = asyncio.Event()

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(timedelta(seconds=seconds))
        if clock.now() >= until:
            stop.set()
        await asyncio.sleep(0)

    job._sleep = sleep  # the injected sleep, set after construction to close over `stop`

    async def main() -> None:
        await asyncio.wait_for(job.run_forever(stop), timeout=10)

    asyncio.run(main())
    return slept


def test_runs_once_per_shop_day_just_after_local_midnight(sqlite_database: Database,
                                                          clock: FakeClock) -> None:
    runner = CountingRunner(sqlite_database, clock)
    upkeep = DailyUpkeep(runner, clock, SHOP)
    start = clock.now()  # 2026-11-23 13:00 UTC = 10:00 in São Paulo
    slept = _drive(_job(upkeep, clock), clock, start + timedelta(days=3))
    # one database visit per day, not one per hourly wake-up
    assert [v.astimezone(SHOP).date() for v in runner.visits] == [
        date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)]
    # each new day's run comes a few minutes after the shop's midnight, not UTC's
    assert [v.astimezone(SHOP).strftime("%H:%M") for v in runner.visits[1:]] == ["00:05"] * 3
    assert max(slept) <= 3600  # a PC waking from suspend notices the new day within an hour
    assert sqlite_database.run_sync(last_upkeep_day) == date(2026, 11, 26)


def test_a_day_already_done_elsewhere_is_not_run_again(sqlite_database: Database,
                                                       clock: FakeClock) -> None:
    first = DailyUpkeep(sqlite_database, clock, SHOP)
    other_pc = DailyUpkeep(sqlite_database, clock, SHOP)

    async def main() -> tuple[bool, bool]:
        a = await first.run_once()
        b = await other_pc.run_once()
        return a.already_ran, b.already_ran

    assert asyncio.run(main()) == (False, True)


def test_a_database_error_is_logged_and_retried_later(sqlite_database: Database,
                                                      clock: FakeClock,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    runner = CountingRunner(sqlite_database, clock, fail=2)
    upkeep = DailyUpkeep(runner, clock, SHOP)
    start = clock.now()
    _drive(_job(upkeep, clock), clock, start + timedelta(hours=2))
    assert runner.visits[:3] == [start, start + RETRY_AFTER, start + 2 * RETRY_AFTER]
    assert len(runner.visits) == 3  # the third try worked: no more visits that day
    assert sqlite_database.run_sync(last_upkeep_day) == date(2026, 11, 23)
    assert caplog.text.count("daily upkeep failed") == 2


def test_stop_cuts_the_wait_short(sqlite_database: Database) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    job = _job(DailyUpkeep(sqlite_database, clock, SHOP), clock)

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.ensure_future(job.run_forever(stop, first_delay=3600))
        await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, timeout=5)

    asyncio.run(main())
    assert sqlite_database.run_sync(last_upkeep_day) is None  # stopped before its first run


def test_every_debtor_is_refreshed_a_chunk_at_a_time(sqlite_database: Database, clock: FakeClock,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's searches get the database thread between chunks; no debtor is skipped."""
    from cobrador_desktop.services import upkeep as module
    from cobrador_desktop.storage.orm import Debtor
    from cobrador_desktop.storage.repos.debtors import refresh_summaries
    from tests.unit.storage.factories import add_debt, add_debtor

    yesterday = clock.now().astimezone(SHOP).date() - timedelta(days=1)

    def seed(session: Any) -> list[int]:
        ids = [add_debtor(session, f"Devedor {n}") for n in range(5)]
        for debtor in ids:
            add_debt(session, debtor, 10000, yesterday)
        refresh_summaries(session, ids, yesterday - timedelta(days=1))  # as of two days ago
        return ids

    ids = sqlite_database.run_sync(seed)
    monkeypatch.setattr(module, "REFRESH_CHUNK", 2)
    runner = CountingRunner(sqlite_database, clock)
    asyncio.run(DailyUpkeep(runner, clock, SHOP).run_once())
    due = sqlite_database.run_sync(lambda s: [
        s.get_one(Debtor, debtor).next_due for debtor in ids])
    assert due == [None] * 5  # yesterday's due date is no longer "next"


def test_the_job_breaks_agreements_by_the_shops_setting(sqlite_database: Database,
                                                        clock: FakeClock) -> None:
    """An instalment 11 days late: kept at the default 30 days, broken with the setting at 10."""
    made = clock.now().astimezone(SHOP).date()

    def seed(session: Any) -> int:
        debtor = add_debtor(session, "Ana Lima")
        debt = add_debt(session, debtor, 30000, made - timedelta(days=60))
        debtors.refresh_summaries(session, None, made)
        number, _ = agreements.create_agreement(
            session, AgreementRequest(debtor, (debt,), 2, made), operator_id=None,
            now=clock.now(), today=made)
        return number

    number = sqlite_database.run_sync(seed)
    upkeep = DailyUpkeep(CountingRunner(sqlite_database, clock), clock, SHOP)
    clock.advance(timedelta(days=11))
    result = asyncio.run(upkeep.run_once())
    assert (result.agreements_broken, result.break_after_days) == (0, 30)

    sqlite_database.run_sync(lambda s: write_setting(s, AGREEMENT_BREAK_AFTER_DAYS, 10,
                                                     operator_id=None, now=clock.now()))
    clock.advance(timedelta(days=1))  # the next day: 12 days late
    result = asyncio.run(upkeep.run_once())
    assert (result.agreements_broken, result.break_after_days) == (1, 10)
    status = sqlite_database.run_sync(lambda s: s.get(Agreement, number).status)
    assert status == "broken"
