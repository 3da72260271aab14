"""What happens after a send or from a simulated debtor: the webhooks the app will receive.

Webhook modes (`PUT /_emulator/faults` `{"webhook_modes": [...]}`):
`duplicate_status` (each status POSTed twice), `out_of_order` (read before delivered),
`skip_delivered`, `failed_after_sent` (131026 after `sent`), `bad_signature`, `no_contacts`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cobrador_desktop.whatsapp.emulator.state import SentMessage, async_error, digits
from cobrador_desktop.whatsapp.emulator.webhooks import envelope

if TYPE_CHECKING:
    from cobrador_desktop.whatsapp.emulator.server import Emulator

MODES = frozenset({"duplicate_status", "out_of_order", "skip_delivered", "failed_after_sent",
                   "bad_signature", "no_contacts"})


def _pricing(category: str, window_open: bool) -> dict[str, Any]:
    free = category == "service" or (category == "utility" and window_open)
    return {"billable": not free, "pricing_model": "PMP",
            "type": "free_customer_service" if free else "regular", "category": category}


def schedule_statuses(emulator: Emulator, message: SentMessage, failure: tuple[int, str] | None,
                      category: str, window_open: bool) -> None:
    """Queue sent → delivered → read (or failed) for an accepted message."""
    cfg = emulator.config
    modes = emulator.webhook_modes
    d_sent, d_delivered, d_read = cfg.status_delays
    plan: list[tuple[str, float, tuple[int, str] | None]] = []
    if failure is not None:
        plan.append(("failed", d_sent, failure))
    else:
        plan.append(("sent", d_sent, None))
        if "failed_after_sent" in modes:
            plan.append(("failed", d_delivered, (131026, "Message Undeliverable.")))
        else:
            delivered_at, read_at = d_delivered, d_read
            if "out_of_order" in modes:
                delivered_at, read_at = d_read, d_delivered
            if "skip_delivered" not in modes:
                plan.append(("delivered", delivered_at, None))
            if cfg.auto_read:
                plan.append(("read", read_at, None))
    pricing = _pricing(category, window_open)
    for status, delay, error in plan:
        at = message.accepted_at + timedelta(seconds=delay)
        item: dict[str, Any] = {"id": message.id, "status": status,
                                "timestamp": str(int(at.timestamp())), "recipient_id": message.wa_id}
        if message.biz_opaque_callback_data is not None:
            item["biz_opaque_callback_data"] = message.biz_opaque_callback_data
        if status in {"sent", "delivered"}:
            item["pricing"] = pricing
        if error is not None:
            item["errors"] = [async_error(*error)]
        payload = envelope(cfg, emulator.state.phone.display_phone_number, "messages",
                           {"statuses": [item]})
        emulator.dispatcher.schedule(payload, at, f"status:{status}")
        if "duplicate_status" in modes:
            emulator.dispatcher.schedule(payload, at + timedelta(seconds=1), f"status:{status}")


def inbound(emulator: Emulator, spec: dict[str, Any]) -> str:
    """Record a message from a simulated debtor, open their window, queue its webhook.

    `spec`: `from` (phone), `type` (`text` | `button` | `button_reply` | `list_reply`), `text`,
    `payload` (button), `id`/`title`/`description` (replies), `context_id`, `name` (profile).
    Raises ValueError on a bad spec.
    """
    state = emulator.state
    sender = spec.get("from")
    if not isinstance(sender, str) or not digits(sender):
        raise ValueError("'from' (the debtor's phone) is required")
    wa_id = state.wa_id_for(sender)
    kind = str(spec.get("type", "text"))
    text = str(spec.get("text", ""))
    message: dict[str, Any] = {"from": wa_id, "id": state.new_wamid(wa_id),
                               "timestamp": str(int(state.now.timestamp()))}
    if kind == "text":
        message |= {"type": "text", "text": {"body": text}}
    elif kind == "button":
        message |= {"type": "button", "button": {"payload": str(spec.get("payload", "")), "text": text}}
    elif kind in {"button_reply", "list_reply"}:
        reply = {"id": str(spec.get("id", "")), "title": str(spec.get("title", text))}
        if kind == "list_reply" and spec.get("description"):
            reply["description"] = str(spec["description"])
        message |= {"type": "interactive", "interactive": {"type": kind, kind: reply}}
    else:
        raise ValueError(f"unsupported inbound type {kind!r}")
    if spec.get("context_id"):
        message["context"] = {"from": state.phone.display_phone_number, "id": str(spec["context_id"])}
    state.last_inbound[wa_id] = state.now
    state.inbound_ids.add(message["id"])
    state.count_traffic()
    value: dict[str, Any] = {"messages": [message]}
    if "no_contacts" not in emulator.webhook_modes:
        value = {"contacts": [{"profile": {"name": str(spec.get("name", "Cliente"))}, "wa_id": wa_id}],
                 **value}
    payload = envelope(emulator.config, state.phone.display_phone_number, "messages", value)
    emulator.dispatcher.schedule(payload, state.now, f"inbound:{kind}")
    return str(message["id"])


def template_status(emulator: Emulator, name: str, status: str, language: str | None) -> int:
    """Change a template's status and queue the `message_template_status_update` webhook."""
    changed = 0
    for template in emulator.templates.find(name, language):
        template.status = status
        changed += 1
        value: dict[str, Any] = {"event": status, "message_template_id": int(template.id),
                                 "message_template_name": template.name,
                                 "message_template_language": template.language,
                                 "message_template_category": template.category,
                                 "reason": None}
        now = emulator.state.now
        payload = envelope(emulator.config, emulator.state.phone.display_phone_number,
                           "message_template_status_update", value, time=int(now.timestamp()))
        emulator.dispatcher.schedule(payload, now, "template_status")
    return changed
