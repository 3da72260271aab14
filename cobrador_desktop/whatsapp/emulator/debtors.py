"""Simulated debtors: people who answer the shop's templates, the way real ones do.

Off by default (tests stay deterministic); the `demo` turns it on. After a template is accepted, a
seeded roll decides whether and how the person answers, and when: a tap on one of the template's
quick-reply buttons, a short text ("Vou pagar amanhã"), a request to stop, or silence. An
interactive message (the shop's reply buttons or list: the instalment options of "Negociar", the
"Sou eu?" question) is answered by tapping one of its options, or not at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.templates import BUTTON_ACTIONS
from cobrador_desktop.whatsapp.emulator import outcomes

if TYPE_CHECKING:
    from cobrador_desktop.whatsapp.emulator.server import Emulator
    from cobrador_desktop.whatsapp.emulator.state import SentMessage

#: (what they do, text, weight); "button" taps one of the template's quick replies
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

#: the label a person sees on a quick-reply button, by the payload's prefix: the templates' own
#: (`templates.BUTTON_ACTIONS`) and older prefixes still found in saved payloads
BUTTON_TEXT = {**{prefix: label for label, prefix in BUTTON_ACTIONS.items()},
               "PAGO": "Já paguei", "NEG": "Negociar", "SOU_EU": "Sou eu",
               "NAO_SOU": "Não sou eu"}
#: how often a simulated debtor taps one of an interactive message's options (else silence)
INTERACTIVE_TAP_SHARE = 0.7


def quick_replies(payload: dict[str, Any]) -> list[str]:
    """The payloads of the quick-reply buttons in a template send request, in order."""
    template = payload.get("template")
    components = template.get("components") if isinstance(template, dict) else None
    found = []
    for component in components if isinstance(components, list) else ():
        if (isinstance(component, dict) and component.get("type") == "button"
                and component.get("sub_type") == "quick_reply"):
            for parameter in component.get("parameters") or ():
                if isinstance(parameter, dict) and parameter.get("type") == "payload":
                    found.append(str(parameter.get("payload", "")))
    return found


def first_quick_reply(payload: dict[str, Any]) -> str | None:
    """The payload of the first quick-reply button in a template send request, if any."""
    return next(iter(quick_replies(payload)), None)


def interactive_options(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(reply kind, id, title) of each option of an interactive send request: its reply buttons
    (`button_reply`) or its list rows (`list_reply`)."""
    interactive = payload.get("interactive")
    if not isinstance(interactive, dict) or not isinstance(interactive.get("action"), dict):
        return []
    action = interactive["action"]
    if interactive.get("type") == "button":
        return [("button_reply", str(b["reply"].get("id", "")), str(b["reply"].get("title", "")))
                for b in action.get("buttons") or () if isinstance(b, dict)
                and isinstance(b.get("reply"), dict)]
    if interactive.get("type") == "list":
        return [("list_reply", str(row.get("id", "")), str(row.get("title", "")))
                for section in action.get("sections") or () if isinstance(section, dict)
                for row in section.get("rows") or () if isinstance(row, dict)]
    return []


def maybe_reply(emulator: Emulator, message: SentMessage) -> None:
    """Perhaps schedule the person's answer to an accepted template or interactive message."""
    config = emulator.config
    if not config.simulated_debtors or message.outcome.startswith("failed"):
        return
    rng = emulator.state.rng
    spec: dict[str, Any] = {"from": message.wa_id, "name": "Cliente", "context_id": message.id}
    if message.type == "interactive":
        choices = interactive_options(message.payload)
        if not choices or rng.random() >= INTERACTIVE_TAP_SHARE:
            return
        kind, option, title = choices[rng.randrange(len(choices))] if len(choices) > 1 \
            else choices[0]
        spec |= {"type": kind, "id": option, "title": title, "text": title}
    elif message.type == "template":
        action, text, _ = rng.choices(REPLIES, weights=[w for *_, w in REPLIES])[0]
        if action is None:
            return
        spec = {"from": message.wa_id, "type": "text", "text": text, "name": "Cliente"}
        if action == "button":
            payloads = quick_replies(message.payload)
            if not payloads:
                spec["text"] = "Ok, recebi"
            else:
                payload = payloads[rng.randrange(len(payloads))] if len(payloads) > 1 \
                    else payloads[0]
                label = BUTTON_TEXT.get(payload.split(":", 1)[0].upper(), "Ok")
                spec = {**spec, "type": "button", "payload": payload, "text": label,
                        "context_id": message.id}
    else:
        return
    low, high = config.reply_delay_seconds
    at = emulator.state.now + timedelta(seconds=rng.uniform(low, high))
    emulator.call_at(at, lambda: outcomes.inbound(emulator, spec))
