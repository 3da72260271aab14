"""Small helpers that put rows in a test database (plain ORM, on the database thread)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cobrador_desktop.domain.text import fold
from cobrador_desktop.storage.orm import Debt, Debtor, DebtorPhone, Operator, Phone

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def add_debtor(session: Session, name: str, **fields: Any) -> int:
    """Insert a debtor (summary columns as given) and return its id."""
    debtor = Debtor(name=name, name_key=fold(name), created_at=T0, updated_at=T0, **fields)
    session.add(debtor)
    session.flush()
    return debtor.id


def add_debt(session: Session, debtor_id: int, amount_cents: int, due: date,
             status: str = "open", paid_cents: int = 0, **fields: Any) -> int:
    debt = Debt(debtor_id=debtor_id, amount_cents=amount_cents, paid_cents=paid_cents,
                due_date=due, status=status, created_at=T0, updated_at=T0, **fields)
    session.add(debt)
    session.flush()
    return debt.id


def add_phone(session: Session, debtor_id: int, e164: str, *, role: str = "own",
              position: int = 0, wrong_party: bool = False) -> int:
    phone = Phone(e164=e164, kind="mobile")
    session.add(phone)
    session.flush()
    session.add(DebtorPhone(debtor_id=debtor_id, phone_id=phone.id, role=role,
                            never_message=role == "reference", position=position,
                            wrong_party=wrong_party))
    session.flush()
    return phone.id


def add_operator(session: Session, name: str, login: str) -> int:
    operator = Operator(name=name, login=login, role="operator")
    session.add(operator)
    session.flush()
    return operator.id
