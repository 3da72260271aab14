"""Storing what webhooks say, in the transaction that is committed before Meta gets its 200.

WHATSAPP_CLOUD_API.md §4–5: inbound messages are stored once (the wamid is unique), statuses only
move a message forward and every one is kept once per (wamid, status) even for a message we do
not know; a Brazilian `wa_id` without the 9th digit lands on the phone stored with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.conversation import apply_status
from cobrador_desktop.domain.errors import InvalidPhone
from cobrador_desktop.domain.phone import e164_candidates_for_wa_id, parse_phone
from cobrador_desktop.domain.webhook_events import (
    InboundMessage,
    StatusUpdate,
    TemplateUpdate,
    WebhookEvent,
)
from cobrador_desktop.storage.orm import (
    Conversation,
    DebtorPhone,
    Message,
    MessageEvent,
    OutboxItem,
    Phone,
    Template,
    WebhookDelivery,
)

#: the failure that means "this number has no WhatsApp" (flag the phone, never retry)
UNDELIVERABLE = 131026
#: `biz_opaque_callback_data` of our sends: "ob:<outbox row id>"
CALLBACK_PREFIX = "ob:"


@dataclass
class IngestSummary:
    """What one delivery changed (for logs, `/healthz` and the screens' refresh)."""

    delivery_id: int
    inbound_new: int = 0
    inbound_duplicate: int = 0
    statuses_applied: int = 0
    statuses_kept: int = 0
    statuses_duplicate: int = 0
    orphan_statuses: int = 0
    templates_updated: int = 0
    other_events: int = 0
    conversation_ids: set[int] = field(default_factory=set)


def store_delivery(session: Session, body: bytes, *, received_at: datetime, parsed_ok: bool,
                   problem: str | None, events: int) -> int:
    """Keep a verified body exactly as it came (bytes), before anything is made of it."""
    # a Core INSERT … RETURNING: the webhook path is hot, and the ORM's unit of work is not needed
    return int(session.execute(
        insert(WebhookDelivery).returning(WebhookDelivery.id),
        {"body": body, "received_at": received_at, "parsed_ok": parsed_ok, "problem": problem,
         "events": events}).scalar_one())


def ingest_events(session: Session, events: Sequence[WebhookEvent], *, delivery_id: int,
                  received_at: datetime) -> IngestSummary:
    """Apply parsed events in order; duplicates and replays change nothing."""
    summary = IngestSummary(delivery_id=delivery_id)
    for event in events:
        if isinstance(event, InboundMessage):
            _inbound(session, event, summary)
        elif isinstance(event, StatusUpdate):
            _status(session, event, summary, delivery_id=delivery_id, received_at=received_at)
        elif isinstance(event, TemplateUpdate):
            _template(session, event, summary)
        else:
            summary.other_events += 1  # kept in the raw delivery; the services log them
    return summary


# --------------------------------------------------------------------------- inbound


def find_phone(session: Session, wa_id: str | None, user_id: str | None) -> Phone | None:
    """The stored phone a sender is: by WhatsApp id, then by number with or without the Brazilian
    9th digit, then by business-scoped user id. None when unknown or ambiguous."""
    if wa_id:
        exact = session.scalars(select(Phone).where(Phone.wa_id == wa_id).limit(2)).all()
        if len(exact) == 1:
            return exact[0]
        candidates = e164_candidates_for_wa_id(wa_id)
        if candidates:
            found = session.scalars(select(Phone).where(or_(
                Phone.e164.in_(candidates),
                Phone.wa_id.in_([c.lstrip("+") for c in candidates])))).all()
            if len(found) == 1:
                return found[0]
            for candidate in candidates:  # several: the most likely number wins, none if unsure
                best = [p for p in found if p.e164 == candidate]
                if len(best) == 1:
                    return best[0]
    if user_id:
        return session.scalar(select(Phone).where(Phone.bsuid == user_id))
    return None


def _new_phone(session: Session, wa_id: str) -> Phone | None:
    candidates = e164_candidates_for_wa_id(wa_id)
    if not candidates:
        return None
    try:
        parsed = parse_phone(candidates[0])
    except InvalidPhone:
        return None
    phone = Phone(e164=parsed.e164, kind=parsed.kind.value, wa_id=wa_id, whatsapp_status="yes")
    session.add(phone)
    session.flush()
    return phone


def _conversation_for(session: Session, phone: Phone) -> Conversation:
    conversation = session.scalar(select(Conversation).where(Conversation.phone_id == phone.id))
    if conversation is None:
        owners = session.scalars(
            select(DebtorPhone.debtor_id).where(
                DebtorPhone.phone_id == phone.id, DebtorPhone.role == "own",
                DebtorPhone.wrong_party.is_(False))).all()
        # a number shared by several debtors is linked to none: an operator decides
        conversation = Conversation(phone_id=phone.id,
                                    debtor_id=owners[0] if len(owners) == 1 else None)
        session.add(conversation)
        session.flush()
    return conversation


def _inbound(session: Session, event: InboundMessage, summary: IngestSummary) -> None:
    if session.scalar(select(Message.id).where(Message.wamid == event.wamid)) is not None:
        summary.inbound_duplicate += 1
        return
    phone = find_phone(session, event.from_wa_id, event.from_user_id)
    if phone is None and event.from_wa_id:
        phone = _new_phone(session, event.from_wa_id)
    if phone is None:
        # only a user id we have never seen, or an unreadable number: the raw delivery keeps it
        summary.other_events += 1
        return
    if event.from_wa_id and phone.wa_id != event.from_wa_id:
        phone.wa_id = event.from_wa_id  # Meta's id is authoritative once known
    if event.from_user_id and phone.bsuid is None:
        phone.bsuid = event.from_user_id
    phone.whatsapp_status = "yes"
    conversation = _conversation_for(session, phone)
    session.execute(insert(Message), {
        "conversation_id": conversation.id, "wamid": event.wamid, "direction": "in",
        "type": event.type, "text": event.text, "status": "received",
        "created_at": event.timestamp,
        "payload": {"payload": event.payload, "context": event.context_wamid,
                    "profile_name": event.profile_name, "raw": event.raw}})
    if conversation.last_inbound_at is None or event.timestamp > conversation.last_inbound_at:
        conversation.last_inbound_at = event.timestamp
    if conversation.last_message_at is None or event.timestamp > conversation.last_message_at:
        conversation.last_message_at = event.timestamp
    conversation.unread_count += 1
    conversation.status = "open"
    summary.inbound_new += 1
    summary.conversation_ids.add(conversation.id)


# --------------------------------------------------------------------------- statuses


def _message_for(session: Session, event: StatusUpdate) -> Message | None:
    message = session.scalar(select(Message).where(Message.wamid == event.wamid))
    if message is not None:
        return message
    data = event.callback_data or ""
    if data.startswith(CALLBACK_PREFIX) and data[len(CALLBACK_PREFIX):].isdigit():
        outbox = session.get(OutboxItem, int(data[len(CALLBACK_PREFIX):]))
        if outbox is not None:
            message = session.get(Message, outbox.message_id)
            if message is not None and message.wamid is None:
                # the send's answer was lost (`unknown`): the status tells us it went through
                message.wamid = event.wamid
                return message
    return None


def _status(session: Session, event: StatusUpdate, summary: IngestSummary, *, delivery_id: int,
            received_at: datetime) -> None:
    seen = session.scalar(select(MessageEvent.id).where(
        MessageEvent.wamid == event.wamid, MessageEvent.status == event.status))
    if seen is not None:
        summary.statuses_duplicate += 1
        return
    error = event.errors[0] if event.errors else None
    record = MessageEvent(
        wamid=event.wamid, status=event.status, at=event.timestamp,
        recipient_wa_id=event.recipient_wa_id, callback_data=event.callback_data,
        error_code=error.code if error else None, error_title=error.title[:200] if error else None,
        error_details=error.details if error else None, pricing_category=event.pricing_category,
        pricing_type=event.pricing_type, delivery_id=delivery_id, received_at=received_at)
    session.add(record)
    message = _message_for(session, event)
    if message is None:
        summary.orphan_statuses += 1
        return
    change = apply_status(message.status, event.status)
    record.applied = change.applied
    if change.applied:
        message.status = change.status
        message.status_at = event.timestamp
        if change.status == "failed" and error is not None:
            message.error_code = error.code
            message.error_detail = error.details or error.message or error.title
        outbox = session.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id))
        if outbox is not None and outbox.state in ("sending", "unknown", "sent"):
            outbox.state = "failed" if change.status == "failed" else "sent"
            if error is not None and change.status == "failed":
                outbox.last_error_code = error.code
        summary.statuses_applied += 1
        summary.conversation_ids.add(message.conversation_id)
    else:
        summary.statuses_kept += 1
    conversation = session.get(Conversation, message.conversation_id)
    if conversation is not None:
        phone = session.get(Phone, conversation.phone_id)
        if phone is not None:
            if event.recipient_wa_id and phone.wa_id is None:
                phone.wa_id = event.recipient_wa_id
            if error is not None and error.code == UNDELIVERABLE:
                phone.whatsapp_status = "no"
                phone.whatsapp_checked_at = event.timestamp
            elif event.status in ("delivered", "read"):
                phone.whatsapp_status = "yes"
                phone.whatsapp_checked_at = event.timestamp


# --------------------------------------------------------------------------- templates


def _template(session: Session, event: TemplateUpdate, summary: IngestSummary) -> None:
    if not event.name:
        summary.other_events += 1
        return
    query = select(Template).where(Template.name == event.name)
    if event.language:
        query = query.where(Template.language == event.language)
    template = session.scalar(query.limit(1))
    if template is None or event.value is None:
        summary.other_events += 1
        return
    if event.field == "message_template_status_update":
        template.status = event.value
        template.rejected_reason = event.reason if event.value == "REJECTED" else None
    elif event.field == "message_template_quality_update":
        template.quality = event.value
    elif event.field == "template_category_update":
        template.category = event.value
    else:
        summary.other_events += 1
        return
    summary.templates_updated += 1
