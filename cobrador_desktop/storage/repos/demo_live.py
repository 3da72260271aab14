"""Who the demo's simulated debtors are: people with a conversation who may still write."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.storage.orm import Conversation, Debt, Debtor, DebtorPhone, Phone


@dataclass(frozen=True)
class Talker:
    """A demo debtor who can write to the shop: their number, first name and an open debt."""

    e164: str
    first_name: str
    debt_id: int | None


def talkers(session: Session, limit: int = 200) -> list[Talker]:
    """Debtors with a conversation on a number that is theirs and may be messaged, most recent
    conversations first (the demo makes them write again)."""
    rows = session.execute(
        select(Phone.e164, Debtor.name, Debtor.id)
        .join(Conversation, Conversation.phone_id == Phone.id)
        .join(Debtor, Debtor.id == Conversation.debtor_id)
        .join(DebtorPhone, (DebtorPhone.phone_id == Phone.id)
              & (DebtorPhone.debtor_id == Debtor.id))
        .where(Phone.opted_out.is_(False), DebtorPhone.wrong_party.is_(False),
               DebtorPhone.role == "own", Debtor.anonymised_at.is_(None))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)).all()
    debtor_ids = [row.id for row in rows]
    oldest: dict[int, int] = {}
    if debtor_ids:
        for debt_id, debtor_id in session.execute(
                select(Debt.id, Debt.debtor_id)
                .where(Debt.debtor_id.in_(debtor_ids), Debt.status == "open")
                .order_by(Debt.due_date.desc())):
            oldest[debtor_id] = debt_id  # the last one seen is the oldest due date
    return [Talker(row.e164, (row.name.split() or ["Cliente"])[0], oldest.get(row.id))
            for row in rows]
