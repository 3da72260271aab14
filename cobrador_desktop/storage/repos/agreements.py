"""Acordos: proposing one turns the chosen open debts into a down payment and instalments.

Creating an agreement is one transaction: the chosen debts (read locked, so another PC cannot pay
them meanwhile) get status `agreement` and an `agreement_debts` row with the balance they had;
the down payment and each instalment become new debts pointing at the agreement; the audit log
gets one entry on the debtor; the list's summary columns are refreshed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import MAX_NOTE, AgreementPlan, AgreementRequest, plan
from cobrador_desktop.domain.errors import (
    AgreementDebtsChanged,
    AgreementNoDebts,
    DebtorAnonymised,
    DebtorNotFound,
)
from cobrador_desktop.domain.records import AgreementRecord
from cobrador_desktop.storage.orm import Agreement, AgreementDebt, Debt, Debtor, Operator
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.debtor_summaries import refresh_summaries

CREATE_ACTION = "agreement.create"
ACTIONS = (CREATE_ACTION,)
#: debt statuses an agreement may renegotiate
RENEGOTIABLE = ("open", "disputed")



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
                    .values(status="agreement", updated_at=now))
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
