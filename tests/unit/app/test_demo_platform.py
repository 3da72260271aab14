"""The demo's in-process WhatsApp: a simulated debtor's message reaches the demo database."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select

from cobrador_desktop.app.demo_platform import LocalPlatform
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Message
from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig


def test_inbound_and_replies_flow_through_the_local_platform(database: Database) -> None:
    async def scenario() -> None:
        platform = LocalPlatform()
        base = await platform.start(database, reply_delay=(0.05, 0.1))
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                response = await http.post(f"{platform.control_url}/inbound", json={
                    "from": "5511987654321", "type": "text", "text": "Bom dia"})
                assert response.status_code == 200
            # the simulated debtors are on: a template usually gets an answer
            config = CloudApiConfig(base_url=base, phone_number_id="1122334455667",
                                    waba_id="102290129340398", access_token="emulator-token")
            async with CloudApiClient(config) as client:
                for n in range(8):
                    await client.send_template(
                        f"+55219876543{n:02d}", "lembrete_vencimento_v1",
                        body_params=["Ana", "1/3", "R$ 10,00", "10/12/2026"])
            for _ in range(100):
                texts = database.run_sync(lambda s: s.scalars(
                    select(Message.text).where(Message.direction == "in")).all())
                if len(texts) >= 2:
                    break
                await asyncio.sleep(0.05)
            assert "Bom dia" in texts and len(texts) >= 2
        finally:
            await platform.stop()
    asyncio.run(scenario())


def test_the_demo_sends_its_outbox_to_the_emulator_and_gets_the_statuses(
        database: Database) -> None:
    from datetime import UTC, datetime

    from cobrador_desktop.domain.clock import FakeClock
    from cobrador_desktop.domain.policy import SendFacts, SendRequest, evaluate
    from cobrador_desktop.services.outbox import OutboxService
    from cobrador_desktop.storage.orm import Conversation, OutboxItem
    from tests.unit.storage.factories import add_debtor, add_phone

    def seed(session: Any) -> int:
        debtor = add_debtor(session, "Maria Souza")
        conversation = Conversation(phone_id=add_phone(session, debtor, "+5511987654321"),
                                    debtor_id=debtor)
        session.add(conversation)
        session.flush()
        return conversation.id

    conversation_id = database.run_sync(seed)
    # a Monday afternoon: the guard holds business-initiated sends at night, on Sundays and
    # holidays, and this test must not depend on when it runs
    now = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    decision = evaluate(SendRequest("business_initiated", "reminder", "template"),
                        SendFacts(last_inbound_at=None), now)

    async def scenario() -> None:
        platform = LocalPlatform()
        await platform.start(database, status_delays=(0.01, 0.02, 0.03), clock=FakeClock(now))
        try:
            await OutboxService(database, FakeClock(now)).enqueue(
                conversation_id=conversation_id, purpose="reminder", kind="business_initiated",
                message_type="template", text="Lembrete", decision=decision,
                payload={"type": "template", "template": {
                    "name": "lembrete_vencimento_v1", "language": {"code": "pt_BR"},
                    "components": [{"type": "body", "parameters": [
                        {"type": "text", "text": v}
                        for v in ("Maria", "1/3", "R$ 10,00", "10/12/2026")]}]}})
            assert platform.engine is not None and platform.engine.sender is not None
            platform.engine.sender.wake()
            for _ in range(200):
                row = database.run_sync(lambda s: s.execute(
                    select(OutboxItem.state, Message.status, Message.wamid)
                    .join(Message, Message.id == OutboxItem.message_id)).one())
                if row[1] == "read":
                    break
                await asyncio.sleep(0.05)
            assert row[0] == "sent" and row[1] == "read" and row[2]
        finally:
            await platform.stop()
    asyncio.run(scenario())


def test_the_demo_waba_keeps_the_template_meta_refused(database: Database) -> None:
    """The demo data has Meta refusing one template; the demo's emulator holds it too, so the
    account sync keeps it REJECTED with its reason (Saúde do número shows it) instead of
    deleting it."""
    from cobrador_desktop.services.account_sync import template_state

    async def scenario() -> None:
        platform = LocalPlatform()
        base = await platform.start(database, live_debtors=False)
        try:
            config = CloudApiConfig(base_url=base, phone_number_id="1122334455667",
                                    waba_id="102290129340398", access_token="emulator-token")
            async with CloudApiClient(config) as client:
                listed = await client.list_templates()
        finally:
            await platform.stop()
        refused = [template_state(raw) for raw in listed if raw["status"] != "APPROVED"]
        assert [(t.name, t.status, t.rejected_reason) for t in refused if t] == [
            ("oferta_quitacao_v1", "REJECTED", "TAG_CONTENT_MISMATCH")]
        approved = [raw for raw in listed if raw["status"] == "APPROVED"]
        assert len(approved) == 7 and {raw["rejected_reason"] for raw in approved} == {"NONE"}
    asyncio.run(scenario())
