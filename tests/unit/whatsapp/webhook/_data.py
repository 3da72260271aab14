"""Shared helpers for the webhook tests: fixture files and expected-event builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cobrador_desktop.domain.webhook_events import ApiErrorInfo, InboundMessage, StatusUpdate

FIXTURES = Path(__file__).parents[3] / "fixtures" / "meta" / "webhooks"

#: the fixtures' reference instant: "1795438500" is 2026-11-23 12:55:00 UTC
T = datetime(2026, 11, 23, 12, 55, tzinfo=UTC)
PNID = "106540352242922"
MARIA = "551187654321"
MARIA_BSUID = "BR.1349120865530274"
JOAO = "5521998765432"
OUR_TEMPLATE = "wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhggRkE4OUQwQzE3QjU2AA=="
OUR_TEXT = "wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhggMDk2QkQ0RkJBNjE0AA=="


def raw(name: str) -> bytes:
    """The exact bytes of a fixture, as they would arrive over HTTP."""
    return (FIXTURES / f"{name}.json").read_bytes()


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.json"))


def at(seconds: int) -> datetime:
    return T + timedelta(seconds=seconds)


def wamid(tag: str) -> str:
    return f"wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhgg{tag}AA=="


def inbound(tag: str, type_: str, text: str, payload: str | None = None, context: str | None = None, *,
            sec: int = 0, frm: str | None = MARIA, uid: str | None = MARIA_BSUID,
            name: str | None = "Maria Souza", errors: tuple[ApiErrorInfo, ...] = (),
            pnid: str | None = PNID) -> InboundMessage:
    return InboundMessage(phone_number_id=pnid, wamid=wamid(tag), from_wa_id=frm, from_user_id=uid,
                          timestamp=at(sec), type=type_, text=text, payload=payload, context_wamid=context,
                          profile_name=name, errors=errors, raw={})


def status(tag: str, st: str, sec: int, *, rid: str | None = MARIA, uid: str | None = MARIA_BSUID,
           cb: str | None = None, errors: tuple[ApiErrorInfo, ...] = (), category: str | None = None,
           type_: str | None = None, pnid: str | None = PNID) -> StatusUpdate:
    return StatusUpdate(phone_number_id=pnid, wamid=wamid(tag), status=st, timestamp=at(sec),
                        recipient_wa_id=rid, recipient_user_id=uid, callback_data=cb, errors=errors,
                        pricing_category=category, pricing_type=type_, raw={})
