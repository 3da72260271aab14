"""The outbox sender with several sends in flight: overlap, the pace, a stop mid-flight, no doubles."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.services.outbox import OutboxSender
from cobrador_desktop.services.outbox_parts import Pacer
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import OutboxItem
from cobrador_desktop.whatsapp.errors import CloudApiError
from tests.unit.services.test_outbox import (
    START,
    Receipt,
    ScriptedClient,
    add_conversation,
    enqueue,
    fake_sleep,
    run,
    sender,
    states,
)


def campaign(db: Database, clock: FakeClock, count: int) -> list[int]:
    """`count` reminders, one per debtor (distinct recipients: no spacing in the way)."""
    return [run(enqueue(db, clock, add_conversation(db, f"+55119{80000000 + i:08d}")))
            for i in range(count)]


@dataclass
class GatedClient:
    """Each send waits until the test answers it: counts how many are in flight at once."""

    payloads: list[dict[str, Any]] = field(default_factory=list)
    answers: list[asyncio.Future[BaseException | None]] = field(default_factory=list)
    active: int = 0
    most: int = 0

    async def send(self, payload: Mapping[str, Any]) -> Receipt:
        self.payloads.append(dict(payload))
        wamid = f"wamid.G{len(self.payloads)}"
        answer: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
        self.answers.append(answer)
        self.active += 1
        self.most = max(self.most, self.active)
        try:
            outcome = await answer
        finally:
            self.active -= 1
        if outcome is not None:
            raise outcome
        return Receipt(wamid)

    def answer(self, index: int, outcome: BaseException | None = None) -> None:
        self.answers[index].set_result(outcome)


async def until(condition: Any, seconds: float = 10.0) -> None:
    """Let the loop (and the database thread) run until `condition()` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.001)


def attempts(db: Database) -> list[int]:
    return list(db.run_sync(lambda s: s.scalars(
        select(OutboxItem.attempts).order_by(OutboxItem.id)).all()))


# --------------------------------------------------------------------------- overlap and bound


def test_sends_overlap_up_to_the_configured_bound(database: Database) -> None:
    clock = FakeClock(START)
    campaign(database, clock, 10)
    client = GatedClient()
    out = sender(database, client, clock, concurrency=4)

    async def main() -> int:
        task = asyncio.create_task(out.run_once())
        await until(lambda: client.active == 4)
        await asyncio.sleep(0.1)  # the bound holds: nobody else leaves while four are unanswered
        assert client.active == 4 and out.in_flight == 4 and len(client.payloads) == 4
        for index in range(10):
            await until(lambda i=index: len(client.answers) > i)
            client.answer(index)
        return await task

    assert run(main()) == 10
    assert client.most == 4
    assert [s for s, _, _ in states(database)] == ["sent"] * 10
    callbacks = sorted(p["biz_opaque_callback_data"] for p in client.payloads)
    assert callbacks == sorted(f"ob:{i}" for i in range(1, 11))  # each once


def test_the_pace_holds_with_sends_in_flight(database: Database) -> None:
    clock = FakeClock(START)
    campaign(database, clock, 40)
    sent_at: list[datetime] = []

    class Timed(ScriptedClient):
        async def send(self, payload: Mapping[str, Any]) -> Receipt:
            sent_at.append(clock.now())
            await asyncio.sleep(0)  # answers come back while the next ones leave
            return await super().send(payload)

    out = sender(database, Timed(), clock, rate_per_second=10.0, concurrency=8)
    assert run(out.run_once()) == 40
    gaps = [(b - a).total_seconds() for a, b in pairwise(sent_at)]
    assert min(gaps) >= 0.1  # never faster than the rate
    assert gaps[-10:] == [pytest.approx(0.1)] * 10  # and at it, once past the slow start
    for at in sent_at:  # never more than the rate's worth in any second
        assert sum(at - timedelta(seconds=1) < t <= at for t in sent_at) <= 10


def warmed(rate: float, **options: Any) -> Pacer:
    """A pacer past its slow start, with its schedule forgotten."""
    pacer = Pacer(rate, 0, **options)
    pacer.current = rate
    return pacer


def test_pacer_keeps_its_schedule_when_a_little_late_and_never_bursts_after_a_gap() -> None:
    pacer = warmed(10.0, catch_up_seconds=0.05)
    assert pacer.take(1, START) == 0
    # 30 ms late for the 100 ms slot: sent now, and the next slot stays at 200 ms
    assert pacer.take(2, START + timedelta(milliseconds=130)) == 0
    assert pacer.take(3, START + timedelta(milliseconds=130)) == pytest.approx(0.07)
    # after a long gap the schedule restarts: nothing saved up for a burst
    later = START + timedelta(seconds=10)
    assert pacer.take(4, later) == 0
    assert pacer.take(5, later) == pytest.approx(0.1)


def test_catching_up_never_puts_more_than_the_rate_in_one_second() -> None:
    pacer = warmed(10.0, catch_up_seconds=0.5)
    starts = [START + timedelta(seconds=pacer.take(0, START))]
    now = START + timedelta(seconds=0.45)  # a stall: four slots missed, within the catch-up
    for to in range(1, 30):
        now += timedelta(seconds=pacer.take(to, now))
        starts.append(now)
    for start in starts:
        assert sum(start - timedelta(seconds=1) < s <= start for s in starts) <= 10


def test_a_throughput_refusal_slows_the_bucket_and_the_rate_recovers() -> None:
    pacer = Pacer(rate_per_second=10.0, per_recipient_seconds=0)
    assert pacer.current == pytest.approx(5.0)  # a slow start
    for to in range(30):
        pacer.take(to, START + timedelta(seconds=to))
    assert pacer.current == pytest.approx(10.0)
    later = START + timedelta(minutes=1)
    assert pacer.take(1, later) == 0
    pacer.slow_down(later)  # 130429: a fifth slower, and the next slot is skipped
    assert pacer.current == pytest.approx(8.0)
    assert pacer.take(2, later) == pytest.approx(0.1 + 0.125)
    for to in range(3, 40):
        pacer.take(to, later)
    assert pacer.current == pytest.approx(10.0)  # back to the configured rate, never above


def test_a_throughput_refusal_retries_the_row_and_does_not_freeze_the_queue(
        database: Database) -> None:
    clock = FakeClock(START)
    campaign(database, clock, 5)
    sent_at: list[datetime] = []

    class Timed(ScriptedClient):
        async def send(self, payload: Mapping[str, Any]) -> Receipt:
            sent_at.append(clock.now())
            return await super().send(payload)

    client = Timed([None, CloudApiError(code=130429, http_status=400)])
    out = sender(database, client, clock, rate_per_second=10.0)
    assert run(out.run_once()) == 4
    # the refused second row waits for its retry; the others follow at a slower pace at once
    assert [s for s, _, _ in states(database)] == ["sent", "queued", "sent", "sent", "sent"]
    assert sent_at[2] - sent_at[1] < timedelta(seconds=0.5)


# --------------------------------------------------------------------------- a stop mid-flight


def test_an_expired_token_with_sends_in_flight_stops_the_rest_and_fails_nothing(
        database: Database) -> None:
    clock = FakeClock(START)
    campaign(database, clock, 8)
    client = GatedClient()
    out = sender(database, client, clock, concurrency=4)

    async def main() -> int:
        task = asyncio.create_task(out.run_once())
        await until(lambda: client.active == 4)
        client.answer(0, CloudApiError(code=190, http_status=401))
        await until(lambda: out.stopped)
        for i in (1, 2, 3):  # answers of sends already under way are still recorded
            client.answer(i)
        return await task

    assert run(main()) == 3
    assert out.stopped and out.alert is not None and "Renove o token" in out.alert
    assert len(client.payloads) == 4
    assert [s for s, _, _ in states(database)] == ["queued"] + ["sent"] * 3 + ["queued"] * 4
    # rows claimed ahead and given back, like the refused one, look as if never touched
    assert attempts(database) == [0, 1, 1, 1, 0, 0, 0, 0]
    assert run(out.run_once()) == 0 and len(client.payloads) == 4


# --------------------------------------------------------------------------- never twice


def test_two_senders_on_one_queue_send_each_message_once(database: Database) -> None:
    clock = FakeClock(START)
    campaign(database, clock, 30)
    client = ScriptedClient()
    # On PostgreSQL the second sender has its own connection, as a second process would.
    other_db = Database(database.url) if database.dialect == "postgresql" else database
    try:
        first = sender(database, client, clock, concurrency=5)
        second = sender(other_db, client, clock, concurrency=5)

        async def both() -> list[int]:
            # both start first: a start turns rows left `sending` into `unknown`
            await first.start()
            await second.start()
            return list(await asyncio.gather(first.run_once(), second.run_once()))

        assert sum(run(both())) == 30
    finally:
        if other_db is not database:
            other_db.close()
    callbacks = [p["biz_opaque_callback_data"] for p in client.payloads]
    assert len(callbacks) == 30 and len(set(callbacks)) == 30
    assert [s for s, _, _ in states(database)] == ["sent"] * 30


def test_a_database_error_mid_round_leaves_no_row_sending(database: Database) -> None:
    clock = FakeClock(START)
    campaign(database, clock, 6)

    class Flaky:
        """The database, except that the third claim fails."""

        claims = 0

        async def run(self, fn: Any) -> Any:
            if "claim" in getattr(fn, "__qualname__", ""):
                self.claims += 1
                if self.claims == 3:
                    raise RuntimeError("database went away")
            return await database.run(fn)

    client = ScriptedClient()
    out = OutboxSender(Flaky(), client, clock, rng=None, sleep=fake_sleep(clock),
                       concurrency=4, claim_batch=2)
    with pytest.raises(RuntimeError):
        run(out.run_once())
    # what was claimed went out and was recorded; the rest waits, untouched
    assert [s for s, _, _ in states(database)] == ["sent"] * 4 + ["queued"] * 2
    assert attempts(database)[4:] == [0, 0]
    assert run(out.run_once()) == 2
