"""The demo's in-process WhatsApp: a simulated debtor's message reaches the demo database."""

from __future__ import annotations

import asyncio

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
