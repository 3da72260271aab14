"""What Meta charges for a message sent to Brazil: a dated, editable price table.

Money unit: **micros**, millionths of the currency unit, as an `int` (US$ 0.0068 = 6 800 micros
of USD; R$ 0,03672 = 36 720 micros of BRL). WhatsApp prices have four or more decimals, so
centavos cannot hold them; micros hold every price in WHATSAPP_CLOUD_API.md §9 and every
conversion at a four-decimal exchange rate exactly. Totals turn into centavos once, at the end
(`micros_to_cents`, half up). Nothing here is a float.

A row is a price for one category, for messages inside or outside the 24 h customer-service
window (or either: `Window.ANY`), from its `effective_from` day onwards, in that period's
currency (Meta bills Brazil in USD until 2026-06-30 and in BRL from 2026-07-01). The price in
force for a message is the row of its category, covering its window, with the latest
`effective_from` not after the message's day — in UTC, the day Meta bills in. USD prices count
in reais at the table's exchange rate (`usd_brl_e4`: reais per dollar × 10 000, 5,40 by default,
editable by the owner).

`SHIPPED` is WHATSAPP_CLOUD_API.md §9's table: rows marked `secondary` (vendor tables, "≈") or
`announced` (not on Meta's official page) are estimates; the BRL rows are the USD ones converted
at 5,40 because the doc has no BRL price list yet. The owner corrects them in the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import pairwise

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.settings import JsonSetting, SettingNotChoice, SettingNotDate

#: micros in one currency unit (US$ 1 or R$ 1)
MICROS = 1_000_000
#: micros in one centavo
MICROS_PER_CENT = MICROS // 100
#: the exchange rate's scale: `usd_brl_e4` 54 000 is R$ 5,4000 per US$ 1
RATE_SCALE = 10_000
DEFAULT_USD_BRL_E4 = 54_000
#: the exchange rate the owner may set: R$ 0,0001 to R$ 100,0000 per dollar
RATE_LIMITS = (1, 100 * RATE_SCALE)
#: a price the table accepts: up to R$/US$ 1 000 per message (a typo guard)
MAX_PRICE_MICROS = 1_000 * MICROS
MAX_ROWS = 200


class Category(StrEnum):
    """Meta's pricing categories (a template's category; free-form replies are `service`)."""

    MARKETING = "marketing"
    UTILITY = "utility"
    AUTHENTICATION = "authentication"
    SERVICE = "service"


class Window(StrEnum):
    """Which messages a price row covers: inside the 24 h window, outside it, or both."""

    ANY = "any"
    INSIDE = "inside"
    OUTSIDE = "outside"

    def covers(self, inside_window: bool) -> bool:
        return self is Window.ANY or (self is Window.INSIDE) == inside_window

    def overlaps(self, other: Window) -> bool:
        return Window.ANY in (self, other) or self is other


class Currency(StrEnum):
    USD = "USD"
    BRL = "BRL"


#: how sure a price is: Meta's official page, a vendor table ("≈"), a Meta notice not on the
#: official page, or typed by the owner
BASES = ("confirmed", "secondary", "announced", "owner")

CATEGORY_NAMES = {
    Category.MARKETING: QT_TRANSLATE_NOOP("Pricing", "marketing"),
    Category.UTILITY: QT_TRANSLATE_NOOP("Pricing", "utilidade"),
    Category.AUTHENTICATION: QT_TRANSLATE_NOOP("Pricing", "autenticação"),
    Category.SERVICE: QT_TRANSLATE_NOOP("Pricing", "serviço"),
}
WINDOW_NAMES = {
    Window.ANY: QT_TRANSLATE_NOOP("Pricing", "dentro ou fora da janela"),
    Window.INSIDE: QT_TRANSLATE_NOOP("Pricing", "dentro da janela de 24 h"),
    Window.OUTSIDE: QT_TRANSLATE_NOOP("Pricing", "fora da janela de 24 h"),
}
_TABLE_CAPTION = QT_TRANSLATE_NOOP("Settings", "Tabela de preços do WhatsApp")
_CATEGORY_CAPTION = QT_TRANSLATE_NOOP("Settings", "Categoria da mensagem")
_WINDOW_CAPTION = QT_TRANSLATE_NOOP("Settings", "Janela de atendimento")
_CURRENCY_CAPTION = QT_TRANSLATE_NOOP("Settings", "Moeda do preço")
_DATE_CAPTION = QT_TRANSLATE_NOOP("Settings", "Vigente a partir de")


class PriceInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não é um preço para {category} a partir de {day}: use um valor "
        "como 0,0068 (até seis casas decimais).")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Corrija o preço; nada foi salvo.")


class PriceNegative(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O preço de {category} a partir de {day} não pode ser negativo ({value}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use 0 para mensagens gratuitas; nada foi salvo.")


class PriceOverlap(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Há dois preços para {category} ({window}) a partir de {day}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Deixe um só preço por categoria, janela e data; nada foi salvo.")


class PriceDatesOutOfOrder(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A linha de {category} vigente a partir de {day} está depois de uma linha "
        "vigente a partir de {previous}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Ordene a tabela pela data de vigência, da mais antiga à mais nova; nada "
        "foi salvo.")


class PriceTableTooLong(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A tabela de preços tem {count} linhas; o máximo é {maximum}.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Apague linhas antigas; nada foi salvo.")


class ExchangeRateInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve como cotação do dólar: use um valor como 5,40 (reais "
        "por dólar, de 0,0001 a 100, até quatro casas decimais).")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Corrija a cotação; nada foi salvo.")


@dataclass(frozen=True, slots=True)
class PriceRow:
    """One price: a category, the window it covers, from a day on, in a currency (micros)."""

    category: Category
    window: Window
    effective_from: date
    currency: Currency
    micros: int
    basis: str = "owner"


@dataclass(frozen=True, slots=True)
class Price:
    """The price in force for one message: `micros` of `currency` (the row it came from; None
    before the table's first row, when nothing is charged)."""

    micros: int
    currency: Currency
    row: PriceRow | None = None

    def brl_micros(self, usd_brl_e4: int) -> int:
        """The price in micros of reais (USD at the rate, half up)."""
        if self.currency is Currency.BRL:
            return self.micros
        return _div_half_up(self.micros * usd_brl_e4, RATE_SCALE)


@dataclass(frozen=True, slots=True)
class PriceTable:
    """The rows, in effective-date order, and the dollar's rate for the USD periods."""

    rows: tuple[PriceRow, ...]
    usd_brl_e4: int = DEFAULT_USD_BRL_E4

    def boundaries(self) -> tuple[date, ...]:
        """Every day a price changes, sorted."""
        return tuple(sorted({row.effective_from for row in self.rows}))


def _div_half_up(numerator: int, denominator: int) -> int:
    return (numerator * 2 + denominator) // (denominator * 2)


def micros_to_cents(micros: int) -> int:
    """Micros of reais as centavos, half up (for totals, never per message)."""
    return _div_half_up(micros, MICROS_PER_CENT)


def price_for(category: Category, sent_at: datetime, inside_window: bool,
              table: PriceTable) -> Price:
    """The price in force for a message of `category` sent at `sent_at` (aware), inside or
    outside the customer-service window: the covering row with the latest `effective_from` not
    after `sent_at`'s UTC day. Before any row: free (US$ 0), as Meta billed conversations then,
    which this table does not model."""
    day = sent_at.astimezone(UTC).date()
    found: PriceRow | None = None
    for row in table.rows:
        if (row.category is category and row.window.covers(inside_window)
                and row.effective_from <= day
                and (found is None or row.effective_from >= found.effective_from)):
            found = row
    if found is None:
        return Price(0, Currency.USD)
    return Price(found.micros, found.currency, found)


def _row(category: Category, window: Window, day: date, currency: Currency, micros: int,
         basis: str) -> PriceRow:
    return PriceRow(category, window, day, currency, micros, basis)


_PER_MESSAGE = date(2025, 7, 1)
_BRL_BILLING = date(2026, 7, 1)
_SERVICE_CHARGED = date(2026, 10, 1)
_USD, _BRL = Currency.USD, Currency.BRL
_M, _U, _A, _S = Category.MARKETING, Category.UTILITY, Category.AUTHENTICATION, Category.SERVICE
_ANY, _IN, _OUT = Window.ANY, Window.INSIDE, Window.OUTSIDE

#: WHATSAPP_CLOUD_API.md §9 (Brazil). USD until 2026-06-30; the BRL rows are the USD prices at
#: R$ 5,40 (the doc gives no BRL list); service and in-window utility from 2026-10-01 at about
#: the utility rate as announced.
SHIPPED = PriceTable(rows=(
    _row(_M, _ANY, _PER_MESSAGE, _USD, 62_500, "secondary"),
    _row(_U, _OUT, _PER_MESSAGE, _USD, 6_800, "secondary"),
    _row(_U, _IN, _PER_MESSAGE, _USD, 0, "confirmed"),
    _row(_A, _ANY, _PER_MESSAGE, _USD, 6_800, "secondary"),
    _row(_S, _ANY, _PER_MESSAGE, _USD, 0, "confirmed"),
    _row(_M, _ANY, _BRL_BILLING, _BRL, 337_500, "secondary"),
    _row(_U, _OUT, _BRL_BILLING, _BRL, 36_720, "secondary"),
    _row(_U, _IN, _BRL_BILLING, _BRL, 0, "confirmed"),
    _row(_A, _ANY, _BRL_BILLING, _BRL, 36_720, "secondary"),
    _row(_S, _ANY, _BRL_BILLING, _BRL, 0, "confirmed"),
    _row(_U, _IN, _SERVICE_CHARGED, _BRL, 36_720, "announced"),
    _row(_S, _ANY, _SERVICE_CHARGED, _BRL, 36_720, "announced"),
))

# --------------------------------------------------------------------------- checking edits

_DECIMAL = re.compile(r"^(?P<sign>[-\u2212]?)\s*(?P<int>\d{1,9})(?:[.,](?P<frac>\d*))?$")


def _scaled(text: str, decimals: int) -> int | None:
    """`text` ("0,0068", "5.40", "-1") times 10**decimals, or None when it is not such a number
    or has more decimals."""
    match = _DECIMAL.match(text.strip())
    if match is None or len(match.group("frac") or "") > decimals:
        return None
    frac = (match.group("frac") or "").ljust(decimals, "0")
    value: int = int(match.group("int")) * 10**decimals + int(frac or "0")
    return -value if match.group("sign") else value


def parse_rate(value: object) -> int:
    """The dollar's rate as `usd_brl_e4` from "5,40", "5.4", or an int already scaled.

    Raises:
        ExchangeRateInvalid: not a number, more than four decimals, or out of 0,0001–100.
    """
    scaled = value if isinstance(value, int) and not isinstance(value, bool) else (
        _scaled(value, 4) if isinstance(value, str) else None)
    if scaled is None or not RATE_LIMITS[0] <= scaled <= RATE_LIMITS[1]:
        raise ExchangeRateInvalid(value=value)
    return scaled


def format_rate(usd_brl_e4: int) -> str:
    """The rate as the owner types it: 54 000 -> "5,4000"."""
    return f"{usd_brl_e4 // RATE_SCALE},{usd_brl_e4 % RATE_SCALE:04d}"


def format_micros(micros: int) -> str:
    """A price as the owner types it: 6 800 -> "0,006800"."""
    sign = "-" if micros < 0 else ""
    return f"{sign}{abs(micros) // MICROS},{abs(micros) % MICROS:06d}"


def _choice(value: object, kind: type[StrEnum], caption: str) -> str:
    text = value.strip() if isinstance(value, str) else value
    for member in kind:
        if isinstance(text, str) and text.lower() == member.value.lower():
            return member.value
    raise SettingNotChoice(value=value, setting=caption,
                           choices=", ".join(m.value for m in kind))


def check_row(value: object) -> PriceRow:
    """A row from a `PriceRow` or its JSON form: `category`, `window` (default any), `from`
    (ISO day), `currency`, and `micros` (int) or `price` (text such as "0,0068"), `basis`."""
    if isinstance(value, PriceRow):
        value = dump_row(value)
    if not isinstance(value, Mapping):
        raise InvalidInput(value=value, setting=_TABLE_CAPTION)
    category = Category(_choice(value.get("category"), Category, _CATEGORY_CAPTION))
    window = Window(_choice(value.get("window", Window.ANY.value), Window, _WINDOW_CAPTION))
    currency = Currency(_choice(value.get("currency"), Currency, _CURRENCY_CAPTION))
    raw_day = value.get("from")
    try:
        day = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
    except ValueError:
        raise SettingNotDate(value=raw_day, setting=_DATE_CAPTION) from None
    name, shown_day = CATEGORY_NAMES[category], day.strftime("%d/%m/%Y")
    raw = value.get("micros", value.get("price"))
    micros = raw if isinstance(raw, int) and not isinstance(raw, bool) else (
        _scaled(raw, 6) if isinstance(raw, str) else None)
    if micros is None or micros > MAX_PRICE_MICROS:
        raise PriceInvalid(value=raw, category=name, day=shown_day)
    if micros < 0:
        raise PriceNegative(value=raw, category=name, day=shown_day)
    basis = value.get("basis", "owner")
    return PriceRow(category, window, day, currency, micros,
                    basis if basis in BASES else "owner")


def check_rows(rows: Sequence[object]) -> tuple[PriceRow, ...]:
    """The rows, each checked, in effective-date order, one price per category, window and day.

    Raises:
        PriceDatesOutOfOrder: a row dated before the one above it.
        PriceOverlap: two rows of a category whose windows meet on the same day.
    """
    if len(rows) > MAX_ROWS:
        raise PriceTableTooLong(count=len(rows), maximum=MAX_ROWS)
    checked = tuple(check_row(row) for row in rows)
    for before, row in pairwise(checked):
        if row.effective_from < before.effective_from:
            raise PriceDatesOutOfOrder(category=CATEGORY_NAMES[row.category],
                                       day=row.effective_from.strftime("%d/%m/%Y"),
                                       previous=before.effective_from.strftime("%d/%m/%Y"))
    for i, row in enumerate(checked):
        for other in checked[i + 1:]:
            if (other.effective_from == row.effective_from and other.category is row.category
                    and other.window.overlaps(row.window)):
                narrower = other.window if other.window is not Window.ANY else row.window
                raise PriceOverlap(category=CATEGORY_NAMES[row.category],
                                   window=WINDOW_NAMES[narrower],
                                   day=row.effective_from.strftime("%d/%m/%Y"))
    return checked


def check_table(value: object) -> PriceTable:
    """A table from a `PriceTable`, its JSON form {"usd_brl", "rows"}, or a list of rows (the
    shipped rate then)."""
    if isinstance(value, PriceTable):
        value = dump_table(value)
    if isinstance(value, list | tuple):
        value = {"rows": value}
    if not isinstance(value, Mapping):
        raise InvalidInput(value=value, setting=_TABLE_CAPTION)
    rows = value.get("rows")
    if not isinstance(rows, list | tuple):
        raise InvalidInput(value=rows, setting=_TABLE_CAPTION)
    return PriceTable(check_rows(rows), parse_rate(value.get("usd_brl", DEFAULT_USD_BRL_E4)))


def dump_row(row: PriceRow) -> dict[str, object]:
    return {"category": row.category.value, "window": row.window.value,
            "from": row.effective_from.isoformat(), "currency": row.currency.value,
            "micros": row.micros, "basis": row.basis}


def dump_table(table: PriceTable) -> dict[str, object]:
    return {"usd_brl": table.usd_brl_e4, "rows": [dump_row(row) for row in table.rows]}


# --------------------------------------------------------------------------- one message

#: Meta's `pricing.category` (status webhooks) -> the table's category
WEBHOOK_CATEGORIES = {
    "marketing": Category.MARKETING, "marketing_lite": Category.MARKETING,
    "utility": Category.UTILITY, "authentication": Category.AUTHENTICATION,
    "authentication_international": Category.AUTHENTICATION, "service": Category.SERVICE,
}
#: Meta's `pricing.type` values that mean the message was not charged
FREE_PRICING_TYPES = frozenset({"free_customer_service", "free_entry_point"})


def message_category(template_name: str | None, template_category: str | None,
                     pricing_category: str | None) -> Category:
    """A sent message's category: what Meta's status webhook billed (`pricing.category`) when
    it said; else its template's category (a template we no longer know: utility, the kind
    this app creates); a free-form message is `service`."""
    if pricing_category is not None and pricing_category.lower() in WEBHOOK_CATEGORIES:
        return WEBHOOK_CATEGORIES[pricing_category.lower()]
    if template_name is None:
        return Category.SERVICE
    if template_category is not None and template_category.lower() in WEBHOOK_CATEGORIES:
        return WEBHOOK_CATEGORIES[template_category.lower()]
    return Category.UTILITY


def charge_for(category: Category, sent_at: datetime, inside_window: bool,
               pricing_type: str | None, table: PriceTable) -> Price:
    """`price_for`, except that a message Meta's webhook called free (`pricing.type`
    `free_customer_service`, `free_entry_point`) costs nothing."""
    if pricing_type is not None and pricing_type.lower() in FREE_PRICING_TYPES:
        return Price(0, Currency.BRL)
    return price_for(category, sent_at, inside_window, table)


PRICE_TABLE: JsonSetting[PriceTable] = JsonSetting(
    key="costs.price_table", default=SHIPPED, caption=_TABLE_CAPTION,
    doc="Meta's price per delivered message in Brazil, by category, window and date, and the "
        "dollar's rate for the USD periods: what the Resultados screen's costs count.",
    check=check_table, dump=dump_table)
