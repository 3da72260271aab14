"""The daily upkeep that keeps the debtor list honest as the days pass.

The list's filters and segments read summary columns that move with the date (next due date,
overdue, "em dia/atrasa…"), promises break when their date passes and agreements when an
instalment is more days late than the shop's setting says
(`domain.settings.AGREEMENT_BREAK_AFTER_DAYS`, 30 unless changed; `daily_upkeep` reads it).
Opening a debtor settles only that debtor; this job does everyone, once per shop day, shortly
after the shop's midnight (see `storage.repos.upkeep`).
"""

from __future__ import annotations

import logging
from datetime import date, time, tzinfo
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

#: the shop's local time the upkeep is due from: a few minutes after midnight, so a PC whose
#: clock is a little behind still sees the new day (`scheduler.daily.DailyJob` runs it)
RUN_AT = time(0, 5)
#: debtors refreshed per transaction: about 0.2 s each on the 100k bench database, so a search
#: typed meanwhile waits at most that long
REFRESH_CHUNK = 1_000


class DailyUpkeep:
    """Runs `storage.repos.upkeep.daily_upkeep` on the database thread once per shop day."""

    def __init__(self, db: Runner, clock: Clock, timezone: tzinfo) -> None:
        """Args:
            db: runs functions on the database thread, in a transaction.
            clock: the current instant.
            timezone: the shop's zone (its midnight starts a new day).
        """
        self._db = db
        self._clock = clock
        self._timezone = timezone

    def today(self) -> date:
        """The shop's date now."""
        return self._clock.now().astimezone(self._timezone).date()

    async def run_once(self) -> UpkeepResult:
        """Run the upkeep for today unless it already ran (here or on another PC)."""
        now = self._clock.now()
        today = now.astimezone(self._timezone).date()
        result = await self._db.run(lambda s: daily_upkeep(s, today, now, refresh=False))
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
