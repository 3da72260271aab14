"""The outbox sender against the local Cloud API emulator over real HTTP on 127.0.0.1.

The emulator and the sender share one FakeClock; the sender's pacing waits move it. The emulator's
own record (`/_emulator/sent`) is the proof that nothing was sent twice.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.services.outbox import OutboxSender
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Message, Template
from cobrador_desktop.storage.repos import outbox as repo
from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig
from tests.unit.services.test_outbox import (
    MARIA,
    START,
    add_conversation,
    enqueue,
    fake_sleep,
    states,
    text_payload,
)

TOKEN = "outbox-test-token"
TEMPLATE = {"messaging_product": "whatsapp", "type": "template", "template": {
    "name": "lembrete_vencimento_v1", "language": {"code": "pt_BR"},
    "components": [{"type": "body", "parameters": [
        {"type": "text", "text": v} for v in ("Maria", "2/6", "R$ 89,90", "15/06/2026")]}]}}


@dataclass
class Rig:
    db: Database
    clock: FakeClock
    emulator: Emulator
    client: CloudApiClient
    control: httpx.AsyncClient

    def sender(self, **options: Any) -> OutboxSender:
        return OutboxSender(self.db, self.client, self.clock, rng=random.Random(7),
                            sleep=fake_sleep(self.clock), **options)

    async def ctl(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.control.request(method, f"{self.emulator.control_url}/{path}",
                                              json=body)
        response.raise_for_status()
        return response.json()

    async def sent(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = (await self.ctl("GET", "sent"))["messages"]
        return messages

    async def enqueue_template(self, conversation_id: int) -> int:
        return await enqueue(self.db, self.clock, conversation_id, payload=TEMPLATE)


@asynccontextmanager
async def rig(db: Database) -> AsyncIterator[Rig]:
    clock = FakeClock(START)
    emulator = Emulator(EmulatorConfig(access_token=TOKEN, clock=clock, hang_seconds=3.0))
    base_url = await emulator.start()
    config = CloudApiConfig(base_url=base_url, phone_number_id=emulator.config.phone_number_id,
                            waba_id=emulator.config.waba_id, access_token=TOKEN)
    try:
        async with httpx.AsyncClient(timeout=5) as control, CloudApiClient(
                config, timeout=httpx.Timeout(0.5, connect=1.0)) as client:
            yield Rig(db, clock, emulator, client, control)
    finally:
        await emulator.stop()


def scenario(database: Database, body: Callable[[Rig], Awaitable[None]]) -> None:
    async def main() -> None:
        async with rig(database) as r:
            await body(r)
    asyncio.run(main())


def test_queued_messages_are_sent_once_each_with_their_wamid(database: Database) -> None:
    async def body(r: Rig) -> None:
        numbers = [f"+55119876543{i:02d}" for i in range(5)]
        for number in numbers:
            await r.enqueue_template(add_conversation(r.db, number))
        sender = r.sender()
        assert await sender.run_once() == 5
        assert await sender.run_once() == 0
        sent = await r.sent()
        assert sorted(m["to"] for m in sent) == numbers
        wamids = r.db.run_sync(lambda s: s.scalars(select(Message.wamid).order_by(Message.id)).all())
        assert sorted(wamids) == sorted(m["id"] for m in sent)  # type: ignore[type-var]
        # several are in flight at once: they may arrive in any order, each once
        assert sorted(m["biz_opaque_callback_data"] for m in sent) == [f"ob:{i}" for i in range(1, 6)]
        assert {s for s, _, _ in states(r.db)} == {"sent"}
    scenario(database, body)


def test_a_lost_answer_leaves_the_row_unknown_and_it_is_not_resent(database: Database) -> None:
    async def body(r: Rig) -> None:
        await r.enqueue_template(add_conversation(r.db))
        await r.ctl("PUT", "faults", {"rules": [{"kind": "timeout_after", "times": 1}]})
        sender = r.sender()
        assert await sender.run_once() == 0
        assert states(r.db) == [("unknown", "unknown", None)]
        r.clock.advance(timedelta(hours=2))
        assert await sender.run_once() == 0
        assert await r.sender().run_once() == 0  # nor after a restart
        assert len(await r.sent()) == 1  # Meta did get it, exactly once
    scenario(database, body)


def test_transient_server_errors_are_retried_until_sent(database: Database) -> None:
    async def body(r: Rig) -> None:
        conversations = [add_conversation(r.db, f"+55219999900{i:02d}") for i in range(3)]
        for conversation in conversations:
            await r.enqueue_template(conversation)
        await r.ctl("PUT", "faults", {"rules": [
            {"kind": "http_500", "times": 3}, {"kind": "http_503", "nth": 5, "times": 1}]})
        sender = r.sender()
        for _ in range(40):
            await sender.run_once()
            if {s for s, _, _ in states(r.db)} == {"sent"}:
                break
            r.clock.advance(timedelta(seconds=2))
        assert {s for s, _, _ in states(r.db)} == {"sent"}
        per_recipient = (await r.ctl("GET", "sent"))["per_recipient"]
        assert sorted(per_recipient.values()) == [1, 1, 1]
    scenario(database, body)


def test_free_text_meta_refuses_outside_the_window_fails_with_the_reason(
        database: Database) -> None:
    async def body(r: Rig) -> None:
        # Our records think the debtor wrote an hour ago; Meta never saw it: 131047.
        conversation = add_conversation(r.db, inbound_at=START - timedelta(hours=1))
        await enqueue(r.db, r.clock, conversation, payload=text_payload(), message_type="text",
                      kind="reply", text="Olá, Maria")
        assert await r.sender().run_once() == 0
        assert states(r.db) == [("failed", "failed", None)]
        code, detail = r.db.run_sync(lambda s: s.execute(
            select(Message.error_code, Message.error_detail)).one())
        assert code == 131047
        assert detail == "Janela de 24 horas fechada. Envie um modelo aprovado."
        assert await r.sent() == []
    scenario(database, body)


def test_an_expired_token_stops_sending_and_marks_nothing_failed(database: Database) -> None:
    async def body(r: Rig) -> None:
        for i in range(4):
            await r.enqueue_template(add_conversation(r.db, f"+55319999900{i:02d}"))
        await r.ctl("PUT", "faults", {"token_expired": True})
        sender = r.sender()
        assert await sender.run_once() == 0
        assert sender.stopped
        assert sender.alert is not None and sender.alert.startswith(
            "Acesso à Meta expirado. Renove o token.")
        assert states(r.db) == [("queued", "queued", None)] * 4
        assert await r.sent() == []
        await r.ctl("PUT", "faults", {"token_expired": False})
        sender.resume()
        assert await sender.run_once() == 4
        assert len(await r.sent()) == 4
    scenario(database, body)


def test_a_row_left_sending_by_a_crash_becomes_unknown_and_is_not_sent(database: Database) -> None:
    async def body(r: Rig) -> None:
        row = await r.enqueue_template(add_conversation(r.db))
        r.db.run_sync(lambda s: repo.mark_sending(s, row, START))
        sender = r.sender()
        assert await sender.start() == 1
        assert await sender.run_once() == 0
        assert states(r.db) == [("unknown", "unknown", None)]
        assert await r.sent() == []
    scenario(database, body)


def test_twenty_messages_to_one_recipient_are_spaced(database: Database) -> None:
    async def body(r: Rig) -> None:
        conversation = add_conversation(r.db)
        for _ in range(20):
            await r.enqueue_template(conversation)
        sender = r.sender(per_recipient_seconds=6.0)
        for _ in range(200):
            await sender.run_once()
            if len(await r.sent()) == 20:
                break
            r.clock.advance(timedelta(seconds=1))
        sent = await r.sent()
        assert len(sent) == 20 and {m["to"] for m in sent} == {MARIA}
        times = [datetime.fromisoformat(m["accepted_at"]) for m in sent]
        gaps = [(b - a).total_seconds() for a, b in pairwise(times)]
        assert min(gaps) >= 6.0
        assert {s for s, _, _ in states(r.db)} == {"sent"}
    scenario(database, body)


def test_run_forever_sends_and_stops_on_request(database: Database) -> None:
    async def body(r: Rig) -> None:
        await r.enqueue_template(add_conversation(r.db))
        stop = asyncio.Event()
        sender = OutboxSender(r.db, r.client, r.clock, poll_seconds=0.05)
        task = asyncio.create_task(sender.run_forever(stop))
        for _ in range(100):
            if len(await r.sent()) == 1:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(task, 2)
        assert len(await r.sent()) == 1
        assert states(r.db)[0][0] == "sent"
    scenario(database, body)


def test_slow_answers_overlap_and_each_message_is_sent_once(database: Database) -> None:
    async def body(r: Rig) -> None:
        for i in range(12):
            await r.enqueue_template(add_conversation(r.db, f"+55419999900{i:02d}"))
        # every call takes 300 ms of real time: one at a time would need 3.6 s
        await r.ctl("PUT", "faults", {"rules": [{"kind": "latency", "latency_ms": 300}]})
        sender = r.sender(concurrency=12)
        started = time.monotonic()
        assert await sender.run_once() == 12
        assert time.monotonic() - started < 1.8
        per_recipient = (await r.ctl("GET", "sent"))["per_recipient"]
        assert len(per_recipient) == 12 and set(per_recipient.values()) == {1}
        assert {s for s, _, _ in states(r.db)} == {"sent"}
    scenario(database, body)


def test_a_template_meta_does_not_know_fails_and_is_marked_for_sync(database: Database) -> None:
    async def body(r: Rig) -> None:
        def add(s: Session) -> None:
            s.add(Template(name="cobranca_antiga_v1", language="pt_BR", status="APPROVED",
                           synced_at=START))
        r.db.run_sync(add)
        payload = {**TEMPLATE, "template": {"name": "cobranca_antiga_v1",
                                            "language": {"code": "pt_BR"}}}
        await enqueue(r.db, r.clock, add_conversation(r.db), payload=payload)
        assert await r.sender().run_once() == 0
        assert states(r.db) == [("failed", "failed", None)]
        assert r.db.run_sync(lambda s: s.scalar(select(Message.error_code))) == 132001
        assert r.db.run_sync(lambda s: s.scalar(select(Template.synced_at))) is None
        assert await r.sent() == []
    scenario(database, body)
