"""Amounts in reais: parsing what people type, formatting for screens and for PIX/JSON."""

from __future__ import annotations

import random

import pytest

from cobrador_desktop.domain.errors import InvalidAmount
from cobrador_desktop.domain.money import MAX_CENTS, format_brl, format_decimal, parse_brl


@pytest.mark.parametrize(("text", "cents"), [
    ("R$ 1.234,56", 123456),
    ("1234,56", 123456),
    ("1.234,56", 123456),
    ("1234.56", 123456),
    ("0,99", 99),
    ("150", 15000),
    ("R$1.234.567,89", 123456789),
    ("R$\u00a01.234,56", 123456),          # no-break space after R$
    ("  R$ 10,00  ", 1000),
    ("r$ 10,00", 1000),
    ("1\u00a0234,56", 123456),              # spaces as thousands separators
    ("1 234 567", 123456700),
    ("1.234", 123400),                      # pt-BR thousands, not 1.234 reais
    ("12.345.678", 1234567800),
    ("1234.5", 123450),                     # one decimal after a single dot
    ("12.34", 1234),
    ("1,5", 150),
    ("1,234.56", 123456),                   # en-US export from a spreadsheet
    ("1,234,567", 123456700),
    ("0", 0),
    ("000,10", 10),
    (".5", 50),
    (",05", 5),
    ("-R$ 5,00", -500),                     # negatives parse; the importer rejects them
    ("R$ -5,00", -500),
    ("\u2212R$ 5,00", -500),                # minus sign from a word processor
    ("- 5", -500),
    ("+5", 500),
    ("999.999.999.999,99", MAX_CENTS),
])
def test_parse_brl_reads_common_writings(text: str, cents: int) -> None:
    assert parse_brl(text) == cents


@pytest.mark.parametrize("text", [
    "", "   ", "R$", "abc", "1e5", "10 reais", "US$ 10", "R$ R$ 10",
    "1,234",          # three decimals after a comma: pt-BR would mean 1,234 reais
    "1.2345", "1,234,5", "1,2,3", "1..234", "1.234.56", "1.234,567",
    "12 34", "1234,", ",", ".", "--5", "-R$ -5", "5-", "1.234,56,78", "1,234.567",
    "1.000.000.000.000,00",  # above MAX_CENTS
    "12.34.56", "1.23,45",
])
def test_parse_brl_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_brl(text)
    assert info.value.params["value"] == text
    assert text in info.value.message


@pytest.mark.parametrize(("cents", "text"), [
    (123456, "R$ 1.234,56"),
    (0, "R$ 0,00"),
    (5, "R$ 0,05"),
    (99, "R$ 0,99"),
    (100000, "R$ 1.000,00"),
    (123456789, "R$ 1.234.567,89"),
    (-100, "-R$ 1,00"),
    (-123456, "-R$ 1.234,56"),
])
def test_format_brl(cents: int, text: str) -> None:
    assert format_brl(cents) == text
    assert "\u00a0" not in format_brl(cents)


def test_format_brl_without_symbol() -> None:
    assert format_brl(123456, symbol=False) == "1.234,56"
    assert format_brl(-5, symbol=False) == "-0,05"


@pytest.mark.parametrize(("cents", "text"), [
    (123456, "1234.56"), (0, "0.00"), (5, "0.05"), (100, "1.00"), (-5, "-0.05"),
    (123456789, "1234567.89"),
])
def test_format_decimal(cents: int, text: str) -> None:
    assert format_decimal(cents) == text


@pytest.mark.parametrize("bad", [1.5, 10.0, True, "100"])
def test_formatting_refuses_non_integer_amounts(bad: object) -> None:
    with pytest.raises(TypeError):
        format_brl(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_decimal(bad)  # type: ignore[arg-type]


def test_round_trips_on_random_amounts() -> None:
    rng = random.Random(20261123)
    samples = [rng.randint(-MAX_CENTS, MAX_CENTS) for _ in range(2000)]
    samples += [rng.randint(-100_000, 100_000) for _ in range(2000)] + [0, 1, -1, MAX_CENTS]
    for cents in samples:
        assert parse_brl(format_brl(cents)) == cents
        assert parse_brl(format_brl(cents, symbol=False)) == cents
        assert parse_brl(format_decimal(cents)) == cents


def test_parse_never_returns_a_float() -> None:
    assert type(parse_brl("0,10")) is int
