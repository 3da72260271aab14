"""Two engines on one database (two PCs, issue 8): one is the sender, the other waits, says who
sends, refuses webhooks, and takes over when the sender stops; a sender whose lock session ends
steps down."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import psycopg
import pytest

from cobrador_desktop.app.engine import ReceiverConfig, WhatsAppEngine
from cobrador_desktop.app.sender_election import SenderState
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.pg_changes import libpq_url
from cobrador_desktop.storage.sender_lock import process_name


def _engine(db: Database, clock: FakeClock, states: list[SenderState]) -> WhatsAppEngine:
    return WhatsAppEngine(db, clock, receiver=ReceiverConfig([b"segredo"], "verifica", port=0),
                          cloud=None, on_sender_change=states.append)


async def _until(condition: Callable[[], bool], timeout: float = 10) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(wait(), timeout)


def _run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def test_one_sends_the_other_waits_says_who_and_takes_over(
        database: Database, clock: FakeClock) -> None:
    first_states: list[SenderState] = []
    second_states: list[SenderState] = []

    async def scenario() -> None:
        first = _engine(database, clock, first_states)
        second = _engine(database, clock, second_states)
        await asyncio.gather(first.start(), second.start())  # at once
        try:
            engines = [e for e in (first, second) if e.is_sender]
            assert len(engines) == 1
            sender = engines[0]
            waiting = second if sender is first else first
            async with httpx.AsyncClient(timeout=5) as http:
                health = (await http.get(f"{waiting.receiver_url}/healthz")).json()
                refused = await http.post(f"{waiting.receiver_url}/webhook", content=b"{}")
            assert health["sender"] is False
            assert health["other_sender"] == socket.gethostname()
            assert health["sender_note"] == (
                f"Outro computador ({socket.gethostname()}) está enviando")
            assert refused.status_code == 503
            await sender.stop()  # its lock goes with it
            await _until(lambda: waiting.is_sender)
            assert waiting.election is not None and waiting.election.state.is_sender
        finally:
            await first.stop()
            await second.stop()

    _run(scenario)
    waited = second_states if second_states[0].is_sender is False else first_states
    assert [s.is_sender for s in waited] == [False, True]
    assert waited[0].other == socket.gethostname()


@pytest.mark.postgres
def test_a_sender_whose_lock_session_ends_steps_down(fresh_postgres_url: str,
                                                     clock: FakeClock) -> None:
    db = Database(fresh_postgres_url)
    states: list[SenderState] = []

    async def scenario() -> None:
        engine = _engine(db, clock, states)
        await engine.start()
        try:
            assert engine.is_sender
            with psycopg.connect(libpq_url(db), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = %s", (process_name(),))
            # it notices, stops, and (the lock being free again) becomes the sender anew
            await _until(lambda: len(states) >= 3, timeout=15)
        finally:
            await engine.stop()

    try:
        _run(scenario)
    finally:
        db.close()
    assert [s.is_sender for s in states[:3]] == [True, False, True]
