"""Envelope and per-type checks of `POST /{phone-number-id}/messages` (§2.1–2.4 limits)."""

from __future__ import annotations

from typing import Any

from cobrador_desktop.whatsapp.emulator.state import GraphError

SUPPORTED_TYPES = {"text", "template", "interactive", "reaction", "image", "document", "audio",
                   "video", "sticker", "location", "contacts"}


def check_envelope(body: Any) -> tuple[str, str]:
    """Validate the common envelope; return (`to`, `type`)."""
    if not isinstance(body, dict):
        raise GraphError(100, "The request body must be a JSON object")
    product = body.get("messaging_product")
    if product is None:
        raise GraphError(131008, "The parameter messaging_product is required.")
    if product != "whatsapp":
        raise GraphError(131009, "messaging_product must be 'whatsapp'")
    to = body.get("to")
    if not isinstance(to, str) or not to.strip():
        raise GraphError(131008, "The parameter to is required.")
    if not any(c.isdigit() for c in to):
        raise GraphError(131009, f"Invalid recipient: {to!r}")
    kind = body.get("type", "text")
    if not isinstance(kind, str) or kind not in SUPPORTED_TYPES:
        raise GraphError(131051, f"Unsupported message type: {kind!r}")
    opaque = body.get("biz_opaque_callback_data")
    if opaque is not None and (not isinstance(opaque, str) or len(opaque) > 512):
        raise GraphError(131009, "biz_opaque_callback_data must be a string of at most 512 characters")
    if kind == "text":
        _check_text(body.get("text"))
    elif kind == "interactive":
        _check_interactive(body.get("interactive"))
    return to, kind


def _limit(value: Any, limit: int, what: str, *, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or not value:
        raise GraphError(131008, f"The parameter {what} is required.")
    if len(value) > limit:
        raise GraphError(131009, f"{what} must be at most {limit} characters long")


def _text_of(obj: Any, what: str, limit: int, *, required: bool = True) -> None:
    if obj is None and not required:
        return
    if not isinstance(obj, dict):
        raise GraphError(131008, f"The parameter {what} is required.")
    _limit(obj.get("text"), limit, f"{what}.text")


def _check_text(text: Any) -> None:
    if not isinstance(text, dict):
        raise GraphError(131008, "The parameter text is required.")
    _limit(text.get("body"), 4096, "text.body")


def _check_interactive(spec: Any) -> None:
    if not isinstance(spec, dict):
        raise GraphError(131008, "The parameter interactive is required.")
    kind = spec.get("type")
    action = spec.get("action")
    if not isinstance(action, dict):
        raise GraphError(131008, "The parameter interactive.action is required.")
    header = spec.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        _limit(header.get("text"), 60, "interactive.header.text")
    _text_of(spec.get("footer"), "interactive.footer", 60, required=False)
    if kind == "button":
        _text_of(spec.get("body"), "interactive.body", 1024)
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not buttons:
            raise GraphError(131008, "The parameter interactive.action.buttons is required.")
        if len(buttons) > 3:
            raise GraphError(131009, "interactive.action.buttons: at most 3 buttons")
        ids = set()
        for button in buttons:
            reply = button.get("reply") if isinstance(button, dict) else None
            if not isinstance(reply, dict):
                raise GraphError(131008, "Each button needs a reply object")
            _limit(reply.get("title"), 20, "button title")
            _limit(reply.get("id"), 256, "button id")
            ids.add(reply["id"])
        if len(ids) != len(buttons):
            raise GraphError(131009, "Button ids must be unique")
    elif kind == "list":
        _text_of(spec.get("body"), "interactive.body", 4096)
        _limit(action.get("button"), 20, "interactive.action.button")
        sections = action.get("sections")
        if not isinstance(sections, list) or not sections:
            raise GraphError(131008, "The parameter interactive.action.sections is required.")
        if len(sections) > 10:
            raise GraphError(131009, "interactive.action.sections: at most 10 sections")
        rows = [row for section in sections if isinstance(section, dict)
                for row in (section.get("rows") or [])]
        if not rows:
            raise GraphError(131008, "A list needs at least one row")
        if len(rows) > 10:
            raise GraphError(131009, "A list allows at most 10 rows in total")
        for row in rows:
            if not isinstance(row, dict):
                raise GraphError(131009, "Each row must be an object")
            _limit(row.get("title"), 24, "row title")
            _limit(row.get("id"), 200, "row id")
            _limit(row.get("description"), 72, "row description", required=False)
    elif kind == "cta_url":
        _text_of(spec.get("body"), "interactive.body", 1024)
        parameters = action.get("parameters")
        if not isinstance(parameters, dict):
            raise GraphError(131008, "The parameter interactive.action.parameters is required.")
        _limit(parameters.get("display_text"), 20, "cta_url display_text")
        _limit(parameters.get("url"), 2000, "cta_url url")
    else:
        raise GraphError(131009, f"Unsupported interactive type: {kind!r}")
