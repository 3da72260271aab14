"""The Resultados screen's figures for a period (`domain.results` defines each one)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.results import (
    DaysToPay,
    Period,
    PeriodPreset,
    Ratio,
    ResultsFigures,
    by_week,
    offset_minutes,
    roll_up,
    utc_span,
)
from cobrador_desktop.services.ports import ReadingRunner, Runner
from cobrador_desktop.storage.repos import results as repo
from cobrador_desktop.storage.repos import results_days

log = logging.getLogger("cobrador.results")


async def store_closed_days(db: Runner, first: date, last: date, offset: int,
                            now: datetime) -> None:
    """Store the day totals (`storage.repos.results_days`) of the closed days from `first` to
    `last` that are not stored yet. Only a speed-up: when it fails, the days are counted live."""
    if last < first:
        return
    try:
        if await db.run(lambda s: results_days.missing_days(s, first, last, offset)):
            await db.run(lambda s: results_days.store(s, first, last, offset, now))
    except Exception:
        log.warning("não foi possível guardar os totais dos dias %s a %s", first, last,
                    exc_info=True)


class ResultsService:
    """Counts the figures in two read transactions side by side (`ReadingRunner.run_reads`)."""

    def __init__(self, db: ReadingRunner, clock: Clock, shop_zone: str) -> None:
        self._db = db
        self._clock = clock
        self._zone = ZoneInfo(shop_zone)

    def today(self) -> datetime:
        """Now, in the shop's zone."""
        return self._clock.now().astimezone(self._zone)

    def preset(self, preset: PeriodPreset) -> Period:
        """A preset period as of the shop's today."""
        return Period.preset(preset, self.today().date())

    def bounds(self, period: Period) -> repo.Bounds:
        start_at, end_at = utc_span(period.start, period.end, self._zone)
        return repo.Bounds(period.start, period.end, start_at, end_at,
                           offset_minutes(start_at, self._zone))

    async def figures(self, period: Period) -> ResultsFigures:
        """Every figure of the screen for `period` (its closed days' funnel stored first)."""
        b = self.bounds(period)
        last_stored = results_days.last_closed_day(self.today().date())
        await store_closed_days(self._db, b.start, min(b.end, last_stored), b.offset_minutes,
                                self._clock.now())

        # two halves of about the same weight, read side by side (`Database.run_reads`)
        def contact(session: Any) -> tuple[Any, ...]:
            return (repo.recovered_per_day(session, b), repo.overdue_recovered(session, b),
                    repo.contact_counts(session, b))

        def reminders(session: Any) -> tuple[Any, ...]:
            return (repo.paid_after_reminder(session, b),
                    results_days.funnel(session, b, last_stored), repo.days_to_pay(session, b))

        first, second = await self._db.run_reads([contact, reminders])
        per_day, (recovered, owed), counts = first
        (paid, reminded), funnel_rows, days = second
        funnel, breakdowns = roll_up(funnel_rows)
        return ResultsFigures(
            period=period, recovered_cents=sum(per_day.values()),
            recovered_by_week=by_week(per_day),
            overdue_recovered=Ratio(recovered, owed),
            days_to_pay=DaysToPay.of(days),
            response=Ratio(counts.replied_debtors, counts.messaged_debtors),
            identity_confirmed=Ratio(counts.confirmed_pairs, counts.pairs),
            paid_after_reminder=Ratio(paid, reminded),
            funnel=funnel, breakdowns=breakdowns,
            opted_out=Ratio(counts.opted_out_phones, counts.phones),
            wrong_party=Ratio(counts.wrong_party_phones, counts.phones))
