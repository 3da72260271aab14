"""The outbox tables: the queue length for `/healthz`, and the durable outbox the sender drives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.conversation import apply_status
from cobrador_desktop.domain.policy import SendFacts
from cobrador_desktop.storage.orm import Conversation, DebtorPhone, Message, OutboxItem, Phone

#: rows still waiting to leave
WAITING = ("queued", "sending")


def queue_length(session: Session) -> int:
    """How many messages wait to be sent."""
    return int(session.scalar(
        select(func.count()).select_from(OutboxItem).where(OutboxItem.state.in_(WAITING))) or 0)


# --------------------------------------------------------------------------- the durable outbox
#
# Every function below runs inside the caller's transaction (one `Runner.run`). The sender claims
# a row (`claim`) and commits *before* the HTTP call, so a crash mid-send leaves it `sending`,
# which `interrupted_to_unknown` turns into `unknown` at the next start: never sent twice.


@dataclass(frozen=True)
class OutboxRow:
    """A row of the outbox with what sending it needs."""

    id: int
    message_id: int
    conversation_id: int
    to: str
    request: dict[str, Any]
    purpose: str
    kind: str
    message_type: str
    text: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error_code: int | None
    decision: dict[str, Any] | None


def _row(item: OutboxItem, message: Message) -> OutboxRow:
    return OutboxRow(
        id=item.id, message_id=item.message_id, conversation_id=message.conversation_id,
        to=item.to, request=dict(item.request), purpose=item.purpose, kind=item.kind,
        message_type=message.type, text=message.text, state=item.state, attempts=item.attempts,
        next_attempt_at=item.next_attempt_at, last_error_code=item.last_error_code,
        decision=item.decision)


def _phone(session: Session, conversation_id: int) -> tuple[Conversation, Phone]:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(f"no conversation {conversation_id}")
    phone = session.get(Phone, conversation.phone_id)
    assert phone is not None  # a foreign key
    return conversation, phone


def add_outbound(session: Session, *, conversation_id: int, request: dict[str, Any], purpose: str,
                 kind: str, message_type: str, text: str, decision: dict[str, Any],
                 operator_id: int | None, now: datetime) -> int:
    """Insert the outbound message (`queued`) and its outbox row; returns the outbox row id."""
    _, phone = _phone(session, conversation_id)
    template = request.get("template")
    message = Message(
        conversation_id=conversation_id, direction="out", type=message_type, text=text,
        payload=request, status="queued", operator_id=operator_id, created_at=now, status_at=now,
        template_name=str(template.get("name")) if isinstance(template, dict) else None)
    session.add(message)
    session.flush()
    item = OutboxItem(message_id=message.id, to=phone.e164, request=request, purpose=purpose,
                      kind=kind, state="queued", attempts=0, next_attempt_at=now,
                      decision=decision, created_at=now, updated_at=now)
    session.add(item)
    session.flush()
    return item.id


def send_facts(session: Session, conversation_id: int) -> SendFacts:
    """What the send guard needs about the conversation's number and debtor, read now."""
    conversation, phone = _phone(session, conversation_id)
    link = None
    if conversation.debtor_id is not None:
        link = session.scalar(select(DebtorPhone).where(
            DebtorPhone.debtor_id == conversation.debtor_id, DebtorPhone.phone_id == phone.id))
    return SendFacts(
        last_inbound_at=conversation.last_inbound_at, phone_opted_out=phone.opted_out,
        opted_out_at=phone.opted_out_at, phone_suppressed=phone.suppressed,
        suppression_source=phone.suppression_source,
        wrong_party=bool(link and link.wrong_party), wrong_party_at=link.wrong_party_at if link else None,
        reference_contact=bool(link and (link.role == "reference" or link.never_message)))


def due(session: Session, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(row id, conversation id) of queued rows whose time has come, oldest first.

    On PostgreSQL the rows are locked for this transaction, skipping rows another sender holds.
    """
    query = (select(OutboxItem.id, Message.conversation_id)
             .join(Message, Message.id == OutboxItem.message_id)
             .where(OutboxItem.state == "queued",
                    or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= now))
             .order_by(OutboxItem.next_attempt_at, OutboxItem.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=OutboxItem, skip_locked=True)
    return [(row_id, conversation_id) for row_id, conversation_id in session.execute(query)]


def next_due_at(session: Session) -> datetime | None:
    """When the earliest queued row becomes due (None: nothing queued)."""
    return session.scalar(select(func.min(OutboxItem.next_attempt_at))
                          .where(OutboxItem.state == "queued"))


def lock_queued(session: Session, outbox_id: int) -> OutboxRow | None:
    """The row if it is still `queued`, locked for this transaction on PostgreSQL; else None."""
    query = select(OutboxItem).where(OutboxItem.id == outbox_id, OutboxItem.state == "queued")
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    item = session.scalar(query)
    if item is None:
        return None
    message = session.get(Message, item.message_id)
    assert message is not None  # a foreign key
    return _row(item, message)


def mark_sending(session: Session, outbox_id: int, now: datetime) -> str:
    """Claim the row for one HTTP try; returns the recipient (the stored wa_id, else E.164)."""
    item, message = _load(session, outbox_id)
    _, phone = _phone(session, message.conversation_id)
    item.state, item.attempts, item.updated_at = "sending", item.attempts + 1, now
    item.to = phone.wa_id or phone.e164
    message.status, message.status_at = "sending", now
    return item.to


def cancel(session: Session, outbox_id: int, decision: dict[str, Any], reason: str,
           now: datetime) -> None:
    """The guard refused the row at send time: cancelled, never tried; the message shows why."""
    item, message = _load(session, outbox_id)
    item.state, item.decision, item.updated_at = "cancelled", decision, now
    message.status, message.error_detail, message.status_at = "failed", reason, now


def record_sent(session: Session, outbox_id: int, wamid: str, now: datetime) -> None:
    """Meta accepted the send: keep its id (a status webhook may already have moved the row)."""
    item, message = _load(session, outbox_id)
    if message.wamid is None:
        message.wamid = wamid
    if item.state == "sending":
        item.state = "sent"
    item.updated_at = now
    change = apply_status(message.status, "sent")
    if change.applied:
        message.status, message.status_at = change.status, now


def record_unknown(session: Session, outbox_id: int, now: datetime) -> None:
    """The answer was lost: the row becomes `unknown` and is never sent again automatically."""
    item, message = _load(session, outbox_id)
    if item.state == "sending":
        item.state, item.updated_at = "unknown", now
    if message.status in ("queued", "sending"):
        message.status, message.status_at = "unknown", now


def record_retry(session: Session, outbox_id: int, code: int | None, at: datetime,
                 now: datetime) -> None:
    """A transient failure: back to the queue until `at`."""
    item, message = _load(session, outbox_id)
    item.state, item.next_attempt_at, item.last_error_code = "queued", at, code
    item.updated_at = now
    message.status, message.status_at = "queued", now


def record_failed(session: Session, outbox_id: int, code: int | None, detail: str,
                  now: datetime) -> None:
    """A permanent failure: Meta's code and the pt-BR reason go on the message."""
    item, message = _load(session, outbox_id)
    item.state, item.last_error_code, item.updated_at = "failed", code, now
    message.status, message.error_code, message.error_detail = "failed", code, detail
    message.status_at = now


def record_not_tried(session: Session, outbox_id: int, now: datetime) -> None:
    """The number's queue stopped before this row left (auth/account): back to `queued` as it was."""
    item, message = _load(session, outbox_id)
    item.state, item.attempts, item.updated_at = "queued", max(item.attempts - 1, 0), now
    message.status, message.status_at = "queued", now


def interrupted_to_unknown(session: Session, now: datetime) -> int:
    """Rows left `sending` (the program stopped mid-send) become `unknown`; returns how many."""
    items = list(session.scalars(select(OutboxItem).where(OutboxItem.state == "sending")))
    for item in items:
        record_unknown(session, item.id, now)
    return len(items)


def rows_in_state(session: Session, state: str, limit: int = 500) -> list[OutboxRow]:
    """Rows in one state, oldest first (e.g. the `unknown` ones an operator must look at)."""
    pairs = session.execute(
        select(OutboxItem, Message).join(Message, Message.id == OutboxItem.message_id)
        .where(OutboxItem.state == state).order_by(OutboxItem.id).limit(limit)).all()
    return [_row(item, message) for item, message in pairs]


def _load(session: Session, outbox_id: int) -> tuple[OutboxItem, Message]:
    item = session.get(OutboxItem, outbox_id)
    if item is None:
        raise LookupError(f"no outbox row {outbox_id}")
    message = session.get(Message, item.message_id)
    assert message is not None  # a foreign key
    return item, message
