"""Simulated debtors answer templates after a delay: button taps, texts, stops — or silence."""

from __future__ import annotations

import asyncio
from typing import Any

from cobrador_desktop.whatsapp.emulator.debtors import first_quick_reply
from tests.unit.whatsapp.emulator.harness import Receiver, template_payload, with_receiver

NUMBERS = [f"+55119876543{i:02d}" for i in range(20)]


def _with_buttons(to: str) -> dict[str, Any]:
    payload = template_payload(to=to)
    payload["template"]["components"].append(
        {"type": "button", "sub_type": "quick_reply", "index": "0",
         "parameters": [{"type": "payload", "payload": "PIX:d42:3"}]})
    return payload


def _inbound(receiver: Receiver) -> list[dict[str, Any]]:
    return [m for p in receiver.payloads for e in p["entry"] for c in e["changes"]
            for m in c["value"].get("messages", [])]


def test_debtors_answer_after_their_delay() -> None:
    async def scenario() -> None:
        async with with_receiver(simulated_debtors=True, reply_delay_seconds=(30.0, 30.0),
                                 pair_burst=45) as (h, rx):
            for number in NUMBERS:
                assert (await h.send(_with_buttons(number))).status_code == 200
            await h.advance(20)
            assert _inbound(rx) == []  # nobody answers before the delay
            await h.advance(15)
            answers = _inbound(rx)
            assert 5 <= len(answers) < len(NUMBERS)  # most answer, some stay silent
            kinds = {m["type"] for m in answers}
            assert kinds <= {"text", "button"} and "button" in kinds
            button = next(m for m in answers if m["type"] == "button")
            assert button["button"] == {"payload": "PIX:d42:3", "text": "Quero o código PIX"}
            # an answer opens the 24 h window: free text to that person is accepted now
            replied = "+" + answers[0]["from"]
            assert (await h.text(replied, "Obrigado!")).status_code == 200
    asyncio.run(scenario())


def test_off_by_default() -> None:
    async def scenario() -> None:
        async with with_receiver() as (h, rx):
            await h.send(_with_buttons(NUMBERS[0]))
            await h.advance(600)
            assert _inbound(rx) == []
    asyncio.run(scenario())


def test_first_quick_reply() -> None:
    assert first_quick_reply(_with_buttons(NUMBERS[0])) == "PIX:d42:3"
    assert first_quick_reply(template_payload()) is None
    assert first_quick_reply({"template": "lixo"}) is None


def test_button_labels_follow_the_templates_buttons() -> None:
    from cobrador_desktop.domain.templates import BUTTON_ACTIONS
    from cobrador_desktop.whatsapp.emulator.debtors import BUTTON_TEXT
    for label, prefix in BUTTON_ACTIONS.items():
        assert BUTTON_TEXT[prefix] == label
    assert BUTTON_TEXT["PAGO"] == "Já paguei" and BUTTON_TEXT["NEG"] == "Negociar"


def test_debtors_tap_an_option_of_the_shops_interactive_reply() -> None:
    from cobrador_desktop.domain.self_service import choices_request

    options = [("NEGOTIATE_OPT:d42:2", "2x de R$ 50,00"), ("NEGOTIATE_OPT:d42:3", "3x de R$ 33,33")]

    async def scenario() -> None:
        async with with_receiver(simulated_debtors=True, reply_delay_seconds=(30.0, 30.0),
                                 pair_burst=45) as (h, rx):
            tapped = 0
            for number in NUMBERS:
                await h.inbound(number, type="text", text="Negociar")  # opens the window
                request = {**choices_request("Podemos parcelar assim:", options), "to": number}
                response = await h.send(request)
                assert response.status_code == 200, response.text
            await h.advance(35)
            replies = [m for m in _inbound(rx) if m["type"] == "interactive"]
            for reply in replies:
                chosen = reply["interactive"]["button_reply"]
                assert (chosen["id"], chosen["title"]) in options
                assert reply["context"]["id"].startswith("wamid.")
                tapped += 1
            assert 5 <= tapped < len(NUMBERS)  # most tap, some do not
    asyncio.run(scenario())
