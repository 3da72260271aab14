"""End to end over 127.0.0.1: a debtor writes, the shop answers in the window, statuses arrive
signed, the window closes a day later, and a lost response still leaves the message accepted."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.unit.whatsapp.emulator.harness import MARIA, error_code, template_payload, with_receiver


def test_a_conversation_against_the_emulator() -> None:
    async def scenario() -> None:
        async with with_receiver(timeout=0.3, old_br_users={MARIA}) as (h, rx):
            # A template reaches Maria outside the window; Meta answers with her 12-digit wa_id.
            reminder = await h.send(template_payload(biz_opaque_callback_data="ob:1"))
            assert reminder.json()["contacts"][0]["wa_id"] == "551187654321"
            reminder_id = reminder.json()["messages"][0]["id"]
            await h.advance(10)
            assert [s for w, s in rx.statuses() if w == reminder_id] == ["sent", "delivered", "read"]
            # She taps "Quero o código PIX": the window opens and the app is told.
            tap = await h.inbound(type="button", payload="PIX:d42:3", text="Quero o código PIX",
                                  context_id=reminder_id)
            read = await h.send({"messaging_product": "whatsapp", "status": "read", "message_id": tap})
            assert read.json() == {"success": True}
            pix = await h.text(body="Segue o código PIX: 00020126...6304A1B2",
                               biz_opaque_callback_data="ob:2")
            assert pix.status_code == 200
            # The answer is lost after the emulator accepted it: the client cannot know.
            await h.control("PUT", "faults", {"rules": [{"kind": "timeout_after", "times": 1}]})
            with pytest.raises(httpx.ReadTimeout):
                await h.text(body="Conseguiu pagar?", biz_opaque_callback_data="ob:3")
            sent = (await h.control("GET", "sent")).json()
            assert sent["per_recipient"] == {"551187654321": 3}
            await h.advance(10)
            opaque = {i["biz_opaque_callback_data"] for p in rx.payloads for e in p["entry"]
                      for c in e["changes"] for i in c["value"].get("statuses", [])}
            assert opaque == {"ob:1", "ob:2", "ob:3"}  # the status names the lost send
            assert all(rx.signatures_ok)
            # A day later the window is closed again.
            await h.advance(24 * 3600)
            assert error_code(await h.text(body="Oi?")) == 131047

    asyncio.run(scenario())
