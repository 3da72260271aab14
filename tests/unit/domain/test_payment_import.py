"""Payments files without databases: columns, rows, methods and idempotency keys."""

from __future__ import annotations

from datetime import date

import pytest

from cobrador_desktop.domain.import_columns import ImportMappingError
from cobrador_desktop.domain.importing import RejectedRow
from cobrador_desktop.domain.payment_import import (
    PaymentRow,
    PaymentRowValidator,
    match_payment_columns,
    method_for,
)
from cobrador_desktop.domain.records import PaymentMethod

TODAY = date(2026, 11, 23)
HEADER = ["Data do pagamento", "CPF/CNPJ", "Telefone", "Histórico", "Valor pago", "Forma"]


def test_statement_headers_are_matched() -> None:
    mapping = match_payment_columns(HEADER)
    assert mapping.columns == {"paid_on": 0, "document": 1, "phone": 2, "description": 3,
                               "amount": 4, "method": 5}
    assert match_payment_columns(["Pagamento", "Data", "Celular"]).columns == {
        "amount": 0, "paid_on": 1, "phone": 2}
    assert match_payment_columns(["Quanto", "Quando", "CPF"], ["Quanto=amount",
                                                              "Quando=paid_on"]).columns == {
        "amount": 0, "paid_on": 1, "document": 2}


@pytest.mark.parametrize(("header", "words"), [
    (["Valor pago", "Data"], "CPF/CNPJ (document) ou telefone (phone)"),
    (["CPF", "Data"], "valor pago (amount)"),
    (["CPF", "Valor"], "data do pagamento (paid_on)"),
])
def test_missing_columns_are_named(header: list[str], words: str) -> None:
    with pytest.raises(ImportMappingError) as err:
        match_payment_columns(header)
    assert words in err.value.message and "paid_on" in err.value.hint


def _row(*cells: str, line: int = 2, validator: PaymentRowValidator | None = None
         ) -> PaymentRow | RejectedRow:
    validator = validator or PaymentRowValidator(match_payment_columns(HEADER), TODAY)
    return validator.validate(line, list(cells))


def test_a_good_row() -> None:
    row = _row("20/11/2026", "529.982.247-25", "", "PIX RECEBIDO ANA", "R$ 150,00", "")
    assert isinstance(row, PaymentRow)
    assert (row.document, row.phone, row.amount_cents, row.paid_on, row.method) == (
        "52998224725", None, 15000, date(2026, 11, 20), PaymentMethod.PIX)
    assert len(row.key) == 32


@pytest.mark.parametrize(("cells", "reasons"), [
    (("20/11/2026", "", "", "x", "10,00", ""), ["sem CPF/CNPJ nem telefone para saber quem pagou"]),
    (("20/11/2026", "111.222.333-44", "", "", "10,00", ""), ["CPF/CNPJ “111.222.333-44” inválido"]),
    (("20/11/2026", "", "12", "", "10,00", ""), ["telefone “12” inválido"]),
    (("31/02/2026", "52998224725", "", "", "abc", ""),
     ["valor pago “abc” ilegível (escreva 1.234,56)",
      "data do pagamento “31/02/2026” não existe no calendário"]),
    (("24/11/2026", "52998224725", "", "", "-5,00", ""),
     ["valor pago “-5,00” não é positivo", "data do pagamento 24/11/2026 é depois de hoje"]),
    (("01/01/2010", "52998224725", "", "", "", ""),
     ["valor pago vazio", "data do pagamento 01/01/2010 tem mais de dez anos"]),
])
def test_bad_rows_say_why(cells: tuple[str, ...], reasons: list[str]) -> None:
    row = _row(*cells, line=7)
    assert isinstance(row, RejectedRow)
    assert [p.text for p in row.problems] == reasons
    assert row.text.startswith("linha 7: ")


def test_keys_are_the_same_for_the_same_payment_and_differ_for_a_second_identical_one() -> None:
    cells = ("20/11/2026", "", "(11) 98765-4321", "PIX", "50,00", "")
    one = PaymentRowValidator(match_payment_columns(HEADER), TODAY)
    first, second = _row(*cells, validator=one), _row(*cells, line=3, validator=one)
    assert isinstance(first, PaymentRow) and isinstance(second, PaymentRow)
    assert first.key != second.key  # two payments of R$ 50,00 the same day
    again = PaymentRowValidator(match_payment_columns(HEADER), TODAY)
    moved = _row(*cells, line=40, validator=again)  # the statement exported again, lines moved
    assert isinstance(moved, PaymentRow) and moved.key == first.key
    other = _row("20/11/2026", "", "11 98765 4321", "PIX", "50,01", "")
    assert isinstance(other, PaymentRow) and other.key != first.key


@pytest.mark.parametrize(("text", "method"), [
    ("PIX recebido", PaymentMethod.PIX), ("Dinheiro", PaymentMethod.CASH),
    ("Cartão de crédito", PaymentMethod.CARD), ("boleto", PaymentMethod.BOLETO),
    ("TED", PaymentMethod.TRANSFER), ("Transferência", PaymentMethod.TRANSFER),
    ("", PaymentMethod.OTHER), ("cheque", PaymentMethod.OTHER), ("Documento", PaymentMethod.OTHER),
])
def test_methods(text: str, method: PaymentMethod) -> None:
    assert method_for(text) is method
