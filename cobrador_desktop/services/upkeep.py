"""The daily upkeep that keeps the debtor list honest as the days pass.

The list's filters and segments read summary columns that move with the date (next due date,
overdue, "em dia/atrasa…"), promises break when their date passes and agreements when an
instalment is more days late than the shop's setting says
(`domain.settings.AGREEMENT_BREAK_AFTER_DAYS`, 30 unless changed; `daily_upkeep` reads it).
Opening a debtor settles only that debtor; this job does everyone, once per shop day, shortly
after the shop's midnight (see `storage.repos.upkeep`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, tzinfo
from functools import partial

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos.upkeep import (
    UpkeepResult,
    daily_upkeep,
    debtor_id_bounds,
    refresh_chunk,
)

log = logging.getLogger("cobrador.upkeep")

#: after the shop's midnight, so a PC whose clock is a little behind still sees the new day
AFTER_MIDNIGHT = timedelta(minutes=5)
#: the longest single sleep: a PC waking from suspend (or a clock change) is noticed within this
MAX_SLEEP = timedelta(hours=1)
#: after a database error, try again this much later
RETRY_AFTER = timedelta(minutes=15)
#: debtors refreshed per transaction: about 0.2 s each on the 100k bench database, so a search
#: typed meanwhile waits at most that long
REFRESH_CHUNK = 1_000

Sleep = Callable[[float], Awaitable[None]]


class DailyUpkeep:
    """Runs `storage.repos.upkeep.daily_upkeep` on the database thread once per shop day."""

    def __init__(self, db: Runner, clock: Clock, timezone: tzinfo, *,
                 sleep: Sleep | None = None) -> None:
        """Args:
            db: runs functions on the database thread, in a transaction.
            clock: the current instant.
            timezone: the shop's zone (its midnight starts a new day).
            sleep: waits so many seconds (tests move a FakeClock); by default a wait that
                `run_forever`'s stop event cuts short.
        """
        self._db = db
        self._clock = clock
        self._timezone = timezone
        self._sleep = sleep
        #: the day this process last saw done (ran here or elsewhere): no database visit before
        #: the next one
        self._done: date | None = None

    def today(self) -> date:
        """The shop's date now."""
        return self._clock.now().astimezone(self._timezone).date()

    async def run_once(self) -> UpkeepResult:
        """Run the upkeep for today unless it already ran (here or on another PC)."""
        now = self._clock.now()
        today = now.astimezone(self._timezone).date()
        result = await self._db.run(lambda s: daily_upkeep(s, today, now, refresh=False))
        self._done = today
        if not result.already_ran:
            # every summary, a chunk per transaction: at 100k debtors the whole refresh holds the
            # database thread for seconds, and the window's searches must not wait that long
            bounds = await self._db.run(debtor_id_bounds)
            if bounds is not None:
                for first in range(bounds[0], bounds[1] + 1, REFRESH_CHUNK):
                    last = min(first + REFRESH_CHUNK - 1, bounds[1])
                    await self._db.run(partial(refresh_chunk, first_id=first, last_id=last,
                                               today=today))
        if result.already_ran:
            log.info("daily upkeep for %s already done", today)
        else:
            log.info("daily upkeep for %s: %d promises broken, %d agreements broken (an "
                     "instalment over %s days late), summaries refreshed", today,
                     result.promises_broken, result.agreements_broken, result.break_after_days)
        return result

    async def run_forever(self, stop: asyncio.Event, *, first_delay: float = 0.0) -> None:
        """Run when due, then sleep until just after the next local midnight, until `stop`.

        A database error is logged and tried again `RETRY_AFTER` later; it never ends the loop.

        Args:
            stop: set to end the loop (a sleep under way is cut short).
            first_delay: seconds to wait before the first run (the window's first data first).
        """
        if first_delay > 0:
            await self._wait(stop, first_delay)
        while not stop.is_set():
            delay = self._until_next_day()
            if self._due():
                try:
                    await self.run_once()
                except Exception:  # a database hiccup must not end the daily job for good
                    log.exception("daily upkeep failed; trying again in %s", RETRY_AFTER)
                    delay = RETRY_AFTER
                else:
                    delay = self._until_next_day()
            await self._wait(stop, min(delay, MAX_SLEEP).total_seconds())

    def _due(self) -> bool:
        """Whether a new day began (a few minutes ago) since the last run this process saw."""
        if self._done is None:
            return True
        settled = (self._clock.now() - AFTER_MIDNIGHT).astimezone(self._timezone).date()
        return settled > self._done

    def _until_next_day(self) -> timedelta:
        """From now to a few minutes after the shop's next midnight (never negative)."""
        now = self._clock.now()
        # between midnight and AFTER_MIDNIGHT the day to wait for is the one just begun
        local = (now - AFTER_MIDNIGHT).astimezone(self._timezone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(),
                                    tzinfo=self._timezone)
        return max(midnight + AFTER_MIDNIGHT - now, timedelta(seconds=1))

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        if stop.is_set():
            return
        if self._sleep is not None:
            await self._sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
