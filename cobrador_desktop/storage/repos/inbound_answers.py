"""Applying a debtor's answer in the transaction that stores it (COMPLIANCE.md §3.2, §3.4–3.6).

`apply_answers` runs inside `ingest.ingest_events`, after the inbound messages and their
conversations are written: "Sou eu" confirms the (debtor, phone) link; "Não sou eu" marks it wrong
party (identity denied), opens a `find_phone` task and queues one reply; PARAR marks the phone
opted out and queues one confirmation; VOLTAR clears that opt-out (never a wrong party nor a
suppression) with new opt-in evidence and one confirmation. Every change is audited with the
message's wamid. A repeated answer changes nothing and gets no second reply.

Because the flags change in the same transaction, a message already queued for the number is
cancelled by the outbox sender's re-check (`outbox.claim` reads them fresh). The replies go
through the send guard like any other message (`system_reply`); the sender judges them again.

The answers are rare among inbound messages, so this uses the ORM, one answer at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.inbound_answers import (
    OPT_IN_SOURCE,
    Answer,
    Intent,
    reply_text,
)
from cobrador_desktop.domain.policy import Decision, MessageType, SendRequest, evaluate
from cobrador_desktop.domain.self_service import text_request
from cobrador_desktop.domain.wa_links import call_link
from cobrador_desktop.domain.webhook_events import InboundMessage
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    ReguaSend,
    Task,
)
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos import outbox as outbox_repo
from cobrador_desktop.storage.repos.settings import read_guard_settings

CPC_ACTION = "phone.cpc_confirmed"
WRONG_PARTY_ACTION = "phone.wrong_party"
OPT_OUT_ACTION = "phone.opt_out"
OPT_IN_ACTION = "phone.opt_in"
CALL_ACTION = "debtor.call_requested"
#: the task an operator gets when a number turns out not to be the debtor's
FIND_PHONE = "find_phone"
CALL = "call"


@dataclass(frozen=True)
class Answered:
    """An inbound message that is an answer, with where it was stored."""

    event: InboundMessage
    answer: Answer
    phone_id: int
    conversation_id: int


@dataclass(frozen=True)
class Applied:
    """What one answer changed: the intent, the link or phone, and the reply queued (if any)."""

    wamid: str
    intent: Intent
    debtor_id: int | None
    phone_id: int
    outbox_id: int | None
    reply_decision: Decision | None


def apply_answers(session: Session, answered: Sequence[Answered], *,
                  now: datetime) -> list[Applied]:
    """Apply each answer in the order the person sent them; returns those that changed something.

    The self-service buttons (PIX, "Já paguei", "Negociar", "Falar com atendente") are applied by
    `self_service.apply`.

    The confirmations name the shop by the trade name in its settings ("a loja" until it is set).
    """
    # the self-service buttons build on this module's pieces (link_of, queue_reply): imported here
    from cobrador_desktop.storage.repos import self_service

    trade_name = _trade_name(session) if answered else None
    applied: list[Applied] = []
    for item in sorted(answered, key=lambda a: a.event.timestamp):
        intent = item.answer.intent
        result: Applied | None = None
        if intent is Intent.CPC_CONFIRMED:
            result = _confirm(session, item, now)
        elif intent is Intent.WRONG_PARTY:
            result = _wrong_party(session, item, now, trade_name)
        elif intent in (Intent.OPT_OUT, Intent.OPT_IN):
            result = _opt(session, item, now, trade_name)
        elif intent is Intent.CALL_REQUESTED:
            result = _call_task(session, item, now)
        elif intent in self_service.INTENTS:
            result = self_service.apply(session, item, now)
        if result is not None:
            applied.append(result)
    session.flush()
    return applied


def confirm_identity_by_hand(session: Session, *, debtor_id: int, phone_id: int,
                             operator_id: int | None, note: str, now: datetime) -> bool:
    """An operator confirms the person in the chat is the debtor (COMPLIANCE.md §3.2), with a note.

    Returns False when nothing changed (already confirmed). A wrong-party link is not confirmed
    here: only the owner clears a wrong party.

    Raises:
        LookupError: the debtor has no such phone.
        ValueError: the note is empty, or the link is marked wrong party.
    """
    if not note.strip():
        raise ValueError("a manual identity confirmation needs a note")
    link = session.scalar(select(DebtorPhone).where(DebtorPhone.debtor_id == debtor_id,
                                                    DebtorPhone.phone_id == phone_id))
    if link is None:
        raise LookupError(f"debtor {debtor_id} has no phone {phone_id}")
    if link.wrong_party:
        raise ValueError("the link is marked wrong party")
    if link.cpc_status == "confirmed":
        return False
    previous = link.cpc_status
    link.cpc_status, link.cpc_at, link.cpc_message_id = "confirmed", now, None
    audit.append(session, action=CPC_ACTION, operator_id=operator_id, object_type="debtor",
                 object_id=debtor_id, now=now, details={
                     "phone_id": phone_id, "previous": previous, "via": "operator",
                     "note": note.strip(), "message": None})
    session.flush()
    return True


def opt_out_by_hand(session: Session, *, phone_id: int, operator_id: int | None, source: str,
                    now: datetime, message_wamid: str | None = None) -> int | None:
    """An operator records an opt-out: the inbox's "registrar" on a message flagged
    `possible_opt_out` (its wamid given), or a request made by phone or in the shop (§3.5).

    Audited; when the number has a conversation whose window is open, the one confirmation is
    queued (through the send guard). Returns that outbox row's id, else None.

    Raises:
        LookupError: no such phone.
        ValueError: the source is empty, or the number is already opted out.
    """
    if not source.strip():
        raise ValueError("an opt-out needs its source")
    phone = session.get(Phone, phone_id)
    if phone is None:
        raise LookupError(f"no phone {phone_id}")
    if phone.opted_out:
        raise ValueError("the number is already opted out")
    phone.opted_out, phone.opted_out_at = True, now
    phone.opt_out_source = source.strip()[:200]
    session.flush()
    conversation_id = session.scalar(select(Conversation.id).where(
        Conversation.phone_id == phone_id))
    outbox_id = decision = None
    if conversation_id is not None:
        outbox_id, decision = _queue_reply(session, conversation_id, message_wamid,
                                           Intent.OPT_OUT, now, _trade_name(session))
    audit.append(session, action=OPT_OUT_ACTION, operator_id=operator_id, object_type="phone",
                 object_id=phone_id, now=now, details={
                     "source": phone.opt_out_source, "via": "operator",
                     "message": message_wamid, **reply_details(outbox_id, decision)})
    return outbox_id


# --------------------------------------------------------------------------- identity


def link_of(session: Session, item: Answered) -> DebtorPhone | None:
    """The (debtor, phone) link the answer is about: the tapped button's debt, else the identity
    check it answers (its régua send), else the conversation's debtor, else the number's only
    owner. None when it cannot be told (a shared number): an operator decides."""
    phone_id = item.phone_id
    candidates: list[int] = []
    if item.answer.debt_id is not None:
        debtor = session.scalar(select(Debt.debtor_id).where(Debt.id == item.answer.debt_id))
        if debtor is not None:
            candidates.append(debtor)
    if item.event.context_wamid:
        debtor = session.scalar(
            select(ReguaSend.debtor_id)
            .join(OutboxItem, OutboxItem.id == ReguaSend.outbox_id)
            .join(Message, Message.id == OutboxItem.message_id)
            .where(Message.wamid == item.event.context_wamid).limit(1))
        if debtor is not None:
            candidates.append(debtor)
    conversation = session.get(Conversation, item.conversation_id)
    if conversation is not None and conversation.debtor_id is not None:
        candidates.append(conversation.debtor_id)
    links = list(session.scalars(select(DebtorPhone).where(DebtorPhone.phone_id == phone_id)))
    for debtor_id in candidates:
        link = next((x for x in links if x.debtor_id == debtor_id), None)
        if link is not None:
            return link
    own = [x for x in links if x.role == "own"]
    return own[0] if len(own) == 1 else None


def _confirm(session: Session, item: Answered, now: datetime) -> Applied | None:
    link = link_of(session, item)
    if link is None or link.wrong_party or link.cpc_status == "confirmed":
        return None  # only the owner clears a wrong party; a second "Sou eu" changes nothing
    event = item.event
    previous = link.cpc_status
    link.cpc_status, link.cpc_at, link.cpc_message_id = "confirmed", event.timestamp, event.wamid
    audit.append(session, action=CPC_ACTION, operator_id=None, object_type="debtor",
                 object_id=link.debtor_id, now=now, details={
                     "phone_id": link.phone_id, "previous": previous, "via": via(item),
                     "message": event.wamid})
    return Applied(event.wamid, Intent.CPC_CONFIRMED, link.debtor_id, link.phone_id, None, None)


def _wrong_party(session: Session, item: Answered, now: datetime,
                 trade_name: str | None) -> Applied | None:
    link = link_of(session, item)
    if link is None or link.wrong_party:
        return None  # already silenced: no second reply
    event = item.event
    previous = link.cpc_status
    link.wrong_party, link.wrong_party_at = True, event.timestamp
    link.cpc_status, link.cpc_at, link.cpc_message_id = "denied", event.timestamp, event.wamid
    task = Task(debtor_id=link.debtor_id, phone_id=link.phone_id, kind=FIND_PHONE,
                note=event.text or None, created_at=now)
    session.add(task)
    session.flush()  # the guard below reads the link's new state
    outbox_id, decision = _reply(session, item, Intent.WRONG_PARTY, now, trade_name)
    audit.append(session, action=WRONG_PARTY_ACTION, operator_id=None, object_type="debtor",
                 object_id=link.debtor_id, now=now, details={
                     "phone_id": link.phone_id, "previous": previous, "via": via(item),
                     "message": event.wamid, "task_id": task.id, **reply_details(
                         outbox_id, decision)})
    return Applied(event.wamid, Intent.WRONG_PARTY, link.debtor_id, link.phone_id, outbox_id,
                   decision)


def _call_task(session: Session, item: Answered, now: datetime) -> Applied | None:
    """"Prefiro uma ligação": a call task for an operator, with the `tel:` link to click (one open
    task per number and debtor; asking again adds nothing). No reply: a person calls back."""
    link = link_of(session, item)
    if link is None or link.wrong_party:
        return None
    open_task = session.scalar(select(Task.id).where(
        Task.debtor_id == link.debtor_id, Task.phone_id == link.phone_id, Task.kind == CALL,
        Task.done_at.is_(None)).limit(1))
    if open_task is not None:
        return None
    phone = session.get_one(Phone, link.phone_id)
    event = item.event
    said = f"“{event.text.strip()}”. " if event.text and event.text.strip() else ""
    session.add(Task(debtor_id=link.debtor_id, phone_id=link.phone_id, kind=CALL, created_at=now,
                     note=f"{said}Pediu uma ligação: {call_link(phone.e164)}"))
    audit.append(session, action=CALL_ACTION, operator_id=None, object_type="debtor",
                 object_id=link.debtor_id, now=now, details={
                     "phone_id": link.phone_id, "via": via(item), "message": event.wamid})
    return Applied(event.wamid, Intent.CALL_REQUESTED, link.debtor_id, link.phone_id, None, None)


# --------------------------------------------------------------------------- opt-out / opt-in


def _opt(session: Session, item: Answered, now: datetime,
         trade_name: str | None) -> Applied | None:
    phone = session.get(Phone, item.phone_id)
    assert phone is not None  # the ingest just stored a message for it
    event, answer = item.event, item.answer
    opting_out = answer.intent is Intent.OPT_OUT
    if phone.opted_out == opting_out:
        return None  # already so: one confirmation only
    if opting_out:
        phone.opted_out, phone.opted_out_at = True, event.timestamp
        phone.opt_out_source = f"WhatsApp: {answer.keyword} ({event.wamid})"[:200]
        details: dict[str, Any] = {"keyword": answer.keyword}
    else:
        details = {"keyword": answer.keyword, "previous_source": phone.opt_out_source,
                   "previous_at": _iso(phone.opted_out_at)}
        phone.opted_out, phone.opted_out_at, phone.opt_out_source = False, None, None
        phone.opt_in_source, phone.opt_in_at = OPT_IN_SOURCE, event.timestamp
        phone.opt_in_wording, phone.opt_in_recorded_by = event.text or answer.keyword, None
    session.flush()
    outbox_id, decision = _reply(session, item, answer.intent, now, trade_name)
    audit.append(session, action=OPT_OUT_ACTION if opting_out else OPT_IN_ACTION,
                 operator_id=None, object_type="phone", object_id=phone.id, now=now, details={
                     **details, "via": via(item), "message": event.wamid,
                     **reply_details(outbox_id, decision)})
    return Applied(event.wamid, answer.intent, None, phone.id, outbox_id, decision)


# --------------------------------------------------------------------------- the one reply


def _reply(session: Session, item: Answered, intent: Intent, now: datetime,
           trade_name: str | None) -> tuple[int | None, Decision | None]:
    """Queue the answer's one reply if the send guard allows it now; (outbox id, decision)."""
    return _queue_reply(session, item.conversation_id, item.event.wamid, intent, now, trade_name)


def _queue_reply(session: Session, conversation_id: int, reply_to: str | None, intent: Intent,
                 now: datetime, trade_name: str | None) -> tuple[int | None, Decision | None]:
    text = reply_text(intent, trade_name)
    if text is None:
        return None, None
    return queue_reply(session, conversation_id, reply_to, text_request(text), text, now=now)


def queue_reply(session: Session, conversation_id: int, reply_to: str | None,
                request: dict[str, Any], text: str, *, now: datetime,
                message_type: MessageType = "text",
                reveals_debt: bool = False) -> tuple[int | None, Decision | None]:
    """Queue one automatic reply (purpose `system_reply`) if the send guard allows it now.

    `request` is the Cloud API body without `to` (set at send time); it is sent quoting the
    person's message `reply_to`. `text` is what the person reads (the guard lints it).
    Returns (outbox id or None when refused, the guard's decision).
    """
    facts = outbox_repo.send_facts(session, conversation_id)
    decision = evaluate(SendRequest(kind="reply", purpose="system_reply",
                                    message_type=message_type, text=text,
                                    reveals_debt=reveals_debt), facts, now)
    if not decision.allowed:
        return None, decision
    request = dict(request)
    if reply_to is not None:
        request["context"] = {"message_id": reply_to}
    outbox_id = outbox_repo.add_outbound(
        session, conversation_id=conversation_id, request=request, purpose="system_reply",
        kind="reply", message_type=message_type, text=text, decision=decision.to_json(),
        operator_id=None, now=now)
    return outbox_id, decision


def _trade_name(session: Session) -> str | None:
    """The shop's trade name for the confirmations; None until the owner sets it ("a loja")."""
    shop = read_guard_settings(session).shop
    return shop.trade_name if shop is not None else None


def reply_details(outbox_id: int | None, decision: Decision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    reason = decision.main_reason
    return {"reply_outbox_id": outbox_id,
            "reply_blocked": None if decision.allowed or reason is None else reason.code}


def via(item: Answered) -> str:
    return "button" if item.answer.by_button else "text"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
