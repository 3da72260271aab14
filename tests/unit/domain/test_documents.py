"""CPF and CNPJ (numeric and the alphanumeric CNPJ of July 2026)."""

from __future__ import annotations

import random
import string

import pytest

from cobrador_desktop.domain.documents import (
    Document,
    DocumentType,
    cnpj_check_digits,
    cpf_check_digits,
    format_document,
    is_valid_cnpj,
    is_valid_cpf,
    mask_document,
    parse_document,
)
from cobrador_desktop.domain.errors import InvalidDocument

CPF, CNPJ = DocumentType.CPF, DocumentType.CNPJ
_ALNUM = string.digits + string.ascii_uppercase


@pytest.mark.parametrize(("base", "digits"), [
    ("123456789", "09"), ("529982247", "25"), ("000000001", "91"), ("987654321", "00"),
])
def test_cpf_check_digits(base: str, digits: str) -> None:
    assert cpf_check_digits(base) == digits


@pytest.mark.parametrize(("base", "digits"), [
    ("112223330001", "81"),
    ("000000000001", "91"),      # Banco do Brasil's root: a real all-but-one-zero base
    ("12ABC34501DE", "35"),      # the Receita Federal's alphanumeric example
])
def test_cnpj_check_digits(base: str, digits: str) -> None:
    assert cnpj_check_digits(base) == digits


@pytest.mark.parametrize("bad", ["12345678", "1234567890", "12345678a", ""])
def test_cpf_check_digits_needs_nine_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="9 digits"):
        cpf_check_digits(bad)


@pytest.mark.parametrize("bad", ["12ABC34501D", "12abc34501de", "12ABC34501DE3", "12ABC-4501DE"])
def test_cnpj_check_digits_needs_twelve_alphanumerics(bad: str) -> None:
    with pytest.raises(ValueError, match="12 characters"):
        cnpj_check_digits(bad)


@pytest.mark.parametrize(("text", "valid"), [
    ("123.456.789-09", True), ("12345678909", True), ("529.982.247-25", True),
    (" 529 982 247 25 ", True),
    ("123.456.789-08", False), ("123.456.789-90", False), ("529.982.247-52", False),
    ("111.111.111-11", False), ("000.000.000-00", False), ("999.999.999-99", False),
    ("1234567890", False), ("123456789091", False), ("123.456.789-0A", False), ("", False),
])
def test_is_valid_cpf(text: str, valid: bool) -> None:
    assert is_valid_cpf(text) is valid


@pytest.mark.parametrize(("text", "valid"), [
    ("11.222.333/0001-81", True), ("11222333000181", True), ("00.000.000/0001-91", True),
    ("12.ABC.345/01DE-35", True), ("12ABC34501DE35", True), ("12.abc.345/01de-35", True),
    ("11.222.333/0001-82", False), ("12.ABC.345/01DE-53", False), ("12.ABD.345/01DE-35", False),
    ("00000000000000", False), ("11.111.111/1111-80", False),
    ("12.ABC.345/01DE-3A", False),   # check digits stay numeric
    ("12.ÁBC.345/01DE-35", False), ("1122233300018", False), ("", False),
])
def test_is_valid_cnpj(text: str, valid: bool) -> None:
    assert is_valid_cnpj(text) is valid


def test_repeated_bases_are_refused_even_when_their_digits_add_up() -> None:
    for digit in "0123456789":
        cpf = digit * 9 + cpf_check_digits(digit * 9)
        assert not is_valid_cpf(cpf)
        cnpj = digit * 12 + cnpj_check_digits(digit * 12)
        assert not is_valid_cnpj(cnpj)


@pytest.mark.parametrize(("text", "expected"), [
    ("123.456.789-09", Document(CPF, "12345678909")),
    ("12345678909", Document(CPF, "12345678909")),
    ("529 982 247 25", Document(CPF, "52998224725")),
    ("11.222.333/0001-81", Document(CNPJ, "11222333000181")),
    ("12.abc.345/01de-35", Document(CNPJ, "12ABC34501DE35")),
    ("12ABC34501DE35", Document(CNPJ, "12ABC34501DE35")),
])
def test_parse_document(text: str, expected: Document) -> None:
    assert parse_document(text) == expected


@pytest.mark.parametrize("text", [
    "", "abc", "123.456.789-08", "111.111.111-11", "00000000000000", "1234567890",
    "12.ABC.345/01DE-36", "11.222.333/0001-8", "12345678909123", "ABC45678909",
])
def test_parse_document_rejects(text: str) -> None:
    with pytest.raises(InvalidDocument) as info:
        parse_document(text)
    assert info.value.params["value"] == text


def test_parse_document_can_restore_zeros_a_spreadsheet_dropped() -> None:
    cpf = "0" + "12345678" + cpf_check_digits("012345678")
    cnpj = "001234560001" + cnpj_check_digits("001234560001")
    assert parse_document(cpf[1:], restore_leading_zeros=True) == Document(CPF, cpf)
    assert parse_document(cnpj.lstrip("0"), restore_leading_zeros=True) == Document(CNPJ, cnpj)
    with pytest.raises(InvalidDocument):
        parse_document(cpf[1:])  # off by default: the app never guesses silently
    with pytest.raises(InvalidDocument):
        parse_document(cpf[1:-1] + "1", restore_leading_zeros=True)  # check digits still count


def test_document_refuses_invalid_or_non_canonical_values() -> None:
    for doc_type, value in [(CPF, "12345678908"), (CPF, "123.456.789-09"),
                            (CNPJ, "12abc34501de35"), (CNPJ, "12345678909"), (CPF, "")]:
        with pytest.raises(InvalidDocument):
            Document(doc_type, value)


@pytest.mark.parametrize(("doc", "formatted", "masked"), [
    (Document(CPF, "12345678909"), "123.456.789-09", "***.456.789-**"),
    (Document(CPF, "52998224725"), "529.982.247-25", "***.982.247-**"),
    (Document(CNPJ, "11222333000181"), "11.222.333/0001-81", "11.222.333/0001-81"),
    (Document(CNPJ, "12ABC34501DE35"), "12.ABC.345/01DE-35", "12.ABC.345/01DE-35"),
])
def test_format_and_mask(doc: Document, formatted: str, masked: str) -> None:
    assert format_document(doc) == formatted
    assert mask_document(doc) == masked


def test_random_cpfs_round_trip() -> None:
    rng = random.Random(11)
    caught = total = 0
    for _ in range(3000):
        base = "".join(rng.choice(string.digits) for _ in range(9))
        if len(set(base)) == 1:
            continue
        value = base + cpf_check_digits(base)
        doc = Document(CPF, value)
        assert is_valid_cpf(value)
        assert parse_document(format_document(doc)) == doc
        assert parse_document(value) == doc
        # A wrong check digit is always caught; a typo in the base almost always (mod 11 folds
        # remainders 0 and 1 together, so a rare substitution slips through).
        position = rng.randrange(9, 11)
        wrong = str((int(value[position]) + rng.randint(1, 9)) % 10)
        assert not is_valid_cpf(value[:position] + wrong + value[position + 1:])
        position = rng.randrange(9)
        wrong = str((int(value[position]) + rng.randint(1, 9)) % 10)
        caught += not is_valid_cpf(value[:position] + wrong + value[position + 1:])
        total += 1
    assert caught / total > 0.97


def test_random_cnpjs_round_trip_numeric_and_alphanumeric() -> None:
    rng = random.Random(14)
    caught = total = 0
    for index in range(3000):
        alphabet = string.digits if index % 2 else _ALNUM
        base = "".join(rng.choice(alphabet) for _ in range(12))
        if len(set(base)) == 1:
            continue
        value = base + cnpj_check_digits(base)
        doc = Document(CNPJ, value)
        assert is_valid_cnpj(value)
        assert parse_document(format_document(doc)) == doc
        assert parse_document(format_document(doc).lower()) == doc
        position = rng.randrange(12, 14)
        wrong = str((int(value[position]) + rng.randint(1, 9)) % 10)
        assert not is_valid_cnpj(value[:position] + wrong + value[position + 1:])
        position = rng.randrange(12)
        replacement = rng.choice([c for c in alphabet if c != value[position]])
        caught += not is_valid_cnpj(value[:position] + replacement + value[position + 1:])
        total += 1
    # Letters 11 apart (0 and G, A and L...) weigh the same mod 11: the alphanumeric CNPJ
    # catches fewer typos than the numeric one, as the Receita's rule implies.
    assert caught / total > 0.9


def test_list_mask_of_stored_documents() -> None:
    from cobrador_desktop.domain.documents import masked_for_list

    rng = random.Random(7)
    for _ in range(2000):
        base = "".join(rng.choice(string.digits) for _ in range(9))
        valid = base + cpf_check_digits(base)
        # a stored value whose check digits fail (bad data): never shown whole, never as valid
        broken = valid[:10] + str((int(valid[10]) + 1) % 10)
        expected = mask_document(parse_document(valid)) if is_valid_cpf(valid) else None
        if expected is not None:
            assert masked_for_list(valid) == expected == f"***.{valid[3:6]}.{valid[6:9]}-**"
        assert masked_for_list(broken) == "*********" + broken[-2:]
    assert masked_for_list("11111111111") == "*********11"  # a placeholder, not a CPF
    assert masked_for_list("11222333000181") == "11.222.333/0001-81"
    assert masked_for_list("123.456.789-09") == "***.456.789-**"
    assert masked_for_list(None) == masked_for_list("") == ""
