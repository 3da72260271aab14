"""Test harness: an emulator on an ephemeral 127.0.0.1 port, an httpx client, a webhook receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiohttp import web

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig

TOKEN = "test-token"
PHONE_ID = "1122334455667"
WABA_ID = "102290129340398"
SECRET = "app-secret"
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
MARIA = "+5511987654321"


@dataclass
class Harness:
    emu: Emulator
    api: httpx.AsyncClient
    clock: FakeClock
    ctl: httpx.AsyncClient

    async def send(self, payload: dict[str, Any], *, phone_id: str = PHONE_ID) -> httpx.Response:
        return await self.api.post(f"{phone_id}/messages", json=payload)

    async def text(self, to: str = MARIA, body: str = "Oi", **extra: Any) -> httpx.Response:
        return await self.send({"messaging_product": "whatsapp", "to": to, "type": "text",
                                "text": {"body": body}, **extra})

    async def control(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.ctl.request(method, f"{self.emu.control_url}/{path}", json=body)

    async def inbound(self, sender: str = MARIA, **spec: Any) -> str:
        response = await self.control("POST", "inbound", {"from": sender, **spec})
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    async def advance(self, seconds: float) -> dict[str, Any]:
        response = await self.control("POST", "clock/advance", {"seconds": seconds})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def template_payload(name: str = "lembrete_vencimento_v1", values: list[str] | None = None,
                     to: str = MARIA, **extra: Any) -> dict[str, Any]:
    values = ["Maria", "2/6", "R$ 89,90", "15/06/2026"] if values is None else values
    return {"messaging_product": "whatsapp", "to": to, "type": "template",
            "template": {"name": name, "language": {"code": "pt_BR"},
                         "components": [{"type": "body", "parameters": [
                             {"type": "text", "text": v} for v in values]}]}, **extra}


def error_code(response: httpx.Response) -> int:
    return int(response.json()["error"]["code"])


@asynccontextmanager
async def running(timeout: float = 2.0, **overrides: Any) -> AsyncIterator[Harness]:
    """An emulator on a FakeClock at START, and an httpx client pointed at its base URL."""
    clock = FakeClock(START)
    settings: dict[str, Any] = {"access_token": TOKEN, "phone_number_id": PHONE_ID,
                                "waba_id": WABA_ID, "clock": clock, "hang_seconds": 5.0}
    settings.update(overrides)
    emu = Emulator(EmulatorConfig(**settings))
    base_url = await emu.start()
    try:
        async with httpx.AsyncClient(base_url=base_url + "/", timeout=timeout,
                                     headers={"Authorization": f"Bearer {TOKEN}"}) as api, \
                httpx.AsyncClient(timeout=5) as ctl:
            yield Harness(emu, api, clock, ctl)
    finally:
        await emu.stop()


@dataclass
class Receiver:
    """A tiny webhook receiver: records each POST, checks the signature, answers from a script."""

    secret: str = SECRET
    script: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    signatures_ok: list[bool] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        self.signatures_ok.append(hmac.compare_digest(expected, request.headers.get(
            "X-Hub-Signature-256", "")))
        self.bodies.append(raw)
        status = self.script.pop(0) if self.script else 200
        return web.Response(status=status)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/webhook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/webhook"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(b) for b in self.bodies]

    def statuses(self) -> list[tuple[str, str]]:
        """(wamid, status) of every status item received, in arrival order."""
        out = []
        for payload in self.payloads:
            for entry in payload["entry"]:
                for change in entry["changes"]:
                    for item in change["value"].get("statuses", []):
                        out.append((item["id"], item["status"]))
        return out


@asynccontextmanager
async def with_receiver(script: list[int] | None = None,
                        **overrides: Any) -> AsyncIterator[tuple[Harness, Receiver]]:
    receiver = Receiver(script=list(script or []))
    url = await receiver.start()
    try:
        async with running(webhook_url=url, app_secret=SECRET, **overrides) as h:
            yield h, receiver
    finally:
        await receiver.stop()
