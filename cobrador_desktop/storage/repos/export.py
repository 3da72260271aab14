"""Read everything for the `cobrador-export` v1 file (INTERFACES.md §5), in batches.

Rows come out as plain dicts in the export's own shape, so the service can stream them to a file
without holding 100k debtors in memory. Secrets are never in the database, so never here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    Phone,
)


def _iso(instant: datetime | None) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def debtor_batch(session: Session, *, after_id: int, limit: int) -> list[dict[str, Any]]:
    """The next `limit` debtors with id > `after_id`, with their phones and debts."""
    debtors = session.scalars(
        select(Debtor).where(Debtor.id > after_id).order_by(Debtor.id).limit(limit)).all()
    if not debtors:
        return []
    ids = [d.id for d in debtors]
    phones: dict[int, list[dict[str, Any]]] = defaultdict(list)
    phone_rows = session.execute(
        select(DebtorPhone, Phone)
        .join(Phone, Phone.id == DebtorPhone.phone_id)
        .where(DebtorPhone.debtor_id.in_(ids))
        .order_by(DebtorPhone.debtor_id, DebtorPhone.position, DebtorPhone.id))
    for link, phone in phone_rows:
        phones[link.debtor_id].append({
            "e164": phone.e164,
            "kind": phone.kind,
            "whatsapp_status": phone.whatsapp_status,
            "opted_out": phone.opted_out,
            "wrong_party": link.wrong_party,
            "opt_in_source": phone.opt_in_source,
            "role": link.role,
            "never_message": link.never_message,
            "suppressed": phone.suppressed,
        })
    debts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for debt in session.scalars(
            select(Debt).where(Debt.debtor_id.in_(ids)).order_by(Debt.debtor_id, Debt.due_date,
                                                                  Debt.id)):
        debts[debt.debtor_id].append({
            "id": str(debt.id),
            "external_id": debt.external_id,
            "description": debt.description,
            "amount_cents": debt.amount_cents,
            "due_date": debt.due_date.isoformat(),
            "status": debt.status,
            "paid_cents": debt.paid_cents,
        })
    return [
        {
            "id": str(d.id),
            "name": d.name,
            "document": d.document,
            "document_type": d.document_type,
            "email": d.email,
            "tags": list(d.tags or []),
            "opted_out": d.opted_out,
            "phones": phones.get(d.id, []),
            "debts": debts.get(d.id, []),
        }
        for d in debtors
    ]


def conversation_batch(session: Session, *, after_id: int, limit: int) -> list[dict[str, Any]]:
    """The next `limit` conversations with id > `after_id`, each with all its messages."""
    rows = session.execute(
        select(Conversation, Phone.e164)
        .join(Phone, Phone.id == Conversation.phone_id)
        .where(Conversation.id > after_id)
        .order_by(Conversation.id)
        .limit(limit)).all()
    if not rows:
        return []
    ids = [conversation.id for conversation, _ in rows]
    messages: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in session.scalars(
            select(Message).where(Message.conversation_id.in_(ids))
            .order_by(Message.conversation_id, Message.created_at, Message.id)):
        messages[m.conversation_id].append({
            "id": str(m.id),
            "wamid": m.wamid,
            "direction": m.direction,
            "type": m.type,
            "text": m.text,
            "status": m.status,
            "error_code": m.error_code,
            "template_name": m.template_name,
            "created_at": _iso(m.created_at),
        })
    return [
        {
            "id": str(c.id),
            "debtor_id": str(c.debtor_id) if c.debtor_id is not None else None,
            "phone": e164,
            "status": c.status,
            "messages": messages.get(c.id, []),
        }
        for c, e164 in rows
    ]
