"""Applying imported payments (`domain.payment_import`) in the caller's one transaction.

- the payer is the debtor with the row's CPF/CNPJ; failing that (or without one), the one debtor
  owning the row's phone as their own number (not marked wrong party); a phone several debtors
  own is ambiguous and the row is rejected, as is a row whose payer is not found;
- a payment pays the debtor's open (and disputed) debts oldest due date first
  (`domain.payments.allocate`); a debt paid in full becomes `paid`; more than is owed is refused;
- each payment written carries the row's key (`payments.import_key`): a row whose key one of the
  debtor's payments already carries is counted as already registered and not applied again;
- one audit entry per registered row, the debtors' summaries refreshed; raising anywhere (a
  cancel, a bug) rolls everything back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import InvalidPayment, InvalidPhone, Overpayment
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.importing import ImportCancelled, RejectedRow, RowProblem
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.payment_import import PaymentRow
from cobrador_desktop.domain.payments import allocate
from cobrador_desktop.domain.phone import parse_phone
from cobrador_desktop.domain.records import DebtRecord
from cobrador_desktop.storage.orm import Base, Debt, Debtor, DebtorPhone, Payment, Phone
from cobrador_desktop.storage.repos import agreements, audit
from cobrador_desktop.storage.repos.debtor_summaries import refresh_summaries
from cobrador_desktop.storage.repos.import_write import in_chunks, insert_rows

ACTION = "payments.import"

NO_DEBTOR_DOCUMENT = QT_TRANSLATE_NOOP("Import", "nenhum devedor com o CPF/CNPJ {document}")
NO_DEBTOR_PHONE = QT_TRANSLATE_NOOP("Import", "nenhum devedor com o telefone {phone}")
AMBIGUOUS_PHONE = QT_TRANSLATE_NOOP(
    "Import", "o telefone {phone} é de {count} devedores; informe o CPF/CNPJ")
TOO_MUCH = QT_TRANSLATE_NOOP(
    "Import", "valor pago {amount} é maior que o saldo em aberto de {name} ({balance})")
NOTHING_OPEN = QT_TRANSLATE_NOOP("Import", "{name} não tem dívida em aberto")


@dataclass(frozen=True)
class PaymentImportOptions:
    """File name (for notes and the audit log), instant, shop's date and who imports."""

    file_name: str
    now: datetime
    today: date
    operator_id: int | None = None
    imported_by: str | None = None


@dataclass(frozen=True)
class PaymentImportResult:
    """What applying the rows did (or would do, in a dry run)."""

    registered: int
    already: int
    payments: int
    settled_debts: int
    rejected: tuple[RejectedRow, ...]



def _shown_phone(e164: str) -> str:
    try:
        return parse_phone(e164).national
    except InvalidPhone:
        return e164


def apply_payments(session: Session, rows: Sequence[PaymentRow], options: PaymentImportOptions,
                   *, progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None,
                   dry_run: bool = False) -> PaymentImportResult:
    """Register the rows' payments (see the module docstring).

    Args:
        session: the database thread's session (its transaction holds everything).
        rows: the file's valid rows, in file order.
        options: file, instants and who imports.
        progress / cancelled: reported and polled every few hundred rows.
        dry_run: do everything, then roll back: the counts are what a real import would do.
    """
    _tick(0, len(rows), progress, cancelled)
    payers = _payers(session, rows)
    ids = sorted({d for found in payers.values() for d in found})
    names: dict[int, str] = {}
    debts: dict[int, dict[int, DebtRecord]] = defaultdict(dict)
    keys: set[tuple[int, str]] = set()
    postgres = session.get_bind().dialect.name == "postgresql"
    for part in in_chunks(ids):
        for debtor_id, name in session.execute(
                select(Debtor.id, Debtor.name).where(Debtor.id.in_(part))):
            names[debtor_id] = name
        stmt = (select(Debt.id, Debt.debtor_id, Debt.description, Debt.amount_cents,
                       Debt.paid_cents, Debt.due_date, Debt.status, Debt.created_at)
                .where(Debt.debtor_id.in_(part)).order_by(Debt.id))
        # locked on PostgreSQL: another PC recording a payment waits (no balance paid twice)
        for r in session.execute(stmt.with_for_update() if postgres else stmt):
            debts[r.debtor_id][r.id] = DebtRecord(
                id=r.id, description=r.description, amount_cents=r.amount_cents,
                paid_cents=r.paid_cents, due_date=r.due_date, status=r.status,
                installment_number=None, installment_count=None, external_id=None,
                created_at=r.created_at)
        imported = (select(Debt.debtor_id, Payment.import_key)
                    .join(Debt, Debt.id == Payment.debt_id)
                    .where(Debt.debtor_id.in_(part), Payment.import_key.is_not(None)))
        keys.update((debtor_id, key) for debtor_id, key in session.execute(imported) if key)

    rejected: list[RejectedRow] = []
    payments: list[tuple[Any, ...]] = []
    audits: list[tuple[int, PaymentRow, list[tuple[int, int]]]] = []
    already = 0
    for i, row in enumerate(rows, 1):
        if i % 500 == 0:
            _tick(i, len(rows), progress, cancelled)
        found = payers[row.line]
        problem = _who_problem(row, found)
        if problem is not None:
            rejected.append(RejectedRow(row.line, (problem,)))
            continue
        debtor_id = found[0]
        if (debtor_id, row.key) in keys:
            already += 1
            continue
        own = debts[debtor_id]
        try:
            parts = allocate(row.amount_cents, list(own.values()), None)
        except Overpayment:
            balance = sum(d.balance_cents for d in own.values())
            rejected.append(RejectedRow(row.line, (RowProblem(TOO_MUCH, {
                "amount": format_brl(row.amount_cents), "name": names[debtor_id],
                "balance": format_brl(balance)}),)))
            continue
        except InvalidPayment:  # NothingOpen
            rejected.append(RejectedRow(row.line, (RowProblem(
                NOTHING_OPEN, {"name": names[debtor_id]}),)))
            continue
        keys.add((debtor_id, row.key))
        note = _note(row, options)
        for debt_id, cents in parts:
            debt = own[debt_id]
            paid = debt.paid_cents + cents
            own[debt_id] = replace(debt, paid_cents=paid,
                                   status="paid" if paid >= debt.amount_cents else debt.status)
            payments.append((debt_id, cents, row.paid_on, row.method.value, options.operator_id,
                             note, row.key, options.now))
        audits.append((debtor_id, row, parts))
    settled = _write(session, payments, audits, debts, options)
    if audits:
        paying = sorted({a[0] for a in audits})
        agreements.settle_after_payment(session, paying, options.now,
                                        operator_id=options.operator_id)
        refresh_summaries(session, paying, options.today)
    _tick(len(rows), len(rows), progress, cancelled)  # a cancel now still rolls it all back
    result = PaymentImportResult(registered=len(audits), already=already,
                                 payments=len(payments), settled_debts=settled,
                                 rejected=tuple(rejected))
    if dry_run:
        session.rollback()
    return result


def _payers(session: Session, rows: Sequence[PaymentRow]) -> dict[int, list[int]]:
    """Each row's candidate debtors (line -> debtor ids): by document, else by own phone."""
    by_doc: dict[str | None, int] = {}
    for part in in_chunks({r.document for r in rows if r.document}):
        for document, debtor_id in session.execute(
                select(Debtor.document, Debtor.id).where(Debtor.document.in_(part))):
            by_doc[document] = debtor_id
    owners: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    for part in in_chunks({r.phone for r in rows if r.phone}):
        stmt = (select(Phone.e164, Debtor.id, Debtor.document)
                .join(DebtorPhone, DebtorPhone.phone_id == Phone.id)
                .join(Debtor, Debtor.id == DebtorPhone.debtor_id)
                .where(Phone.e164.in_(part), DebtorPhone.role == "own",
                       DebtorPhone.wrong_party.is_(False)).order_by(Debtor.id))
        for e164, debtor_id, document in session.execute(stmt):
            owners[e164].append((debtor_id, document))
    out: dict[int, list[int]] = {}
    for row in rows:
        if row.document and row.document in by_doc:
            out[row.line] = [by_doc[row.document]]
        elif row.phone:
            # a number of a debtor with another CPF/CNPJ is not this payer's
            out[row.line] = [d for d, doc in owners.get(row.phone, [])
                             if row.document is None or doc is None or doc == row.document]
        else:
            out[row.line] = []
    return out


def _who_problem(row: PaymentRow, found: list[int]) -> RowProblem | None:
    if len(found) == 1:
        return None
    if len(found) > 1:
        assert row.phone is not None
        return RowProblem(AMBIGUOUS_PHONE, {"phone": _shown_phone(row.phone),
                                            "count": len(found)})
    if row.document:
        return RowProblem(NO_DEBTOR_DOCUMENT, {"document": row.document})
    assert row.phone is not None
    return RowProblem(NO_DEBTOR_PHONE, {"phone": _shown_phone(row.phone)})


def _note(row: PaymentRow, options: PaymentImportOptions) -> str:
    text = row.description + " — " if row.description else ""
    return f"{text}importado de {options.file_name}, linha {row.line}"


def _tick(done: int, total: int, progress: Callable[[int, int], None] | None,
          cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    if progress is not None:
        progress(done, total)


def _write(session: Session, payments: list[tuple[Any, ...]],
           audits: list[tuple[int, PaymentRow, list[tuple[int, int]]]],
           debts: dict[int, dict[int, DebtRecord]], options: PaymentImportOptions) -> int:
    """Insert the payments, update the debts paid, audit each row; returns debts settled."""
    insert_rows(session.connection(), Base.metadata.tables["payments"],
                ("debt_id", "amount_cents", "paid_on", "method", "recorded_by", "note",
                 "import_key", "created_at"), payments)
    touched = {debt_id for _, _, parts in audits for debt_id, _ in parts}
    changed = [debt for own in debts.values() for debt in own.values() if debt.id in touched]
    if changed:
        session.connection().execute(
            update(Base.metadata.tables["debts"])
            .where(Debt.id == bindparam("b_id"))
            .values(paid_cents=bindparam("b_paid"), status=bindparam("b_status"),
                    # SET reads the row as it was: the date moves only when the status does
                    status_at=case((Debt.status != bindparam("b_status"), options.now),
                                   else_=Debt.status_at),
                    updated_at=options.now),
            [{"b_id": d.id, "b_paid": d.paid_cents, "b_status": d.status} for d in changed])
    for debtor_id, row, parts in audits:
        audit.append(session, action=ACTION, operator_id=options.operator_id,
                     object_type="debtor", object_id=debtor_id, now=options.now, details={
                         "file": options.file_name, "line": row.line, "key": row.key,
                         "amount_cents": row.amount_cents, "paid_on": row.paid_on.isoformat(),
                         "method": row.method.value, "imported_by": options.imported_by,
                         "payments": [{"debt_id": d, "amount_cents": c} for d, c in parts],
                         "settled": [d for d, _ in parts
                                     if debts[debtor_id][d].status == "paid"]})
    return sum(1 for d in changed if d.status == "paid")

