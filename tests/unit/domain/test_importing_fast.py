"""The validator's shortcuts give what the full rules give: amounts read without `parse_brl`, and
a person's cells checked once for all their lines."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cobrador_desktop.domain.errors import InvalidAmount
from cobrador_desktop.domain.import_columns import match_columns
from cobrador_desktop.domain.importing import (
    CleanRow,
    RejectedRow,
    RowValidator,
    parse_amount_cell,
    read_amount,
)
from cobrador_desktop.domain.text import fold, fold_words


def _outcome(fn: object, value: object) -> object:
    try:
        return fn(value)  # type: ignore[operator]
    except InvalidAmount:
        return "invalid"


def _grouped(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


AMOUNTS = st.one_of(
    st.integers(0, 10**15).map(_grouped),
    st.integers(0, 10**15).map(lambda c: f"{c // 100},{c % 100:02d}"),
    st.integers(0, 10**15).map(lambda c: "R$ " + _grouped(c)),
    st.integers(0, 10**9).map(lambda c: "R$" + _grouped(c)),
    st.text(alphabet="0123456789.,R$ -", max_size=16),
)


@settings(max_examples=1500, deadline=None)
@given(AMOUNTS)
def test_fast_amounts_are_parse_brl_amounts(text: str) -> None:
    assert _outcome(read_amount, text) == _outcome(parse_amount_cell, text)


def test_the_fast_path_reads_the_usual_writings() -> None:
    assert read_amount("1.234,56") == 123456
    assert read_amount("R$ 99,90") == 9990
    assert read_amount("0,05") == 5
    assert _outcome(read_amount, "1.23,45") == "invalid"


#: names as shops write them, and the characters that make folding word by word risky: accents
#: alone or decomposed, spacing marks (¨ decomposes to a space), odd whitespace, ligatures
NAMES = st.text(alphabet=st.sampled_from(
    [*"aAçÇãÃéÉöÖ ßǅﬁ-'.0", "\u0301", "\u00a8", "\u00a0", "\t", "\u2028", "\ufdfa",
     "\u02d8", "\u3000", "\u1680", "Σ", "ς", "İ"]), max_size=24)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(NAMES, st.text(max_size=12)), min_size=1, max_size=6))
def test_folding_word_by_word_is_folding(names: list[str]) -> None:
    memo: dict[str, str] = {}  # shared across names, as in an import
    for name in names:
        assert fold_words(name, memo) == fold(name)


HEADER = ["Cliente", "CPF", "Celular", "E-mail", "Produto", "Valor", "Vencimento"]


def test_the_same_person_on_several_lines_gives_the_same_checked_person() -> None:
    validator = RowValidator(match_columns(HEADER))
    person = ["Ana Silva", "529.982.247-25", "(11) 8765-4321 / abc", "ana@x"]
    first = validator.validate(2, [*person, "Parcela 1", "10,00", "05/01/2026"])
    second = validator.validate(3, [*person, "Parcela 2", "20,00", "05/02/2026"])
    assert isinstance(first, CleanRow) and isinstance(second, CleanRow)
    assert (first.name_key, first.document, first.phones, first.email) == (
        second.name_key, second.document, second.phones, second.email) == (
        "ana silva", "52998224725", (("+5511987654321", "mobile"),), None)
    assert [w.text for w in second.warnings] == [
        "telefone “abc” ignorado (número inválido)", "e-mail “ana@x” ignorado (endereço inválido)"]
    assert (second.line, second.description, second.amount_cents, second.due_date) == (
        3, "Parcela 2", 2000, date(2026, 2, 5))
    rejected = validator.validate(4, ["", "529.982.247-26", "", "", "", "abc", "31/02/2026"])
    assert isinstance(rejected, RejectedRow)
    assert len(rejected.problems) == 4  # name, document, amount, date: every reason, in order


def test_equal_but_different_spreadsheet_cells_are_not_confused() -> None:
    validator = RowValidator(match_columns(["Cliente", "Valor", "Vencimento"]))
    number = validator.validate(2, [1, "10,00", "05/01/2026"])
    boolean = validator.validate(3, [True, "10,00", "05/01/2026"])
    assert isinstance(number, CleanRow) and isinstance(boolean, CleanRow)
    assert (number.name, boolean.name) == ("1", "True")
