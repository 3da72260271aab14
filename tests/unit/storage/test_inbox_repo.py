"""The shared inbox's storage on both databases: the queue, claims (atomic, even between two
sessions), transfers, resolve/reopen, the typing lock, labels, notes, the list, the message pages and
the change signature (issue 6)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.inbox import (
    TYPING_LOCK,
    AlreadyAssigned,
    ConversationNotFound,
    InboxFilter,
    SomeoneTyping,
)
from cobrador_desktop.domain.webhook_events import InboundMessage, StatusUpdate
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message
from cobrador_desktop.storage.repos import inbox as repo
from cobrador_desktop.storage.repos import inbox_read as read
from cobrador_desktop.storage.repos import lgpd
from cobrador_desktop.storage.repos import outbox as outbox_repo
from cobrador_desktop.storage.repos.ingest import ingest_events, store_delivery
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


# ------------------------------------------------------------------ ingest and outbox keep it


def _inbound(wamid: str, at: datetime) -> InboundMessage:
    return InboundMessage(
        phone_number_id="1122334455667", wamid=wamid, from_wa_id="5511987654321",
        from_user_id=None, timestamp=at, type="text", text="Oi, quero pagar", payload=None,
        context_wamid=None, profile_name="Maria", errors=(), raw={"id": wamid})


def _tick(wamid: str, value: str, at: datetime) -> StatusUpdate:
    return StatusUpdate(
        phone_number_id="1122334455667", wamid=wamid, status=value, timestamp=at,
        recipient_wa_id="5511987654321", recipient_user_id=None, callback_data=None,
        errors=(), pricing_category="utility", pricing_type="regular", raw={})


def _ingest(db: Database, *events: object, at: datetime) -> None:
    def work(session: Session) -> None:
        delivery = store_delivery(session, b"{}", received_at=at, parsed_ok=True, problem=None,
                                  events=len(events))
        ingest_events(session, events, delivery_id=delivery,  # type: ignore[arg-type]
                      received_at=at)
    db.run_sync(work)


def _state(db: Database, cid: int) -> Row[Any]:
    c = Conversation
    return db.run_sync(lambda s: s.execute(select(
        c.status, c.assigned_operator_id, c.waiting_since, c.resolved_at, c.changed_at,
        c.last_message_at).where(c.id == cid)).one())


def test_inbound_reopens_a_resolved_conversation_keeping_who_has_it(database: Database) -> None:
    def work(session: Session) -> tuple[int, int]:
        ana = add_operator(session, "Ana", "ana")
        return ana, chat(session, messages=("in", "out"), assigned_operator_id=ana,
                         status="resolved", resolved_at=T)
    ana, cid = database.run_sync(work)
    first, second = T + timedelta(hours=1), T + timedelta(hours=1, minutes=2)
    _ingest(database, _inbound("wamid.A1", first), at=first + timedelta(seconds=2))
    _ingest(database, _inbound("wamid.A2", second), at=second + timedelta(seconds=2))
    state = _state(database, cid)
    assert (state.status, state.assigned_operator_id, state.resolved_at) == ("open", ana, None)
    assert state.waiting_since == first  # since the first unanswered message
    assert state.changed_at == second + timedelta(seconds=2)
    # the operator answers: nobody waits any more; the conversation shows the reply
    reply_at = second + timedelta(minutes=5)
    database.run_sync(lambda s: outbox_repo.add_outbound(
        s, conversation_id=cid, request={"type": "text"}, purpose="free_reply", kind="text",
        message_type="text", text="Olá!", decision={}, operator_id=ana, now=reply_at))
    state = _state(database, cid)
    assert (state.waiting_since, state.changed_at, state.last_message_at) == (
        None, reply_at, reply_at)


def test_a_reminder_does_not_answer_the_debtor_but_a_tick_shows(database: Database) -> None:
    cid = database.run_sync(lambda s: chat(s, waiting_since=T))
    queued = T + timedelta(minutes=1)
    database.run_sync(lambda s: outbox_repo.add_outbound(
        s, conversation_id=cid, request={"type": "template"}, purpose="reminder",
        kind="template", message_type="template", text="Lembrete", decision={},
        operator_id=None, now=queued))
    assert _state(database, cid).waiting_since == T  # the régua is not an answer
    database.run_sync(lambda s: s.execute(
        update(Message).where(Message.conversation_id == cid, Message.direction == "out")
        .values(wamid="wamid.OUT1", status="sent")))
    ticked = T + timedelta(minutes=3)
    _ingest(database, _tick("wamid.OUT1", "delivered", ticked - timedelta(seconds=5)), at=ticked)
    assert _state(database, cid).changed_at == ticked


# ------------------------------------------------------------------ several operators


def test_claim_is_refused_naming_the_holder_and_the_lock_too(database: Database) -> None:
    def work(session: Session) -> tuple[int, int, int]:
        return (add_operator(session, "Ana", "ana"), add_operator(session, "Bruno", "bruno"),
                chat(session))
    ana, bruno, cid = database.run_sync(work)
    database.run_sync(lambda s: repo.claim(s, cid, ana, T))
    database.run_sync(lambda s: repo.claim(s, cid, ana, T))  # mine already: fine
    with pytest.raises(AlreadyAssigned) as info:
        database.run_sync(lambda s: repo.claim(s, cid, bruno, T))
    assert info.value.params == {"operator": "Ana"}
    database.run_sync(lambda s: repo.set_typing(s, cid, ana, True, T))
    with pytest.raises(SomeoneTyping):
        database.run_sync(lambda s: repo.set_typing(s, cid, bruno, True, T + timedelta(seconds=5)))
    # an expired lock is nobody's
    database.run_sync(lambda s: repo.set_typing(s, cid, bruno, True, T + TYPING_LOCK))
    page = database.run_sync(lambda s: read.list_page(
        s, InboxFilter.MINE, ana, now=T + TYPING_LOCK))
    assert [r.typing_operator_name for r in page.rows] == ["Bruno"]


def test_claim_race_between_two_sessions_has_one_winner(database: Database,
                                                         db_url: str) -> None:
    """Ana's claim is written but not committed when Bruno's arrives from another connection (as
    from another PC): Bruno's waits for it, then finds the conversation taken."""
    def work(session: Session) -> tuple[int, int, int]:
        return (add_operator(session, "Ana", "ana"), add_operator(session, "Bruno", "bruno"),
                chat(session))
    ana, bruno, cid = database.run_sync(work)
    other_pc = Database(db_url)
    outcome: list[BaseException | None] = []
    try:
        with Session(database.engine) as first:
            repo.claim(first, cid, ana, T)  # holds its write lock until the commit

            def bruno_claims() -> None:
                try:
                    other_pc.run_sync(lambda s: repo.claim(s, cid, bruno, T))
                    outcome.append(None)
                except BaseException as exc:
                    outcome.append(exc)
            racer = threading.Thread(target=bruno_claims)
            racer.start()
            time.sleep(0.3)
            assert outcome == []  # still waiting for Ana's transaction
            first.commit()
        racer.join(10)
    finally:
        other_pc.close()
    assert len(outcome) == 1 and isinstance(outcome[0], AlreadyAssigned), outcome
    assert database.run_sync(lambda s: s.scalar(select(Conversation.assigned_operator_id)
                                                .where(Conversation.id == cid))) == ana


def test_list_pages_filters_and_message_pages(database: Database) -> None:
    def work(session: Session) -> list[int]:
        ana = add_operator(session, "Ana", "ana")
        ids = [chat(session, f"Cliente {i:02}", f"+55119876543{i:02}", at=T - timedelta(hours=i),
                    assigned_operator_id=ana if i % 2 else None,
                    waiting_since=T if i % 3 == 0 else None,
                    status="resolved" if i == 4 else "open") for i in range(7)]
        return [ana, *ids]
    ana, *ids = database.run_sync(work)
    seen: list[int] = []
    after = None
    while True:
        page = database.run_sync(lambda s, a=after: read.list_page(
            s, InboxFilter.ALL, ana, now=T, after=a, limit=2))
        seen += [r.id for r in page.rows]
        if not page.has_more:
            break
        after = page.rows[-1].sort_key
    assert seen == [i for n, i in enumerate(ids) if n != 4]  # newest first, resolved apart
    mine = database.run_sync(lambda s: read.list_page(s, InboxFilter.MINE, ana, now=T))
    assert [r.id for r in mine.rows] == [ids[1], ids[3], ids[5]]
    counts = database.run_sync(lambda s: read.counts(s, ana))
    assert (counts.mine, counts.unassigned, counts.all, counts.waiting, counts.resolved) == (
        3, 3, 6, 3, 1)
    found = database.run_sync(lambda s: read.list_page(
        s, InboxFilter.ALL, ana, now=T, search="cliente 05"))
    assert [r.id for r in found.rows] == [ids[5]]
    assert found.rows[0].last_message_preview == "in 0" and found.rows[0].last_direction == "in"


def test_message_pages_notes_and_changes(database: Database) -> None:
    def work(session: Session) -> tuple[int, int]:
        return add_operator(session, "Ana", "ana"), chat(session, messages=("in", "out") * 5)
    ana, cid = database.run_sync(work)
    newest = database.run_sync(lambda s: read.messages(s, cid, now=T, limit=4))
    assert newest.has_older and [m.text for m in newest.messages] == [
        "in 6", "out 7", "in 8", "out 9"]
    older = database.run_sync(lambda s: read.messages(
        s, cid, now=T, before_id=newest.messages[0].id, limit=10))
    assert not older.has_older and len(older.messages) == 6
    cursor = database.run_sync(read.signature)
    assert database.run_sync(lambda s: read.changed_since(s, cursor)) == frozenset()
    note_id = database.run_sync(lambda s: repo.add_note(
        s, cid, ana, "Prometeu pagar sexta", T + timedelta(minutes=1)))
    assert database.run_sync(lambda s: read.changed_since(s, cursor)) == {cid}
    since = database.run_sync(lambda s: read.messages_since(
        s, cid, newest.messages[-1].id, (), T))
    assert [(m.id, m.direction, m.status, m.operator_name) for m in since] == [
        (note_id, "note", "note", "Ana")]
    # a note is not a message to anyone: the list's order and the collision check ignore it
    assert database.run_sync(lambda s: read.newer_messages(
        s, cid, newest.messages[-1].id, ana)) == (0, None)
    assert database.run_sync(lambda s: read.row(s, cid, T)).last_message_at == T


def test_notes_and_labels_are_exported_and_anonymised_with_the_person(database: Database) -> None:
    def work(session: Session) -> tuple[int, int]:
        ana = add_operator(session, "Ana", "ana")
        cid = chat(session, messages=("in",))
        repo.add_note(session, cid, ana, "Disse que recebe dia 10", T)
        repo.set_labels(session, cid, ("promessa", " acordo "), T)
        debtor = session.scalar(select(Conversation.debtor_id).where(Conversation.id == cid))
        assert debtor is not None
        return cid, debtor
    cid, debtor = database.run_sync(work)
    data = database.run_sync(lambda s: lgpd.person_data(s, debtor))
    [conversation] = data["conversations"]
    assert conversation["labels"] == ["acordo", "promessa"]
    assert [(m["direction"], m["text"]) for m in conversation["messages"]][-1] == (
        "note", "Disse que recebe dia 10")
    database.run_sync(lambda s: lgpd.anonymise(s, debtor, now=T, today=T.date()))
    left = database.run_sync(lambda s: s.execute(select(Message.direction, Message.text)
                                                 .where(Message.conversation_id == cid)).all())
    assert {tuple(r) for r in left} == {("in", ""), ("note", "")}
    assert database.run_sync(lambda s: read.row(s, cid, T)).labels == ()


def test_sqlite_page_read_gives_what_sqlalchemy_gives(database: Database) -> None:
    """On SQLite a conversation's page is read with the sqlite3 module (speed); every value must
    be exactly what the same query through SQLAlchemy (and on PostgreSQL) gives: the instants
    aware UTC, the JSON decoded, the outbox row's purpose, state, time and decision."""
    if database.dialect != "sqlite":
        pytest.skip("the fast path is SQLite's")

    def work(session: Session) -> int:
        operator = add_operator(session, "Ana", "ana")
        cid = chat(session, messages=("in", "out") * 4)
        session.add(Message(conversation_id=cid, direction="out", type="interactive",
                            text="Escolha", status="sent", operator_id=operator,
                            created_at=T + timedelta(seconds=30, microseconds=123456),
                            payload={"interactive": {"action": {"buttons": [
                                {"reply": {"id": "a", "title": "Sim"}}]}}}))
        session.flush()
        outbox_repo.add_outbound(
            session, conversation_id=cid, request={"type": "text"}, purpose="free_reply",
            kind="reply", message_type="text", text="Depois", operator_id=operator,
            decision={"allowed": True, "reasons": []}, now=T + timedelta(minutes=1),
            next_attempt_at=T + timedelta(hours=2))
        return cid

    cid = database.run_sync(work)
    for before in (None, 10_000):
        fast = database.run_sync(lambda s, b=before: read._sqlite_page_rows(s, cid, b, 5))
        slow = database.run_sync(lambda s, b=before: [tuple(r) for r in s.execute(
            read._page_query(b is not None, 5), {"conversation_id": cid, "before_id": b}).all()])
        assert fast == slow and len(fast) == 6
    page = database.run_sync(lambda s: read.messages(s, cid, now=T, limit=3))
    assert [m.buttons for m in page.messages][1] == ("Sim",)
    assert page.messages[-1].scheduled_for == T + timedelta(hours=2)
    assert all(m.created_at.tzinfo is UTC for m in page.messages)
