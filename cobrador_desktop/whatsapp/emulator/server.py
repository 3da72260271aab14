"""The local Cloud API emulator: a real aiohttp server answering Graph API paths on 127.0.0.1.

`Emulator(config)`, `await start()` → base URL (`http://127.0.0.1:PORT/v25.0`), `await stop()`.
Graph paths work for any `v\\d+\\.0`; the control API for tests and the demo lives under
`/_emulator/` (see control.py); webhooks back to the app are in webhooks.py and outcomes.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import logging
import socket
import struct
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.whatsapp.emulator import control, debtors, outcomes
from cobrador_desktop.whatsapp.emulator.faults import AFTER_KINDS, FaultRule, Faults
from cobrador_desktop.whatsapp.emulator.messages import check_envelope
from cobrador_desktop.whatsapp.emulator.state import (
    EmulatorConfig,
    EmulatorState,
    GraphError,
    SentMessage,
    digits,
)
from cobrador_desktop.whatsapp.emulator.templates import TemplateStore
from cobrador_desktop.whatsapp.emulator.webhooks import WebhookDispatcher

log = logging.getLogger(__name__)

API_VERSION = "v25.0"
_VERSION = r"{version:v\d+\.0}"


class Emulator:
    """One emulated WhatsApp Business number, its WABA and its webhook subscription."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.state = EmulatorState(self.config)
        self.templates = TemplateStore()
        self.faults = Faults()
        self.dispatcher = WebhookDispatcher(self.config)
        self.webhook_modes: set[str] = set()
        self.token_expired = False
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._timers: list[tuple[datetime, int, Callable[[], object]]] = []
        self._timer_seq = itertools.count()
        self._stopping = asyncio.Event()
        self.base_url = ""
        self.control_url = ""

    # ---------------------------------------------------------------- lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 = any free port); return the API base URL with the version."""
        app = web.Application(middlewares=[self._graph_middleware])
        control.add_routes(app, self)
        app.router.add_route("*", f"/{_VERSION}/{{node}}", self._node)
        app.router.add_route("*", f"/{_VERSION}/{{node}}/{{edge}}", self._edge)
        app.router.add_route("*", f"/{_VERSION}/{{tail:.*}}", self._unsupported)
        self._stopping = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}/{API_VERSION}"
        self.control_url = f"http://{host}:{bound_port}/_emulator"
        self._ticker = asyncio.create_task(self._tick(), name="emulator-webhooks")
        return self.base_url

    async def stop(self) -> None:
        """Stop listening, release held connections and close the webhook session."""
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.dispatcher.close()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick_seconds)
            try:
                self.run_timers()
                await self.dispatcher.run_due()
            except Exception:
                log.exception("webhook delivery failed")

    async def advance(self, seconds: float) -> int:
        """Move the FakeClock forward, delivering due webhooks on the way; return the POST count.

        Timers (simulated debtors' answers) due on the way run at the new time.
        """
        made = await self.dispatcher.advance(seconds)
        if self.run_timers():
            made += await self.dispatcher.run_due()
        return made

    def call_at(self, at: datetime, action: Callable[[], object]) -> None:
        """Run `action` once the emulator clock reaches `at` (simulated people, later events)."""
        heapq.heappush(self._timers, (at, next(self._timer_seq), action))

    def run_timers(self) -> int:
        """Run the timers that are due; return how many ran."""
        ran = 0
        now = self.state.now
        while self._timers and self._timers[0][0] <= now:
            _, _, action = heapq.heappop(self._timers)
            ran += 1
            try:
                action()
            except Exception:
                log.exception("emulator timer failed")
        return ran

    def reset(self) -> None:
        """Forget everything: sent messages, windows, rates, templates, faults, queued webhooks."""
        self.state.reset()
        self.templates = TemplateStore()
        self.faults = Faults()
        self.dispatcher.clear()
        self._timers.clear()
        self.dispatcher.bad_signature = False
        self.webhook_modes.clear()
        self.token_expired = False

    # ---------------------------------------------------------------- middleware: auth, faults, errors
    @web.middleware
    async def _graph_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_emulator"):
            response: web.StreamResponse = await handler(request)
            return response
        try:
            self._check_auth(request)
            recipient, template = await _peek(request)
            delay, fault = self.faults.pick(request.method, request.path, recipient, template,
                                            self.state.rng)
            if delay:
                await asyncio.sleep(delay)
            if fault is not None and fault.kind not in AFTER_KINDS:
                return await self._before_fault(request, fault)
            response = await handler(request)
            if fault is not None:
                if fault.kind == "timeout_after":
                    await self._hang()
                return _reset(request)
            return response
        except GraphError as error:
            return self._error(error)

    def _check_auth(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else request.query.get("access_token")
        if not token:
            raise GraphError(190, "An active access token must be used to query information.")
        if token in self.state.expired_tokens or (self.token_expired and token == self.config.access_token):
            raise GraphError(190, "Error validating access token: Session has expired.", subcode=463)
        if token != self.config.access_token:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")

    async def _before_fault(self, request: web.Request, fault: FaultRule) -> web.StreamResponse:
        if fault.kind == "http_500":
            return self._error(GraphError(131000, "Something went wrong (emulated)"))
        if fault.kind == "http_503":
            return self._error(GraphError(133004, "Server temporarily unavailable (emulated)"))
        if fault.kind == "http_429":
            return self._error(GraphError(130429, "Rate limit hit (emulated)", http_status=429))
        if fault.kind == "http_502_html":
            return web.Response(status=502, content_type="text/html",
                                text="<html><body><h1>502 Bad Gateway</h1></body></html>")
        if fault.kind == "timeout_before":
            await self._hang()
        return _reset(request)

    async def _hang(self) -> None:
        # Hold the connection without answering until the client gives up or we stop.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.config.hang_seconds)

    def _error(self, error: GraphError) -> web.Response:
        headers = {"Retry-After": "1"} if error.http_status == 429 else None
        return web.json_response(error.envelope(self.state.fbtrace_id()), status=error.http_status,
                                 headers=headers)

    # ---------------------------------------------------------------- Graph routes
    async def _unsupported(self, request: web.Request) -> web.Response:
        raise GraphError(100, f"Unsupported {request.method.lower()} request.")

    async def _node(self, request: web.Request) -> web.Response:
        node = request.match_info["node"]
        if request.method != "GET":
            raise GraphError(100, f"Unsupported {request.method.lower()} request.")
        if node == self.config.phone_number_id:
            info = self.state.phone.as_fields(node)
            wanted = [f.strip() for f in request.query.get("fields", "").split(",") if f.strip()]
            if not wanted:
                wanted = ["display_phone_number", "verified_name", "quality_rating"]
            return web.json_response({k: info[k] for k in ["id", *wanted] if k in info})
        if node == self.config.waba_id:
            return web.json_response({"id": node, "name": self.config.verified_name})
        raise GraphError(100, f"Unsupported get request. Object with ID '{node}' does not exist.",
                         subcode=33)

    async def _edge(self, request: web.Request) -> web.Response:
        node, edge = request.match_info["node"], request.match_info["edge"]
        if edge == "messages" and request.method == "POST":
            if node != self.config.phone_number_id:
                raise GraphError(33, f"Object with ID '{node}' does not exist, cannot be loaded due "
                                     "to missing permissions, or does not support this operation.")
            return await self._messages(request)
        if edge == "message_templates":
            if node != self.config.waba_id:
                raise GraphError(100, f"Object with ID '{node}' does not exist.", subcode=33)
            return await self._templates(request)
        raise GraphError(100, f"Unsupported {request.method.lower()} request.")

    async def _messages(self, request: web.Request) -> web.Response:
        body = await _json(request)
        if isinstance(body, dict) and body.get("status") == "read":
            return self._mark_read(body)
        to, kind = check_envelope(body)
        state = self.state
        wa_id = state.wa_id_for(to)
        if wa_id == digits(state.phone.display_phone_number):
            raise GraphError(131021, "Recipient phone number cannot be the sender.")
        template = self.templates.check_send(body["template"]) if kind == "template" else None
        if state.throughput_full():
            raise GraphError(130429, "Message failed to send because there were too many messages "
                                     "sent from this phone number in a short period of time.",
                             http_status=429 if self.config.throughput_http_429 else 400)
        window_open = state.window_open(wa_id)
        failure: tuple[int, str] | None = None
        if template is None and not window_open:
            details = ("Message failed to send because more than 24 hours have passed since the "
                       "customer last replied to this number.")
            if state.window_mode == "sync":
                raise GraphError(131047, details)
            failure = (131047, details)
        if not state.pair_allows(wa_id):
            raise GraphError(131056, "Message failed to send because there were too many messages "
                                     "sent to this recipient in a short period of time.")
        state.take_pair(wa_id)
        state.count_traffic()
        if failure is None and state.listed(state.no_whatsapp, wa_id):
            failure = (131026, "Message Undeliverable.")
        if (failure is None and template is not None and template.category == "MARKETING"
                and state.listed(state.marketing_opt_out, wa_id)):
            failure = (131050, "The user has stopped marketing messages from this business.")
        if failure is None and template is not None and not window_open:
            # a business-initiated conversation counts against the number's messaging tier
            if state.tier_allows(wa_id):
                state.reach(wa_id)
            else:
                failure = (self.config.tier_error_code,
                           "Message not delivered: the business reached its messaging limit "
                           f"({state.phone.messaging_limit}) of unique users in 24 hours.")
        message = SentMessage(id=state.new_wamid(wa_id), to=to, wa_id=wa_id, type=kind, payload=body,
                              accepted_at=state.now,
                              biz_opaque_callback_data=body.get("biz_opaque_callback_data"),
                              template_name=template.name if template else None)
        if failure is not None:
            message.outcome = f"failed:{failure[0]}"
        state.sent.append(message)
        category = template.category.lower() if template else "service"
        outcomes.schedule_statuses(self, message, failure, category, window_open)
        debtors.maybe_reply(self, message)
        result: dict[str, Any] = {"id": message.id}
        if template is not None:
            result["message_status"] = "accepted"
        return web.json_response({"messaging_product": "whatsapp",
                                  "contacts": [{"input": to, "wa_id": wa_id}],
                                  "messages": [result]})

    def _mark_read(self, body: dict[str, Any]) -> web.Response:
        if body.get("messaging_product") != "whatsapp":
            raise GraphError(131008, "The parameter messaging_product is required.")
        message_id = body.get("message_id")
        if not isinstance(message_id, str):
            raise GraphError(131008, "The parameter message_id is required.")
        if message_id not in self.state.inbound_ids:
            raise GraphError(100, f"Invalid parameter: unknown message_id {message_id}")
        return web.json_response({"success": True})

    async def _templates(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            try:
                limit = max(1, min(1000, int(request.query.get("limit", "25"))))
            except ValueError:
                raise GraphError(100, "limit must be an integer") from None
            return web.json_response(self.templates.page(limit, request.query.get("after")))
        if request.method == "POST":
            body = await _json(request)
            if not isinstance(body, dict):
                raise GraphError(100, "The request body must be a JSON object")
            created = self.templates.create(body)
            return web.json_response({"id": created.id, "status": created.status,
                                      "category": created.category})
        if request.method == "DELETE":
            name = request.query.get("name")
            if not name:
                raise GraphError(131008, "The parameter name is required.")
            if not self.templates.delete(name):
                raise GraphError(100, f"Message template {name!r} not found", subcode=2593002)
            return web.json_response({"success": True})
        raise GraphError(100, f"Unsupported {request.method.lower()} request.")


async def _json(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        raise GraphError(100, "The request body is not valid JSON") from None


async def _peek(request: web.Request) -> tuple[str | None, str | None]:
    """Recipient and template name of a send, for fault matching (the body stays readable)."""
    if request.method != "POST" or not request.can_read_body:
        return None, None
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    to = body.get("to")
    template = body.get("template")
    name = template.get("name") if isinstance(template, dict) else None
    return (digits(to) if isinstance(to, str) else None), (name if isinstance(name, str) else None)


def _reset(request: web.Request) -> web.StreamResponse:
    """Drop the connection with a TCP reset; the client never gets an answer."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return web.Response(status=499)


async def run_emulator(host: str, port: int, webhook_url: str | None, app_secret: str | None,
                       access_token: str, phone_number_id: str, waba_id: str) -> None:
    """Run an emulator on real time until cancelled (the `emulator` command)."""
    config = EmulatorConfig(access_token=access_token, phone_number_id=phone_number_id,
                            waba_id=waba_id, webhook_url=webhook_url, app_secret=app_secret,
                            clock=SystemClock())
    emulator = Emulator(config)
    base_url = await emulator.start(host, port)
    log.info("Cloud API emulator listening at %s", base_url)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()
