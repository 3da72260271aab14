"""The Resultados screen's figures for a period (`domain.results` defines each one)."""

from __future__ import annotations

from datetime import datetime, timedelta
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
    roll_up,
    utc_span,
)
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import results as repo


class ResultsService:
    """Counts the figures on the database thread, in one read transaction."""

    def __init__(self, db: Runner, clock: Clock, shop_zone: str) -> None:
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
        offset = start_at.astimezone(self._zone).utcoffset() or timedelta(0)
        return repo.Bounds(period.start, period.end, start_at, end_at,
                           int(offset.total_seconds() // 60))

    async def figures(self, period: Period) -> ResultsFigures:
        """Every figure of the screen for `period`."""
        b = self.bounds(period)

        def work(session: Any) -> ResultsFigures:
            per_day = repo.recovered_per_day(session, b)
            recovered, owed = repo.overdue_recovered(session, b)
            contact = repo.contact_counts(session, b)
            paid, reminded = repo.paid_after_reminder(session, b)
            funnel, breakdowns = roll_up(repo.funnel_rows(session, b))
            return ResultsFigures(
                period=period, recovered_cents=sum(per_day.values()),
                recovered_by_week=by_week(per_day),
                overdue_recovered=Ratio(recovered, owed),
                days_to_pay=DaysToPay.of(repo.days_to_pay(session, b)),
                response=Ratio(contact.replied_debtors, contact.messaged_debtors),
                identity_confirmed=Ratio(contact.confirmed_pairs, contact.pairs),
                paid_after_reminder=Ratio(paid, reminded),
                funnel=funnel, breakdowns=breakdowns,
                opted_out=Ratio(contact.opted_out_phones, contact.phones),
                wrong_party=Ratio(contact.wrong_party_phones, contact.phones))

        return await self._db.run(work)
