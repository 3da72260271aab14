"""Cost against recovery: what the WhatsApp messages cost and what came in meanwhile.

Periods are shop calendar days (`Days`: `start` and `end`, both included, such as
`domain.results.Period`), turned into instants in the shop's zone. Spend is in micros of reais
(`domain.pricing`), centavos only for display. Only the owner edits the price table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.pricing import PriceTable, micros_to_cents
from cobrador_desktop.domain.results import offset_minutes, utc_span
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.services.results import store_closed_days
from cobrador_desktop.storage.repos import costs as repo
from cobrador_desktop.storage.repos import results_days
from cobrador_desktop.storage.repos.costs import TemplateSpend

DEFAULT_SHOP_ZONE = "America/Sao_Paulo"


class Days(Protocol):
    """Shop calendar days from `start` to `end`, both included."""

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


@dataclass(frozen=True, slots=True)
class Spend:
    """What the messages of a span cost (micros of reais) and how many were charged for."""

    brl_micros: int
    messages: int

    @property
    def cents(self) -> int:
        return micros_to_cents(self.brl_micros)


@dataclass(frozen=True, slots=True)
class CostPerReal:
    """Spend against the payments recorded in the same span."""

    spend_micros: int
    recovered_cents: int

    @property
    def micros_per_real(self) -> int | None:
        """Micros of reais spent per R$ 1,00 recovered (half up); None when nothing came in."""
        if not self.recovered_cents:
            return None
        numerator = self.spend_micros * 100
        return (numerator * 2 + self.recovered_cents) // (self.recovered_cents * 2)

    @property
    def cents_per_hundred_reais(self) -> int | None:
        """Centavos spent per R$ 100,00 recovered, for a readable figure (half up)."""
        per_real = self.micros_per_real
        return None if per_real is None else micros_to_cents(per_real * 100)


@dataclass(frozen=True, slots=True)
class CostOverview:
    """Everything the Resultados screen's Custos tab shows for a period, read at once.

    Attributes:
        month: the first day of the month of the period's last day ("Gasto em novembro").
        month_spend: what the messages of that whole month cost.
        by_template: what each template cost in the period, most expensive first.
        recovered_cents: the payments recorded as paid in the period.
        table: the price table the figures were priced with.
    """

    month: date
    month_spend: Spend
    by_template: tuple[TemplateSpend, ...]
    recovered_cents: int
    table: PriceTable

    @property
    def period_spend(self) -> Spend:
        return _total(self.by_template)

    @property
    def per_real(self) -> CostPerReal:
        return CostPerReal(self.period_spend.brl_micros, self.recovered_cents)


def _total(spent: Sequence[TemplateSpend]) -> Spend:
    return Spend(sum(s.brl_micros for s in spent), sum(s.messages for s in spent))


def month_days(day: date) -> tuple[date, date]:
    """The first and last day of `day`'s month."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class CostService:
    """Reads and saves the price table and prices the messages, on the database thread."""

    def __init__(self, db: Runner, clock: Clock, shop_zone: str = DEFAULT_SHOP_ZONE) -> None:
        """Args:
            db: the database runner.
            clock: the instant recorded with a change of the table (audit log).
            shop_zone: the zone whose calendar days the periods count.
        """
        self._db = db
        self._clock = clock
        self._zone = ZoneInfo(shop_zone)

    def _span(self, first: date, last: date) -> tuple[datetime, datetime]:
        return utc_span(first, last, self._zone)

    async def table(self) -> PriceTable:
        """The price table in force: the owner's, or the shipped one."""
        return await self._db.run(repo.read_table)

    @owner_only("costs.price_table",
                QT_TRANSLATE_NOOP("Roles", "mudar a tabela de preços do WhatsApp"))
    async def save_table(self, rows: object, operator_id: int | None) -> PriceTable:
        """Replace the price table: a `PriceTable`, its JSON form {"usd_brl", "rows"}, or a
        list of rows (the saved exchange rate kept), audited.

        Raises:
            InvalidInput: a negative, overlapping or out-of-order price, a bad rate or field (in
                pt-BR); nothing is saved.
        """
        now = self._clock.now()

        def work(session: Any) -> PriceTable:
            table = rows
            if isinstance(rows, list | tuple):
                table = {"usd_brl": repo.read_table(session).usd_brl_e4, "rows": list(rows)}
            return repo.write_table(session, table, operator_id=operator_id, now=now)

        return await self._db.run(work)

    async def _stored_days(self, first: date, last: date) -> repo.StoredSpend:
        """Store the closed days from `first` to `last` not stored yet, and what reads them."""
        now = self._clock.now()
        offset = offset_minutes(self._span(first, last)[0], self._zone)
        last_stored = results_days.last_closed_day(now.astimezone(self._zone).date())
        await store_closed_days(self._db, first, min(last, last_stored), offset, now)
        return results_days.spend_source(offset, last_stored)

    async def month_spend(self, month: date) -> Spend:
        """What the messages sent in `month` (any day of it) cost, in the shop's calendar."""
        days = month_days(month)
        start, end = self._span(*days)
        stored = await self._stored_days(*days)
        return _total(await self._db.run(
            lambda s: repo.spend_by_template(s, start, end, stored=stored)))

    async def by_template(self, period: Days) -> tuple[TemplateSpend, ...]:
        """What each template cost in `period`, most expensive first (None: free-form)."""
        start, end = self._span(period.start, period.end)
        stored = await self._stored_days(period.start, period.end)
        return await self._db.run(lambda s: repo.spend_by_template(s, start, end, stored=stored))

    async def cost_per_real_recovered(self, period: Days) -> CostPerReal:
        """The messages' cost in `period` against the payments recorded as paid in it."""
        start, end = self._span(period.start, period.end)
        stored = await self._stored_days(period.start, period.end)

        def work(session: Any) -> CostPerReal:
            spent = _total(repo.spend_by_template(session, start, end, stored=stored))
            return CostPerReal(spent.brl_micros,
                               repo.recovered_cents(session, period.start, period.end))

        return await self._db.run(work)


    async def overview(self, period: Days) -> CostOverview:
        """The Custos tab's figures for `period` in one read: the month of its last day, the
        period by template, the payments in it, priced with one reading of the table (the
        closed days' counts stored first, `storage.repos.results_days`)."""
        month = month_days(period.end)
        month_span = self._span(*month)
        span = self._span(period.start, period.end)
        stored = await self._stored_days(min(period.start, month[0]), max(period.end, month[1]))

        def work(session: Any) -> CostOverview:
            table = repo.read_table(session)
            return CostOverview(
                month=month[0],
                month_spend=_total(repo.spend_by_template(session, *month_span, table, stored)),
                by_template=repo.spend_by_template(session, *span, table, stored),
                recovered_cents=repo.recovered_cents(session, period.start, period.end),
                table=table)

        return await self._db.run(work)
