"""Signed webhooks to the app: statuses on the fake clock, modes, async failures, redelivery."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.unit.whatsapp.emulator.harness import (
    MARIA,
    PHONE_ID,
    WABA_ID,
    Receiver,
    running,
    template_payload,
    with_receiver,
)


def _status_items(receiver: Receiver) -> list[dict[str, Any]]:
    return [item for p in receiver.payloads for e in p["entry"] for c in e["changes"]
            for item in c["value"].get("statuses", [])]


def test_statuses_follow_on_the_clock_signed_with_pricing_and_opaque_data() -> None:
    async def scenario() -> None:
        async with with_receiver() as (h, rx):
            response = await h.send(template_payload(biz_opaque_callback_data="ob:81235"))
            wamid = response.json()["messages"][0]["id"]
            await asyncio.sleep(0.1)  # the ticker runs, but nothing is due on a still clock
            assert rx.bodies == []
            await h.advance(1)
            assert rx.statuses() == [(wamid, "sent")]
            await h.advance(2)
            assert rx.statuses()[-1] == (wamid, "delivered")
            await h.advance(7)
            assert rx.statuses() == [(wamid, "sent"), (wamid, "delivered"), (wamid, "read")]
            assert all(rx.signatures_ok)
            items = _status_items(rx)
            assert all(i["biz_opaque_callback_data"] == "ob:81235" for i in items)
            assert items[0]["recipient_id"] == "5511987654321"
            assert items[0]["pricing"] == {"billable": True, "pricing_model": "PMP", "type": "regular",
                                           "category": "utility"}
            assert "pricing" not in items[2]
            assert int(items[1]["timestamp"]) - int(items[0]["timestamp"]) == 2
            payload = rx.payloads[0]
            assert payload["object"] == "whatsapp_business_account"
            assert payload["entry"][0]["id"] == WABA_ID
            assert payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] == PHONE_ID

    asyncio.run(scenario())


def test_inbound_is_delivered_signed_and_ascii_escaped() -> None:
    async def scenario() -> None:
        async with with_receiver() as (h, rx):
            wamid = await h.inbound(name="João", type="button", payload="PAGO:d42:3", text="Já paguei",
                                    context_id="wamid.template")
            assert len(rx.bodies) == 1 and rx.signatures_ok == [True]
            raw = rx.bodies[0]
            assert b"Jo\\u00e3o" in raw and raw.isascii()
            value = rx.payloads[0]["entry"][0]["changes"][0]["value"]
            assert value["contacts"][0] == {"profile": {"name": "João"}, "wa_id": "5511987654321"}
            message = value["messages"][0]
            assert message["id"] == wamid and message["from"] == "5511987654321"
            assert message["button"] == {"payload": "PAGO:d42:3", "text": "Já paguei"}
            assert message["context"]["id"] == "wamid.template"
            await h.inbound(type="list_reply", id="inst:42:3", title="Parcela 3")
            reply = rx.payloads[1]["entry"][0]["changes"][0]["value"]["messages"][0]
            assert reply["interactive"] == {"type": "list_reply",
                                            "list_reply": {"id": "inst:42:3", "title": "Parcela 3"}}

    asyncio.run(scenario())


def test_old_brazilian_user_writes_from_the_12_digit_wa_id() -> None:
    async def scenario() -> None:
        async with with_receiver(old_br_users={"5511987654321"}) as (h, rx):
            await h.inbound(MARIA)
            assert rx.payloads[0]["entry"][0]["changes"][0]["value"]["messages"][0]["from"] == "551187654321"
            # The window opened for the 12-digit identity, which the 13-digit input maps to.
            assert (await h.text(MARIA)).status_code == 200

    asyncio.run(scenario())


def test_modes_duplicate_out_of_order_and_skip_delivered() -> None:
    async def scenario() -> None:
        async with with_receiver() as (h, rx):
            await h.control("PUT", "faults", {"webhook_modes": ["duplicate_status"]})
            wamid = (await h.send(template_payload())).json()["messages"][0]["id"]
            await h.advance(20)
            assert rx.statuses() == [(wamid, s) for s in ("sent", "sent", "delivered", "delivered",
                                                          "read", "read")]
            rx.bodies.clear()
            await h.control("PUT", "faults", {"webhook_modes": ["out_of_order"]})
            wamid = (await h.send(template_payload(to="+5521987654321"))).json()["messages"][0]["id"]
            await h.advance(20)
            assert rx.statuses() == [(wamid, "sent"), (wamid, "read"), (wamid, "delivered")]
            rx.bodies.clear()
            await h.control("PUT", "faults", {"webhook_modes": ["skip_delivered"]})
            wamid = (await h.send(template_payload(to="+5531987654321"))).json()["messages"][0]["id"]
            await h.advance(20)
            assert rx.statuses() == [(wamid, "sent"), (wamid, "read")]
            bad = await h.control("PUT", "faults", {"webhook_modes": ["chaos"]})
            assert bad.status_code == 400

    asyncio.run(scenario())


def test_async_failures_no_whatsapp_window_and_marketing_opt_out() -> None:
    async def scenario() -> None:
        async with with_receiver(window_mode="async") as (h, rx):
            await h.control("PUT", "recipients", {"no_whatsapp": ["+5511911112222"],
                                                  "marketing_opt_out": ["+5511933334444"]})
            ghost = await h.send(template_payload(to="+5511911112222", biz_opaque_callback_data="ob:1"))
            assert ghost.status_code == 200
            late = await h.text("+5511922223333")
            assert late.status_code == 200
            new = {"name": "oferta_v1", "language": "pt_BR", "category": "MARKETING",
                   "components": [{"type": "BODY", "text": "Oi {{1}}, temos ofertas."}]}
            await h.api.post(f"{WABA_ID}/message_templates", json=new)
            await h.control("POST", "templates/oferta_v1/status", {"status": "APPROVED"})
            promo = await h.send(template_payload(name="oferta_v1", values=["Ana"], to="+5511933334444"))
            assert promo.status_code == 200
            utility = await h.send(template_payload(to="+5511933334444"))
            await h.advance(20)
            items = _status_items(rx)
            failed = {i["id"]: i["errors"][0]["code"] for i in items if i["status"] == "failed"}
            assert failed == {ghost.json()["messages"][0]["id"]: 131026,
                              late.json()["messages"][0]["id"]: 131047,
                              promo.json()["messages"][0]["id"]: 131050}
            utility_id = utility.json()["messages"][0]["id"]
            assert {i["status"] for i in items if i["id"] == utility_id} == {"sent", "delivered", "read"}
            ghost_items = [i for i in items if i["id"] == ghost.json()["messages"][0]["id"]]
            assert [i["status"] for i in ghost_items] == ["failed"]
            assert ghost_items[0]["biz_opaque_callback_data"] == "ob:1"

    asyncio.run(scenario())


def test_non_200_is_redelivered_with_backoff_on_the_clock() -> None:
    async def scenario() -> None:
        async with with_receiver(script=[500, 503], status_delays=(1.0, 1000.0, 2000.0),
                                 redelivery_first_seconds=10.0) as (h, rx):
            await h.send(template_payload())
            await h.advance(1)
            assert len(rx.bodies) == 1
            await h.advance(9.5)
            assert len(rx.bodies) == 1
            await h.advance(0.5)
            assert len(rx.bodies) == 2  # second try 10 s after the first
            await h.advance(20)
            assert len(rx.bodies) == 3  # third try 20 s after the second, answered 200
            assert rx.bodies[0] == rx.bodies[1] == rx.bodies[2]  # the same bytes each time
            log = (await h.control("GET", "webhooks")).json()["log"]
            assert [r["result"] for r in log] == ["500", "503", "200"]

    asyncio.run(scenario())


def test_unreachable_app_is_retried_until_the_horizon_then_dropped() -> None:
    async def scenario() -> None:
        async with running(webhook_url="http://127.0.0.1:9/webhook", app_secret="s",
                           redelivery_horizon_seconds=3600.0, redelivery_max_seconds=600.0,
                           webhook_timeout_seconds=0.5) as h:
            await h.inbound()
            await h.advance(2 * 3600)
            report = (await h.control("GET", "webhooks")).json()
            assert report["dropped"] == ["inbound:text"] and report["pending"] == 0
            attempts = [r["attempt"] for r in report["log"]]
            # At 0, 10, 30, 70, 150, 310, 630, then every 600 s up to 3030; 3630 is past the horizon.
            assert attempts == list(range(1, 12))
            assert report["log"][-1]["at"] == "2026-11-23T13:50:30+00:00"

    asyncio.run(scenario())


def test_template_status_change_is_pushed() -> None:
    async def scenario() -> None:
        async with with_receiver() as (h, rx):
            await h.control("POST", "templates/parcela_em_atraso_v1/status", {"status": "PAUSED"})
            await h.advance(0)
            change = rx.payloads[0]["entry"][0]["changes"][0]
            assert change["field"] == "message_template_status_update"
            assert change["value"]["event"] == "PAUSED"
            assert change["value"]["message_template_name"] == "parcela_em_atraso_v1"

    asyncio.run(scenario())


def test_bad_signature_mode() -> None:
    async def scenario() -> None:
        async with with_receiver() as (h, rx):
            await h.control("PUT", "faults", {"webhook_modes": ["bad_signature"]})
            await h.inbound()
            assert rx.signatures_ok == [False]

    asyncio.run(scenario())


def test_moving_the_fake_clock_directly_also_fires_due_webhooks() -> None:
    async def scenario() -> None:
        async with with_receiver() as (h, rx):
            await h.send(template_payload())
            h.clock.advance(timedelta(seconds=30))
            for _ in range(50):
                if len(rx.bodies) == 3:
                    break
                await asyncio.sleep(0.01)
            assert [s for _, s in rx.statuses()] == ["sent", "delivered", "read"]
            assert await h.emu.advance(0) == 0

    asyncio.run(scenario())


def test_the_messaging_tier_caps_new_conversations_per_24_hours() -> None:
    async def scenario() -> None:
        async with with_receiver(messaging_limit="TIER_50", pair_burst=100) as (h, rx):
            ids = []
            for i in range(51):
                response = await h.send(template_payload(to=f"+55119876500{i:02d}"))
                assert response.status_code == 200  # the limit shows as an async failure
                ids.append(response.json()["messages"][0]["id"])
            again = await h.send(template_payload(to="+5511987650000"))  # already reached
            await h.inbound("+5521999990000")  # the debtor wrote: the window is open
            answer = await h.send(template_payload(to="+5521999990000"))
            await h.advance(20)
            failed = {i["id"]: i["errors"][0]["code"]
                      for i in _status_items(rx) if i["status"] == "failed"}
            assert failed == {ids[50]: 131049}
            assert again.json()["messages"][0]["id"] not in failed
            assert answer.json()["messages"][0]["id"] not in failed
            await h.advance(24 * 3600)  # a day later the tier has room again
            fresh = await h.send(template_payload(to="+5511987659999"))
            await h.advance(20)
            assert fresh.json()["messages"][0]["id"] not in {
                i["id"] for i in _status_items(rx) if i["status"] == "failed"}
            phone = (await h.control("PUT", "phone", {"messaging_limit": "TIER_UNLIMITED"})).json()
            assert phone["whatsapp_business_manager_messaging_limit"] == "TIER_UNLIMITED"

    asyncio.run(scenario())
