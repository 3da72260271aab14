"""Rules for importing the shop's spreadsheets (INTERFACES.md §4), free of files and databases.

A file becomes a header and rows of cells (text from a CSV; text, numbers and dates from an XLSX).
`import_columns.match_columns` decides which column holds which field, and
`RowValidator.validate` turns each row into a `CleanRow` or a `RejectedRow` whose reasons are pt-BR
source text (translated by the window with `QCoreApplication.translate`).

Speed matters (a 100,000-row file): the same person usually fills several lines (one per
instalment), so the validator memoises each distinct phone, document, amount and date it reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import itemgetter
from typing import NamedTuple

from cobrador_desktop.domain.documents import DocumentType, parse_document
from cobrador_desktop.domain.errors import InvalidAmount, InvalidDocument, InvalidPhone, KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.import_columns import MULTI, ColumnMapping, Field
from cobrador_desktop.domain.money import MAX_CENTS, parse_brl
from cobrador_desktop.domain.phone import parse_phone
from cobrador_desktop.domain.text import fold_words

CONTEXT = "Import"
#: what a cell may hold: text (CSV), or what openpyxl gives (numbers, dates, booleans)
Cell = str | int | float | date | None

NAME_MAX, DESCRIPTION_MAX, EMAIL_MAX, EXTERNAL_ID_MAX = 200, 300, 254, 80


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class RowProblem:
    """Why a row was rejected, or what was left out of it: pt-BR source text and its values."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.template.format(**self.params)


class CleanRow(NamedTuple):
    """A row ready to merge: every value validated and normalised.

    A named tuple (immutable, like the dataclasses here): an import makes one per line, and a
    tuple is made five times faster than a frozen dataclass.
    """

    line: int
    name: str
    name_key: str
    document: str | None
    document_type: str | None
    #: (E.164, "mobile" | "landline" | "unknown"), in the order the file gives them
    phones: tuple[tuple[str, str], ...]
    email: str | None
    description: str
    amount_cents: int
    due_date: date
    external_id: str | None
    warnings: tuple[RowProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row left out, with its line number (the header is line 1) and every reason."""

    line: int
    problems: tuple[RowProblem, ...]

    @property
    def text(self) -> str:
        """`linha 7: nome vazio; valor “abc” ilegível`."""
        return f"linha {self.line}: " + "; ".join(p.text for p in self.problems)


def _p(template: str, **params: object) -> RowProblem:
    return RowProblem(template, params)


EMPTY_NAME = QT_TRANSLATE_NOOP("Import", "nome vazio")
BAD_DOCUMENT = QT_TRANSLATE_NOOP(
    "Import", "CPF/CNPJ “{value}” inválido (os dígitos verificadores não conferem)")
BAD_DOCUMENT_LENGTH = QT_TRANSLATE_NOOP(
    "Import", "CPF/CNPJ “{value}” inválido (o CPF tem 11 dígitos e o CNPJ 14 caracteres)")
EMPTY_AMOUNT = QT_TRANSLATE_NOOP("Import", "valor vazio")
BAD_AMOUNT = QT_TRANSLATE_NOOP("Import", "valor “{value}” ilegível (escreva 1.234,56)")
ZERO_AMOUNT = QT_TRANSLATE_NOOP("Import", "valor “{value}” é zero")
NEGATIVE_AMOUNT = QT_TRANSLATE_NOOP("Import", "valor “{value}” é negativo")
EMPTY_DATE = QT_TRANSLATE_NOOP("Import", "vencimento vazio")
BAD_DATE = QT_TRANSLATE_NOOP("Import", "vencimento “{value}” ilegível (use dd/mm/aaaa)")
NO_SUCH_DATE = QT_TRANSLATE_NOOP("Import", "vencimento “{value}” não existe no calendário")
LONG_EXTERNAL_ID = QT_TRANSLATE_NOOP(
    "Import", "identificador “{value}” longo demais (no máximo 80 caracteres)")
PHONE_IGNORED = QT_TRANSLATE_NOOP("Import", "telefone “{value}” ignorado (número inválido)")
EMAIL_IGNORED = QT_TRANSLATE_NOOP("Import", "e-mail “{value}” ignorado (endereço inválido)")

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_PHONE_SPLIT = re.compile(r"[;,|/]|\s+(?:e|ou)\s+", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def cell_text(value: Cell) -> str:
    """A cell as trimmed text; whole numbers from a spreadsheet lose their `.0`."""
    if value.__class__ is str:  # every cell of a CSV
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def parse_due_date(value: Cell) -> date:
    """A due date: `dd/mm/aaaa`, `dd/mm/aa`, `aaaa-mm-dd` (a time after it is ignored) or an XLSX date.

    Two-digit years are 2000-2069 for 00-69 and 1970-1999 for 70-99 (as `strptime`'s `%y`).

    Raises:
        ValueError: the text is not a date; `NoSuchDate` (a ValueError) when it is 31/02 and such.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    match = _DMY.match(text)
    if match:
        day, month, year = int(match[1]), int(match[2]), match[3]
        full = int(year) if len(year) == 4 else (2000 if int(year) < 70 else 1900) + int(year)
    else:
        match = _YMD.match(text)
        if not match:
            raise ValueError(text)
        full, month, day = int(match[1]), int(match[2]), int(match[3])
    if not 1900 <= full <= 2199:
        raise ValueError(text)
    try:
        return date(full, month, day)
    except ValueError:
        raise NoSuchDate(text) from None


class NoSuchDate(ValueError):
    """A well-written date that is not in the calendar (31/02/2026)."""


def parse_amount_cell(value: Cell) -> int:
    """Centavos of an amount cell: pt-BR text (`parse_brl`) or a spreadsheet number.

    Numbers are rounded half-up to the centavo (a formula's `33.3333…` is R$ 33,33).

    Raises:
        InvalidAmount: unreadable, or beyond `MAX_CENTS`.
    """
    if isinstance(value, (bool, date)):
        raise InvalidAmount(value=cell_text(value))
    if isinstance(value, int):
        cents = value * 100
    elif isinstance(value, float):
        try:
            cents = int((Decimal(repr(value)) * 100).quantize(Decimal(1), ROUND_HALF_UP))
        except (InvalidOperation, ValueError):
            raise InvalidAmount(value=repr(value)) from None
    else:
        return parse_brl(str(value))
    if abs(cents) > MAX_CENTS:
        raise InvalidAmount(value=cell_text(value))
    return cents


_DOC_CHARS = re.compile(r"[^0-9A-Za-z]")
#: the usual way a pt-BR amount is written (`1.234,56`, `R$ 99,90`): read without `parse_brl`,
#: with the same result (a property test compares them)
_PLAIN_AMOUNT = re.compile(r"^(?:R\$ ?)?(\d{1,3}(?:\.\d{3})+|\d{1,12}),(\d\d)$")
_Memo = dict[object, object]
#: marks a memo key made of (type, value) pairs
_TYPED = object()
#: what one person's cells give: name, name key, (document, type) or None, phones, problems
#: (rejecting the row), warnings (left out of it), e-mail
_Person = tuple[str, str, tuple[str, str] | None, tuple[tuple[str, str], ...],
                tuple["RowProblem", ...], tuple["RowProblem", ...], str | None]


def read_amount(value: Cell) -> int:
    """`parse_amount_cell`, with a fast path for the usual pt-BR writing (same results).

    Raises:
        InvalidAmount: as `parse_amount_cell`.
    """
    if isinstance(value, str):
        match = _PLAIN_AMOUNT.match(value)
        if match is not None:
            cents = int(match[1].replace(".", "")) * 100 + int(match[2])
            if cents <= MAX_CENTS:
                return cents
    return parse_amount_cell(value)


class RowValidator:
    """Turns the rows of one file into clean rows or rejections (one validator per import).

    Every result is memoised per distinct cell (a person's cells, an amount, a date, a
    description). Text cells, all of a CSV's, are looked up as they are; other cells (an XLSX's
    numbers and dates) by type and value too, since 1, 1.0 and True are equal keys.
    """

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        cols = mapping.columns
        self._one = {f: cols[f][0] for f in Field if f in cols and f not in MULTI}
        self._phones = cols.get(Field.PHONE, ())
        # the cells that describe the person (the same on each of their instalment lines)
        self._person_columns = tuple(
            i for i in (self._one.get(Field.NAME), self._one.get(Field.DOCUMENT),
                        *self._phones, self._one.get(Field.EMAIL)) if i is not None)
        # the person's cells as a tuple (`itemgetter` of one index gives the cell, not a tuple)
        self._person_key: Callable[[Sequence[Cell]], tuple[Cell, ...]] = (
            itemgetter(*self._person_columns) if len(self._person_columns) > 1
            else lambda cells: tuple([cells[i] for i in self._person_columns]))
        used = [i for column in cols.values() for i in column]
        self._width = max(used) + 1 if used else 0
        self._amount_at = self._one.get(Field.AMOUNT)
        self._date_at = self._one.get(Field.DUE_DATE)
        self._external_at = self._one.get(Field.EXTERNAL_ID)
        self._description_at = self._one.get(Field.DESCRIPTION)
        self._name_at = self._one.get(Field.NAME)
        self._document_at = self._one.get(Field.DOCUMENT)
        self._email_at = self._one.get(Field.EMAIL)
        # memos: text keys alone (a hit can only be the same text), other keys with their type
        self._people: dict[tuple[object, ...], _Person] = {}
        self._names: dict[str, tuple[str, str]] = {}
        self._words: dict[str, str] = {}
        self._docs: _Memo = {}
        self._amounts: dict[object, int | RowProblem] = {}
        self._dates: dict[object, date | RowProblem] = {}
        self._descriptions: dict[object, str] = {}
        self._phone_cells: dict[str, tuple[tuple[tuple[str, str], ...], tuple[RowProblem, ...]]] = {}

    def validate(self, line: int, cells: Sequence[Cell]) -> CleanRow | RejectedRow:
        """Check one row; `line` is its line (or sheet row) number, the header being line 1."""
        if len(cells) < self._width:  # a short row: the missing cells are empty
            cells = [*cells, *([None] * (self._width - len(cells)))]
        key = self._person_key(cells)
        person = self._people.get(key)
        if person is None:
            person = self._person_memo(key, cells)
        name, name_key, document, phones, problems, warnings, email = person
        amount = self._amount(None if self._amount_at is None else cells[self._amount_at])
        due = self._date(None if self._date_at is None else cells[self._date_at])
        external_id = (cell_text(cells[self._external_at]) or None
                       if self._external_at is not None else None)
        if (problems or amount.__class__ is not int or not isinstance(due, date)
                or (external_id is not None and len(external_id) > EXTERNAL_ID_MAX)):
            return self._rejected(line, problems, amount, due, external_id)
        assert isinstance(amount, int) and isinstance(due, date)
        raw = None if self._description_at is None else cells[self._description_at]
        description = self._descriptions.get(raw)
        if description is None:
            description = " ".join(cell_text(raw).split())[:DESCRIPTION_MAX]
            self._descriptions[raw if raw.__class__ is str else (raw.__class__, raw)] = description
        return CleanRow(line, name, name_key, document[0] if document else None,
                        document[1] if document else None, phones, email, description, amount,
                        due, external_id, warnings)

    @staticmethod
    def _rejected(line: int, person: tuple[RowProblem, ...], amount: int | RowProblem,
                  due: date | RowProblem, external_id: str | None) -> RejectedRow:
        """Every reason, in column order: name, document, amount, due date, external id."""
        problems = list(person)
        if isinstance(amount, RowProblem):
            problems.append(amount)
        if isinstance(due, RowProblem):
            problems.append(due)
        if external_id is not None and len(external_id) > EXTERNAL_ID_MAX:
            problems.append(_p(LONG_EXTERNAL_ID, value=external_id[:40] + "…"))
        return RejectedRow(line, tuple(problems))

    def _person_memo(self, key: tuple[object, ...], cells: Sequence[Cell]) -> _Person:
        if all(c is None or c.__class__ is str for c in key):
            person = self._people[key] = self._person(cells)
            return person
        # a spreadsheet's 1, 1.0 and True are equal keys but different cells
        typed = (_TYPED, *((c.__class__, c) for c in key))
        known = self._people.get(typed)
        if known is None:
            known = self._people[typed] = self._person(cells)
        return known

    def _person(self, cells: Sequence[Cell]) -> _Person:
        """Name, document, phones and e-mail of a row, checked (memoised per distinct cells).

        `cells` reaches every mapped column (`validate` pads a short row)."""
        problems: list[RowProblem] = []
        warnings: list[RowProblem] = []
        name_at, document_at, email_at = self._name_at, self._document_at, self._email_at
        name, name_key = self._name(cell_text(None if name_at is None else cells[name_at]))
        if not name:
            problems.append(_p(EMPTY_NAME))
        document = (None if document_at is None
                    else self._document(cells[document_at], problems))
        phones: list[tuple[str, str]] = []
        for i in self._phones:
            found, bad = self._phone_cell(cell_text(cells[i]))
            for phone in found:
                if phone not in phones:
                    phones.append(phone)
            warnings.extend(bad)
        email = None if email_at is None else (cell_text(cells[email_at]) or None)
        if email is not None and (len(email) > EMAIL_MAX or not _EMAIL.match(email)):
            warnings.append(_p(EMAIL_IGNORED, value=email[:60]))
            email = None
        return (name, name_key, document, tuple(phones), tuple(problems), tuple(warnings), email)

    def _name(self, text: str) -> tuple[str, str]:
        got = self._names.get(text)
        if got is None:
            name = " ".join(text.split())[:NAME_MAX]
            got = self._names[text] = (name, fold_words(name, self._words)[:NAME_MAX])
        return got

    def _document(self, value: Cell, problems: list[RowProblem]) -> tuple[str, str] | None:
        text = cell_text(value)
        if not text:
            return None
        got = self._docs.get(text)
        if got is None:
            try:
                doc = parse_document(text, restore_leading_zeros=True)
                got = (doc.value, DocumentType(doc.type).value)
            except InvalidDocument:
                bare = _DOC_CHARS.sub("", text)
                shaped = len(bare) in (11, 14) or (bare.isdigit() and 9 <= len(bare) <= 14)
                got = _p(BAD_DOCUMENT if shaped else BAD_DOCUMENT_LENGTH, value=text)
            self._docs[text] = got
        if isinstance(got, RowProblem):
            problems.append(got)
            return None
        assert isinstance(got, tuple)
        return got

    def _amount(self, value: Cell) -> int | RowProblem:
        got = self._amounts.get(value if value.__class__ is str else (value.__class__, value))
        if got is not None:
            return got
        text = cell_text(value)
        if not text:
            got = _p(EMPTY_AMOUNT)
        else:
            try:
                cents = read_amount(value)
                got = (cents if cents > 0 else
                       _p(ZERO_AMOUNT if cents == 0 else NEGATIVE_AMOUNT, value=text))
            except InvalidAmount:
                got = _p(BAD_AMOUNT, value=text)
        self._amounts[value if value.__class__ is str else (value.__class__, value)] = got
        return got

    def _date(self, value: Cell) -> date | RowProblem:
        got = self._dates.get(value if value.__class__ is str else (value.__class__, value))
        if got is not None:
            return got
        text = cell_text(value)
        if not text:
            got = _p(EMPTY_DATE)
        else:
            try:
                got = parse_due_date(value)
            except NoSuchDate:
                got = _p(NO_SUCH_DATE, value=text)
            except ValueError:
                got = _p(BAD_DATE, value=text)
        self._dates[value if value.__class__ is str else (value.__class__, value)] = got
        return got

    def _phone_cell(self, text: str) -> tuple[tuple[tuple[str, str], ...], tuple[RowProblem, ...]]:
        """Phones in one cell; a cell may hold several (`(11) 98765-4321 / (11) 3333-4444`)."""
        if not text:
            return (), ()
        got = self._phone_cells.get(text)
        if got is None:
            parts = [text]
            try:
                phone = parse_phone(text)
                found: list[tuple[str, str]] = [(phone.e164, phone.kind.value)]
                bad: list[RowProblem] = []
            except InvalidPhone:
                parts = [p.strip() for p in _PHONE_SPLIT.split(text) if p.strip()]
                found, bad = [], []
                for part in parts if len(parts) > 1 else []:
                    try:
                        phone = parse_phone(part)
                        found.append((phone.e164, phone.kind.value))
                    except InvalidPhone:
                        bad.append(_p(PHONE_IGNORED, value=part))
                if len(parts) <= 1:
                    bad.append(_p(PHONE_IGNORED, value=text))
            got = (tuple(found), tuple(bad))
            self._phone_cells[text] = got
        return got


class ImportCancelled(KnownError):
    """The operator cancelled an import: nothing was written."""

    message_template = QT_TRANSLATE_NOOP("KnownError", "Importação cancelada.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Nada foi gravado: o banco de dados ficou como estava antes da importação.")


AMBIGUOUS_NAME = QT_TRANSLATE_NOOP(
    "Import", "há {count} devedores chamados “{name}”; informe o CPF/CNPJ ou o telefone")
