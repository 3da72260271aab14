"""Import rules without files or databases: columns, cells, rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cobrador_desktop.domain.errors import InvalidAmount
from cobrador_desktop.domain.import_columns import Field, ImportMappingError, match_columns
from cobrador_desktop.domain.importing import (
    CleanRow,
    NoSuchDate,
    RejectedRow,
    RowValidator,
    parse_amount_cell,
    parse_due_date,
)

HEADER = ["Razão Social", "CPF/CNPJ", "Celular", "Telefone", "E-mail", "Descrição", "Valor Devido",
          "Data de Vencimento"]


def test_headers_match_whatever_the_case_and_accents() -> None:
    mapping = match_columns(["RAZAO SOCIAL", "cpf / cnpj", "WhatsApp", "e-mail", "REFERÊNCIA",
                             "saldo", "due_date", "Observação"])
    assert mapping.columns[Field.NAME] == (0,)
    assert mapping.columns[Field.DOCUMENT] == (1,)
    assert mapping.columns[Field.PHONE] == (2,)
    assert mapping.columns[Field.EMAIL] == (3,)
    assert mapping.columns[Field.DESCRIPTION] == (4,)
    assert mapping.columns[Field.AMOUNT] == (5,)
    assert mapping.columns[Field.DUE_DATE] == (6,)
    assert mapping.ignored == ("Observação",)


def test_several_phone_columns_all_count() -> None:
    assert match_columns(HEADER).columns[Field.PHONE] == (2, 3)


def test_map_overrides_the_automatic_match() -> None:
    mapping = match_columns(["Cliente", "Total", "Valor", "Venc."],
                            ["Total=amount", "venc.=due_date", "Valor=descrição"])
    assert mapping.columns[Field.AMOUNT] == (1,)
    assert mapping.columns[Field.DUE_DATE] == (3,)
    assert mapping.columns[Field.DESCRIPTION] == (2,)


@pytest.mark.parametrize(("header", "overrides", "words"), [
    (["Cliente", "Valor"], [], "due_date"),
    (["Cliente", "Valor", "Vencimento"], ["Total=amount"], "“Total” de --map não existe"),
    (["Cliente", "Valor", "Vencimento"], ["Valor=preço"], "campo desconhecido “preço”"),
    (["Cliente", "Valor", "Vencimento"], ["Valor"], "COLUNA=CAMPO"),
])
def test_bad_columns_say_what_is_wrong(header: list[str], overrides: list[str], words: str) -> None:
    with pytest.raises(ImportMappingError) as err:
        match_columns(header, overrides)
    assert words in err.value.message
    assert err.value.exit_code == 2
    assert "“Cliente”" in err.value.hint


@pytest.mark.parametrize(("cell", "cents"), [
    ("R$ 1.234,56", 123456), ("1234,56", 123456), ("1.234,56", 123456), ("1234.56", 123456),
    ("0,99", 99), (150, 15000), (99.999, 10000), (33.333333333333336, 3333), (12.5, 1250),
])
def test_amounts(cell: str | float, cents: int) -> None:
    assert parse_amount_cell(cell) == cents


@pytest.mark.parametrize("cell", ["abc", "1,2,3", True, date(2026, 1, 1), float("nan")])
def test_unreadable_amounts(cell: object) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount_cell(cell)  # type: ignore[arg-type]


@pytest.mark.parametrize(("cell", "expected"), [
    ("05/10/2026", date(2026, 10, 5)), ("5/1/2026", date(2026, 1, 5)),
    ("05/10/26", date(2026, 10, 5)), ("01/01/99", date(1999, 1, 1)),
    ("2026-10-05", date(2026, 10, 5)), ("05/10/2026 00:00:00", date(2026, 10, 5)),
    ("2026-10-05T00:00:00", date(2026, 10, 5)), (datetime(2026, 10, 5, 0, 0), date(2026, 10, 5)),
    (date(2026, 10, 5), date(2026, 10, 5)),
])
def test_dates(cell: str | date, expected: date) -> None:
    assert parse_due_date(cell) == expected


def test_dates_that_do_not_exist_are_told_apart_from_unreadable_ones() -> None:
    for text in ("31/02/2026", "29/02/2027", "2026-13-01", "00/10/2026"):
        with pytest.raises(NoSuchDate):
            parse_due_date(text)
    for text in ("amanhã", "2026/10", "10-2026", "05/10/0026"):
        with pytest.raises(ValueError) as err:
            parse_due_date(text)
        assert not isinstance(err.value, NoSuchDate)


def _validator() -> RowValidator:
    return RowValidator(match_columns(HEADER))


def _row(name: str = "Maria", doc: str = "", mobile: object = "", phone: object = "",
         email: str = "", desc: str = "Parcela 1", amount: object = "10,00",
         due: object = "05/10/2026") -> list[object]:
    return [name, doc, mobile, phone, email, desc, amount, due]


def test_a_clean_row_is_normalised() -> None:
    got = _validator().validate(7, _row(name="  Maria   da  Silva ", doc="123.456.789-09",
                                        mobile="(11) 8765-4321", phone="(11) 3333-4444",
                                        email="maria@example.com"))
    assert isinstance(got, CleanRow)
    assert got.line == 7 and got.name == "Maria da Silva" and got.name_key == "maria da silva"
    assert (got.document, got.document_type) == ("12345678909", "cpf")
    # an old 8-digit mobile gets its 9th digit; the landline is kept and marked
    assert got.phones == (("+5511987654321", "mobile"), ("+551133334444", "landline"))
    assert got.amount_cents == 1000 and got.due_date == date(2026, 10, 5)
    assert got.email == "maria@example.com" and got.warnings == ()


@pytest.mark.parametrize(("doc", "value", "kind"), [
    ("12345678909", "12345678909", "cpf"), ("11.222.333/0001-81", "11222333000181", "cnpj"),
    ("12.abc.345/01de-35", "12ABC34501DE35", "cnpj"),
    (1234567890, "01234567890", "cpf"),  # a spreadsheet number lost the leading zero
])
def test_documents_masked_or_not(doc: object, value: str, kind: str) -> None:
    got = _validator().validate(2, _row(doc=doc))  # type: ignore[arg-type]
    assert isinstance(got, CleanRow)
    assert (got.document, got.document_type) == (value, kind)


def test_a_row_without_phone_or_document_is_accepted() -> None:
    got = _validator().validate(2, _row())
    assert isinstance(got, CleanRow) and got.document is None and got.phones == ()


def test_every_reason_of_a_rejected_row_is_given_with_its_line() -> None:
    got = _validator().validate(5, _row(name=" ", doc="111.222.333-44", amount="abc",
                                        due="31/02/2026"))
    assert isinstance(got, RejectedRow)
    assert got.text == (
        "linha 5: nome vazio; CPF/CNPJ “111.222.333-44” inválido (os dígitos verificadores não "
        "conferem); valor “abc” ilegível (escreva 1.234,56); vencimento “31/02/2026” não existe "
        "no calendário")


@pytest.mark.parametrize(("row", "reason"), [
    (_row(amount=""), "valor vazio"),
    (_row(amount="-5,00"), "valor “-5,00” é negativo"),
    (_row(amount="0,00"), "valor “0,00” é zero"),
    (_row(amount=0), "valor “0” é zero"),
    (_row(due=""), "vencimento vazio"),
    (_row(due="ontem"), "vencimento “ontem” ilegível (use dd/mm/aaaa)"),
    (_row(doc="123"), "CPF/CNPJ “123” inválido (o CPF tem 11 dígitos e o CNPJ 14 caracteres)"),
])
def test_rejections(row: list[object], reason: str) -> None:
    got = _validator().validate(3, row)
    assert isinstance(got, RejectedRow)
    assert got.text == f"linha 3: {reason}"


def test_bad_phones_and_emails_are_dropped_with_a_warning() -> None:
    got = _validator().validate(4, _row(mobile="(11) 98765-4321 / 1234", phone="abc",
                                        email="maria@"))
    assert isinstance(got, CleanRow)
    assert got.phones == (("+5511987654321", "mobile"),)
    assert [w.text for w in got.warnings] == [
        "telefone “1234” ignorado (número inválido)", "telefone “abc” ignorado (número inválido)",
        "e-mail “maria@” ignorado (endereço inválido)"]


def test_the_same_phone_twice_in_a_row_counts_once() -> None:
    got = _validator().validate(2, _row(mobile="11987654321", phone="+55 (11) 98765-4321"))
    assert isinstance(got, CleanRow) and got.phones == (("+5511987654321", "mobile"),)


def test_short_rows_are_padded() -> None:
    got = _validator().validate(2, ["Maria", "", "", "", "", "", "10,00"])
    assert isinstance(got, RejectedRow) and got.text == "linha 2: vencimento vazio"
