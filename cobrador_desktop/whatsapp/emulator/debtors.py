"""Simulated debtors: people who answer the shop's templates, the way real ones do.

Off by default (tests stay deterministic); the `demo` turns it on. After a template is accepted, a
seeded roll decides whether and how the person answers, and when: a tap on one of the template's
quick-reply buttons, a short text ("Vou pagar amanhã"), a request to stop, or silence.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cobrador_desktop.whatsapp.emulator import outcomes

if TYPE_CHECKING:
    from cobrador_desktop.whatsapp.emulator.server import Emulator
    from cobrador_desktop.whatsapp.emulator.state import SentMessage

#: (what they do, text, weight); "button" taps the template's first quick reply
REPLIES: tuple[tuple[str | None, str, int], ...] = (
    ("button", "", 35),
    ("text", "Vou pagar amanhã sem falta", 14),
    ("text", "Pode me mandar o PIX?", 14),
    ("text", "Já paguei ontem, vou mandar o comprovante", 9),
    ("text", "Oi, quem fala?", 8),
    ("text", "Consigo pagar só no dia 10, pode ser?", 6),
    ("text", "PARAR", 4),
    (None, "", 10),  # silence
)

#: the label a person sees on a quick-reply button, by the payload's prefix
BUTTON_TEXT = {"PIX": "Quero o código PIX", "PAGO": "Já paguei", "STOP": "Parar mensagens",
               "NEG": "Negociar", "SOU_EU": "Sou eu", "NAO_SOU": "Não sou eu"}


def first_quick_reply(payload: dict[str, Any]) -> str | None:
    """The payload of the first quick-reply button in a template send request, if any."""
    template = payload.get("template")
    components = template.get("components") if isinstance(template, dict) else None
    for component in components if isinstance(components, list) else ():
        if (isinstance(component, dict) and component.get("type") == "button"
                and component.get("sub_type") == "quick_reply"):
            for parameter in component.get("parameters") or ():
                if isinstance(parameter, dict) and parameter.get("type") == "payload":
                    return str(parameter.get("payload", ""))
    return None


def maybe_reply(emulator: Emulator, message: SentMessage) -> None:
    """Perhaps schedule the person's answer to an accepted template."""
    config = emulator.config
    if not config.simulated_debtors or message.type != "template" \
            or message.outcome.startswith("failed"):
        return
    rng = emulator.state.rng
    action, text, _ = rng.choices(REPLIES, weights=[w for *_, w in REPLIES])[0]
    if action is None:
        return
    spec: dict[str, Any] = {"from": message.wa_id, "type": "text", "text": text,
                            "name": "Cliente"}
    if action == "button":
        payload = first_quick_reply(message.payload)
        if payload is None:
            spec["text"] = "Ok, recebi"
        else:
            label = BUTTON_TEXT.get(payload.split(":", 1)[0].upper(), "Ok")
            spec = {**spec, "type": "button", "payload": payload, "text": label,
                    "context_id": message.id}
    low, high = config.reply_delay_seconds
    at = emulator.state.now + timedelta(seconds=rng.uniform(low, high))
    emulator.call_at(at, lambda: outcomes.inbound(emulator, spec))
