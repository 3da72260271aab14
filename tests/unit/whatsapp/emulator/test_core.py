"""Auth, envelope checks, the success shape, mark-read and phone info over real HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.unit.whatsapp.emulator.harness import MARIA, PHONE_ID, TOKEN, error_code, running


def test_missing_wrong_and_expired_tokens_are_190_with_401() -> None:
    async def scenario() -> None:
        async with running(expired_tokens={"old-token"}) as h:
            url = f"{h.emu.base_url}/{PHONE_ID}"
            async with httpx.AsyncClient() as bare:
                missing = await bare.get(url)
                wrong = await bare.get(url, headers={"Authorization": "Bearer nope"})
                expired = await bare.get(url, headers={"Authorization": "Bearer old-token"})
                good = await bare.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
            for response in (missing, wrong, expired):
                assert response.status_code == 401
                error = response.json()["error"]
                assert error["code"] == 190 and error["type"] == "OAuthException"
                assert len(error["fbtrace_id"]) == 23
            assert expired.json()["error"]["error_subcode"] == 463
            assert good.status_code == 200
            # The control API can expire the configured token mid-run.
            await h.control("PUT", "faults", {"token_expired": True})
            assert (await h.text()).status_code == 401

    asyncio.run(scenario())


def test_any_major_version_is_served_and_others_are_not() -> None:
    async def scenario() -> None:
        async with running() as h:
            root = h.emu.base_url.rsplit("/", 1)[0]
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(headers=headers) as c:
                assert (await c.get(f"{root}/v23.0/{PHONE_ID}")).status_code == 200
                assert (await c.get(f"{root}/v26.0/{PHONE_ID}")).status_code == 200
                assert (await c.get(f"{root}/v25.1/{PHONE_ID}")).status_code == 404
            assert h.emu.base_url.endswith("/v25.0")

    asyncio.run(scenario())


def test_unknown_phone_number_id_is_33() -> None:
    async def scenario() -> None:
        async with running() as h:
            response = await h.send({"messaging_product": "whatsapp", "to": MARIA, "type": "template"},
                                    phone_id="999")
            assert response.status_code == 400 and error_code(response) == 33

    asyncio.run(scenario())


@pytest.mark.parametrize(("payload", "code"), [
    ({"to": MARIA, "type": "text", "text": {"body": "x"}}, 131008),
    ({"messaging_product": "sms", "to": MARIA, "type": "text", "text": {"body": "x"}}, 131009),
    ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}, 131008),
    ({"messaging_product": "whatsapp", "to": MARIA, "type": "carousel"}, 131051),
    ({"messaging_product": "whatsapp", "to": MARIA, "type": "text"}, 131008),
    ({"messaging_product": "whatsapp", "to": MARIA, "type": "text", "text": {"body": "x" * 4097}}, 131009),
    ({"messaging_product": "whatsapp", "to": "5511999990000", "type": "text", "text": {"body": "x"}},
     131021),
])
def test_envelope_errors(payload: dict[str, object], code: int) -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.inbound()
            response = await h.send(payload)
            assert response.status_code == 400
            assert error_code(response) == code
            assert response.json()["error"]["message"].startswith(f"(#{code})")
            assert (await h.control("GET", "sent")).json()["total"] == 0

    asyncio.run(scenario())


def test_invalid_json_is_100() -> None:
    async def scenario() -> None:
        async with running() as h:
            response = await h.api.post(f"{PHONE_ID}/messages", content=b"{not json",
                                        headers={"Content-Type": "application/json"})
            assert response.status_code == 400 and error_code(response) == 100

    asyncio.run(scenario())


def _buttons(titles: list[str]) -> dict[str, object]:
    return {"messaging_product": "whatsapp", "to": MARIA, "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Como prefere pagar?"},
                            "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": t}}
                                                   for i, t in enumerate(titles)]}}}


def _list(rows: int, title: str = "Parcela 3") -> dict[str, object]:
    return {"messaging_product": "whatsapp", "to": MARIA, "type": "interactive",
            "interactive": {"type": "list", "body": {"text": "Escolha"},
                            "action": {"button": "Ver parcelas", "sections": [
                                {"title": "Em atraso",
                                 "rows": [{"id": f"r{i}", "title": title} for i in range(rows)]}]}}}


def test_interactive_limits() -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.inbound()
            assert (await h.send(_buttons(["PIX", "Falar com atendente"]))).status_code == 200
            four = await h.send(_buttons(["a", "b", "c", "d"]))
            long_title = await h.send(_buttons(["x" * 21]))
            assert error_code(four) == 131009 and error_code(long_title) == 131009
            assert (await h.send(_list(10))).status_code == 200
            assert error_code(await h.send(_list(11))) == 131009
            assert error_code(await h.send(_list(1, title="y" * 25))) == 131009

    asyncio.run(scenario())


def test_success_shape_fresh_wamids_and_biz_opaque() -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.inbound()
            first = await h.text(biz_opaque_callback_data="ob:1")
            second = await h.text()
            assert first.status_code == 200
            body = first.json()
            assert body["messaging_product"] == "whatsapp"
            assert body["contacts"] == [{"input": MARIA, "wa_id": "5511987654321"}]
            wamid = body["messages"][0]["id"]
            assert wamid.startswith("wamid.") and wamid != second.json()["messages"][0]["id"]
            sent = (await h.control("GET", "sent")).json()
            assert sent["total"] == 2
            assert sent["messages"][0]["biz_opaque_callback_data"] == "ob:1"

    asyncio.run(scenario())


def test_old_brazilian_user_gets_the_12_digit_wa_id() -> None:
    async def scenario() -> None:
        async with running(old_br_users={"5511987654321"}) as h:
            response = await h.send({**_template_min(), "to": "+5511987654321"})
            assert response.json()["contacts"][0] == {"input": "+5511987654321", "wa_id": "551187654321"}
            other = await h.send({**_template_min(), "to": "+5521987654321"})
            assert other.json()["contacts"][0]["wa_id"] == "5521987654321"

    asyncio.run(scenario())


def _template_min() -> dict[str, object]:
    from tests.unit.whatsapp.emulator.harness import template_payload
    return template_payload()


def test_mark_read_needs_a_known_inbound_message() -> None:
    async def scenario() -> None:
        async with running() as h:
            wamid = await h.inbound()
            ok = await h.send({"messaging_product": "whatsapp", "status": "read", "message_id": wamid,
                               "typing_indicator": {"type": "text"}})
            assert ok.status_code == 200 and ok.json() == {"success": True}
            bad = await h.send({"messaging_product": "whatsapp", "status": "read",
                                "message_id": "wamid.nope"})
            assert error_code(bad) == 100

    asyncio.run(scenario())


def test_phone_info_fields_and_control_api_changes() -> None:
    async def scenario() -> None:
        async with running() as h:
            fields = "quality_rating,whatsapp_business_manager_messaging_limit,throughput"
            info = (await h.api.get(PHONE_ID, params={"fields": fields})).json()
            assert info == {"id": PHONE_ID, "quality_rating": "GREEN",
                            "whatsapp_business_manager_messaging_limit": "TIER_250",
                            "throughput": {"level": "STANDARD"}}
            await h.control("PUT", "phone", {"quality_rating": "RED", "messaging_limit": "TIER_2K"})
            info = (await h.api.get(PHONE_ID, params={"fields": fields + ",verified_name"})).json()
            assert info["quality_rating"] == "RED"
            assert info["whatsapp_business_manager_messaging_limit"] == "TIER_2K"
            assert info["verified_name"] == "Loja Exemplo"
            unknown = await h.api.get("424242")
            assert unknown.status_code == 400 and error_code(unknown) == 100

    asyncio.run(scenario())
