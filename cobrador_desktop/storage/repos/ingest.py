"""Storing what webhooks say, in the transaction that is committed before Meta gets its 200.

WHATSAPP_CLOUD_API.md §4–5: inbound messages are stored once (the wamid is unique), statuses only
move a message forward and every one is kept once per (wamid, status) even for a message we do
not know; a Brazilian `wa_id` without the 9th digit lands on the phone stored with it.

This is the hottest write path of the program (issue 4 asks for thousands of events a second), so
it speaks SQLAlchemy Core on the session's connection, not the ORM's unit of work: the lookups of
one delivery are batched (one query per kind of row, whatever the number of events), and only rows
that change are written. The rules themselves live in the domain (`apply_status`,
`e164_candidates_for_wa_id`); `resolve_phone` is the sender-matching rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, false, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Update

from cobrador_desktop.domain.conversation import apply_status
from cobrador_desktop.domain.errors import InvalidPhone
from cobrador_desktop.domain.inbound_answers import Intent, classify
from cobrador_desktop.domain.phone import e164_candidates_for_wa_id, parse_phone
from cobrador_desktop.domain.settings import NUMBER_QUALITY, TIERS
from cobrador_desktop.domain.webhook_events import (
    AccountUpdate,
    InboundMessage,
    StatusUpdate,
    TemplateUpdate,
    WebhookEvent,
)
from cobrador_desktop.storage.orm import (
    Base,
    Conversation,
    DebtorPhone,
    Message,
    MessageEvent,
    OutboxItem,
    Phone,
    Template,
    WebhookDelivery,
)
from cobrador_desktop.storage.repos.inbound_answers import Answered, apply_answers
from cobrador_desktop.storage.repos.settings import read_json_setting, write_number_quality

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
    #: answers that changed a link or a phone ("Sou eu", "Não sou eu", PARAR, VOLTAR)
    answers_applied: int = 0
    conversation_ids: set[int] = field(default_factory=set)


@dataclass
class PhoneRow:
    """The columns of a phone the ingest reads and may change."""

    id: int
    e164: str
    wa_id: str | None
    bsuid: str | None
    whatsapp_status: str
    changes: dict[str, Any] = field(default_factory=dict)

    def set(self, column: str, value: Any) -> None:
        if getattr(self, column) != value:
            setattr(self, column, value)
            self.changes[column] = value

# --------------------------------------------------------------------------- statements
# Built once: constructing a statement costs more than SQLite running it.


def _in(name: str) -> Any:
    return bindparam(name, expanding=True)


_INSERT_DELIVERY = insert(WebhookDelivery).returning(WebhookDelivery.id)
_INSERT_CONVERSATION = insert(Conversation).returning(Conversation.id)
_KNOWN_INBOUND = select(Message.wamid).where(Message.wamid.in_(_in("wamids")))
_PHONE_COLUMNS = (Phone.id, Phone.e164, Phone.wa_id, Phone.bsuid, Phone.whatsapp_status)
_PHONES_FOR_SENDERS = select(*_PHONE_COLUMNS).where(or_(
    Phone.wa_id.in_(_in("wa_ids")), Phone.e164.in_(_in("numbers")),
    Phone.bsuid.in_(_in("user_ids"))))
_CONVERSATIONS = select(Conversation.id, Conversation.phone_id, Conversation.last_inbound_at,
                        Conversation.last_message_at).where(
    Conversation.phone_id.in_(_in("phone_ids")))
_OWNERS = select(DebtorPhone.phone_id, DebtorPhone.debtor_id).where(
    DebtorPhone.phone_id.in_(_in("phone_ids")), DebtorPhone.role == "own",
    DebtorPhone.wrong_party.is_(false()))
_BUMP_CONVERSATION = update(Conversation).where(Conversation.id == bindparam("_id")).values(
    last_inbound_at=bindparam("v_last_inbound_at"),
    last_message_at=bindparam("v_last_message_at"),
    # counted in SQL: an operator's "read" on another PC may have reset it meanwhile
    unread_count=Conversation.unread_count + bindparam("new_messages"),
    # the debtor wrote: a resolved conversation opens again (whoever had it keeps it), and it
    # waits for an answer since its first unanswered message
    status="open", resolved_at=None, changed_at=bindparam("v_changed_at"),
    waiting_since=func.coalesce(Conversation.waiting_since, bindparam(
        "v_waiting_since", type_=Conversation.waiting_since.type)))
#: a status moved one of the conversation's messages: the inbox shows the new tick
_TOUCH_CONVERSATIONS = update(Conversation).where(Conversation.id.in_(_in("ids"))).values(
    changed_at=bindparam("changed_at"))
_SEEN_STATUSES = select(MessageEvent.wamid, MessageEvent.status).where(
    MessageEvent.wamid.in_(_in("wamids")))


@cache
def _update(table: Table, *columns: str) -> Update:
    """`UPDATE table SET <columns> WHERE id = :_id`, built once per set of columns."""
    return update(table).where(table.c.id == bindparam("_id")).values(
        {column: bindparam(f"v_{column}") for column in columns})


class _Updates:
    """Row updates of one delivery, sent as one executemany per table and set of columns."""

    def __init__(self) -> None:
        self._groups: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = {}

    def add(self, model: type[Base], row_id: int, changes: dict[str, Any]) -> None:
        if changes:
            key = (cast(Table, model.__table__), tuple(sorted(changes)))
            self._groups.setdefault(key, []).append(
                {"_id": row_id, **{f"v_{column}": value for column, value in changes.items()}})

    def flush(self, conn: Connection) -> None:
        for (table, columns), rows in self._groups.items():
            conn.execute(_update(table, *columns), rows)
        self._groups.clear()


def store_delivery(session: Session, body: bytes, *, received_at: datetime, parsed_ok: bool,
                   problem: str | None, events: int) -> int:
    """Keep a verified body exactly as it came (bytes), before anything is made of it."""
    return int(session.connection().execute(
        _INSERT_DELIVERY,
        {"body": body, "received_at": received_at, "parsed_ok": parsed_ok, "problem": problem,
         "events": events}).scalar_one())


def ingest_events(session: Session, events: Sequence[WebhookEvent], *, delivery_id: int,
                  received_at: datetime) -> IngestSummary:
    """Apply parsed events; duplicates and replays change nothing.

    Inbound messages are applied first, then statuses, then template updates: they touch
    different rows, except a phone's WhatsApp state, where a failure's "no WhatsApp" (a later
    fact than an old inbound in the same batch) rightly wins.
    """
    conn = session.connection()
    summary = IngestSummary(delivery_id=delivery_id)
    inbound = [e for e in events if isinstance(e, InboundMessage)]
    statuses = [e for e in events if isinstance(e, StatusUpdate)]
    phones: dict[int, PhoneRow] = {}
    updates = _Updates()
    answers: list[Answered] = []
    if inbound:
        answers = _inbound(conn, inbound, summary, phones, received_at)
    if statuses:
        _statuses(conn, statuses, summary, phones, updates, delivery_id=delivery_id,
                  received_at=received_at)
    for phone in phones.values():
        updates.add(Phone, phone.id, phone.changes)
    updates.flush(conn)
    if answers:  # in this transaction: a queued message to the number is cancelled at send time
        summary.answers_applied = len(apply_answers(session, answers, now=received_at))
    for event in events:
        if isinstance(event, TemplateUpdate):
            _template(conn, event, summary)
        elif not isinstance(event, InboundMessage | StatusUpdate):
            if isinstance(event, AccountUpdate):
                _messaging_tier(session, event, received_at)
            summary.other_events += 1  # kept in the raw delivery; the services log them
    return summary


def _messaging_tier(session: Session, event: AccountUpdate, received_at: datetime) -> bool:
    """A `phone_number_quality_update` names the number's new messaging tier: store it in
    `NUMBER_QUALITY` (the rating stays: Meta does not push it, the daily sync reads it).
    True when the event named a tier."""
    tier = (event.detail or "").strip().upper()
    if event.field != "phone_number_quality_update" or tier not in TIERS:
        return False
    known = read_json_setting(session, NUMBER_QUALITY)
    if known.tier != tier:
        write_number_quality(session, replace(known, tier=tier), operator_id=None,
                             now=received_at)
    return True


# --------------------------------------------------------------------------- phones


def load_phones(conn: Connection, wa_ids: Iterable[str],
                user_ids: Iterable[str]) -> list[PhoneRow]:
    """Every stored phone any of these senders could be (exact id, either 9th-digit form, BSUID)."""
    wa_ids = set(wa_ids)
    user_ids = set(user_ids)
    numbers = {c for w in wa_ids for c in e164_candidates_for_wa_id(w)}
    if not (wa_ids or numbers or user_ids):
        return []
    rows = conn.execute(_PHONES_FOR_SENDERS, {
        "wa_ids": list(wa_ids | {n.lstrip("+") for n in numbers}), "numbers": list(numbers),
        "user_ids": list(user_ids)})
    return [PhoneRow(*row) for row in rows]


def resolve_phone(phones: Sequence[PhoneRow], wa_id: str | None,
                  user_id: str | None) -> PhoneRow | None:
    """The phone a sender is: by WhatsApp id, then by number with or without the Brazilian 9th
    digit, then by business-scoped user id. None when unknown or ambiguous."""
    if wa_id:
        exact = [p for p in phones if p.wa_id == wa_id]
        if len(exact) == 1:
            return exact[0]
        candidates = e164_candidates_for_wa_id(wa_id)
        if candidates:
            digits = {c.lstrip("+") for c in candidates}
            found = [p for p in phones if p.e164 in candidates or p.wa_id in digits]
            if len(found) == 1:
                return found[0]
            for candidate in candidates:  # several: the most likely number wins, none if unsure
                best = [p for p in found if p.e164 == candidate]
                if len(best) == 1:
                    return best[0]
    if user_id:
        return next((p for p in phones if p.bsuid == user_id), None)
    return None


def _new_phone(conn: Connection, wa_id: str) -> PhoneRow | None:
    candidates = e164_candidates_for_wa_id(wa_id)
    if not candidates:
        return None
    try:
        parsed = parse_phone(candidates[0])
    except InvalidPhone:
        return None
    phone_id = conn.execute(insert(Phone).returning(Phone.id), {
        "e164": parsed.e164, "kind": parsed.kind.value, "wa_id": wa_id,
        "whatsapp_status": "yes"}).scalar_one()
    return PhoneRow(int(phone_id), parsed.e164, wa_id, None, "yes")


# --------------------------------------------------------------------------- inbound


@dataclass
class _ConversationRow:
    id: int
    last_inbound_at: datetime | None
    last_message_at: datetime | None
    new_messages: int = 0
    first_new_at: datetime | None = None


def _inbound(conn: Connection, events: list[InboundMessage], summary: IngestSummary,
             phones: dict[int, PhoneRow], received_at: datetime) -> list[Answered]:
    """Store new inbound messages; returns those that are answers to apply (`inbound_answers`)."""
    known = set(conn.execute(_KNOWN_INBOUND, {"wamids": list({e.wamid for e in events})})
                .scalars())
    fresh: list[InboundMessage] = []
    for event in events:
        if event.wamid in known:
            summary.inbound_duplicate += 1
        else:
            known.add(event.wamid)  # the same message twice in one body
            fresh.append(event)
    if not fresh:
        return []
    candidates = load_phones(conn, {e.from_wa_id for e in fresh if e.from_wa_id},
                             {e.from_user_id for e in fresh if e.from_user_id})
    taken_bsuids = {p.bsuid for p in candidates if p.bsuid}
    senders: list[tuple[InboundMessage, PhoneRow]] = []
    for event in fresh:
        phone = resolve_phone(candidates, event.from_wa_id, event.from_user_id)
        if phone is None and event.from_wa_id:
            phone = _new_phone(conn, event.from_wa_id)
            if phone is not None:
                candidates.append(phone)  # the next message of this sender finds it
        if phone is None:
            # only a user id we have never seen, or an unreadable number: the raw delivery keeps it
            summary.other_events += 1
            continue
        phone = phones.setdefault(phone.id, phone)
        if event.from_wa_id:
            phone.set("wa_id", event.from_wa_id)  # Meta's id is authoritative once known
        if event.from_user_id and phone.bsuid is None and event.from_user_id not in taken_bsuids:
            phone.set("bsuid", event.from_user_id)
            taken_bsuids.add(event.from_user_id)
        phone.set("whatsapp_status", "yes")
        senders.append((event, phone))
    if not senders:
        return []
    conversations = _conversations(conn, {phone.id for _, phone in senders}, received_at)
    rows = []
    answers: list[Answered] = []
    for event, phone in senders:
        conversation = conversations[phone.id]
        payload = {"payload": event.payload, "context": event.context_wamid,
                   "profile_name": event.profile_name, "raw": event.raw}
        answer = classify(event.type, event.text, event.payload)
        if answer is not None:
            # `answer.intent` "possible_opt_out" is the inbox's "possível pedido de descadastro"
            payload["answer"] = answer.to_json()
            if answer.intent is not Intent.POSSIBLE_OPT_OUT:
                answers.append(Answered(event, answer, phone.id, conversation.id))
        rows.append({
            "conversation_id": conversation.id, "wamid": event.wamid, "direction": "in",
            "type": event.type, "text": event.text, "status": "received",
            "created_at": event.timestamp, "payload": payload})
        conversation.last_inbound_at = _latest(conversation.last_inbound_at, event.timestamp)
        conversation.last_message_at = _latest(conversation.last_message_at, event.timestamp)
        conversation.new_messages += 1
        if conversation.first_new_at is None or event.timestamp < conversation.first_new_at:
            conversation.first_new_at = event.timestamp
        summary.inbound_new += 1
        summary.conversation_ids.add(conversation.id)
    conn.execute(insert(Message), rows)
    conn.execute(_BUMP_CONVERSATION, [
        {"_id": c.id, "v_last_inbound_at": c.last_inbound_at,
         "v_last_message_at": c.last_message_at, "new_messages": c.new_messages,
         "v_changed_at": received_at, "v_waiting_since": c.first_new_at}
        for c in conversations.values() if c.new_messages])
    return answers


def _conversations(conn: Connection, phone_ids: set[int], now: datetime,
                   ) -> dict[int, _ConversationRow]:
    """The conversation of each phone, created where there is none yet."""
    found = {row.phone_id: _ConversationRow(row.id, row.last_inbound_at, row.last_message_at)
             for row in conn.execute(_CONVERSATIONS, {"phone_ids": list(phone_ids)})}
    missing = phone_ids - found.keys()
    if missing:
        owners: dict[int, list[int]] = {}
        for phone_id, debtor_id in conn.execute(_OWNERS, {"phone_ids": list(missing)}):
            owners.setdefault(phone_id, []).append(debtor_id)
        for phone_id in sorted(missing):
            debtors = owners.get(phone_id, [])
            # a number shared by several debtors is linked to none: an operator decides
            conversation_id = conn.execute(_INSERT_CONVERSATION, {
                "phone_id": phone_id, "created_at": now, "changed_at": now,
                "debtor_id": debtors[0] if len(debtors) == 1 else None}).scalar_one()
            found[phone_id] = _ConversationRow(int(conversation_id), None, None)
    return found


def _latest(current: datetime | None, incoming: datetime) -> datetime:
    return incoming if current is None or incoming > current else current


# --------------------------------------------------------------------------- statuses


@dataclass
class _Target:
    """An outbound message a status is about, with what the status may change."""

    message_id: int
    status: str
    conversation_id: int
    phone_id: int
    outbox_id: int | None
    outbox_state: str | None
    changes: dict[str, Any] = field(default_factory=dict)
    outbox_changes: dict[str, Any] = field(default_factory=dict)


_TARGET_COLUMNS = (Message.id, Message.status, Message.conversation_id,
                   OutboxItem.id.label("outbox_id"), OutboxItem.state, Message.wamid,
                   *(column.label(f"phone_{column.key}") for column in _PHONE_COLUMNS))


_TARGETS = (select(*_TARGET_COLUMNS)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(Phone, Phone.id == Conversation.phone_id)
            .outerjoin(OutboxItem, OutboxItem.message_id == Message.id))
_TARGETS_BY_WAMID = _TARGETS.where(Message.wamid.in_(_in("wamids")))
_TARGETS_BY_OUTBOX = _TARGETS.where(OutboxItem.id.in_(_in("ids")))


def _target(row: Any, phones: dict[int, PhoneRow]) -> _Target:
    if row.phone_id not in phones:
        phones[row.phone_id] = PhoneRow(row.phone_id, row.phone_e164, row.phone_wa_id,
                                        row.phone_bsuid, row.phone_whatsapp_status)
    return _Target(row.id, row.status, row.conversation_id, row.phone_id, row.outbox_id,
                   row.state)


def _targets(conn: Connection, statuses: list[StatusUpdate],
             phones: dict[int, PhoneRow]) -> dict[str, _Target]:
    """The messages the statuses name, by wamid (and by our callback when the send's answer was
    lost, in which case the status also tells us the message's wamid)."""
    targets: dict[str, _Target] = {}
    for row in conn.execute(_TARGETS_BY_WAMID, {"wamids": list({s.wamid for s in statuses})}):
        targets[row.wamid] = _target(row, phones)
    by_callback: dict[int, str] = {}
    for event in statuses:
        data = event.callback_data or ""
        number = data[len(CALLBACK_PREFIX):]
        # 18 digits: an outbox id fits in a 64-bit column; a longer one is not ours
        if (event.wamid not in targets and data.startswith(CALLBACK_PREFIX)
                and number.isascii() and number.isdigit() and len(number) <= 18):
            by_callback.setdefault(int(number), event.wamid)
    if by_callback:
        for row in conn.execute(_TARGETS_BY_OUTBOX, {"ids": list(by_callback)}):
            target = _target(row, phones)
            status_wamid = by_callback[target.outbox_id or 0]
            if row.wamid is None and status_wamid not in targets:
                # the send's answer was lost (`unknown`): the status tells us it went through
                target.changes["wamid"] = status_wamid
                targets[status_wamid] = target
    return targets


def _statuses(conn: Connection, statuses: list[StatusUpdate], summary: IngestSummary,
              phones: dict[int, PhoneRow], updates: _Updates, *, delivery_id: int,
              received_at: datetime) -> None:
    seen = {(row.wamid, row.status) for row in conn.execute(
        _SEEN_STATUSES, {"wamids": list({s.wamid for s in statuses})})}
    fresh = []
    for event in statuses:
        if (event.wamid, event.status) in seen:
            summary.statuses_duplicate += 1
        else:
            seen.add((event.wamid, event.status))
            fresh.append(event)
    if not fresh:
        return
    targets = _targets(conn, fresh, phones)
    records = []
    ticked: set[int] = set()
    for event in fresh:
        error = event.errors[0] if event.errors else None
        target = targets.get(event.wamid)
        applied = target is not None and _apply(target, event, summary)
        if applied and target is not None:
            ticked.add(target.conversation_id)
        records.append({
            "wamid": event.wamid, "status": event.status, "at": event.timestamp,
            "recipient_wa_id": event.recipient_wa_id, "callback_data": event.callback_data,
            "error_code": error.code if error else None,
            "error_title": error.title[:200] if error else None,
            "error_details": error.details if error else None,
            "pricing_category": event.pricing_category, "pricing_type": event.pricing_type,
            "applied": applied, "delivery_id": delivery_id, "received_at": received_at})
        if target is None:
            summary.orphan_statuses += 1
            continue
        phone = phones[target.phone_id]
        if event.recipient_wa_id and phone.wa_id is None:
            phone.set("wa_id", event.recipient_wa_id)
        if error is not None and error.code == UNDELIVERABLE:
            phone.set("whatsapp_status", "no")
            phone.changes["whatsapp_checked_at"] = event.timestamp
        elif event.status in ("delivered", "read"):
            phone.set("whatsapp_status", "yes")
            phone.changes["whatsapp_checked_at"] = event.timestamp
    conn.execute(insert(MessageEvent), records)
    if ticked:
        conn.execute(_TOUCH_CONVERSATIONS, {"ids": sorted(ticked), "changed_at": received_at})
    for target in {id(t): t for t in targets.values()}.values():
        updates.add(Message, target.message_id, target.changes)
        if target.outbox_id is not None:
            updates.add(OutboxItem, target.outbox_id, target.outbox_changes)


def _apply(target: _Target, event: StatusUpdate, summary: IngestSummary) -> bool:
    """Move the message (and its outbox row) forward; False when the status changes nothing."""
    change = apply_status(target.status, event.status)
    if not change.applied:
        summary.statuses_kept += 1
        return False
    error = event.errors[0] if event.errors else None
    target.status = change.status
    target.changes.update(status=change.status, status_at=event.timestamp)
    if change.status == "failed" and error is not None:
        target.changes.update(error_code=error.code,
                              error_detail=error.details or error.message or error.title)
    if target.outbox_state in ("sending", "unknown", "sent"):
        target.outbox_state = "failed" if change.status == "failed" else "sent"
        target.outbox_changes["state"] = target.outbox_state
        if error is not None and change.status == "failed":
            target.outbox_changes["last_error_code"] = error.code
    summary.statuses_applied += 1
    summary.conversation_ids.add(target.conversation_id)
    return True


# --------------------------------------------------------------------------- templates

_TEMPLATE_COLUMN = {"message_template_status_update": "status",
                    "message_template_quality_update": "quality",
                    "template_category_update": "category"}


def _template(conn: Connection, event: TemplateUpdate, summary: IngestSummary) -> None:
    column = _TEMPLATE_COLUMN.get(event.field)
    if not event.name or event.value is None or column is None:
        summary.other_events += 1
        return
    query = select(Template.id).where(Template.name == event.name)
    if event.language:
        query = query.where(Template.language == event.language)
    template_id = conn.execute(query.order_by(Template.id).limit(1)).scalar()
    if template_id is None:
        summary.other_events += 1
        return
    values: dict[str, Any] = {column: event.value}
    if column == "status":
        reason = event.reason[:200] if event.reason else None  # the column's size
        values["rejected_reason"] = reason if event.value == "REJECTED" else None
    conn.execute(update(Template).where(Template.id == template_id).values(values))
    summary.templates_updated += 1
