"""What a debtor's dossier holds beyond the debtor screen: every message with its delivery
reports, each number's consent evidence, and the audit trail about the debtor.

The debtor themselves (identity, phones, debts, payments, promises, agreements, notes) comes from
`storage.repos.debtor_detail.load`, the debtor screen's own read. Messages come in one ordered
query joined with their status reports, read a batch at a time and grouped as they pass, so a
debtor with thousands of messages costs one pass (no query per message).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from cobrador_desktop.domain.dossier import (
    ConsentEvidence,
    DeliveryEvent,
    DossierMessage,
    OptOutRequest,
)
from cobrador_desktop.domain.roles import AuditRow
from cobrador_desktop.storage.orm import (
    AuditEntry,
    Conversation,
    DebtorPhone,
    Message,
    MessageEvent,
    Operator,
    Phone,
)
from cobrador_desktop.storage.repos.inbound_answers import OPT_OUT_ACTION

#: rows fetched from the cursor at a time
BATCH = 1000
#: ids per IN (...) list
_CHUNK = 500

_sender = aliased(Operator)
_recorder = aliased(Operator)


def messages(session: Session, debtor_id: int) -> Iterator[DossierMessage]:
    """Every message of every conversation of `debtor_id`, oldest first, each with its status
    reports (oldest first; repeated reports kept once).

    Two queries in the same order (the messages; their reports), read side by side a batch at a
    time: one pass over each, however many messages.
    """
    mine = Conversation.debtor_id == debtor_id
    order = (Message.created_at, Message.id)
    rows = (
        select(Message.id, Message.created_at, Phone.e164, Message.direction, Message.type,
               Message.text, Message.template_name, Message.status, Message.status_at,
               Message.error_code, Message.error_detail, _sender.name)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Phone, Phone.id == Conversation.phone_id)
        .outerjoin(_sender, _sender.id == Message.operator_id)
        .where(mine).order_by(*order).execution_options(yield_per=BATCH))
    reports = (
        select(Message.id, MessageEvent.status, MessageEvent.at, MessageEvent.error_code,
               MessageEvent.error_title, MessageEvent.error_details)
        .join(Message, Message.wamid == MessageEvent.wamid)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(mine).order_by(*order, MessageEvent.at, MessageEvent.id)
        .execution_options(yield_per=BATCH))
    # Core rows (not ORM ones), read as plain tuples: a few times cheaper over thousands of them
    connection = session.connection()
    pending = iter(connection.execute(reports))
    report = next(pending, None)
    for row in connection.execute(rows):
        events: list[DeliveryEvent] = []
        last: tuple[Any, ...] | None = None
        while report is not None and report[0] == row[0]:
            event: tuple[Any, ...] = report[1:]
            if event != last:  # a report Meta sent twice is kept once
                events.append(DeliveryEvent(*event))
                last = event
            report = next(pending, None)
        yield _message(row, events)


def _message(row: tuple[Any, ...], events: list[DeliveryEvent]) -> DossierMessage:
    (id_, at, phone, direction, type_, text, template, status, status_at, error_code,
     error_detail, operator) = row
    return DossierMessage(
        id=id_, at=at, phone=phone, direction=direction, type=type_, text=text or "",
        template_name=template, status=status, status_at=status_at, error_code=error_code,
        error_detail=error_detail, operator=operator, events=tuple(events))


def audit_trail(session: Session, debtor_id: int) -> tuple[AuditRow, ...]:
    """Every audit entry about the debtor, about one of their numbers or one of their
    conversations, oldest first, with the operator's name."""
    phone_ids = [str(i) for i in session.scalars(
        select(DebtorPhone.phone_id).where(DebtorPhone.debtor_id == debtor_id))]
    conversation_ids = [str(i) for i in session.scalars(
        select(Conversation.id).where(Conversation.debtor_id == debtor_id))]
    about = [and_(AuditEntry.object_type == "debtor", AuditEntry.object_id == str(debtor_id))]
    about += [and_(AuditEntry.object_type == "phone", AuditEntry.object_id.in_(chunk))
              for chunk in _chunks(phone_ids)]
    about += [and_(AuditEntry.object_type == "conversation", AuditEntry.object_id.in_(chunk))
              for chunk in _chunks(conversation_ids)]
    stmt = (select(AuditEntry, Operator.name)
            .outerjoin(Operator, Operator.id == AuditEntry.operator_id)
            .where(or_(*about)).order_by(AuditEntry.id)
            .execution_options(yield_per=BATCH))
    return tuple(AuditRow(e.id, e.at, e.operator_id, name, e.action, e.object_type, e.object_id,
                          dict(e.details or {})) for e, name in session.execute(stmt))


def consent(session: Session, debtor_id: int,
            trail: Sequence[AuditRow]) -> tuple[ConsentEvidence, ...]:
    """Each of the debtor's numbers with its opt-in, opt-out and identity evidence.

    Args:
        trail: the debtor's audit trail (`audit_trail`): an opt-out made by WhatsApp names the
            message that asked, which is looked up to quote it.
    """
    rows = session.execute(
        select(DebtorPhone, Phone, _recorder.name)
        .join(Phone, Phone.id == DebtorPhone.phone_id)
        .outerjoin(_recorder, _recorder.id == Phone.opt_in_recorded_by)
        .where(DebtorPhone.debtor_id == debtor_id)
        .order_by(DebtorPhone.role, DebtorPhone.position, DebtorPhone.id)).all()
    asked = _opt_out_messages(session, trail)
    return tuple(ConsentEvidence(
        phone_id=phone.id, e164=phone.e164, role=link.role, label=link.label,
        opt_in_source=phone.opt_in_source, opt_in_at=phone.opt_in_at,
        opt_in_wording=phone.opt_in_wording, opt_in_recorded_by=recorder,
        opted_out=bool(phone.opted_out), opted_out_at=phone.opted_out_at,
        opt_out_source=phone.opt_out_source,
        opt_out_request=asked.get(phone.id) if phone.opted_out else None,
        wrong_party=bool(link.wrong_party), wrong_party_at=link.wrong_party_at,
        cpc_status=link.cpc_status, cpc_at=link.cpc_at, suppressed=bool(phone.suppressed),
        suppression_source=phone.suppression_source) for link, phone, recorder in rows)


def _opt_out_messages(session: Session, trail: Sequence[AuditRow]) -> dict[int, OptOutRequest]:
    """phone id -> the message of its latest opt-out (when the audit entry names one)."""
    wamid_of: dict[int, str] = {}
    for row in trail:
        message = row.details.get("message")
        if (row.action == OPT_OUT_ACTION and row.object_id and row.object_id.isdigit()
                and isinstance(message, str) and message):
            wamid_of[int(row.object_id)] = message  # later entries win
    if not wamid_of:
        return {}
    found: dict[str, OptOutRequest] = {}
    for chunk in _chunks(sorted(set(wamid_of.values()))):
        for wamid, at, text in session.execute(
                select(Message.wamid, Message.created_at, Message.text)
                .where(Message.wamid.in_(chunk))):
            if wamid is not None:
                found[wamid] = OptOutRequest(at=at, text=text or "")
    return {phone: found[w] for phone, w in wamid_of.items() if w in found}


def operator_name(session: Session, operator_id: int | None) -> str | None:
    """The operator's name (None for the system or an unknown id)."""
    if operator_id is None:
        return None
    return session.scalar(select(Operator.name).where(Operator.id == operator_id))


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]
