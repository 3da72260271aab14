"""The webhook receiver: the HTTP endpoints of INTERFACES.md §3 on the program's asyncio loop.

- `GET /webhook`: Meta's verify-token handshake.
- `POST /webhook`: the signature is checked over the raw bytes, the body is handed to `deliver`
  (which stores it and commits) and only then is 200 answered; a body over 1 MiB gets 413, a
  missing signature 401 and a wrong one 403, with nothing stored. A validly signed body that cannot
  be understood is still delivered (kept raw) and answered 200, so Meta does not retry it forever.
- `GET /healthz`: JSON from `health`.

`deliver` raising means "not stored": the answer is 500 and Meta delivers again later. While
`accepting()` says False (another process is the sender, issue 8) notifications get 503 and are
not stored: Meta delivers them again, to whichever process receives by then.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web

from cobrador_desktop.whatsapp.webhook.parse import ParseResult, parse_body
from cobrador_desktop.whatsapp.webhook.verify import (
    MAX_BODY,
    SIGNATURE_HEADER,
    handshake,
    signature_ok,
)

log = logging.getLogger("cobrador.wa")

Deliver = Callable[[bytes, ParseResult], Awaitable[None]]
Health = Callable[[], Awaitable[dict[str, Any]]]


class WebhookServer:
    """An aiohttp server for Meta's webhooks (and `/healthz`)."""

    def __init__(self, *, app_secrets: Sequence[bytes], verify_token: str, deliver: Deliver,
                 health: Health | None = None,
                 accepting: Callable[[], bool] | None = None) -> None:
        if not app_secrets or not all(app_secrets):
            raise ValueError("the webhook receiver needs the app secret")
        self._secrets = tuple(app_secrets)
        self._verify_token = verify_token
        self._deliver = deliver
        self._health = health
        self._accepting = accepting
        self._runner: web.AppRunner | None = None
        self.url: str | None = None

    def application(self) -> web.Application:
        # one byte over the limit is enough to know the body is too large (413 from aiohttp)
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_get("/webhook", self._handshake)
        app.router.add_post("/webhook", self._notification)
        app.router.add_get("/healthz", self._healthz)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on `host:port` (0: any free port); returns the base URL."""
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1] if self._runner.addresses else port
        self.url = f"http://{host}:{bound}"
        log.info("webhook receiver listening on %s", self.url)
        return self.url

    async def stop(self) -> None:
        """Stop accepting; requests under way finish first (their commit included)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handshake(self, request: web.Request) -> web.Response:
        challenge = handshake(request.query, self._verify_token)
        if challenge is None:
            log.warning("webhook handshake refused (wrong verify token or mode)")
            return web.Response(status=403, text="forbidden")
        return web.Response(status=200, text=challenge, content_type="text/plain")

    async def _notification(self, request: web.Request) -> web.Response:
        if self._accepting is not None and not self._accepting():
            return web.Response(status=503, text="another process receives",
                                headers={"Retry-After": "10"})
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="too large")
        raw = await request.read()  # aiohttp answers 413 itself past client_max_size
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            log.warning("webhook without signature refused")
            return web.Response(status=401, text="missing signature")
        if not signature_ok(raw, header, self._secrets):
            log.warning("webhook with a wrong signature refused")
            return web.Response(status=403, text="bad signature")
        result = parse_body(raw)
        try:
            await self._deliver(raw, result)
        except Exception:
            log.exception("webhook not stored; Meta will deliver it again")
            return web.Response(status=500, text="not stored")
        return web.Response(status=200, text="ok")

    async def _healthz(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = {"status": "ok"}
        if self._health is not None:
            try:
                body.update(await self._health())
            except Exception:
                log.exception("health check failed")
                body["status"] = "error"
        status = 200 if body.get("status") == "ok" else 503
        return web.json_response(body, status=status)
