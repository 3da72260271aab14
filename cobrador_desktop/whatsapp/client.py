"""A thin async client of the WhatsApp Cloud API (WHATSAPP_CLOUD_API.md §2–3).

Builds the payloads of §2, checks Meta's limits before any HTTP (a `ValueError` is a bug in the
caller, never a message half-sent), and turns every failure into one of two errors:
`CloudApiError` (classified by `errors.classify`; safe to act on its kind) or, for message sends
only, `SendOutcomeUnknown` (the request may have reached Meta: never resend it automatically).
The token and the bodies are never logged; `fbtrace_id` is, for Meta's support.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

import httpx

from cobrador_desktop.domain.connection import DEFAULT_API_BASE_URL
from cobrador_desktop.whatsapp.errors import NETWORK_RULE, SERVER_RULE, CloudApiError, SendOutcomeUnknown
from cobrador_desktop.whatsapp.payloads import (
    ListRow,
    ListSection,
    TemplateButton,
    buttons_payload,
    list_payload,
    recipient,
    template_payload,
    text_payload,
)

__all__ = [
    "DEFAULT_BASE_URL", "CloudApiClient", "CloudApiConfig", "ListRow", "ListSection", "PhoneInfo",
    "SendResult", "TemplateButton", "recipient",
]

log = logging.getLogger("cobrador.wa")

#: Meta's Graph API with the version WHATSAPP_CLOUD_API.md recommends (one constant, in the domain)
DEFAULT_BASE_URL = DEFAULT_API_BASE_URL
TEMPLATE_FIELDS = ("name,status,category,language,components,parameter_format,quality_score,"
                   "rejected_reason")
PHONE_FIELDS = ("display_phone_number,verified_name,quality_rating,"
                "whatsapp_business_manager_messaging_limit,throughput")
#: a runaway paging loop (a cursor that never ends) stops here
MAX_PAGES = 200
_USER_AGENT = "cobrador-desktop"

# Failures before the request left: nothing reached Meta, retrying is safe (§3).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
             httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class CloudApiConfig:
    """Where and as whom to call the Cloud API. The token never appears in `repr`."""

    base_url: str
    phone_number_id: str
    waba_id: str
    access_token: str = field(repr=False)

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^/\s]+", self.base_url):
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url!r}")


@dataclass(frozen=True)
class SendResult:
    """What Meta answered to an accepted send (§2.5)."""

    wamid: str
    #: the `wa_id` Meta resolved (may differ from `input` for Brazil: the 9th digit, §5)
    wa_id: str | None
    input: str | None
    #: "accepted" or "held_for_quality_assessment" when present
    message_status: str | None


@dataclass(frozen=True)
class PhoneInfo:
    """The shop's number as Meta sees it (§2.7)."""

    display_phone_number: str | None
    verified_name: str | None
    #: GREEN / YELLOW / RED (UNKNOWN or NA while new)
    quality_rating: str | None
    #: TIER_50 … TIER_UNLIMITED, TIER_NOT_SET
    messaging_limit_tier: str | None
    throughput_level: str | None


class CloudApiClient:
    """Async client of one phone number and its WABA; use as `async with CloudApiClient(...)`."""

    def __init__(self, config: CloudApiConfig, *, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: httpx.Timeout = httpx.Timeout(20, connect=5, write=10),  # noqa: B008
                 limits: httpx.Limits = httpx.Limits(  # noqa: B008
                     max_connections=20, max_keepalive_connections=10)) -> None:
        self.config = config
        self._http = httpx.AsyncClient(
            base_url=config.base_url.rstrip("/") + "/", transport=transport, timeout=timeout,
            limits=limits, follow_redirects=False,
            headers={"Authorization": f"Bearer {config.access_token}", "User-Agent": _USER_AGENT})

    def __repr__(self) -> str:
        return f"CloudApiClient({self.config!r})"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # ------------------------------------------------------------ messages

    async def send(self, payload: Mapping[str, Any]) -> SendResult:
        """POST a message payload as is; 200 means *accepted* (§3), not delivered.

        Raises:
            CloudApiError: Meta refused it, or it never left (kind RETRY).
            SendOutcomeUnknown: it may have reached Meta; do not resend automatically.
        """
        body = await self._call("POST", f"{self.config.phone_number_id}/messages", json=payload,
                                outcome_matters=True)
        messages = body.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else None
        wamid = first.get("id") if isinstance(first, dict) else None
        if not isinstance(first, dict) or not isinstance(wamid, str) or not wamid:
            # Accepted, but without the id we cannot follow it: as good as unconfirmed.
            raise SendOutcomeUnknown("no message id in a 2xx answer")
        contacts = body.get("contacts")
        contact = contacts[0] if isinstance(contacts, list) and contacts else {}
        contact = contact if isinstance(contact, dict) else {}
        return SendResult(wamid=wamid, wa_id=_opt_str(contact.get("wa_id")),
                          input=_opt_str(contact.get("input")),
                          message_status=_opt_str(first.get("message_status")))

    async def send_text(self, to: str, body: str, *, callback_data: str | None = None,
                        reply_to: str | None = None, preview_url: bool = False) -> SendResult:
        """Free text (inside the 24-hour window only)."""
        return await self.send(text_payload(to, body, callback_data=callback_data, reply_to=reply_to,
                                            preview_url=preview_url))

    async def send_template(self, to: str, name: str, language: str = "pt_BR", *,
                            body_params: Sequence[str] | Mapping[str, str] = (),
                            header_params: Sequence[str] = (),
                            buttons: Sequence[TemplateButton] = (),
                            callback_data: str | None = None) -> SendResult:
        """An approved template; a Mapping of `body_params` fills a NAMED template."""
        return await self.send(template_payload(
            to, name, language, body_params=body_params, header_params=header_params,
            buttons=buttons, callback_data=callback_data))

    async def send_buttons(self, to: str, body: str, buttons: Sequence[tuple[str, str]], *,
                           footer: str | None = None, header: str | None = None,
                           callback_data: str | None = None) -> SendResult:
        """Up to 3 reply buttons given as (id, title) (inside the window only)."""
        return await self.send(buttons_payload(to, body, buttons, footer=footer, header=header,
                                               callback_data=callback_data))

    async def send_list(self, to: str, body: str, button_label: str, sections: Sequence[ListSection],
                        *, footer: str | None = None, header: str | None = None,
                        callback_data: str | None = None) -> SendResult:
        """A list message: ≤ 10 sections, ≤ 10 rows in total (inside the window only)."""
        return await self.send(list_payload(to, body, button_label, sections, footer=footer,
                                            header=header, callback_data=callback_data))

    async def mark_read(self, wamid: str, *, typing: bool = False) -> None:
        """Mark an inbound message (and all earlier ones) read; `typing` shows "digitando…"."""
        payload: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read",
                                   "message_id": wamid}
        if typing:
            payload["typing_indicator"] = {"type": "text"}
        # Marking read twice is harmless, so a lost answer is just a retryable error.
        await self._call("POST", f"{self.config.phone_number_id}/messages", json=payload)

    # ------------------------------------------------------------ management

    async def list_templates(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """Every message template of the WABA, following the paging cursors (§2.6)."""
        params: dict[str, str] = {"fields": TEMPLATE_FIELDS, "limit": str(limit)}
        found: list[dict[str, Any]] = []
        seen_cursors: set[str] = set()
        for _ in range(MAX_PAGES):
            body = await self._call("GET", f"{self.config.waba_id}/message_templates", params=params)
            data = body.get("data")
            if isinstance(data, list):
                found.extend(item for item in data if isinstance(item, dict))
            paging = body.get("paging")
            paging = paging if isinstance(paging, dict) else {}
            cursors = paging.get("cursors")
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not paging.get("next") or not isinstance(after, str) or after in seen_cursors:
                break
            seen_cursors.add(after)
            params = {**params, "after": after}
        return found

    async def create_template(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Submit a template for approval; Meta answers `{"id", "status", "category"}`."""
        return await self._call("POST", f"{self.config.waba_id}/message_templates", json=spec)

    async def delete_template(self, name: str, *, template_id: str | None = None) -> None:
        """Delete a template (every language of `name`, or only the one `template_id` names)."""
        params = {"name": name}
        if template_id is not None:
            params["hsm_id"] = template_id
        await self._call("DELETE", f"{self.config.waba_id}/message_templates", params=params)

    async def phone_info(self) -> PhoneInfo:
        """Display name, quality rating, messaging tier and throughput of the number (§2.7)."""
        body = await self._call("GET", self.config.phone_number_id, params={"fields": PHONE_FIELDS})
        throughput = body.get("throughput")
        level = throughput.get("level") if isinstance(throughput, dict) else None
        tier = body.get("whatsapp_business_manager_messaging_limit") or body.get("messaging_limit_tier")
        return PhoneInfo(
            display_phone_number=_opt_str(body.get("display_phone_number")),
            verified_name=_opt_str(body.get("verified_name")),
            quality_rating=_opt_str(body.get("quality_rating")),
            messaging_limit_tier=_opt_str(tier), throughput_level=_opt_str(level))

    # ------------------------------------------------------------ transport

    async def _call(self, method: Literal["GET", "POST", "DELETE"], path: str, *,
                    json: Mapping[str, Any] | None = None, params: Mapping[str, str] | None = None,
                    outcome_matters: bool = False) -> dict[str, Any]:
        """One request; `outcome_matters` marks a message send, whose lost answer is unknown."""
        try:
            response = await self._http.request(method, path, json=json, params=params)
        except _NOT_SENT as exc:
            log.warning("Cloud API %s %s not sent: %s", method, path, type(exc).__name__)
            raise CloudApiError(code=None, http_status=None, title=type(exc).__name__,
                                rule=NETWORK_RULE) from exc
        except httpx.TransportError as exc:
            # WriteTimeout, ReadTimeout, RemoteProtocolError, ReadError, WriteError: the request
            # may have reached Meta. For a message that could mean it was sent.
            log.warning("Cloud API %s %s: no answer (%s)", method, path, type(exc).__name__)
            if outcome_matters:
                raise SendOutcomeUnknown(type(exc).__name__) from exc
            raise CloudApiError(code=None, http_status=None, title=type(exc).__name__,
                                rule=NETWORK_RULE) from exc
        if response.is_success:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                return body
            log.warning("Cloud API %s %s: HTTP %s with an answer that is not a JSON object",
                        method, path, response.status_code)
            if outcome_matters:
                raise SendOutcomeUnknown("unreadable 2xx answer")
            raise CloudApiError(code=None, http_status=response.status_code, title="unreadable answer",
                               rule=SERVER_RULE)
        error = CloudApiError.from_response(response.status_code, response.content)
        log.warning("Cloud API %s %s: HTTP %s code %s subcode %s (%s) fbtrace_id %s: %s",
                    method, path, response.status_code, error.code, error.subcode,
                    error.kind.value, error.fbtrace_id, error.details or error.title)
        raise error


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
