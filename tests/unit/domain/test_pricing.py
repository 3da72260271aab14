"""The price table: the price in force at each boundary of WHATSAPP_CLOUD_API.md §9, message
categories, exact conversion to reais, and the checks that refuse a bad edit in Portuguese."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cobrador_desktop.domain.pricing import (
    SHIPPED,
    Category,
    Currency,
    ExchangeRateInvalid,
    Price,
    PriceDatesOutOfOrder,
    PriceInvalid,
    PriceNegative,
    PriceOverlap,
    PriceTable,
    Window,
    charge_for,
    check_table,
    dump_table,
    message_category,
    micros_to_cents,
    parse_rate,
    price_for,
)
from cobrador_desktop.domain.settings import SettingNotChoice, SettingNotDate

LAST_USD = datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)
FIRST_BRL = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
LAST_FREE_SERVICE = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
FIRST_PAID_SERVICE = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)


def _cost(category: Category, at: datetime, inside: bool) -> tuple[int, Currency]:
    price = price_for(category, at, inside, SHIPPED)
    return price.micros, price.currency


def test_billing_moves_from_dollars_to_reais_on_july_first() -> None:
    assert _cost(Category.UTILITY, LAST_USD, False) == (6_800, Currency.USD)
    assert _cost(Category.UTILITY, FIRST_BRL, False) == (36_720, Currency.BRL)
    assert _cost(Category.MARKETING, LAST_USD, True) == (62_500, Currency.USD)
    assert _cost(Category.MARKETING, FIRST_BRL, True) == (337_500, Currency.BRL)
    assert _cost(Category.AUTHENTICATION, LAST_USD, False) == (6_800, Currency.USD)
    assert _cost(Category.AUTHENTICATION, FIRST_BRL, False) == (36_720, Currency.BRL)
    # the day is Meta's (UTC): 21:30 in São Paulo on June 30 is already July 1
    sao_paulo_evening = datetime(2026, 7, 1, 0, 30, tzinfo=UTC)
    assert _cost(Category.UTILITY, sao_paulo_evening, False)[1] is Currency.BRL


def test_service_and_in_window_utility_are_free_until_september_30() -> None:
    for category in (Category.SERVICE, Category.UTILITY):
        assert _cost(category, LAST_FREE_SERVICE, True) == (0, Currency.BRL)
        assert _cost(category, FIRST_PAID_SERVICE, True) == (36_720, Currency.BRL)
    assert _cost(Category.SERVICE, LAST_FREE_SERVICE, False) == (0, Currency.BRL)
    assert _cost(Category.SERVICE, FIRST_PAID_SERVICE, False) == (36_720, Currency.BRL)
    # outside the window utility keeps its own row; marketing does not depend on the window
    assert _cost(Category.UTILITY, FIRST_PAID_SERVICE, False) == (36_720, Currency.BRL)
    assert _cost(Category.MARKETING, FIRST_PAID_SERVICE, False) == (337_500, Currency.BRL)


def test_before_per_message_pricing_nothing_is_charged() -> None:
    before = datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
    assert price_for(Category.MARKETING, before, False, SHIPPED) == Price(0, Currency.USD)
    assert _cost(Category.MARKETING, before + timedelta(hours=1), False) == (62_500, Currency.USD)


def test_dollars_count_in_reais_at_the_tables_rate_exactly() -> None:
    utility = price_for(Category.UTILITY, LAST_USD, False, SHIPPED)
    assert utility.brl_micros(SHIPPED.usd_brl_e4) == 36_720  # 0.0068 × 5.40
    assert utility.brl_micros(parse_rate("5,7315")) == 38_974  # 38 974.2 rounded
    brl = price_for(Category.UTILITY, FIRST_BRL, False, SHIPPED)
    assert brl.brl_micros(parse_rate("9")) == 36_720  # reais stay reais
    assert micros_to_cents(1000 * 36_720) == 3672  # R$ 36,72 for a thousand reminders
    assert micros_to_cents(5_000) == 1 and micros_to_cents(4_999) == 0  # half up


def test_a_message_takes_the_webhooks_category_else_its_templates() -> None:
    assert message_category(None, None, None) is Category.SERVICE
    assert message_category("lembrete_v1", "UTILITY", None) is Category.UTILITY
    assert message_category("oferta_v1", "MARKETING", None) is Category.MARKETING
    assert message_category("apagado_v1", None, None) is Category.UTILITY
    # Meta re-categorised it: what it billed wins
    assert message_category("lembrete_v1", "UTILITY", "marketing") is Category.MARKETING
    assert message_category("codigo_v1", "UTILITY", "authentication_international") \
        is Category.AUTHENTICATION
    paid = charge_for(Category.UTILITY, LAST_USD, False, "regular", SHIPPED)
    assert paid.micros == 6_800
    assert charge_for(Category.UTILITY, LAST_USD, False, "free_entry_point", SHIPPED).micros == 0


def test_the_shipped_table_round_trips_through_its_json_form() -> None:
    assert check_table(dump_table(SHIPPED)) == SHIPPED
    assert check_table(list(dump_table(SHIPPED)["rows"])) == SHIPPED  # type: ignore[arg-type]
    edited = check_table({"usd_brl": "5,10", "rows": [
        {"category": "Utility", "window": "outside", "from": "2025-07-01", "currency": "usd",
         "price": "0,0070"}]})
    assert edited == PriceTable((edited.rows[0],), 51_000)
    assert (edited.rows[0].micros, edited.rows[0].currency, edited.rows[0].basis) == (
        7_000, Currency.USD, "owner")


ROW = {"category": "utility", "window": "outside", "from": "2026-07-01", "currency": "BRL",
       "price": "0,04"}


@pytest.mark.parametrize(("rows", "error", "says"), [
    ([{**ROW, "price": "-0,01"}], PriceNegative, "não pode ser negativo"),
    ([{**ROW, "price": "0,0000001"}], PriceInvalid, "até seis casas"),
    ([{**ROW, "price": "quatro centavos"}], PriceInvalid, "não é um preço"),
    ([ROW, {**ROW, "window": "any", "price": "0,05"}], PriceOverlap,
     "Há dois preços para utilidade (fora da janela de 24 h) a partir de 01/07/2026"),
    ([ROW, {**ROW, "from": "2026-06-30"}], PriceDatesOutOfOrder, "01/07/2026"),
    ([{**ROW, "category": "promoção"}], SettingNotChoice, "marketing, utility"),
    ([{**ROW, "currency": "EUR"}], SettingNotChoice, "USD, BRL"),
    ([{**ROW, "from": "31/02/2026"}], SettingNotDate, "não é uma data válida"),
])
def test_a_bad_edit_is_refused_in_portuguese(rows: list[object], error: type[Exception],
                                             says: str) -> None:
    with pytest.raises(error) as refused:
        check_table({"usd_brl": "5,40", "rows": rows})
    assert says in str(refused.value)
    assert "nada foi salvo" in str(refused.value)


def test_inside_and_outside_rows_on_one_day_do_not_overlap() -> None:
    table = check_table([ROW, {**ROW, "window": "inside", "price": "0"}])
    assert [row.window for row in table.rows] == [Window.OUTSIDE, Window.INSIDE]


@pytest.mark.parametrize("rate", ["0", "-5,40", "5,40001", "cinco", "100,0001", True])
def test_a_bad_exchange_rate_is_refused(rate: object) -> None:
    with pytest.raises(ExchangeRateInvalid, match="cotação do dólar"):
        check_table({"usd_brl": rate, "rows": [ROW]})


def test_shipped_rows_cite_how_sure_each_price_is() -> None:
    bases = {(r.category, r.window, r.effective_from): r.basis for r in SHIPPED.rows}
    assert bases[(Category.MARKETING, Window.ANY, date(2025, 7, 1))] == "secondary"
    assert bases[(Category.SERVICE, Window.ANY, date(2025, 7, 1))] == "confirmed"
    assert bases[(Category.SERVICE, Window.ANY, date(2026, 10, 1))] == "announced"
