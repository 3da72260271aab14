"""Rules for importing payments from a shop's bank statement or spreadsheet, free of files and
databases: which column holds what, and each row read into a `PaymentRow` or a `RejectedRow`.

A row names the payer by CPF/CNPJ or phone, and gives the amount and the date paid (a description
and the way it was paid are optional). Which debtor it is and which debts it pays is decided by
the storage layer (`storage.repos.payment_import`), with `domain.payments.allocate`.

Idempotency: each row gets a `key`, a hash of who paid (as normalised), the date, the amount, the
folded description and the row's occurrence among identical rows of the file (two PIX of R$ 50,00
from the same person on the same day are two payments). The key is stored with the payment, so
re-importing the file, or a later statement that repeats those days, registers nothing twice,
while the line number (which moves when a statement is exported again) plays no part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cobrador_desktop.domain.documents import parse_document
from cobrador_desktop.domain.errors import InvalidAmount, InvalidDocument, InvalidPhone
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.import_columns import ImportMappingError, header_key
from cobrador_desktop.domain.importing import (
    Cell,
    NoSuchDate,
    RejectedRow,
    RowProblem,
    cell_text,
    parse_due_date,
    read_amount,
)
from cobrador_desktop.domain.payments import MAX_AGE, MAX_NOTE
from cobrador_desktop.domain.phone import parse_phone
from cobrador_desktop.domain.records import PaymentMethod
from cobrador_desktop.domain.text import fold

#: header names for each payment field (compared after `header_key`)
PAYMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "document": ("cpf", "cnpj", "cpf/cnpj", "cpf cnpj", "documento", "document", "doc",
                 "cpf/cnpj do pagador", "documento do pagador"),
    "phone": ("telefone", "celular", "whatsapp", "fone", "phone", "tel"),
    "amount": ("valor pago", "pagamento", "valor", "valor do pagamento", "amount", "crédito",
               "credito", "valor recebido", "recebido", "entrada"),
    "paid_on": ("data do pagamento", "data de pagamento", "data pagamento", "data", "pago em",
                "paid_on", "date", "data do crédito", "data de crédito"),
    "description": ("descrição", "histórico", "observação", "description", "lançamento",
                    "referência"),
    "method": ("forma de pagamento", "forma", "meio de pagamento", "meio", "método", "method",
               "tipo"),
}
PAYMENT_FIELDS = tuple(PAYMENT_ALIASES)
_FIELD_BY_KEY = {header_key(a): f for f, names in PAYMENT_ALIASES.items() for a in names}
_FIELD_BY_KEY.update({header_key(f): f for f in PAYMENT_FIELDS})

#: how the method column's words map to `PaymentMethod` (folded, first word that matches)
_METHOD_WORDS = (("pix", PaymentMethod.PIX), ("dinheiro", PaymentMethod.CASH),
                 ("especie", PaymentMethod.CASH), ("cart", PaymentMethod.CARD),
                 ("debito", PaymentMethod.CARD), ("credito", PaymentMethod.CARD),
                 ("boleto", PaymentMethod.BOLETO), ("transf", PaymentMethod.TRANSFER),
                 ("ted", PaymentMethod.TRANSFER), ("doc", PaymentMethod.TRANSFER))

MAP_HINT = QT_TRANSLATE_NOOP(
    "KnownError",
    "Colunas encontradas: {columns}. Renomeie a coluna no arquivo ou indique-a com "
    "--map \"Nome da coluna=campo\" (campos: document, phone, amount, paid_on, description, "
    "method). Nada foi gravado.")

NO_PAYER = QT_TRANSLATE_NOOP("Import", "sem CPF/CNPJ nem telefone para saber quem pagou")
BAD_DOCUMENT = QT_TRANSLATE_NOOP("Import", "CPF/CNPJ “{value}” inválido")
BAD_PHONE = QT_TRANSLATE_NOOP("Import", "telefone “{value}” inválido")
EMPTY_AMOUNT = QT_TRANSLATE_NOOP("Import", "valor pago vazio")
BAD_AMOUNT = QT_TRANSLATE_NOOP("Import", "valor pago “{value}” ilegível (escreva 1.234,56)")
NOT_POSITIVE = QT_TRANSLATE_NOOP("Import", "valor pago “{value}” não é positivo")
EMPTY_DATE = QT_TRANSLATE_NOOP("Import", "data do pagamento vazia")
BAD_DATE = QT_TRANSLATE_NOOP("Import", "data do pagamento “{value}” ilegível (use dd/mm/aaaa)")
NO_SUCH_DATE = QT_TRANSLATE_NOOP("Import", "data do pagamento “{value}” não existe no calendário")
FUTURE_DATE = QT_TRANSLATE_NOOP("Import", "data do pagamento {value} é depois de hoje")
OLD_DATE = QT_TRANSLATE_NOOP("Import", "data do pagamento {value} tem mais de dez anos")


@dataclass(frozen=True)
class PaymentMapping:
    """Which column feeds which payment field (field -> column index)."""

    header: tuple[str, ...]
    columns: dict[str, int]

    def describe(self) -> str:
        """`CPF → document, Valor pago → amount, …` in column order."""
        return ", ".join(f"{self.header[i]} → {f}"
                         for f, i in sorted(self.columns.items(), key=lambda kv: kv[1]))


def match_payment_columns(header: Sequence[str], overrides: Sequence[str] = ()) -> PaymentMapping:
    """Decide which column holds which payment field (`--map "Coluna=campo"` wins).

    Raises:
        ImportMappingError: a bad `--map`, no amount or date column, or neither a CPF/CNPJ nor a
            phone column.
    """
    head = tuple("" if h is None else str(h).strip() for h in header)
    keys = [header_key(h) for h in head]
    shown = ", ".join(f"“{h}”" for h in head if h) or "nenhuma"

    def error(detail: str) -> ImportMappingError:
        return ImportMappingError(detail=detail, columns=shown, hint=MAP_HINT)
    forced: dict[int, str] = {}
    for item in overrides:
        column, sep, target = item.rpartition("=")
        wanted = _FIELD_BY_KEY.get(header_key(target))
        if not sep or not column.strip():
            raise error(f"--map “{item}” não está no formato COLUNA=CAMPO")
        if wanted is None:
            raise error(f"campo desconhecido “{target.strip()}” em --map")
        matches = [i for i, k in enumerate(keys) if k == header_key(column)]
        if not matches:
            raise error(f"a coluna “{column.strip()}” de --map não existe")
        forced[matches[0]] = wanted
    columns: dict[str, int] = {}
    for i, key in enumerate(keys):
        field = forced.get(i) or (None if _FIELD_BY_KEY.get(key) in forced.values()
                                  else _FIELD_BY_KEY.get(key))
        if field is not None and field not in columns:
            columns[field] = i
    labels = {"amount": "valor pago (amount)", "paid_on": "data do pagamento (paid_on)"}
    missing = [labels[f] for f in ("amount", "paid_on") if f not in columns]
    if "document" not in columns and "phone" not in columns:
        missing.append("CPF/CNPJ (document) ou telefone (phone)")
    if missing:
        raise error("faltam as colunas de " + ", ".join(missing))
    return PaymentMapping(header=head, columns=columns)


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """A payment row ready to apply.

    Attributes:
        document: the payer's CPF/CNPJ (canonical) or None; `phone`: E.164 or None.
        key: the idempotency key (see the module docstring), 32 hex digits.
    """

    line: int
    document: str | None
    phone: str | None
    amount_cents: int
    paid_on: date
    method: PaymentMethod
    description: str
    key: str


def method_for(text: str) -> PaymentMethod:
    """The payment method a statement's word names (`PIX recebido`, `TED`, `Cartão`); else other."""
    words = fold(text).replace("-", " ").split()
    for word in words:
        for prefix, method in _METHOD_WORDS:
            if word.startswith(prefix) and (len(prefix) > 3 or word == prefix):
                return method
    return PaymentMethod.OTHER


class PaymentRowValidator:
    """Reads the rows of one payments file (one validator per import)."""

    def __init__(self, mapping: PaymentMapping, today: date) -> None:
        self.mapping, self.today = mapping, today
        self._seen: dict[str, int] = {}

    def _cell(self, cells: Sequence[Cell], field: str) -> Cell:
        i = self.mapping.columns.get(field)
        return None if i is None or i >= len(cells) else cells[i]

    def validate(self, line: int, cells: Sequence[Cell]) -> PaymentRow | RejectedRow:
        """Check one row (`line`: its line number, the header being line 1)."""
        problems: list[RowProblem] = []
        document = phone = None
        doc_text = cell_text(self._cell(cells, "document"))
        phone_text = cell_text(self._cell(cells, "phone"))
        if doc_text:
            try:
                document = parse_document(doc_text, restore_leading_zeros=True).value
            except InvalidDocument:
                problems.append(RowProblem(BAD_DOCUMENT, {"value": doc_text}))
        if phone_text:
            try:
                phone = parse_phone(phone_text).e164
            except InvalidPhone:
                if document is None:
                    problems.append(RowProblem(BAD_PHONE, {"value": phone_text}))
        if not doc_text and not phone_text:
            problems.append(RowProblem(NO_PAYER))
        amount = self._amount(self._cell(cells, "amount"), problems)
        paid_on = self._date(self._cell(cells, "paid_on"), problems)
        if problems:
            return RejectedRow(line, tuple(problems))
        assert amount is not None and paid_on is not None
        description = " ".join(cell_text(self._cell(cells, "description")).split())[:MAX_NOTE]
        method = method_for(cell_text(self._cell(cells, "method")) or description)
        who = document or phone or ""
        content = f"{who}|{paid_on.isoformat()}|{amount}|{fold(description)}"
        occurrence = self._seen[content] = self._seen.get(content, 0) + 1
        key = hashlib.sha256(f"{content}|{occurrence}".encode()).hexdigest()[:32]
        return PaymentRow(line=line, document=document, phone=phone,
                          amount_cents=amount, paid_on=paid_on, method=method,
                          description=description, key=key)

    @staticmethod
    def _amount(value: Cell, problems: list[RowProblem]) -> int | None:
        text = cell_text(value)
        if not text:
            problems.append(RowProblem(EMPTY_AMOUNT))
            return None
        try:
            cents = read_amount(value)
        except InvalidAmount:
            problems.append(RowProblem(BAD_AMOUNT, {"value": text}))
            return None
        if cents <= 0:
            problems.append(RowProblem(NOT_POSITIVE, {"value": text}))
            return None
        return cents

    def _date(self, value: Cell, problems: list[RowProblem]) -> date | None:
        text = cell_text(value)
        if not text:
            problems.append(RowProblem(EMPTY_DATE))
            return None
        try:
            paid_on = parse_due_date(value)
        except NoSuchDate:
            problems.append(RowProblem(NO_SUCH_DATE, {"value": text}))
            return None
        except ValueError:
            problems.append(RowProblem(BAD_DATE, {"value": text}))
            return None
        shown = paid_on.strftime("%d/%m/%Y")
        if paid_on > self.today:
            problems.append(RowProblem(FUTURE_DATE, {"value": shown}))
        elif paid_on < self.today - MAX_AGE:
            problems.append(RowProblem(OLD_DATE, {"value": shown}))
        else:
            return paid_on
        return None
