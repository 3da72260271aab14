"""A daily job runs once per shop day from its local time, notices a waking PC, survives errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.scheduler.daily import DailyJob

SHOP = ZoneInfo("America/Sao_Paulo")  # UTC-3
MINUTE = timedelta(minutes=1)


def _drive(clock: FakeClock, until: datetime, *, at: time, fail: int = 0,
           asleep: tuple[datetime, timedelta] | None = None) -> tuple[list[datetime], list[float]]:
    """Run a job at `at` with a sleep that moves the clock; returns the local run times.

    `asleep`: (from, how long) the PC is suspended: the first wake-up after `from` comes that
    much later.
    """
    runs: list[datetime] = []
    slept: list[float] = []
    stop = asyncio.Event()
    failures = [fail]
    suspend = [asleep]

    async def job() -> None:
        if failures[0]:
            failures[0] -= 1
            raise OSError("database gone")
        runs.append(clock.now().astimezone(SHOP))

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(timedelta(seconds=seconds))
        if suspend[0] is not None and clock.now() >= suspend[0][0]:
            clock.advance(suspend[0][1])
            suspend[0] = None
        if clock.now() >= until:
            stop.set()
        await asyncio.sleep(0)

    daily = DailyJob("régua", job, clock, SHOP, at=at, max_sleep=MINUTE, sleep=sleep)
    asyncio.run(asyncio.wait_for(daily.run_forever(stop), timeout=20))
    return runs, slept


def test_waits_for_its_local_time_then_once_a_day() -> None:
    clock = FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # 06:00 in São Paulo
    runs, slept = _drive(clock, datetime(2026, 12, 9, 23, 0, tzinfo=UTC), at=time(8, 5))
    assert [r.strftime("%d %H:%M") for r in runs] == ["07 08:05", "08 08:05", "09 08:05"]
    assert max(slept) <= 60  # a look at the clock every minute at most


def test_started_after_its_time_it_runs_at_once() -> None:
    clock = FakeClock(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))  # 12:00 in São Paulo
    runs, _ = _drive(clock, datetime(2026, 12, 7, 20, 0, tzinfo=UTC), at=time(8, 5))
    assert [r.strftime("%d %H:%M") for r in runs] == ["07 12:00"]


def test_a_pc_waking_late_runs_when_it_wakes() -> None:
    clock = FakeClock(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    # asleep from 22:00 local until 10:30 local the next day
    runs, _ = _drive(clock, datetime(2026, 12, 8, 16, 0, tzinfo=UTC), at=time(8, 5),
                     asleep=(datetime(2026, 12, 8, 1, 0, tzinfo=UTC), timedelta(hours=12, minutes=30)))
    assert [r.strftime("%d %H:%M") for r in runs] == ["07 12:00", "08 10:30"]


def test_a_failure_is_retried_later(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    runs, _ = _drive(clock, datetime(2026, 12, 7, 18, 0, tzinfo=UTC), at=time(8, 5), fail=2)
    assert [r.strftime("%H:%M") for r in runs] == ["12:30"]  # two failures, 15 minutes apart
    assert caplog.text.count("régua failed") == 2
