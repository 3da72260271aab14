"""The ingest service commits the raw body and its events together, and remembers health."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.webhook_events import AccountUpdate, InboundMessage
from cobrador_desktop.services.ingest import WebhookIngest
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Message, WebhookDelivery

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def _message(wamid: str) -> InboundMessage:
    return InboundMessage(
        phone_number_id="1", wamid=wamid, from_wa_id="5511987654321", from_user_id=None,
        timestamp=T, type="text", text="Oi", payload=None, context_wamid=None,
        profile_name=None, errors=(), raw={})


def test_body_and_events_are_committed_together(database: Database) -> None:
    clock = FakeClock(T)
    service = WebhookIngest(database, clock)
    summary = asyncio.run(service.ingest(b'{"raw": true}', [_message("wamid.S1")],
                                         parsed_ok=True, problem=None))
    assert summary.inbound_new == 1
    body, texts = database.run_sync(lambda s: (
        s.scalar(select(WebhookDelivery.body)), s.scalars(select(Message.text)).all()))
    assert bytes(body) == b'{"raw": true}' and texts == ["Oi"]
    health = service.health()
    assert health.last_received_at == T and health.deliveries == 1
    assert health.account_alert is None


def test_a_body_nobody_understands_is_still_kept(database: Database) -> None:
    service = WebhookIngest(database, FakeClock(T))
    asyncio.run(service.ingest(b"\xff\xfe lixo", [], parsed_ok=False, problem="não é JSON"))
    kept = database.run_sync(lambda s: s.execute(
        select(WebhookDelivery.body, WebhookDelivery.parsed_ok, WebhookDelivery.problem)).one())
    assert (bytes(kept[0]), kept[1], kept[2]) == (b"\xff\xfe lixo", False, "não é JSON")


def test_an_account_ban_raises_the_alert(database: Database) -> None:
    service = WebhookIngest(database, FakeClock(T))
    event = AccountUpdate(field="account_update", event="DISABLED_UPDATE", wa_id=None,
                          detail=None, raw={})
    asyncio.run(service.ingest(b"{}", [event], parsed_ok=True, problem=None))
    assert service.health().account_alert == "DISABLED_UPDATE"
