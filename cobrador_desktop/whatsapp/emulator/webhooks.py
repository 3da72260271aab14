"""Signed webhooks back to the app, scheduled on the emulator's clock, redelivered with backoff.

Bodies are serialised once, with `ensure_ascii=True` like Meta (`Jo\\u00e3o`), and signed over
those exact bytes; a redelivery sends the same bytes. Deliveries go only to the configured URL.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig
from cobrador_desktop.whatsapp.webhook.verify import sign

log = logging.getLogger(__name__)


def envelope(config: EmulatorConfig, display_phone_number: str, field_name: str,
             value: dict[str, Any], *, time: int | None = None) -> dict[str, Any]:
    """The `whatsapp_business_account` wrapper around one change."""
    if field_name == "messages":
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": display_phone_number,
                              "phone_number_id": config.phone_number_id}, **value}
    entry: dict[str, Any] = {"id": config.waba_id,
                             "changes": [{"field": field_name, "value": value}]}
    if time is not None:
        entry["time"] = time
    return {"object": "whatsapp_business_account", "entry": [entry]}


@dataclass(order=True)
class Delivery:
    """One webhook POST waiting for its time."""

    due: datetime
    seq: int
    body: bytes = field(compare=False)
    kind: str = field(compare=False)
    first_due: datetime = field(compare=False)
    attempts: int = field(default=0, compare=False)
    bad_signature: bool = field(default=False, compare=False)


@dataclass
class DeliveryRecord:
    """What happened to one delivery attempt (`GET /_emulator/webhooks`)."""

    kind: str
    at: datetime
    attempt: int
    result: str

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at.isoformat(), "attempt": self.attempt,
                "result": self.result}


class WebhookDispatcher:
    """A clock-driven queue of webhook deliveries."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._heap: list[Delivery] = []
        self._seq = itertools.count()
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self.log: list[DeliveryRecord] = []
        self.dropped: list[Delivery] = []
        self.bad_signature = False

    @property
    def enabled(self) -> bool:
        return bool(self.config.webhook_url and self.config.app_secret)

    @property
    def pending(self) -> int:
        return len(self._heap)

    def clear(self) -> None:
        self._heap.clear()
        self.log.clear()
        self.dropped.clear()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def schedule(self, payload: dict[str, Any], at: datetime, kind: str) -> None:
        """Queue `payload` for delivery at `at` (emulator clock); ignored without a webhook URL."""
        if not self.enabled:
            return
        raw = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        heapq.heappush(self._heap, Delivery(at, next(self._seq), raw, kind, at,
                                            bad_signature=self.bad_signature))

    async def run_due(self) -> int:
        """Deliver everything due by now, in due order; return how many POSTs were made."""
        async with self._lock:
            return await self._run_until(self.config.clock.now())

    async def advance(self, seconds: float) -> int:
        """Move a `FakeClock` forward, stopping at each due delivery so backoff plays out in order."""
        clock = self.config.clock
        if not isinstance(clock, FakeClock):
            raise TypeError("the clock can only be advanced in FakeClock mode")
        async with self._lock:
            target = clock.now() + timedelta(seconds=seconds)
            made = 0
            while self._heap and self._heap[0].due <= target:
                clock.set(max(clock.now(), self._heap[0].due))
                made += await self._run_until(clock.now())
            clock.set(target)
            made += await self._run_until(target)
            return made

    async def _run_until(self, now: datetime) -> int:
        made = 0
        while self._heap and self._heap[0].due <= now:
            delivery = heapq.heappop(self._heap)
            made += 1
            await self._attempt(delivery)
        return made

    async def _attempt(self, delivery: Delivery) -> None:
        cfg = self.config
        assert cfg.webhook_url is not None and cfg.app_secret is not None
        delivery.attempts += 1
        secret = cfg.app_secret + ("-wrong" if delivery.bad_signature else "")
        headers = {"Content-Type": "application/json",
                   "X-Hub-Signature-256": sign(delivery.body, secret.encode()),
                   "User-Agent": "facebookexternalua"}
        try:
            session = self._ensure_session()
            async with session.post(cfg.webhook_url, data=delivery.body, headers=headers,
                                    allow_redirects=False) as response:
                await response.read()
                result = str(response.status)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            result = type(exc).__name__
        now = cfg.clock.now()
        self.log.append(DeliveryRecord(delivery.kind, now, delivery.attempts, result))
        if result == "200":
            return
        wait = min(cfg.redelivery_first_seconds * 2 ** (delivery.attempts - 1), cfg.redelivery_max_seconds)
        next_due = now + timedelta(seconds=wait)
        if (next_due - delivery.first_due).total_seconds() > cfg.redelivery_horizon_seconds:
            log.info("webhook %s dropped after %d attempts", delivery.kind, delivery.attempts)
            self.dropped.append(delivery)
            return
        delivery.due = next_due
        delivery.seq = next(self._seq)
        heapq.heappush(self._heap, delivery)

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.config.webhook_timeout_seconds)
            # trust_env=False: no proxy from the environment; the configured URL is the only target.
            self._session = aiohttp.ClientSession(timeout=timeout, trust_env=False)
        return self._session
