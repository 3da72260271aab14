"""Resultados › Custos as the panel sees it: what the messages cost against what came in, and
the price table the owner edits.

`show_period(period)` reads, on the database thread (`CostService.overview`), the spend of the
month of the period's last day, the period's spend by template, the payments of the period and
the price table; the answer to an older request is dropped. `save_table` saves through the
service (owner-only there: an operator gets the refusal, audited by the service) and reads the
period again, priced with the new table.

Money arrives in micros of reais (`domain.pricing`); the texts below turn it into centavos half
up for totals, and show a price per message with four decimals, so R$ 0,03672 reads R$ 0,0367
and not R$ 0,04 ("rounding" note in the panel).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.pricing import CATEGORY_NAMES, MICROS, Category, Currency, PriceTable
from cobrador_desktop.domain.results import Period
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.formatting import format_date
from cobrador_desktop.ui.models.message_list_model import MONTHS
from cobrador_desktop.ui.tasks import BusyTasks

if TYPE_CHECKING:
    from cobrador_desktop.services.costs import CostOverview
    from cobrador_desktop.ui.session import SignedIn

log = logging.getLogger("cobrador.ui")

#: the decimals a price per message shows (micros rounded half up to 1/10 000 real)
PRICE_DECIMALS = 4


class CostsSource(Protocol):
    """What the tab needs of `services.costs.CostService`."""

    async def overview(self, period: Period) -> CostOverview: ...

    def save_table(self, rows: object, operator_id: int | None) -> Awaitable[PriceTable]:
        """Owner-only (`services.authz.owner_only` wraps it)."""
        ...


@dataclass(frozen=True, slots=True)
class TemplateRow:
    """One line of the by-template table, as shown."""

    template: str
    category: str
    messages: int
    spend_cents: int
    per_message_micros: int | None


def month_label(month: date) -> str:
    """"novembro de 2026"."""
    name = QCoreApplication.translate("MessageListModel", MONTHS[month.month - 1])
    return QCoreApplication.translate("CostsViewModel", "{month} de {year}").format(
        month=name, year=month.year)


def category_label(category: Category) -> str:
    return QCoreApplication.translate("Pricing", CATEGORY_NAMES[category])


def template_label(template: str | None) -> str:
    return template or QCoreApplication.translate("CostsViewModel",
                                                  "Mensagens livres (sem modelo)")


def brl_price(micros: int, decimals: int = PRICE_DECIMALS) -> str:
    """Micros of reais with `decimals` decimals, half up: 36 720 -> "R$ 0,0367"."""
    scale = MICROS // 10**decimals
    units = (abs(micros) * 2 + scale) // (scale * 2)
    reais, rest = divmod(units, 10**decimals)
    sign = "-" if micros < 0 else ""
    return f"{sign}R$ {reais:,}".replace(",", ".") + f",{rest:0{decimals}d}"


def template_rows(overview: CostOverview) -> tuple[TemplateRow, ...]:
    """The period's templates as the table shows them (most expensive first)."""
    return tuple(
        TemplateRow(template_label(s.template), category_label(s.category), s.messages,
                    s.cents, s.brl_micros // s.messages if s.messages else None)
        for s in overview.by_template)


def per_hundred_text(overview: CostOverview) -> str:
    """Cost per R$ 100,00 recovered, or "—" when nothing came in."""
    cents = overview.per_real.cents_per_hundred_reais
    return "—" if cents is None else format_brl(cents)


def price_note(table: PriceTable) -> str:
    """How the prices are taken, with the dates and the rate of `table`."""
    parts = [QCoreApplication.translate(
        "CostsViewModel",
        "Como o gasto é calculado: cada mensagem entregue (ou lida) custa o preço da tabela "
        "vigente no dia em que saiu, pela categoria do modelo, ou pela que a Meta informou ao "
        "cobrar; a Meta conta o dia em UTC.")]
    brl_from = min((r.effective_from for r in table.rows if r.currency is Currency.BRL),
                   default=None)
    rate = (format_brl(table.usd_brl_e4 // 100) if table.usd_brl_e4 % 100 == 0
            else brl_price(table.usd_brl_e4 * 100))
    if brl_from is not None:
        parts.append(QCoreApplication.translate(
            "CostsViewModel",
            "Até {last} os preços são em dólar e viram reais pela cotação salva ({rate} por "
            "US$ 1); desde {first}, em reais.").format(
                last=format_date(brl_from - timedelta(days=1)), first=format_date(brl_from),
                rate=rate))
    else:
        parts.append(QCoreApplication.translate(
            "CostsViewModel",
            "Preços em dólar viram reais pela cotação salva ({rate} por US$ 1).").format(
                rate=rate))
    charged = _first_charged(table, Category.SERVICE)
    if charged is not None:
        parts.append(QCoreApplication.translate(
            "CostsViewModel",
            "Mensagens livres (serviço) são gratuitas até {last} e cobradas desde "
            "{first}.").format(last=format_date(charged - timedelta(days=1)),
                               first=format_date(charged)))
    parts.append(QCoreApplication.translate(
        "CostsViewModel",
        "Os totais são arredondados ao centavo só no fim; o preço por mensagem tem quatro "
        "casas (R$ 0,0367 é menos de quatro centavos)."))
    return " ".join(parts)


def _first_charged(table: PriceTable, category: Category) -> date | None:
    """The first day a price of `category` above zero holds after a free one, if any."""
    rows = sorted((r for r in table.rows if r.category is category),
                  key=lambda r: r.effective_from)
    if not rows or rows[0].micros:
        return None
    return next((r.effective_from for r in rows if r.micros), None)


class CostsViewModel(QObject):
    """Reads the period's costs and saves the price table."""

    #: the period's figures arrived (`services.costs.CostOverview`)
    loaded = Signal(object)
    #: reading failed (the message, in pt-BR)
    load_failed = Signal(str)
    #: the table was saved (the saved `PriceTable`)
    saved = Signal(object)
    #: the save was refused (the message, in pt-BR: a bad row, or only the owner may)
    save_failed = Signal(str)
    #: a read or a save started (True) or all finished (False)
    busy_changed = Signal(bool)

    def __init__(self, source: CostsSource, clock: Clock, tz: tzinfo,
                 parent: QObject | None = None, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 session: SignedIn | None = None) -> None:
        """Args:
            source: the costs service.
            clock, tz: "today" in the shop (the period shown before any is chosen: this month).
            operator_id: who is working (recorded and checked with a save).
            session: who is signed in, for the editor's owner-only Salvar (None: no sign-in).
        """
        super().__init__(parent)
        self._source = source
        self._clock = clock
        self._tz = tz
        self._operator_id = operator_id
        self.session = session
        self._tasks = BusyTasks("costs", self.busy_changed.emit)
        self._asked = 0
        self.period: Period | None = None
        self.overview: CostOverview | None = None

    @property
    def busy(self) -> bool:
        return self._tasks.busy

    def today(self) -> date:
        return self._clock.now().astimezone(self._tz).date()

    def show_period(self, period: Period | None = None) -> None:
        """Read the costs of `period` (this month when None); `loaded` or `load_failed`."""
        self.period = period or Period(self.today().replace(day=1), self.today())
        self._asked += 1
        self._run(self._load(self.period, self._asked))

    def reload(self) -> None:
        """Read the period shown again (after the table changed)."""
        self.show_period(self.period)

    async def _load(self, period: Period, asked: int) -> None:
        try:
            overview = await self._source.overview(period)
        except KnownError as error:
            if asked == self._asked:
                self.load_failed.emit(known_text(error))
            return
        if asked != self._asked:  # another period was asked for meanwhile
            return
        self.overview = overview
        self.loaded.emit(overview)

    def save_table(self, table: PriceTable | object) -> None:
        """Save the edited table (`saved` and the figures again, or `save_failed`)."""
        self._run(self._save(table))

    async def _save(self, table: object) -> None:
        try:
            saved = await self._source.save_table(table, self._operator_id())
        except KnownError as error:
            self.save_failed.emit(known_text(error))
            return
        self.saved.emit(saved)
        if self.period is not None:
            self.reload()

    def close(self) -> None:
        """Cancel whatever is under way (the window is closing)."""
        self._tasks.cancel_all()

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn_busy(coro, "costs")
