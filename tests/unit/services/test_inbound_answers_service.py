"""The webhook ingest applies a debtor's answer before the outbox sender looks again: a reminder
queued for the number is cancelled by the sender's re-check, and only the one reply goes out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.webhook_events import InboundMessage
from cobrador_desktop.services.ingest import WebhookIngest
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Message, OutboxItem
from tests.unit.services.test_outbox import (
    START,
    ScriptedClient,
    add_conversation,
    enqueue,
    run,
    sender,
)

WA_ID = "5511987654321"


def _answer(wamid: str, text: str, *, offset: timedelta = timedelta(0)) -> InboundMessage:
    return InboundMessage(
        phone_number_id="1122334455667", wamid=wamid, from_wa_id=WA_ID, from_user_id=None,
        timestamp=START + offset, type="text", text=text, payload=None, context_wamid=None,
        profile_name="Maria", errors=(), raw={})


def _rows(db: Database) -> list[tuple[str, str, str, str | None]]:
    """(purpose, outbox state, message status, error detail) of every outbound row."""
    return [tuple(r) for r in db.run_sync(lambda s: s.execute(  # type: ignore[misc]
        select(OutboxItem.purpose, OutboxItem.state, Message.status, Message.error_detail)
        .join(Message, Message.id == OutboxItem.message_id).order_by(OutboxItem.id)).all())]


def _ingest(db: Database, clock: FakeClock, *events: InboundMessage) -> None:
    asyncio.run(WebhookIngest(db, clock).ingest(b"{}", events, parsed_ok=True, problem=None))


def test_a_reminder_queued_before_parar_is_cancelled_and_only_the_confirmation_goes(
        database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database)
    run(enqueue(database, clock, conversation))  # a reminder, allowed when it was queued
    _ingest(database, clock, _answer("wamid.STOP", "Parar!"))
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 1
    assert [p["type"] for p in client.payloads] == ["text"]
    assert client.payloads[0]["text"]["body"].startswith("Pronto. A loja não enviará mais")
    assert client.payloads[0]["context"] == {"message_id": "wamid.STOP"}
    reminder, confirmation = _rows(database)
    assert reminder == ("reminder", "cancelled", "failed",
                        "O titular deste número pediu para não receber mensagens em 23/11/2026.")
    assert confirmation == ("system_reply", "sent", "sent", None)


def test_a_reminder_queued_before_nao_sou_eu_is_cancelled_and_the_one_reply_goes(
        database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database)
    run(enqueue(database, clock, conversation))
    _ingest(database, clock, _answer("wamid.NO", "Não sou eu"))
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 1
    assert client.payloads[0]["text"]["body"].startswith("Obrigado por avisar")
    reminder, reply = _rows(database)
    assert reminder == ("reminder", "cancelled", "failed", "Este número foi marcado como \"não é "
                        "o devedor\" em 23/11/2026. Não envie mensagens para ele.")
    assert reply[:3] == ("system_reply", "sent", "sent")


def test_the_wrong_party_reply_waiting_when_the_person_writes_again_is_not_sent(
        database: Database) -> None:
    clock = FakeClock(START)
    add_conversation(database)
    _ingest(database, clock, _answer("wamid.NO", "número errado"))
    _ingest(database, clock, _answer("wamid.AGAIN", "quem é você?", offset=timedelta(seconds=30)))
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 0
    assert client.payloads == []
    assert [r[:2] for r in _rows(database)] == [("system_reply", "cancelled")]
