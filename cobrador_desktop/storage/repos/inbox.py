"""The shared inbox's writes on a conversation: who holds it, its state, its typing lock, labels
and private notes (issue 6). The list and message reads live in `inbox_read`.

Every write bumps `conversations.changed_at`, which the inbox's poll compares. Claims and the
typing lock are single conditional UPDATEs, so two operators on two PCs sharing the database
cannot both win; the loser is told who holds it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.inbox import (
    TYPING_LOCK,
    AlreadyAssigned,
    ConversationNotFound,
    NotYours,
    SomeoneTyping,
)
from cobrador_desktop.storage.orm import Conversation, Message, Operator, QuickReply
from cobrador_desktop.storage.repos import audit

OPEN, RESOLVED = "open", "resolved"
NOTE = "note"
CLAIM_ACTION = "conversation.claim"
TRANSFER_ACTION = "conversation.transfer"
RESOLVE_ACTION = "conversation.resolve"
REOPEN_ACTION = "conversation.reopen"
QUEUE_ACTION = "conversation.queue"


def to_queue(session: Session, conversation_id: int, now: datetime) -> None:
    """Put the conversation in the queue: nobody's, open, the debtor waiting (from `now` unless
    already waiting). Used when a debtor asks for a person ("Falar com atendente")."""
    c = Conversation
    done = session.execute(
        update(c).where(c.id == conversation_id)
        .values(assigned_operator_id=None, status=OPEN, resolved_at=None,
                waiting_since=func.coalesce(c.waiting_since, literal(now, c.waiting_since.type)),
                changed_at=now)
        .execution_options(synchronize_session=False))
    if not done.rowcount:  # type: ignore[attr-defined]
        raise ConversationNotFound(conversation_id=conversation_id)


def operator_name(session: Session, operator_id: int | None) -> str:
    if operator_id is None:
        return ""
    return session.scalar(select(Operator.name).where(Operator.id == operator_id)) or "?"


def claim(session: Session, conversation_id: int, operator_id: int, now: datetime) -> None:
    """Take the conversation if nobody has it (or I already do); else AlreadyAssigned."""
    c = Conversation
    done = session.execute(
        update(c).where(c.id == conversation_id,
                        or_(c.assigned_operator_id.is_(None), c.assigned_operator_id == operator_id))
        .values(assigned_operator_id=operator_id, changed_at=now)
        .execution_options(synchronize_session=False))
    if not done.rowcount:  # type: ignore[attr-defined]
        holder = _holder(session, conversation_id)
        raise AlreadyAssigned(operator=operator_name(session, holder))
    audit.append(session, action=CLAIM_ACTION, operator_id=operator_id,
                 object_type="conversation", object_id=conversation_id, now=now, details={})


def _holder(session: Session, conversation_id: int) -> int | None:
    row = session.execute(select(Conversation.assigned_operator_id)
                          .where(Conversation.id == conversation_id)).first()
    if row is None:
        raise ConversationNotFound(conversation_id=conversation_id)
    return row[0]


def ensure_mine(session: Session, conversation_id: int, operator_id: int, now: datetime) -> None:
    """Claim an unassigned conversation for `operator_id`; NotYours if someone else has it."""
    c = Conversation
    done = session.execute(
        update(c).where(c.id == conversation_id, c.assigned_operator_id.is_(None))
        .values(assigned_operator_id=operator_id, changed_at=now)
        .execution_options(synchronize_session=False))
    if done.rowcount:  # type: ignore[attr-defined]
        audit.append(session, action=CLAIM_ACTION, operator_id=operator_id,
                     object_type="conversation", object_id=conversation_id, now=now,
                     details={"by": "reply"})
        return
    holder = _holder(session, conversation_id)
    if holder != operator_id:
        raise NotYours(operator=operator_name(session, holder))


def transfer(session: Session, conversation_id: int, operator_id: int,
             to_operator_id: int | None, now: datetime) -> None:
    """Give the conversation to `to_operator_id` (None: back to the queue)."""
    c = Conversation
    before = _holder(session, conversation_id)
    values: dict[str, object] = {"assigned_operator_id": to_operator_id, "changed_at": now}
    session.execute(update(c).where(c.id == conversation_id).values(**values)
                    .execution_options(synchronize_session=False))
    audit.append(session, action=TRANSFER_ACTION, operator_id=operator_id,
                 object_type="conversation", object_id=conversation_id, now=now,
                 details={"from": before, "to": to_operator_id})


def resolve(session: Session, conversation_id: int, operator_id: int, now: datetime) -> None:
    _set_state(session, conversation_id, now, status=RESOLVED, resolved_at=now,
               waiting_since=None, typing_operator_id=None, typing_until=None)
    audit.append(session, action=RESOLVE_ACTION, operator_id=operator_id,
                 object_type="conversation", object_id=conversation_id, now=now, details={})


def reopen(session: Session, conversation_id: int, operator_id: int, now: datetime) -> None:
    _set_state(session, conversation_id, now, status=OPEN, resolved_at=None)
    audit.append(session, action=REOPEN_ACTION, operator_id=operator_id,
                 object_type="conversation", object_id=conversation_id, now=now, details={})


def _set_state(session: Session, conversation_id: int, now: datetime, **values: object) -> None:
    c = Conversation
    done = session.execute(update(c).where(c.id == conversation_id)
                           .values(changed_at=now, **values)
                           .execution_options(synchronize_session=False))
    if not done.rowcount:  # type: ignore[attr-defined]
        raise ConversationNotFound(conversation_id=conversation_id)


def set_typing(session: Session, conversation_id: int, operator_id: int, typing: bool,
               now: datetime) -> None:
    """Hold or renew (typing) or release the lock; SomeoneTyping while another operator holds
    an unexpired one. One conditional UPDATE: two operators cannot both hold it."""
    c = Conversation
    if not typing:
        session.execute(update(c).where(c.id == conversation_id, c.typing_operator_id == operator_id)
                        .values(typing_operator_id=None, typing_until=None, changed_at=now)
                        .execution_options(synchronize_session=False))
        return
    free = or_(c.typing_operator_id.is_(None), c.typing_operator_id == operator_id,
               c.typing_until.is_(None), c.typing_until <= now)
    done = session.execute(
        update(c).where(c.id == conversation_id, free)
        .values(typing_operator_id=operator_id, typing_until=now + TYPING_LOCK, changed_at=now)
        .execution_options(synchronize_session=False))
    if not done.rowcount:  # type: ignore[attr-defined]
        row = session.execute(select(c.typing_operator_id).where(c.id == conversation_id)).first()
        if row is None:
            raise ConversationNotFound(conversation_id=conversation_id)
        raise SomeoneTyping(operator=operator_name(session, row[0]))


def typing_holder(session: Session, conversation_id: int, now: datetime) -> int | None:
    """Who holds an unexpired typing lock on the conversation."""
    c = Conversation
    return session.scalar(select(c.typing_operator_id).where(
        c.id == conversation_id, and_(c.typing_until.is_not(None), c.typing_until > now)))


def set_labels(session: Session, conversation_id: int, labels: tuple[str, ...],
               now: datetime) -> None:
    clean = sorted({label.strip() for label in labels if label.strip()})
    _set_state(session, conversation_id, now, labels=clean)


def add_note(session: Session, conversation_id: int, operator_id: int, text: str,
             now: datetime) -> int:
    """A private note (direction and status `note`): never sent, not the last contact, so the
    conversation's `last_message_at` stays; only `changed_at` moves."""
    _set_state(session, conversation_id, now)
    note = Message(conversation_id=conversation_id, direction=NOTE, type="text", text=text,
                   status=NOTE, operator_id=operator_id, created_at=now, status_at=now)
    session.add(note)
    session.flush()
    return note.id


def mark_read(session: Session, conversation_id: int, now: datetime) -> None:
    c = Conversation
    session.execute(update(c).where(c.id == conversation_id, c.unread_count != 0)
                    .values(unread_count=0, changed_at=now)
                    .execution_options(synchronize_session=False))


def save_quick_reply(session: Session, shortcut: str, title: str, text: str,
                     operator_id: int | None, now: datetime) -> int:
    """Create the quick reply, or replace the one with the same shortcut; returns its id."""
    shortcut = "/" + shortcut.strip().lstrip("/")
    found = session.scalar(select(QuickReply).where(QuickReply.shortcut == shortcut))
    if found is None:
        found = QuickReply(shortcut=shortcut, created_by=operator_id)
        session.add(found)
    found.title, found.text, found.updated_at = title.strip(), text, now
    session.flush()
    return found.id


def delete_quick_reply(session: Session, quick_reply_id: int) -> None:
    session.execute(delete(QuickReply).where(QuickReply.id == quick_reply_id))
