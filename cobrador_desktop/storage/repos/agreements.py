"""Acordos: proposing one turns the chosen open debts into a down payment and instalments.

Creating an agreement is one transaction: the chosen debts (read locked, so another PC cannot pay
them meanwhile) get status `agreement` and an `agreement_debts` row with the balance they had;
the down payment and each instalment become new debts pointing at the agreement; the audit log
gets one entry on the debtor; the list's summary columns are refreshed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import (
    ACTIVE,
    BROKEN,
    CANCELLED,
    COMPLETED,
    CREDIT_METHOD,
    MAX_NOTE,
    AgreementPlan,
    AgreementRequest,
    OriginalDebt,
    credit_note,
    is_broken,
    plan,
    restore_balances,
)
from cobrador_desktop.domain.errors import (
    AgreementDebtsChanged,
    AgreementNoDebts,
    AgreementNotActive,
    DebtorAnonymised,
    DebtorNotFound,
)
from cobrador_desktop.domain.records import AgreementRecord
from cobrador_desktop.domain.settings import AGREEMENT_BREAK_AFTER_DAYS
from cobrador_desktop.storage.orm import (
    Agreement,
    AgreementDebt,
    Debt,
    Debtor,
    Operator,
    Payment,
)
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.debtor_summaries import refresh_summaries
from cobrador_desktop.storage.repos.settings import read_setting

CREATE_ACTION = "agreement.create"
COMPLETED_ACTION = "agreement.completed"
BROKEN_ACTION = "agreement.broken"
CANCEL_ACTION = "agreement.cancel"
ACTIONS = (CREATE_ACTION, COMPLETED_ACTION, BROKEN_ACTION, CANCEL_ACTION)
#: debt statuses an agreement may renegotiate
RENEGOTIABLE = ("open", "disputed")
#: ids per IN (...) list (SQLite allows 999 parameters on old builds)
_CHUNK = 500


def list_agreements(session: Session, debtor_id: int) -> tuple[AgreementRecord, ...]:
    """The debtor's agreements, newest first, with the debts each renegotiated and created."""
    connection = session.connection()
    rows = connection.execute(
        select(Agreement.__table__, Operator.name.label("creator"))
        .outerjoin(Operator, Operator.id == Agreement.created_by)
        .where(Agreement.debtor_id == debtor_id)
        .order_by(Agreement.created_at.desc(), Agreement.id.desc())).all()
    if not rows:
        return ()
    ids = [r.id for r in rows]
    originals: dict[int, list[int]] = defaultdict(list)
    for agreement_id, debt_id in connection.execute(
            select(AgreementDebt.agreement_id, AgreementDebt.debt_id)
            .where(AgreementDebt.agreement_id.in_(ids)).order_by(AgreementDebt.debt_id)):
        originals[agreement_id].append(debt_id)
    created: dict[int, list[int]] = defaultdict(list)
    for row in connection.execute(
            select(Debt.agreement_id, Debt.id).where(Debt.agreement_id.in_(ids))
            .order_by(Debt.id)):
        created[int(row.agreement_id)].append(row.id)
    return tuple(AgreementRecord(
        id=r.id, debtor_id=r.debtor_id, status=r.status, principal_cents=r.principal_cents,
        fine_cents=r.fine_cents, interest_cents=r.interest_cents,
        discount_cents=r.discount_cents, total_cents=r.total_cents,
        down_payment_cents=r.down_payment_cents, installments=r.installments,
        first_due=r.first_due, note=r.note, created_by_name=r.creator,
        created_at=r.created_at, ended_at=r.ended_at,
        original_debt_ids=tuple(originals[r.id]), new_debt_ids=tuple(created[r.id]))
        for r in rows)


def create_agreement(session: Session, request: AgreementRequest, *, operator_id: int | None,
                     now: datetime, today: date) -> tuple[int, AgreementPlan]:
    """Make the agreement and return its id (its number, "Acordo nº N") and the plan.

    Raises:
        DebtorNotFound, DebtorAnonymised: no such debtor, or their data is gone.
        AgreementNoDebts: no debts chosen.
        AgreementDebtsChanged: a chosen debt is not the debtor's, or is no longer open.
        InvalidAgreement: the terms break a rule (see `domain.agreements.plan`).
    """
    debtor_id = request.debtor_id
    row = session.execute(select(Debtor.anonymised_at).where(Debtor.id == debtor_id)
                          .with_for_update()).first()
    if row is None:
        raise DebtorNotFound(debtor_id=debtor_id)
    if row.anonymised_at is not None:
        raise DebtorAnonymised()
    wanted = sorted(set(request.debt_ids))
    if not wanted:
        raise AgreementNoDebts()
    debts = session.execute(
        select(Debt.id, Debt.amount_cents, Debt.paid_cents, Debt.status)
        .where(Debt.id.in_(wanted), Debt.debtor_id == debtor_id)
        .order_by(Debt.id).with_for_update()).all()
    balances = {d.id: d.amount_cents - d.paid_cents for d in debts
                if d.status in RENEGOTIABLE and d.amount_cents > d.paid_cents}
    if sorted(balances) != wanted:
        raise AgreementDebtsChanged()
    terms = plan(sum(balances.values()), request, today)
    note = (request.note or "").strip()[:MAX_NOTE] or None
    agreement = Agreement(
        debtor_id=debtor_id, status="active", principal_cents=terms.principal_cents,
        fine_cents=terms.fine_cents, interest_cents=terms.interest_cents,
        discount_cents=terms.discount_cents, total_cents=terms.total_cents,
        down_payment_cents=terms.down_payment_cents, installments=len(terms.instalments),
        first_due=request.first_due, note=note, created_by=operator_id, created_at=now)
    session.add(agreement)
    session.flush()
    number = agreement.id
    session.add_all(AgreementDebt(agreement_id=number, debt_id=debt_id, balance_cents=cents)
                    for debt_id, cents in balances.items())
    session.execute(update(Debt).where(Debt.id.in_(wanted))
                    .values(status="agreement", status_at=now, updated_at=now))
    new_debts: list[Debt] = []
    if terms.down_payment_cents:
        new_debts.append(Debt(
            debtor_id=debtor_id, description=f"Acordo nº {number} – entrada",
            amount_cents=terms.down_payment_cents, due_date=terms.down_payment_due,
            agreement_id=number, created_at=now, updated_at=now))
    n = len(terms.instalments)
    new_debts.extend(Debt(
        debtor_id=debtor_id, description=f"Acordo nº {number} – parcela {i.number}/{n}",
        amount_cents=i.amount_cents, due_date=i.due_date, installment_number=i.number,
        installment_count=n, agreement_id=number, created_at=now, updated_at=now)
        for i in terms.instalments)
    session.add_all(new_debts)
    session.flush()
    audit.append(session, action=CREATE_ACTION, operator_id=operator_id, object_type="debtor",
                 object_id=debtor_id, now=now, details={
                     "agreement_id": number, "debt_ids": wanted,
                     "principal_cents": terms.principal_cents, "fine_cents": terms.fine_cents,
                     "interest_cents": terms.interest_cents,
                     "discount_cents": terms.discount_cents, "total_cents": terms.total_cents,
                     "down_payment_cents": terms.down_payment_cents, "installments": n,
                     "fine_bp": request.fine_bp, "interest_bp": request.interest_bp,
                     "first_due": request.first_due.isoformat(),
                     "new_debt_ids": [d.id for d in new_debts]})
    refresh_summaries(session, [debtor_id], today)
    return number, terms


# -- after the agreement is made: completed by payments, broken by the calendar, cancelled ------


def settle_after_payment(session: Session, debtor_ids: Iterable[int], now: datetime, *,
                         operator_id: int | None = None) -> tuple[int, ...]:
    """Mark completed the active agreements of `debtor_ids` whose debts are now all paid.

    Runs inside the payment's transaction (recording a payment, importing payments), before the
    summaries are refreshed. The renegotiated debts of a completed agreement become `paid`: the
    agreement settled them. A few queries per 500 debtors, so a payments import stays fast.

    Returns:
        The ids of the agreements completed.
    """
    ids = sorted(set(debtor_ids))
    active: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        active.update((r.id, r.debtor_id) for r in session.execute(
            select(Agreement.id, Agreement.debtor_id).where(
                Agreement.debtor_id.in_(ids[start:start + _CHUNK]),
                Agreement.status == ACTIVE)))
    pending: set[int] = set()
    found: set[int] = set()
    numbers = sorted(active)
    for start in range(0, len(numbers), _CHUNK):
        for agreement_id, status in session.execute(
                select(Debt.agreement_id, Debt.status)
                .where(Debt.agreement_id.in_(numbers[start:start + _CHUNK]))).all():
            if agreement_id is None:
                continue
            found.add(agreement_id)
            if status != "paid":
                pending.add(agreement_id)
    done = sorted(found - pending)
    for agreement_id in done:
        originals = select(AgreementDebt.debt_id).where(
            AgreementDebt.agreement_id == agreement_id).scalar_subquery()
        session.execute(update(Debt).where(Debt.id.in_(originals), Debt.status == "agreement")
                        .values(status="paid", status_at=now, updated_at=now))
        session.execute(update(Agreement).where(Agreement.id == agreement_id)
                        .values(status=COMPLETED, ended_at=now))
        audit.append(session, action=COMPLETED_ACTION, operator_id=operator_id,
                     object_type="debtor", object_id=active[agreement_id], now=now,
                     details={"agreement_id": agreement_id})
    return tuple(done)


def _undo(session: Session, agreement_id: int, status: str, *, operator_id: int | None,
          now: datetime, today: date) -> dict[str, Any]:
    """End an agreement without it being paid: its unpaid debts are cancelled and the debts it
    renegotiated are open again, less what the agreement received (oldest first).

    That credit is a payment on each debt it reaches (method "outro", the note naming the
    agreement, dated `today`, by `operator_id`: None when the system broke it), so the debt's
    payments add up to what it has paid and the timeline shows where the money came from.
    """
    created = session.execute(
        select(Debt.id, Debt.paid_cents, Debt.status).where(Debt.agreement_id == agreement_id)
        .order_by(Debt.id).with_for_update()).all()
    received = sum(d.paid_cents for d in created)
    unpaid = [d.id for d in created if d.status != "paid"]
    if unpaid:
        session.execute(update(Debt).where(Debt.id.in_(unpaid))
                        .values(status="cancelled", status_at=now, updated_at=now))
    rows = session.execute(
        select(Debt.id, Debt.due_date, Debt.amount_cents, Debt.paid_cents,
               AgreementDebt.balance_cents)
        .join(AgreementDebt, AgreementDebt.debt_id == Debt.id)
        .where(AgreementDebt.agreement_id == agreement_id).order_by(Debt.id)
        .with_for_update()).all()
    by_id = {r.id: r for r in rows}
    credits = restore_balances(
        (OriginalDebt(r.id, r.due_date, r.balance_cents) for r in rows), received)
    note = credit_note(agreement_id, status)
    credited: list[dict[str, int]] = []
    reopened: list[int] = []
    for debt_id, credit in credits:
        debt = by_id[debt_id]
        # what the agreement received counts as paid on the debts it replaced
        paid = min(debt.paid_cents + credit, debt.amount_cents)
        if paid == debt.paid_cents:
            reopened.append(debt_id)
            continue
        payment = Payment(debt_id=debt_id, amount_cents=paid - debt.paid_cents, paid_on=today,
                          method=CREDIT_METHOD, recorded_by=operator_id, note=note,
                          created_at=now)
        session.add(payment)
        session.flush()
        session.execute(update(Debt).where(Debt.id == debt_id).values(
            paid_cents=paid, status="paid" if paid >= debt.amount_cents else "open",
            status_at=now, updated_at=now))
        credited.append({"debt_id": debt_id, "amount_cents": payment.amount_cents,
                         "payment_id": payment.id})
    if reopened:
        session.execute(update(Debt).where(Debt.id.in_(reopened))
                        .values(status="open", status_at=now, updated_at=now))
    session.execute(update(Agreement).where(Agreement.id == agreement_id)
                    .values(status=status, ended_at=now))
    return {"agreement_id": agreement_id, "amount_cents": received,
            "cancelled_debt_ids": unpaid, "credited": credited}


def is_agreement_credit() -> ColumnElement[bool]:
    """SQL, true for a `Payment` that `_undo` wrote: an undone agreement's receipts moved to a
    debt it replaced, not new money (a promise kept by it would count the money twice).

    Told apart without a column of its own: it is on a debt of a broken or cancelled agreement,
    with the method and the instant the agreement ended with.
    """
    return exists().where(
        AgreementDebt.debt_id == Payment.debt_id, Agreement.id == AgreementDebt.agreement_id,
        Agreement.status.in_((BROKEN, CANCELLED)), Agreement.ended_at == Payment.created_at,
        Payment.method == CREDIT_METHOD)


def settle_agreements(session: Session, today: date, *, now: datetime | None = None,
                      debtor_id: int | None = None,
                      days: int | None = None) -> tuple[int, ...]:
    """Break the active agreements with an instalment unpaid more than `days` days after it fell
    due, undoing them (see `_undo`), audited.

    Args:
        session: the worker thread's session.
        today: the shop's date.
        now: when (audit entries, `ended_at`); the system clock when None.
        debtor_id: only this debtor's agreements (opening the debtor's screen).
        days: the grace after a due date; None: the shop's setting
            (`domain.settings.AGREEMENT_BREAK_AFTER_DAYS`, 30 days unless changed).

    Returns:
        The ids of the agreements broken.
    """
    now = now or datetime.now(UTC)
    if days is None:
        days = read_setting(session, AGREEMENT_BREAK_AFTER_DAYS)
    stmt = (select(Agreement.id, Agreement.debtor_id, Debt.due_date)
            .join(Debt, Debt.agreement_id == Agreement.id)
            .where(Agreement.status == ACTIVE, Debt.status.in_(RENEGOTIABLE),
                   Debt.due_date < today - timedelta(days=days)))
    if debtor_id is not None:
        # through the debtor's own debts: left to itself, the planner walks every overdue debt
        # of the shop by (status, due_date) (~100 ms at 300k debts, on every debtor opened)
        stmt = stmt.where(Agreement.debtor_id == debtor_id, Debt.debtor_id == debtor_id)
    late: dict[tuple[int, int], list[date]] = defaultdict(list)
    for row in session.execute(stmt.order_by(Agreement.id)):
        late[(row.id, row.debtor_id)].append(row.due_date)
    broken = [key for key, dues in late.items() if is_broken(dues, today, days)]
    for agreement_id, owner in broken:
        details = _undo(session, agreement_id, BROKEN, operator_id=None, now=now, today=today)
        audit.append(session, action=BROKEN_ACTION, operator_id=None, object_type="debtor",
                     object_id=owner, now=now, details=details)
    if broken:
        refresh_summaries(session, sorted({owner for _, owner in broken}), today)
    return tuple(agreement_id for agreement_id, _ in broken)


def cancel_agreement(session: Session, agreement_id: int, reason: str, *,
                     operator_id: int | None, now: datetime, today: date) -> int:
    """Cancel an active agreement (undoing it, see `_undo`); the reason joins its note.

    Returns:
        The debtor's id.

    Raises:
        AgreementNotActive: no such agreement, or it is completed, broken or cancelled already.
    """
    row = session.execute(select(Agreement.debtor_id, Agreement.status, Agreement.note)
                          .where(Agreement.id == agreement_id).with_for_update()).first()
    if row is None or row.status != ACTIVE:
        raise AgreementNotActive()
    details = _undo(session, agreement_id, CANCELLED, operator_id=operator_id, now=now,
                    today=today)
    note = f"{row.note}\n" if row.note else ""
    session.execute(update(Agreement).where(Agreement.id == agreement_id)
                    .values(note=f"{note}Cancelado: {reason}"))
    # the reason's words may be personal data: the audit log (never edited) keeps no copy
    audit.append(session, action=CANCEL_ACTION, operator_id=operator_id, object_type="debtor",
                 object_id=row.debtor_id, now=now, details=details)
    refresh_summaries(session, [int(row.debtor_id)], today)
    return int(row.debtor_id)
