"""Jobs that run once per shop day: the daily upkeep just after midnight, the régua's pass in the
morning (ARCHITECTURE.md §2: the scheduler decides *when*; services decide *what*).

A `DailyJob` wakes at most every `max_sleep` (so a PC waking from suspend, or a clock moved by
hand, is noticed soon), runs its job at the first wake-up on or after `at` (the shop's local
time) of a day it has not run yet, and never twice a day in this process. Whether the job already
ran that day on another PC is the job's own business (each one keeps a marker in the database).
A failed run is logged and tried again `retry_after` later; it never ends the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, tzinfo

from cobrador_desktop.domain.clock import Clock

log = logging.getLogger("cobrador.scheduler")

#: the longest single sleep of the daily upkeep: a waking PC notices the new day within this
MAX_SLEEP = timedelta(hours=1)
#: after a failed run, try again this much later
RETRY_AFTER = timedelta(minutes=15)

Sleep = Callable[[float], Awaitable[None]]


class DailyJob:
    """Runs `job()` once per shop day, at or after the local time `at`."""

    def __init__(self, name: str, job: Callable[[], Awaitable[object]], clock: Clock,
                 timezone: tzinfo, *, at: time, max_sleep: timedelta = MAX_SLEEP,
                 retry_after: timedelta = RETRY_AFTER, sleep: Sleep | None = None) -> None:
        """Args:
            name: what the log calls it.
            job: the work of one day (it reads the clock itself).
            clock: the current instant.
            timezone: the shop's zone (its days and `at`).
            at: the local time from which the day's run is due.
            max_sleep: the longest sleep between two looks at the clock.
            retry_after: the wait after a failed run.
            sleep: waits so many seconds (tests move a FakeClock); by default a wait that
                `run_forever`'s stop event cuts short.
        """
        self.name = name
        self._job = job
        self._clock = clock
        self._timezone = timezone
        self._at = at
        self._max_sleep = max_sleep
        self._retry_after = retry_after
        self._sleep = sleep
        #: the last day this process ran the job
        self.done: date | None = None
        #: after a failure, no new try before this instant
        self._not_before: datetime | None = None

    def due(self) -> bool:
        """Whether today's run is due: `at` has passed and the job has not run today here."""
        now = self._clock.now()
        if self._not_before is not None and now < self._not_before:
            return False
        local = now.astimezone(self._timezone)
        return local.time() >= self._at and (self.done is None or local.date() > self.done)

    async def run_forever(self, stop: asyncio.Event, *, first_delay: float = 0.0) -> None:
        """Run when due, until `stop` (a sleep under way is cut short).

        Args:
            first_delay: seconds to wait before the first look (the window's first data first).
        """
        if first_delay > 0:
            await self._wait(stop, first_delay)
        while not stop.is_set():
            delay = self._until_next_run()
            if self.due():
                day = self._clock.now().astimezone(self._timezone).date()
                try:
                    await self._job()
                except Exception:  # a database hiccup must not end the daily job for good
                    log.exception("%s failed; trying again in %s", self.name, self._retry_after)
                    self._not_before = self._clock.now() + self._retry_after
                    delay = self._retry_after
                else:
                    self.done, self._not_before = day, None
                    delay = self._until_next_run()
            await self._wait(stop, min(delay, self._max_sleep).total_seconds())

    def _until_next_run(self) -> timedelta:
        """From now to the next `at` not yet run (never negative, at least a second)."""
        now = self._clock.now()
        local = now.astimezone(self._timezone)
        day = local.date()
        if local.time() >= self._at and self.done is not None and self.done >= day:
            day += timedelta(days=1)
        moment = datetime.combine(day, self._at, tzinfo=self._timezone)
        return max(moment - now, timedelta(seconds=1))

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        if stop.is_set():
            return
        if self._sleep is not None:
            await self._sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
