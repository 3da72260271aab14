"""The shared inbox's storage on both databases: the queue, claims (atomic, even between two
sessions), transfers, resolve/reopen, the typing lock, labels, notes, the list, the message pages and
the change signature (issue 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.inbox import ConversationNotFound
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message
from cobrador_desktop.storage.repos import inbox as repo
from tests.unit.storage.factories import add_debtor, add_operator, add_phone

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def chat(session: Session, name: str = "Maria Souza", e164: str = "+5511987654321", *,
         at: datetime = T, messages: tuple[str, ...] = ("in",), **fields: object) -> int:
    """A debtor's conversation with `messages` (directions), one a minute ending at `at`."""
    debtor = add_debtor(session, name)
    phone = add_phone(session, debtor, e164)
    conversation = Conversation(phone_id=phone, debtor_id=debtor, created_at=at - timedelta(days=1),
                                changed_at=at, last_message_at=at, **fields)
    session.add(conversation)
    session.flush()
    for i, direction in enumerate(messages):
        when = at - timedelta(minutes=len(messages) - 1 - i)
        session.add(Message(conversation_id=conversation.id, direction=direction, type="text",
                            text=f"{direction} {i}", created_at=when,
                            status="received" if direction == "in" else "read"))
        if direction == "in":
            conversation.last_inbound_at = when
    session.flush()
    return conversation.id


def test_to_queue_unassigns_reopens_and_marks_waiting(database: Database) -> None:
    def work(session: Session) -> tuple[int, int]:
        ana = add_operator(session, "Ana", "ana")
        return ana, chat(session, assigned_operator_id=ana, status="resolved", resolved_at=T)
    _, cid = database.run_sync(work)
    later = T + timedelta(minutes=5)
    database.run_sync(lambda s: repo.to_queue(s, cid, later))
    row = database.run_sync(lambda s: s.execute(select(
        Conversation.assigned_operator_id, Conversation.status, Conversation.waiting_since,
        Conversation.resolved_at, Conversation.changed_at).where(Conversation.id == cid)).one())
    assert tuple(row) == (None, "open", later, None, later)
    # already waiting: the debtor waits since the first time, not since the button
    database.run_sync(lambda s: repo.to_queue(s, cid, later + timedelta(hours=1)))
    assert database.run_sync(lambda s: s.scalar(
        select(Conversation.waiting_since).where(Conversation.id == cid))) == later
    with pytest.raises(ConversationNotFound):
        database.run_sync(lambda s: repo.to_queue(s, cid + 999, later))
