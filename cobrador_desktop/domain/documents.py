"""CPF and CNPJ: check digits, parsing, formatting and masking.

The CNPJ becomes alphanumeric for registrations from July 2026 (Receita Federal, Nota Técnica
conjunta COCAD/SUARA/RFB nº 49/2024): the first 12 positions (8 for the root, 4 for the
establishment) take digits or upper-case letters, the last 2 stay numeric check digits. The check
digits keep the old modulo-11 rule with each character worth `ord(c) - 48`, so digits keep their
values and `A` = 17, `B` = 18... Numeric CNPJs stay valid unchanged.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from enum import StrEnum

from cobrador_desktop.domain.errors import InvalidDocument

_CPF_WEIGHTS_1 = tuple(range(10, 1, -1))  # 10..2 over the 9 base digits
_CPF_WEIGHTS_2 = tuple(range(11, 1, -1))  # 11..2 over base + first check digit
_CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2 = (6, *_CNPJ_WEIGHTS_1)

_CPF_SHAPE = re.compile(r"^[0-9]{11}$")
_CNPJ_SHAPE = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
_CNPJ_BASE = re.compile(r"^[0-9A-Z]{12}$")
_CPF_BASE = re.compile(r"^[0-9]{9}$")
# Punctuation people and spreadsheets put in documents: dots, slash, dashes, spaces.
_PUNCTUATION = re.compile(r"[.\-/\s\u00a0\u2010-\u2013_]")


class DocumentType(StrEnum):
    """Which Brazilian tax id a document is."""

    CPF = "cpf"
    CNPJ = "cnpj"


@dataclass(frozen=True)
class Document:
    """A valid CPF or CNPJ.

    Attributes:
        type: CPF or CNPJ.
        value: 11 digits (CPF) or 14 upper-case letters/digits (CNPJ), no punctuation.

    Raises:
        InvalidDocument: on construction, when `value` is not a valid document of `type`.
    """

    type: DocumentType
    value: str

    def __post_init__(self) -> None:
        valid = is_valid_cpf(self.value) if self.type is DocumentType.CPF else \
            is_valid_cnpj(self.value)
        # Only the canonical form is accepted, so equal documents compare and hash equal.
        if not valid or _PUNCTUATION.search(self.value) or self.value != self.value.upper():
            raise InvalidDocument(value=self.value)


def _check_digit(values: list[int], weights: tuple[int, ...]) -> int:
    # callers pass as many values as weights; map() is the fast way to pair them (an import
    # checks tens of thousands of documents)
    remainder = sum(map(operator.mul, values, weights)) % 11
    return 0 if remainder < 2 else 11 - remainder


def _cpf_digits(base9: str) -> str:
    values = [ord(c) - 48 for c in base9]
    first = _check_digit(values, _CPF_WEIGHTS_1)
    values.append(first)
    return f"{first}{_check_digit(values, _CPF_WEIGHTS_2)}"


def _cnpj_digits(base12: str) -> str:
    values = [ord(c) - 48 for c in base12]
    first = _check_digit(values, _CNPJ_WEIGHTS_1)
    values.append(first)
    return f"{first}{_check_digit(values, _CNPJ_WEIGHTS_2)}"


def cpf_check_digits(base9: str) -> str:
    """The two check digits of a CPF base (`"123456789"` -> `"09"`).

    Raises:
        ValueError: `base9` is not nine digits.
    """
    if not _CPF_BASE.match(base9):
        raise ValueError(f"CPF base must be 9 digits, got {base9!r}")
    return _cpf_digits(base9)


def cnpj_check_digits(base12: str) -> str:
    """The two check digits of a CNPJ base, numeric or alphanumeric (`"12ABC34501DE"` -> `"35"`).

    Raises:
        ValueError: `base12` is not 12 characters of 0-9/A-Z.
    """
    if not _CNPJ_BASE.match(base12):
        raise ValueError(f"CNPJ base must be 12 characters 0-9/A-Z, got {base12!r}")
    return _cnpj_digits(base12)


def _strip(text: str) -> str:
    return _PUNCTUATION.sub("", text).upper()


def is_valid_cpf(text: str) -> bool:
    """Whether `text` (punctuated or not) is a CPF whose check digits are right.

    A base of one repeated digit (`111.111.111-11`) passes the arithmetic but is never issued,
    and is the usual placeholder in bad data, so it is refused.
    """
    return _valid_cpf(_strip(text))


def _valid_cpf(value: str) -> bool:
    """`is_valid_cpf` of a value already stripped of punctuation and upper-cased."""
    if not _CPF_SHAPE.match(value) or len(set(value[:9])) == 1:
        return False
    return _cpf_digits(value[:9]) == value[9:]


def is_valid_cnpj(text: str) -> bool:
    """Whether `text` is a CNPJ, numeric or alphanumeric, whose check digits are right.

    Letters may be lower case and punctuation present; a base of one repeated character
    (`00.000.000/0000-00`) is refused.
    """
    return _valid_cnpj(_strip(text))


def _valid_cnpj(value: str) -> bool:
    """`is_valid_cnpj` of a value already stripped of punctuation and upper-cased."""
    if not _CNPJ_SHAPE.match(value) or len(set(value[:12])) == 1:
        return False
    return _cnpj_digits(value[:12]) == value[12:]


def parse_document(text: str, *, restore_leading_zeros: bool = False) -> Document:
    """Read a CPF or CNPJ, punctuated or not; letters are folded to upper case.

    Eleven characters are a CPF, fourteen a CNPJ.

    Args:
        text: the document as typed or read from a file.
        restore_leading_zeros: spreadsheets store documents as numbers and drop leading zeros
            (`01234567890` becomes `1234567890`); when true, an all-digit value of 9-10 digits is
            read as a CPF and one of 12-13 digits as a CNPJ, left-padded with zeros. The check
            digits must still hold. Meant for importers.

    Raises:
        InvalidDocument: wrong length, characters or check digits.
    """
    value = _strip(text.strip())
    if restore_leading_zeros and value.isdigit():
        if len(value) in (9, 10):
            value = value.zfill(11)
        elif len(value) in (12, 13):
            value = value.zfill(14)
    if len(value) == 11 and _valid_cpf(value):
        return _checked(DocumentType.CPF, value)
    if len(value) == 14 and _valid_cnpj(value):
        return _checked(DocumentType.CNPJ, value)
    raise InvalidDocument(value=text)


def _checked(kind: DocumentType, value: str) -> Document:
    """A `Document` of a canonical value just validated (skips validating it a second time)."""
    doc = object.__new__(Document)
    object.__setattr__(doc, "type", kind)
    object.__setattr__(doc, "value", value)
    return doc


def format_document(doc: Document) -> str:
    """Punctuate a document: `123.456.789-09`, `11.222.333/0001-81`, `12.ABC.345/01DE-35`."""
    v = doc.value
    if doc.type is DocumentType.CPF:
        return f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}"
    return f"{v[:2]}.{v[2:5]}.{v[5:8]}/{v[8:12]}-{v[12:]}"


def mask_document(doc: Document) -> str:
    """The form for lists and screens: a CPF shows only its middle six digits.

    CPF `123.456.789-09` -> `***.456.789-**`, the masking the federal government uses when it
    publishes CPFs, so a screen or screenshot does not expose a person's full tax id (LGPD art.
    6 III, data minimisation). A CNPJ stays whole: it identifies a company, is public in the
    Receita's register, and must be shown on collection documents (CDC art. 42-A).
    """
    if doc.type is DocumentType.CPF:
        return _masked_cpf(doc.value)
    return format_document(doc)


def _masked_cpf(digits: str) -> str:
    """`***.456.789-**` from a CPF's 11 digits."""
    return f"***.{digits[3:6]}.{digits[6:9]}-**"


def masked_for_list(document: str | None) -> str:
    """A stored CPF/CNPJ as lists and their exports show it: `***.456.789-**`,
    `11.222.333/0001-81` (see `mask_document`); "" when there is none."""
    if not document:
        return ""
    if len(document) == 11 and _valid_cpf(document):
        # a CPF as stored (11 digits): a list masks hundreds of them, skip building a Document
        return _masked_cpf(document)
    try:
        return mask_document(parse_document(document))
    except InvalidDocument:
        # a stored value that fails its check digits: still never show a whole tax id
        return "*" * max(len(document) - 2, 0) + document[-2:]
