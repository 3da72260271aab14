"""The demo's own WhatsApp: the Cloud API emulator and the WhatsApp engine, in this process.

`demo` never talks to Meta. The emulator answers like the Cloud API and its simulated debtors reply
to templates; their messages come back as signed webhooks to the engine's receiver, which stores
them in the demo database exactly as `serve` would, and the engine sends the demo's outbox to the
emulator.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.clock import Clock, SystemClock

if TYPE_CHECKING:
    from cobrador_desktop.app.engine import WhatsAppEngine
    from cobrador_desktop.services.demo_live import LiveDebtors
    from cobrador_desktop.services.events import ChangeFeed
    from cobrador_desktop.storage.db import Database
    from cobrador_desktop.whatsapp.emulator import Emulator

log = logging.getLogger("cobrador.app")


class LocalPlatform:
    """Emulator + WhatsApp engine on 127.0.0.1, on the running asyncio loop."""

    def __init__(self) -> None:
        self.api_base_url: str | None = None
        self.control_url: str | None = None
        self.engine: WhatsAppEngine | None = None
        self._emulator: Emulator | None = None
        self._live: LiveDebtors | None = None
        self._live_task: asyncio.Future[None] | None = None

    async def start(self, db: Database, *, reply_delay: tuple[float, float] = (20.0, 180.0),
                    status_delays: tuple[float, float, float] = (1.0, 3.0, 10.0),
                    clock: Clock | None = None, live_debtors: bool = False,
                    feed: ChangeFeed | None = None) -> str:
        """Start both; returns the emulator's API base URL (what WHATSAPP_API_BASE_URL would be).

        `clock` is the engine's (the send guard judges contact hours by it); tests pin it to a
        weekday afternoon so a send is not held for the night. With `live_debtors` (the demo
        window) demo debtors also write on their own now and then (`services.demo_live`);
        `feed` hears which conversations each webhook changed (the window's inbox).
        """
        import secrets  # here, not at import: this module loads before the window's first paint

        from cobrador_desktop.app.engine import ReceiverConfig, WhatsAppEngine
        from cobrador_desktop.whatsapp.client import CloudApiConfig
        from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig

        secret = secrets.token_hex(16)  # lives only in this process, for this run
        self.engine = WhatsAppEngine(
            db, clock or SystemClock(), cloud=None,
            receiver=ReceiverConfig([secret.encode()], secrets.token_hex(8), "127.0.0.1", 0),
            feed=feed, elect=False)  # its own emulator: every demo window sends to its own
        await self.engine.start()
        receiver = self.engine.receiver_url
        config = EmulatorConfig(webhook_url=f"{receiver}/webhook", app_secret=secret,
                                simulated_debtors=True, reply_delay_seconds=reply_delay,
                                status_delays=status_delays)
        self._emulator = Emulator(config)
        self._add_refused_templates(self._emulator)
        self.api_base_url = await self._emulator.start("127.0.0.1", 0)
        self.control_url = self._emulator.control_url
        await self.engine.start_sending(CloudApiConfig(
            base_url=self.api_base_url, phone_number_id=config.phone_number_id,
            waba_id=config.waba_id, access_token=config.access_token))
        if live_debtors:
            from cobrador_desktop.services.demo_live import LiveDebtors
            from cobrador_desktop.whatsapp.emulator import outcomes

            emulator = self._emulator
            self._live = LiveDebtors(db, lambda spec: outcomes.inbound(emulator, spec))
            self._live_task = asyncio.ensure_future(self._live.run())
        log.info("demo WhatsApp: emulator at %s, webhooks to %s", self.api_base_url, receiver)
        return self.api_base_url

    @staticmethod
    def _add_refused_templates(emulator: Any) -> None:
        """The demo's WABA also holds the template the demo data has Meta refusing, so the
        account sync keeps it (Resultados › Saúde do número shows it) instead of deleting it."""
        from cobrador_desktop.services.demo_chat import template_rows
        from cobrador_desktop.services.demo_data import SHOP

        for row in template_rows(SHOP, SystemClock().now()):
            if row["status"] != "APPROVED":
                emulator.templates.add(row["name"], row["language"], row["category"],
                                       row["components"], row["status"],
                                       rejected_reason=row["rejected_reason"])

    async def stop(self) -> None:
        if self._live is not None and self._live_task is not None:
            self._live.stop()
            await self._live_task
            self._live = self._live_task = None
        try:
            if self.engine is not None:
                await self.engine.stop()  # sends under way finish against the emulator
                self.engine = None
        finally:
            if self._emulator is not None:
                await self._emulator.stop()
                self._emulator = None
