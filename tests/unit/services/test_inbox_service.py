"""InboxService on real databases: replies pass the inbox's checks and the send guard before the
outbox (nothing queued on a refusal), collisions, someone else's conversation, the window, the
change feed, quick replies filled from the debt, and failed messages explained in pt-BR."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbox import (
    Collision,
    InboxFilter,
    NotYours,
    SendRefused,
    SomeoneTyping,
    WindowClosed,
)
from cobrador_desktop.services.events import ChangeFeed
from cobrador_desktop.services.inbox import InboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import DebtorPhone, Message, OutboxItem, Phone
from cobrador_desktop.storage.repos import inbox as repo
from tests.unit.storage.factories import add_debt, add_operator
from tests.unit.storage.test_inbox_repo import chat

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
R = TypeVar("R")


def run(coro: Awaitable[R]) -> R:
    async def main() -> R:
        return await coro
    return asyncio.run(main())


def shop(database: Database) -> tuple[InboxService, int, int, int]:
    """(service, Ana, Bruno, Maria's conversation: she wrote a minute ago, owes R$ 89,90)."""
    def work(session: Session) -> tuple[int, int, int]:
        ana, bruno = add_operator(session, "Ana", "ana"), add_operator(session, "Bruno", "bruno")
        cid = chat(session, at=T - timedelta(minutes=1))
        debtor = session.scalar(select(func.max(Phone.id)))  # the factories' first debtor is 1
        del debtor
        add_debt(session, 1, 8990, date(2026, 11, 10))
        session.execute(update(repo.Conversation).values(waiting_since=T))
        return ana, bruno, cid
    ana, bruno, cid = database.run_sync(work)
    return InboxService(database, FakeClock(T), shop_zone="America/Sao_Paulo"), ana, bruno, cid


def queued(database: Database) -> int:
    return database.run_sync(lambda s: s.scalar(select(func.count()).select_from(OutboxItem)))


def test_a_reply_to_a_wrong_party_is_refused_and_nothing_queued(database: Database) -> None:
    service, ana, _, cid = shop(database)
    database.run_sync(lambda s: s.execute(update(DebtorPhone).values(
        wrong_party=True, wrong_party_at=T)))
    with pytest.raises(SendRefused):
        run(service.send_text(cid, ana, "Oi Maria", seen_message_id=None))
    assert queued(database) == 0


def test_reply_claims_the_queue_and_clears_the_wait(database: Database) -> None:
    service, ana, bruno, cid = shop(database)
    header = run(service.header(cid))
    outcome = run(service.send_text(cid, ana, "Oi Maria, tudo bem?",
                                    seen_message_id=header.last_message_id))
    assert outcome.verdict.level in ("allow", "warn") and queued(database) == 1
    row = run(service.header(cid)).row
    assert (row.assigned_operator_name, row.waiting_since) == ("Ana", None)
    page = run(service.messages(cid))
    assert page.messages[-1].text == "Oi Maria, tudo bem?"
    assert page.messages[-1].operator_name == "Ana"
    with pytest.raises(NotYours):  # Ana's now
        run(service.send_text(cid, bruno, "Sou o Bruno", seen_message_id=outcome.message_id))
    assert [r.id for r in run(service.conversations(InboxFilter.MINE, ana)).rows] == [cid]


def test_collision_typing_and_the_closed_window(database: Database) -> None:
    service, ana, bruno, cid = shop(database)
    seen = run(service.header(cid)).last_message_id
    database.run_sync(lambda s: s.add(Message(
        conversation_id=cid, direction="in", type="text", text="Alô?", status="received",
        created_at=T)))
    with pytest.raises(Collision) as info:
        run(service.send_text(cid, ana, "Oi", seen_message_id=seen))
    assert info.value.params["count"] == 1 and queued(database) == 0
    run(service.set_typing(cid, bruno, True))
    with pytest.raises(SomeoneTyping):
        run(service.send_text(cid, ana, "Oi", seen_message_id=seen, force=True))
    run(service.set_typing(cid, bruno, False))
    run(service.send_text(cid, ana, "Oi", seen_message_id=seen, force=True))
    late = InboxService(database, FakeClock(T + timedelta(days=2)), shop_zone="America/Sao_Paulo")
    with pytest.raises(WindowClosed):
        run(late.send_text(cid, ana, "Ainda aí?", seen_message_id=None, force=True))
    assert queued(database) == 1


def test_quick_reply_is_filled_from_the_debt_and_failures_explained(database: Database) -> None:
    service, ana, _, cid = shop(database)
    replies = {q.shortcut: q for q in run(service.quick_replies())}
    assert "/acordo" in replies
    text = run(service.fill_quick_reply(cid, "Olá {nome}, são {valor} desde {vencimento}."))
    assert text.replace("\xa0", " ") == "Olá Maria, são R$ 89,90 desde 10/11/2026."
    out = run(service.send_text(cid, ana, text, seen_message_id=None, force=True))
    database.run_sync(lambda s: s.execute(update(Message).where(Message.id == out.message_id)
                                          .values(status="failed", error_code=131026)))
    failed = run(service.messages_since(cid, out.message_id - 1))
    assert failed[-1].error_text and "WhatsApp" in failed[-1].error_text


def test_changes_and_the_feed(database: Database) -> None:
    service, ana, _, cid = shop(database)
    first = run(service.changes(()))
    assert first.all
    assert run(service.changes(first.cursor)).conversation_ids == frozenset()
    run(service.add_note(cid, ana, "Ligar amanhã"))
    change = run(service.changes(first.cursor))
    assert change.conversation_ids == {cid} and change.cursor != first.cursor
    feed = ChangeFeed()
    got: list[frozenset[int]] = []
    unsubscribe = InboxService(database, FakeClock(T), shop_zone="America/Sao_Paulo",
                               feed=feed).subscribe(got.append)
    feed.publish([cid])
    unsubscribe()
    feed.publish([cid])
    assert got == [frozenset({cid})]
