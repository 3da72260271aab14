"""Message payloads of the Cloud API (WHATSAPP_CLOUD_API.md §2.1–2.3), checked against Meta's limits.

Pure functions: they build the JSON the client posts, and raise `ValueError` for anything Meta
would refuse with a 400 that no retry fixes (too many buttons, a title too long, an empty value),
so such a message never leaves half-right.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

JsonDict = dict[str, Any]

# Limits of §2.1–2.3 (characters).
TEXT_BODY_MAX = 4096
CALLBACK_DATA_MAX = 512
TEMPLATE_HEADER_PARAM_MAX = 60
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
BUTTONS_BODY_MAX = 1024
LIST_BODY_MAX = 4096
LIST_LABEL_MAX = 20
LIST_SECTIONS_MAX = 10
LIST_ROWS_MAX = 10
LIST_SECTION_TITLE_MAX = 24
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
HEADER_TEXT_MAX = 60
FOOTER_TEXT_MAX = 60

_WA_ID = re.compile(r"[0-9]{6,15}")


@dataclass(frozen=True)
class TemplateButton:
    """A parameter of a template button: a quick-reply payload or the `{{1}}` of a URL button."""

    sub_type: Literal["quick_reply", "url"]
    #: the button's position in the approved template (0-based; sent as a string)
    index: int
    value: str

    @classmethod
    def quick_reply(cls, index: int, payload: str) -> TemplateButton:
        """The payload that comes back in the inbound `button` webhook when tapped."""
        return cls("quick_reply", index, payload)

    @classmethod
    def url(cls, index: int, param: str) -> TemplateButton:
        """The text that fills the `{{1}}` at the end of the approved URL."""
        return cls("url", index, param)


@dataclass(frozen=True)
class ListRow:
    """A choosable row of a list message."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListSection:
    """A titled group of rows; the title is required when there is more than one section."""

    title: str | None
    rows: Sequence[ListRow]


def recipient(to: str) -> str:
    """The `to` of a payload (§2.1): a stored `wa_id` as is, else `+` and the E.164 digits.

    `+55 (11) 98765-4321` → `+5511987654321`; `551187654321` (a wa_id) stays as it is. Without the
    `+`, Meta may prepend the business's own country code, so E.164 numbers always keep it.
    """
    text = to.strip()
    if text.startswith("+"):
        digits = re.sub(r"[\s().-]", "", text[1:])
        if _WA_ID.fullmatch(digits):
            return "+" + digits
    elif _WA_ID.fullmatch(text):
        return text
    raise ValueError(f"not a wa_id nor an E.164 number: {to!r}")


def collapse(value: str) -> str:
    """A template parameter as Meta accepts it: no newlines or tabs, no runs of spaces (§2.2)."""
    return " ".join(value.split())


def text_payload(to: str, body: str, *, callback_data: str | None = None,
                 reply_to: str | None = None, preview_url: bool = False) -> JsonDict:
    """A free-text message (§2.1)."""
    _check_text("text body", body, TEXT_BODY_MAX)
    payload = _envelope(to, "text", callback_data, reply_to)
    payload["text"] = {"body": body, "preview_url": preview_url}
    return payload


def template_payload(to: str, name: str, language: str = "pt_BR", *,
                     body_params: Sequence[str] | Mapping[str, str] = (),
                     header_params: Sequence[str] = (), buttons: Sequence[TemplateButton] = (),
                     callback_data: str | None = None) -> JsonDict:
    """A template message (§2.2); a Mapping of `body_params` fills a NAMED template."""
    if not name.strip() or not language.strip():
        raise ValueError("a template needs a name and a language")
    components: list[JsonDict] = []
    if header_params:
        components.append({"type": "header", "parameters": [
            {"type": "text", "text": _param(value, TEMPLATE_HEADER_PARAM_MAX)}
            for value in header_params]})
    if isinstance(body_params, Mapping):
        if body_params:
            components.append({"type": "body", "parameters": [
                {"type": "text", "parameter_name": key, "text": _param(value)}
                for key, value in body_params.items()]})
    elif body_params:
        if isinstance(body_params, str):
            raise TypeError("body_params must be a sequence of strings, not one string")
        components.append({"type": "body", "parameters": [
            {"type": "text", "text": _param(value)} for value in body_params]})
    indexes = [button.index for button in buttons]
    if len(set(indexes)) != len(indexes):
        raise ValueError(f"two parameters for the same template button: {indexes}")
    for button in sorted(buttons, key=lambda b: b.index):
        components.append(_template_button(button))
    payload = _envelope(to, "template", callback_data, None)
    template: JsonDict = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    payload["template"] = template
    return payload


def buttons_payload(to: str, body: str, buttons: Sequence[tuple[str, str]], *,
                    footer: str | None = None, header: str | None = None,
                    callback_data: str | None = None) -> JsonDict:
    """Interactive reply buttons, given as (id, title) (§2.3)."""
    _check_text("buttons body", body, BUTTONS_BODY_MAX)
    if not 1 <= len(buttons) <= BUTTONS_MAX:
        raise ValueError(f"reply buttons: 1 to {BUTTONS_MAX}, not {len(buttons)}")
    for button_id, title in buttons:
        _check_text("button id", button_id, BUTTON_ID_MAX)
        _check_text("button title", title, BUTTON_TITLE_MAX)
    _unique("button id", [button_id for button_id, _ in buttons])
    interactive = _interactive("button", body, header, footer)
    interactive["action"] = {"buttons": [
        {"type": "reply", "reply": {"id": button_id, "title": title}} for button_id, title in buttons]}
    payload = _envelope(to, "interactive", callback_data, None)
    payload["interactive"] = interactive
    return payload


def list_payload(to: str, body: str, button_label: str, sections: Sequence[ListSection], *,
                 footer: str | None = None, header: str | None = None,
                 callback_data: str | None = None) -> JsonDict:
    """An interactive list (§2.3)."""
    _check_text("list body", body, LIST_BODY_MAX)
    _check_text("list button label", button_label, LIST_LABEL_MAX)
    if not 1 <= len(sections) <= LIST_SECTIONS_MAX:
        raise ValueError(f"list sections: 1 to {LIST_SECTIONS_MAX}, not {len(sections)}")
    rows = [row for section in sections for row in section.rows]
    if not 1 <= len(rows) <= LIST_ROWS_MAX:
        raise ValueError(f"list rows in total: 1 to {LIST_ROWS_MAX}, not {len(rows)}")
    _unique("row id", [row.id for row in rows])
    out_sections: list[JsonDict] = []
    for section in sections:
        if not section.rows:
            raise ValueError("a list section without rows")
        out: JsonDict = {}
        if section.title is not None:
            _check_text("section title", section.title, LIST_SECTION_TITLE_MAX)
            out["title"] = section.title
        elif len(sections) > 1:
            raise ValueError("every section needs a title when there is more than one")
        out["rows"] = [_row(row) for row in section.rows]
        out_sections.append(out)
    interactive = _interactive("list", body, header, footer)
    interactive["action"] = {"button": button_label, "sections": out_sections}
    payload = _envelope(to, "interactive", callback_data, None)
    payload["interactive"] = interactive
    return payload


# ---------------------------------------------------------------- helpers


def _envelope(to: str, kind: str, callback_data: str | None, reply_to: str | None) -> JsonDict:
    payload: JsonDict = {"messaging_product": "whatsapp", "recipient_type": "individual",
                         "to": recipient(to), "type": kind}
    if callback_data is not None:
        _check_text("biz_opaque_callback_data", callback_data, CALLBACK_DATA_MAX)
        payload["biz_opaque_callback_data"] = callback_data
    if reply_to is not None:
        payload["context"] = {"message_id": reply_to}
    return payload


def _interactive(kind: str, body: str, header: str | None, footer: str | None) -> JsonDict:
    interactive: JsonDict = {"type": kind}
    if header is not None:
        _check_text("header", header, HEADER_TEXT_MAX)
        interactive["header"] = {"type": "text", "text": header}
    interactive["body"] = {"text": body}
    if footer is not None:
        _check_text("footer", footer, FOOTER_TEXT_MAX)
        interactive["footer"] = {"text": footer}
    return interactive


def _template_button(button: TemplateButton) -> JsonDict:
    if not 0 <= button.index <= 9:
        raise ValueError(f"template button index 0 to 9, not {button.index}")
    if button.sub_type == "quick_reply":
        _check_text("quick-reply payload", button.value, BUTTON_ID_MAX)
        parameter: JsonDict = {"type": "payload", "payload": button.value}
    elif button.sub_type == "url":
        parameter = {"type": "text", "text": _param(button.value)}
    else:
        raise ValueError(f"template button sub_type {button.sub_type!r}")
    return {"type": "button", "sub_type": button.sub_type, "index": str(button.index),
            "parameters": [parameter]}


def _row(row: ListRow) -> JsonDict:
    _check_text("row id", row.id, ROW_ID_MAX)
    _check_text("row title", row.title, ROW_TITLE_MAX)
    out: JsonDict = {"id": row.id, "title": row.title}
    if row.description is not None:
        _check_text("row description", row.description, ROW_DESCRIPTION_MAX)
        out["description"] = row.description
    return out


def _param(value: str, limit: int | None = None) -> str:
    text = collapse(value)
    if not text:
        raise ValueError("a template parameter is empty")
    if limit is not None and len(text) > limit:
        raise ValueError(f"a template parameter has {len(text)} characters (limit {limit})")
    return text


def _check_text(what: str, value: str, limit: int) -> None:
    if not value.strip():
        raise ValueError(f"{what} is empty")
    if len(value) > limit:
        raise ValueError(f"{what} has {len(value)} characters (limit {limit})")


def _unique(what: str, values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise ValueError(f"repeated {what}: {values}")
