"""The demo's own WhatsApp: the Cloud API emulator and the webhook receiver, in this process.

`demo` never talks to Meta. The emulator answers like the Cloud API and its simulated debtors reply
to templates; their messages come back as signed webhooks to the receiver, which stores them in
the demo database exactly as `serve` would.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cobrador_desktop.domain.clock import SystemClock

if TYPE_CHECKING:
    from cobrador_desktop.services.ports import Runner
    from cobrador_desktop.whatsapp.emulator import Emulator
    from cobrador_desktop.whatsapp.webhook.server import WebhookServer

log = logging.getLogger("cobrador.app")


class LocalPlatform:
    """Emulator + webhook receiver on 127.0.0.1, on the running asyncio loop."""

    def __init__(self) -> None:
        self.api_base_url: str | None = None
        self.control_url: str | None = None
        self._emulator: Emulator | None = None
        self._server: WebhookServer | None = None

    async def start(self, db: Runner, *, reply_delay: tuple[float, float] = (20.0, 180.0)) -> str:
        """Start both; returns the emulator's API base URL (what WHATSAPP_API_BASE_URL would be)."""
        import secrets  # here, not at import: this module loads before the window's first paint

        from cobrador_desktop.services.ingest import WebhookIngest
        from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig
        from cobrador_desktop.whatsapp.webhook.server import WebhookServer

        secret = secrets.token_hex(16)  # lives only in this process, for this run
        ingest = WebhookIngest(db, SystemClock())

        self._server = WebhookServer(app_secrets=[secret.encode()],
                                     verify_token=secrets.token_hex(8),
                                     deliver=ingest.deliver)
        receiver = await self._server.start("127.0.0.1", 0)
        self._emulator = Emulator(EmulatorConfig(
            webhook_url=f"{receiver}/webhook", app_secret=secret, simulated_debtors=True,
            reply_delay_seconds=reply_delay))
        self.api_base_url = await self._emulator.start("127.0.0.1", 0)
        self.control_url = self._emulator.control_url
        log.info("demo WhatsApp: emulator at %s, webhooks to %s", self.api_base_url, receiver)
        return self.api_base_url

    async def stop(self) -> None:
        if self._emulator is not None:
            await self._emulator.stop()
            self._emulator = None
        if self._server is not None:
            await self._server.stop()
            self._server = None
