"""The debt a template preview fills its fields with: the debtor's oldest open debt (the one the
régua would speak of first), else their latest debt."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.templates import DebtValues
from cobrador_desktop.storage.orm import Agreement, Debt, Debtor


class PreviewDebt(NamedTuple):
    """The debt a template speaks of: its id, whether it is still open, its values."""

    debt_id: int
    still_open: bool
    values: DebtValues


def preview_debt(session: Session, debtor_id: int) -> DebtValues | None:
    """The values of the debtor's oldest open debt (None: no such debtor, or no debt at all)."""
    found = template_debt(session, debtor_id)
    return found.values if found is not None else None


def template_debt(session: Session, debtor_id: int) -> PreviewDebt | None:
    """The debtor's oldest open debt, else their first closed one (None: no debt at all)."""
    still_open = (Debt.status == "open") & (Debt.amount_cents > Debt.paid_cents)
    query = (select(Debt.id, case((still_open, True), else_=False), Debtor.name,
                    Debtor.document_type, Debt.installment_number,
                    Debt.installment_count, Debt.amount_cents, Debt.paid_cents, Debt.due_date,
                    Agreement.created_at, Debt.status_at)
             .join(Debt, Debt.debtor_id == Debtor.id)
             .outerjoin(Agreement, Agreement.id == Debt.agreement_id)
             .where(Debtor.id == debtor_id, Debtor.anonymised_at.is_(None))
             .order_by(case((still_open, 0), else_=1), Debt.due_date, Debt.id)
             .limit(1))
    row = session.execute(query).first()
    if row is None:
        return None
    debt_id, is_open, name, kind, number, count, amount, paid, due, made, status_at = row
    return PreviewDebt(debt_id, bool(is_open), DebtValues(
        debtor_name=name, is_company=kind == "cnpj", installment_number=number,
        installment_count=count, amount_cents=amount, balance_cents=max(amount - paid, 0),
        due=due, agreement_made=made.date() if made is not None else None,
        paid_on=status_at.date() if status_at is not None and paid >= amount else None))
