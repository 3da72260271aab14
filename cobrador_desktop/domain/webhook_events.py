"""What a Cloud API webhook says, as typed events (WHATSAPP_CLOUD_API.md §4).

`parse.parse_body` turns one verified POST body into a list of these; the ingest service stores
them. Every event keeps the piece of JSON it came from (`raw`), so nothing Meta sends is lost even
when we do not understand it yet. Timestamps are aware UTC datetimes (Meta sends Unix seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import Any

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ApiErrorInfo:
    """One entry of an `errors` array (status failures, unsupported messages, `value.errors`)."""

    code: int | None
    title: str
    message: str
    details: str


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A message a person sent to the shop's number.

    Attributes:
        wamid: WhatsApp's id of the message (unique; the dedupe key).
        from_wa_id: the sender's `wa_id` (may lack the Brazilian 9th digit), or None when Meta sends
            only a business-scoped user id (`from_user_id`).
        type: `text`, `button`, `interactive`, `image`, `document`, `audio`, `video`, `sticker`,
            `location`, `contacts`, `reaction`, `unsupported`, `system`, `order`, … (kept as sent).
        text: the readable part: the text body, a button's text, a reply's title, a caption, an
            emoji, a location's address, or "" when there is none.
        payload: the machine part: a quick-reply payload (`PAGO:d42:3`), an interactive reply id
            (`pix:d42:3`), a media id, … or None.
        context_wamid: the wamid this message answers or reacts to (`context.id`,
            `reaction.message_id`), if any.
        profile_name: the sender's WhatsApp profile name (shown beside the registered name,
            never written over it).
        errors: errors Meta attached (unsupported messages).
    """

    phone_number_id: str | None
    wamid: str
    from_wa_id: str | None
    from_user_id: str | None
    timestamp: datetime
    type: str
    text: str
    payload: str | None
    context_wamid: str | None
    profile_name: str | None
    errors: tuple[ApiErrorInfo, ...]
    raw: JsonDict = dc_field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """Where one of our messages got to: `sent`, `delivered`, `read`, `played` or `failed`."""

    phone_number_id: str | None
    wamid: str
    status: str
    timestamp: datetime
    recipient_wa_id: str | None
    recipient_user_id: str | None
    #: `biz_opaque_callback_data` as we sent it: the outbox row id (`ob:81234`)
    callback_data: str | None
    errors: tuple[ApiErrorInfo, ...]
    #: `pricing.category` and `pricing.type` when Meta sent them (billing)
    pricing_category: str | None
    pricing_type: str | None
    raw: JsonDict = dc_field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TemplateUpdate:
    """A template's status, quality or category changed (`message_template_*`, `template_category_update`)."""

    field: str
    template_id: str | None
    name: str | None
    language: str | None
    #: the new status (`APPROVED`, `REJECTED`, `PAUSED`…), quality score or category
    value: str | None
    reason: str | None
    raw: JsonDict = dc_field(compare=False, repr=False)
    #: `entry.time`, which dedupes changes that carry no id of their own; None when absent
    entry_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """Phone-number quality/limit, account, capability, alert and user-preference events."""

    field: str
    event: str | None
    #: for `user_preferences`: the person (`wa_id`) and the value (`stop`/`resume`)
    wa_id: str | None
    detail: str | None
    raw: JsonDict = dc_field(compare=False, repr=False)
    #: `entry.time`, which dedupes changes that carry no id of their own; None when absent
    entry_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookError:
    """Top-level `value.errors[]`: Meta reports a problem not tied to one message (e.g. 130429)."""

    phone_number_id: str | None
    error: ApiErrorInfo
    raw: JsonDict = dc_field(compare=False, repr=False)
    #: `entry.time`, which dedupes changes that carry no id of their own; None when absent
    entry_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class UnknownChange:
    """A change we do not understand (new field, unexpected shape): stored raw and logged."""

    field: str | None
    reason: str
    raw: JsonDict = dc_field(compare=False, repr=False)
    #: `entry.time`, which dedupes changes that carry no id of their own; None when absent
    entry_time: datetime | None = None


WebhookEvent = (InboundMessage | StatusUpdate | TemplateUpdate | AccountUpdate | WebhookError
                | UnknownChange)
