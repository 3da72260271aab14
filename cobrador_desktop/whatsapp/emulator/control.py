"""The control API under `/_emulator/` for tests and the demo (no auth: it listens on loopback).

- `GET  sent[?to=]`            accepted messages and per-recipient counts
- `GET  webhooks`             delivery log, pending count, dropped deliveries
- `POST inbound`              a message from a simulated debtor (opens the 24 h window)
- `POST clock/advance`        `{"seconds": n}` (FakeClock only); due webhooks fire on the way
- `PUT  faults`               `{"rules", "webhook_modes", "window_mode", "token_expired"}` (each optional)
- `PUT  recipients`           `{"no_whatsapp": [...], "marketing_opt_out": [...], "old_br_users": [...]}`
- `POST templates/{name}/status`  `{"status": "PAUSED", "language": "pt_BR"}`
- `PUT  phone`                quality_rating, messaging_limit, throughput_level, throughput_per_second, ...
- `POST reset`                forget everything
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.whatsapp.emulator import outcomes
from cobrador_desktop.whatsapp.emulator.state import digits, twelve_digit
from cobrador_desktop.whatsapp.emulator.templates import STATUSES

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from cobrador_desktop.whatsapp.emulator.server import Emulator

PHONE_KEYS = {"quality_rating", "messaging_limit", "throughput_level", "display_phone_number",
              "verified_name", "name_status"}


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        raise web.HTTPBadRequest(text="body is not JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return body


def add_routes(app: web.Application, emu: Emulator) -> None:
    """Register the control routes on `app`."""

    async def sent(request: web.Request) -> web.Response:
        messages = emu.state.sent
        to = request.query.get("to")
        if to:
            wanted = {digits(to), emu.state.wa_id_for(to), twelve_digit(digits(to)) or digits(to)}
            messages = [m for m in messages if m.wa_id in wanted or digits(m.to) in wanted]
        return web.json_response({"total": len(messages), "per_recipient": emu.state.per_recipient(),
                                  "messages": [m.as_json() for m in messages]})

    async def webhooks(_: web.Request) -> web.Response:
        d = emu.dispatcher
        return web.json_response({"pending": d.pending, "log": [r.as_json() for r in d.log],
                                  "dropped": [x.kind for x in d.dropped]})

    async def inbound(request: web.Request) -> web.Response:
        try:
            wamid = outcomes.inbound(emu, await _body(request))
        except ValueError as exc:
            return _bad(str(exc))
        # Deliver now, so the caller knows the app has been told once this returns.
        await emu.dispatcher.run_due()
        return web.json_response({"id": wamid})

    async def advance(request: web.Request) -> web.Response:
        if not isinstance(emu.config.clock, FakeClock):
            return web.json_response({"error": "the clock is real; it cannot be advanced"}, status=409)
        body = await _body(request)
        try:
            seconds = float(body.get("seconds", 0))
        except (TypeError, ValueError):
            return _bad("seconds must be a number")
        if seconds < 0:
            return _bad("seconds must not be negative")
        made = await emu.advance(seconds)
        return web.json_response({"now": emu.state.now.isoformat(), "deliveries": made})

    async def faults(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            if "rules" in body:
                emu.faults.replace(body["rules"])
            if "webhook_modes" in body:
                modes = set(body["webhook_modes"])
                if not modes <= outcomes.MODES:
                    raise ValueError(f"webhook modes must be among {sorted(outcomes.MODES)}")
                emu.webhook_modes = modes
                emu.dispatcher.bad_signature = "bad_signature" in modes
            if "window_mode" in body:
                if body["window_mode"] not in ("sync", "async"):
                    raise ValueError("window_mode must be 'sync' or 'async'")
                emu.state.window_mode = body["window_mode"]
            if "token_expired" in body:
                emu.token_expired = bool(body["token_expired"])
        except (ValueError, TypeError) as exc:
            return _bad(str(exc))
        return web.json_response({"rules": [r.as_json() for r in emu.faults.rules],
                                  "webhook_modes": sorted(emu.webhook_modes),
                                  "window_mode": emu.state.window_mode,
                                  "token_expired": emu.token_expired})

    async def recipients(request: web.Request) -> web.Response:
        body = await _body(request)
        state = emu.state
        for key in ("no_whatsapp", "marketing_opt_out", "old_br_users"):
            if key in body:
                if not isinstance(body[key], list):
                    return _bad(f"{key} must be a list")
                numbers = {digits(str(n)) for n in body[key]}
                if key == "old_br_users":
                    numbers = {twelve_digit(n) or n for n in numbers}
                setattr(state, key, numbers)
        return web.json_response({k: sorted(getattr(state, k))
                                  for k in ("no_whatsapp", "marketing_opt_out", "old_br_users")})

    async def template_status(request: web.Request) -> web.Response:
        body = await _body(request)
        status = str(body.get("status", "")).upper()
        if status not in STATUSES:
            return _bad(f"status must be one of {sorted(STATUSES)}")
        language = body.get("language")
        changed = outcomes.template_status(emu, request.match_info["name"], status,
                                           str(language) if language else None)
        if not changed:
            return web.json_response({"error": "no such template"}, status=404)
        return web.json_response({"changed": changed})

    async def phone(request: web.Request) -> web.Response:
        body = await _body(request)
        info = emu.state.phone
        for key, value in body.items():
            if key in PHONE_KEYS:
                setattr(info, key, str(value))
            elif key == "throughput_per_second" and isinstance(value, int) and value > 0:
                emu.state.throughput_per_second = value
            else:
                return _bad(f"unknown or invalid phone setting {key!r}")
        return web.json_response(info.as_fields(emu.config.phone_number_id))

    async def reset(_: web.Request) -> web.Response:
        emu.reset()
        return web.json_response({"ok": True})

    routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.Response]]]] = [
        ("GET", "sent", sent), ("GET", "webhooks", webhooks), ("POST", "inbound", inbound),
        ("POST", "clock/advance", advance), ("PUT", "faults", faults),
        ("PUT", "recipients", recipients), ("POST", "templates/{name}/status", template_status),
        ("PUT", "phone", phone), ("POST", "reset", reset),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, f"/_emulator/{path}", handler)
