"""Turns one verified webhook body into typed events (WHATSAPP_CLOUD_API.md §4.3–4.7, §5).

Tolerant by design: Meta adds fields and types without notice, omits optional keys (`contacts`,
`from`, `wa_id`, `pricing`…) and sends numbers as strings or as numbers. Whatever we cannot
read becomes an `UnknownChange` carrying its JSON, never an exception: `parse_body` does not raise
for any input, so a validly signed body always gets its 200 and its raw row.

Timestamps: Meta sends Unix seconds (string or number). A missing or unreadable one falls back
to the entry's `time`, then to the Unix epoch (1970-01-01 UTC), so every event still has an
aware UTC datetime and the raw JSON still tells what was sent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cobrador_desktop.domain.webhook_events import (
    AccountUpdate,
    ApiErrorInfo,
    InboundMessage,
    JsonDict,
    StatusUpdate,
    TemplateUpdate,
    UnknownChange,
    WebhookError,
    WebhookEvent,
)

WABA_OBJECT = "whatsapp_business_account"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_SECONDS = 253_402_300_799  # 9999-12-31 23:59:59 UTC, the last second datetime can hold
#: The longest value of each identifier Meta really sends, with room to spare; they are the
#: database's column sizes, so nothing parsed can make the commit fail (PostgreSQL enforces
#: lengths). A longer value is not Meta's: the event is dropped or the field left empty, and the
#: raw delivery keeps it all.
MAX_ID = 128  # wamids
MAX_STATUS = 10
MAX_TYPE = 20
MAX_WA_ID = 20
MAX_USER_ID = 140  # business-scoped user ids (BSUID)
MAX_CALLBACK = 512
MAX_TOKEN = 40  # pricing category and type
MAX_TEMPLATE_NAME = 512
MAX_LANGUAGE = 10
MAX_TEMPLATE_VALUE = 20  # status, quality, category
_INT32 = 2**31

TEMPLATE_FIELDS = frozenset({
    "message_template_status_update", "message_template_quality_update", "template_category_update",
})
ACCOUNT_FIELDS = frozenset({
    "phone_number_quality_update", "business_capability_update", "account_update", "account_alerts",
    "user_preferences",
})
_MEDIA_TYPES = frozenset({"image", "document", "audio", "video", "sticker"})


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What a body said.

    Attributes:
        events: every event found, in the order Meta listed them (duplicates included: the
            ingest dedupes on the wamid).
        ok: False when the body is not a WhatsApp Business Account notification at all
            (undecodable, not JSON, another `object`); the caller keeps it raw.
        problem: why it is not ok, for the log; None when ok.
    """

    events: tuple[WebhookEvent, ...]
    ok: bool
    problem: str | None


def parse_body(raw: bytes) -> ParseResult:
    """Parses a webhook POST body; never raises.

    Args:
        raw: the body exactly as received (already verified against its signature).

    Returns:
        The events, or `ok=False` with the reason when the body is not a WABA envelope.
    """
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _refused("body is not UTF-8")
    except (ValueError, RecursionError):  # JSONDecodeError, int too long, nesting too deep
        return _refused("body is not JSON")
    if not isinstance(doc, dict):
        return _refused("body is not a JSON object")
    if doc.get("object") != WABA_OBJECT:
        return _refused(f"object is not {WABA_OBJECT}")
    entries = doc.get("entry")
    if not isinstance(entries, list):
        return _refused("no entry list")
    try:
        return ParseResult(tuple(_entries(entries)), True, None)
    except Exception as exc:  # a bug here must not cost Meta's retry budget; the raw row survives
        return _refused(f"parser failed: {type(exc).__name__}")


def _refused(problem: str) -> ParseResult:
    return ParseResult((), False, problem)


def _entries(entries: list[Any]) -> Iterator[WebhookEvent]:
    for entry in entries:
        if not isinstance(entry, dict):
            yield UnknownChange(None, "entry is not an object", {"entry": entry})
            continue
        entry_time = _instant(entry.get("time"))
        changes = entry.get("changes")
        if not isinstance(changes, list):
            yield UnknownChange(None, "entry without a changes list", entry, entry_time)
            continue
        for change in changes:
            if not isinstance(change, dict):
                yield UnknownChange(None, "change is not an object", {"change": change}, entry_time)
                continue
            yield from _change(change, entry_time)


def _change(change: JsonDict, entry_time: datetime | None) -> Iterator[WebhookEvent]:
    field = _str(change.get("field"))
    value = change.get("value")
    if not isinstance(value, dict):
        yield UnknownChange(field, "change without a value object", change, entry_time)
    elif field == "messages":
        yield from _messages_value(value, change, entry_time or EPOCH, entry_time)
    elif field in TEMPLATE_FIELDS:
        yield _template(field, value, entry_time)
    elif field == "user_preferences":
        yield from _user_preferences(value, entry_time)
    elif field in ACCOUNT_FIELDS:
        yield _account(field, value, entry_time)
    else:
        yield UnknownChange(field, "field not handled", change, entry_time)


# ---------------------------------------------------------------- field "messages"

def _messages_value(value: JsonDict, change: JsonDict, fallback: datetime,
                    entry_time: datetime | None) -> Iterator[WebhookEvent]:
    phone_number_id = _str(_obj(value.get("metadata")).get("phone_number_id"))
    contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
    parts = [(key, value[key]) for key in ("messages", "statuses", "errors") if key in value]
    if not parts:
        yield UnknownChange("messages", "no messages, statuses or errors", change, entry_time)
    for key, items in parts:
        if not isinstance(items, list):
            yield UnknownChange("messages", f"{key} is not a list", {key: items}, entry_time)
            continue
        for item in items:
            if not isinstance(item, dict):
                yield UnknownChange("messages", f"{key} item is not an object", {key: item}, entry_time)
            elif key == "messages":
                yield _inbound(item, phone_number_id, contacts, fallback, entry_time)
            elif key == "statuses":
                yield _status(item, phone_number_id, fallback, entry_time)
            else:
                yield WebhookError(phone_number_id, _error(item), item, entry_time)


def _inbound(msg: JsonDict, phone_number_id: str | None, contacts: list[JsonDict],
             fallback: datetime, entry_time: datetime | None) -> WebhookEvent:
    wamid = _fit(_str(msg.get("id")), MAX_ID)
    if not wamid:
        return UnknownChange("messages", "message without a usable id", msg, entry_time)
    from_wa_id = _fit(_str(msg.get("from")), MAX_WA_ID)
    from_user_id = _fit(_str(msg.get("from_user_id")), MAX_USER_ID)
    contact = _contact_for(contacts, from_wa_id, from_user_id)
    if from_user_id is None:
        from_user_id = _fit(_str(contact.get("user_id")), MAX_USER_ID)
    if from_wa_id is None:
        from_wa_id = _fit(_str(contact.get("wa_id")), MAX_WA_ID)
    type_ = _fit(_str(msg.get("type")), MAX_TYPE) or "unknown"
    text, payload, context = _content(type_, msg)
    return InboundMessage(
        phone_number_id=phone_number_id, wamid=wamid, from_wa_id=from_wa_id, from_user_id=from_user_id,
        timestamp=_instant(msg.get("timestamp")) or fallback, type=type_, text=text, payload=payload,
        context_wamid=context or _str(_obj(msg.get("context")).get("id")),
        profile_name=_str(_obj(contact.get("profile")).get("name")),
        errors=_errors(msg.get("errors")), raw=msg)


def _contact_for(contacts: list[JsonDict], wa_id: str | None, user_id: str | None) -> JsonDict:
    """The `contacts` item of the sender: by wa_id, then by BSUID, else the only one."""
    for key, wanted in (("wa_id", wa_id), ("user_id", user_id)):
        if wanted is not None:
            for contact in contacts:
                if _str(contact.get(key)) == wanted:
                    return contact
    return contacts[0] if len(contacts) == 1 else {}


def _content(type_: str, msg: JsonDict) -> tuple[str, str | None, str | None]:
    """(text, payload, context wamid) of one inbound message, by type (§4.4)."""
    body = _obj(msg.get(type_))
    reader = _READERS.get(type_)
    if reader is not None:
        return reader(body, msg)
    if type_ in _MEDIA_TYPES:
        return _s(body.get("caption")) or _s(body.get("filename")), _str(body.get("id")), None
    # order, request_welcome and types not invented yet: the readable part if there is one
    return _s(body.get("body")) or _s(body.get("text")) or _s(body.get("caption")), None, None


def _text(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    return _s(body.get("body")), None, None


def _button(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    return _s(body.get("text")), _str(body.get("payload")), None


def _interactive(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    kind = _str(body.get("type")) or ""
    reply = _obj(body.get(kind))
    if kind == "nfm_reply":  # a WhatsApp Flow answered: its JSON is the machine part
        return _s(reply.get("body")), _str(reply.get("response_json")), None
    return _s(reply.get("title")), _str(reply.get("id")), None


def _location(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    named = ", ".join(s for s in (_s(body.get("name")), _s(body.get("address"))) if s)
    if named:
        return named, None, None
    lat, lng = _str(body.get("latitude")), _str(body.get("longitude"))
    return (f"{lat},{lng}" if lat is not None and lng is not None else ""), None, None


def _contacts(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    names = (_s(_obj(_obj(card).get("name")).get("formatted_name")) for card in _list(msg.get("contacts")))
    return ", ".join(n for n in names if n), None, None


def _reaction(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    return _s(body.get("emoji")), None, _str(body.get("message_id"))


def _unsupported(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    return "", _str(body.get("type")), None


def _system(body: JsonDict, msg: JsonDict) -> tuple[str, str | None, str | None]:
    # the new identity: `wa_id` (older payloads: `new_wa_id`) for a changed number, `user_id` for
    # a renewed BSUID
    new_id = _str(body.get("wa_id")) or _str(body.get("new_wa_id")) or _str(body.get("user_id"))
    return _s(body.get("body")), new_id, None


_READERS: dict[str, Callable[[JsonDict, JsonDict], tuple[str, str | None, str | None]]] = {
    "text": _text, "button": _button, "interactive": _interactive, "location": _location,
    "contacts": _contacts, "reaction": _reaction, "unsupported": _unsupported, "system": _system,
}


def _status(item: JsonDict, phone_number_id: str | None, fallback: datetime,
            entry_time: datetime | None) -> WebhookEvent:
    wamid = _fit(_str(item.get("id")), MAX_ID)
    status = _fit(_str(item.get("status")), MAX_STATUS)
    if not wamid or not status:
        return UnknownChange("messages", "status without a usable id or status", item, entry_time)
    pricing = _obj(item.get("pricing"))
    return StatusUpdate(
        phone_number_id=phone_number_id, wamid=wamid, status=status.lower(),
        timestamp=_instant(item.get("timestamp")) or fallback,
        recipient_wa_id=_fit(_str(item.get("recipient_id")), MAX_WA_ID),
        recipient_user_id=_fit(_str(item.get("recipient_user_id")), MAX_USER_ID),
        callback_data=_fit(_str(item.get("biz_opaque_callback_data")), MAX_CALLBACK),
        errors=_errors(item.get("errors")),
        pricing_category=_fit(_token(pricing.get("category")), MAX_TOKEN),
        pricing_type=_fit(_token(pricing.get("type")), MAX_TOKEN), raw=item)


def _errors(value: Any) -> tuple[ApiErrorInfo, ...]:
    return tuple(_error(e) for e in _list(value) if isinstance(e, dict))


def _error(err: JsonDict) -> ApiErrorInfo:
    code = _str(err.get("code"))
    number = int(code) if code and code.lstrip("-").isdigit() and len(code) < 19 else None
    return ApiErrorInfo(code=number if number is not None and abs(number) < _INT32 else None,
                        title=_s(err.get("title")), message=_s(err.get("message")),
                        details=_s(_obj(err.get("error_data")).get("details")))


# ---------------------------------------------------------------- template and account fields

def _template(field: str, value: JsonDict, entry_time: datetime | None) -> TemplateUpdate:
    if field == "message_template_quality_update":
        new = _str(value.get("new_quality_score"))
        reason = None
    elif field == "template_category_update":
        # advance notices carry only the category the template will be moved to
        new = _str(value.get("new_category")) or _str(value.get("correct_category"))
        reason = None
    else:
        new = _str(value.get("event"))
        # pauses explain themselves in other_info.title (FIRST_PAUSE, …), rejections in reason
        reason = _str(value.get("reason")) or _str(_obj(value.get("other_info")).get("title"))
    return TemplateUpdate(field=field, template_id=_str(value.get("message_template_id")),
                          name=_fit(_str(value.get("message_template_name")), MAX_TEMPLATE_NAME),
                          language=_fit(_str(value.get("message_template_language")),
                                        MAX_LANGUAGE),
                          value=_fit(new, MAX_TEMPLATE_VALUE), reason=reason, raw=value,
                          entry_time=entry_time)


def _account(field: str, value: JsonDict, entry_time: datetime | None) -> AccountUpdate:
    event = _str(value.get("event"))
    if field == "phone_number_quality_update":
        detail = _str(value.get("max_daily_conversations_per_business")) or _str(value.get("current_limit"))
    elif field == "business_capability_update":
        detail = (_str(value.get("max_daily_conversations_per_business"))
                  or _str(value.get("max_daily_conversation_per_phone")))
    elif field == "account_alerts":
        alert = _obj(value.get("alert_info"))
        event = _str(alert.get("alert_type"))
        detail = _str(alert.get("alert_description"))
    else:  # account_update: a violation type or a ban state says what happened
        detail = (_str(_obj(value.get("violation_info")).get("violation_type"))
                  or _str(_obj(value.get("ban_info")).get("waba_ban_state")))
    return AccountUpdate(field=field, event=event, wa_id=None, detail=detail, raw=value,
                         entry_time=entry_time)


def _user_preferences(value: JsonDict, entry_time: datetime | None) -> Iterator[WebhookEvent]:
    """One event per person: `event` is the category, `detail` is `stop` or `resume`."""
    items = value.get("user_preferences")
    # the documented shape is a list under `user_preferences`; a bare item is accepted too
    for item in items if isinstance(items, list) else [value]:
        if isinstance(item, dict):
            yield AccountUpdate(field="user_preferences", event=_str(item.get("category")),
                                wa_id=_str(item.get("wa_id")), detail=_token(item.get("value")), raw=item,
                                entry_time=entry_time)
        else:
            yield UnknownChange("user_preferences", "preference is not an object", {"item": item}, entry_time)


# ---------------------------------------------------------------- tolerant readers

def _obj(value: Any) -> JsonDict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    """An id or code as a string: strings as sent, integers in decimal, anything else None."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value.bit_length() < 128 else None
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    return None


def _fit(value: str | None, limit: int) -> str | None:
    """`value` when it fits in `limit` characters, else None (it is not Meta's: see MAX_ID)."""
    return value if value is None or len(value) <= limit else None


def _s(value: Any) -> str:
    """Readable text: a string as sent (cleaned), or "" for anything else."""
    return _clean(value) if isinstance(value, str) else ""


def _clean(text: str) -> str:
    # Lone surrogates (JSON "\ud800") cannot be encoded for the database and PostgreSQL text
    # refuses NUL; the raw JSON keeps the original.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "") if "\x00" in text else text


def _token(value: Any) -> str | None:
    """A keyword such as a pricing category: lowercase, hyphens as underscores."""
    text = _str(value)
    return text.strip().lower().replace("-", "_") if text else None


def _instant(value: Any) -> datetime | None:
    """Unix seconds (string or number) as an aware UTC datetime; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            return None
        seconds = int(text)
    elif isinstance(value, int):
        seconds = value
    elif isinstance(value, float) and math.isfinite(value):
        seconds = int(value)
    else:
        return None
    if not 0 <= seconds <= _MAX_SECONDS:
        return None
    # timedelta, not fromtimestamp: the same on Windows, which refuses some timestamps
    return EPOCH + timedelta(seconds=seconds)
