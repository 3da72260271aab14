"""The owner's monthly report: everything the Resultados screen counts for one calendar month of
the shop, with what it cost and who the shop is, gathered into one plain record
(`ui.reports.monthly_report` lays it out as a PDF).

Each figure comes from the service that owns it, with that service's definitions:
`ResultsService.figures` (`domain.results`), `CostService` (spend, per template, per real
recovered) and `SatisfactionService.over_time` (`domain.satisfaction`); the shop's identity is the
one its messages carry (`domain.settings.SHOP`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.results import Period, ResultsFigures
from cobrador_desktop.domain.satisfaction import SatisfactionOverTime
from cobrador_desktop.domain.settings import SHOP, ShopDetails
from cobrador_desktop.services.costs import CostPerReal, CostService, Spend
from cobrador_desktop.services.ports import ReadingRunner
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.services.satisfaction import SatisfactionService
from cobrador_desktop.storage.repos import operators as operators_repo
from cobrador_desktop.storage.repos.costs import TemplateSpend
from cobrador_desktop.storage.repos.settings import read_json_setting


@dataclass(frozen=True)
class MonthlyReport:
    """One month's report, as plain data.

    Attributes:
        month: the month's first day.
        period: the days counted: the whole month, or up to today for the current month.
        generated_at: when it was gathered (aware, UTC).
        shop: the shop's identity (None: never set up).
        figures: the Resultados figures of `period`.
        spend: what the messages of `period` cost.
        by_template: the same per template, most expensive first (None: free-form).
        cost_per_real: `spend` against the payments recorded in `period`.
        operator_names: the names of the operators in `figures.breakdowns.by_operator`.
        satisfaction: the post-payment survey over `period`.
        zone: the shop's zone (IANA name), in which the report tells times.
    """

    month: date
    period: Period
    generated_at: datetime
    shop: ShopDetails | None
    figures: ResultsFigures
    spend: Spend
    by_template: tuple[TemplateSpend, ...]
    cost_per_real: CostPerReal
    operator_names: Mapping[int, str]
    satisfaction: SatisfactionOverTime | None
    zone: str = "America/Sao_Paulo"

    @property
    def partial(self) -> bool:
        """The month is not over yet: the report counts up to `period.end`."""
        return self.period.end < month_period(self.month).end


def month_period(month: date) -> Period:
    """The calendar month of `month` (any day of it), first to last day."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


class MonthlyReportService:
    """Gathers a month's report through the Resultados services, on the database thread."""

    def __init__(self, db: ReadingRunner, clock: Clock, shop_zone: str) -> None:
        """Args:
            db: the database runner.
            clock: "now" (the shop's today, the report's date).
            shop_zone: the zone whose calendar months the report counts.
        """
        self._db = db
        self._clock = clock
        self._zone = shop_zone
        self._results = ResultsService(db, clock, shop_zone)
        self._costs = CostService(db, clock, shop_zone)
        self._survey = SatisfactionService(db, clock, shop_zone)

    async def default_month(self) -> date:
        """The first day of last month in the shop's calendar (the report an owner asks for)."""
        today = self._results.today().date()
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)

    async def report(self, month: date) -> MonthlyReport:
        """The report of `month` (any day of it); the current month counts up to today.

        Raises:
            ValueError: `month` is after the shop's current month.
        """
        now = self._clock.now()
        today = self._results.today().date()
        whole = month_period(month)
        if whole.start > today:
            raise ValueError(f"month {whole.start:%Y-%m} has not started (today is {today})")
        period = Period(whole.start, min(whole.end, today))
        figures = await self._results.figures(period)
        operator_ids = [int(key) for key, _ in figures.breakdowns.by_operator if key.isdigit()]

        def identity(session: Any) -> tuple[ShopDetails | None, dict[int, str]]:
            return (read_json_setting(session, SHOP),
                    operators_repo.names(session, operator_ids))

        shop, names = await self._db.run(identity)
        return MonthlyReport(
            month=whole.start, period=period, generated_at=now, shop=shop, figures=figures,
            spend=await self._costs.month_spend(period.start),
            by_template=await self._costs.by_template(period),
            cost_per_real=await self._costs.cost_per_real_recovered(period),
            operator_names=names, satisfaction=await self._survey.over_time(period),
            zone=self._zone)
