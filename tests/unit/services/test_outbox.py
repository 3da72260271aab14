"""The durable outbox with a scripted client: states, retries, the guard at send time, restarts."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.policy import (
    Decision,
    MessageType,
    SendBlocked,
    SendFacts,
    SendRequest,
    evaluate,
)
from cobrador_desktop.services.outbox import OutboxSender, OutboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message, OutboxItem, Phone
from cobrador_desktop.storage.repos import outbox as repo
from cobrador_desktop.whatsapp.errors import CloudApiError, SendOutcomeUnknown
from tests.unit.storage.factories import add_debtor, add_phone

T = TypeVar("T")
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
MARIA = "+5511987654321"
TEMPLATE = {"messaging_product": "whatsapp", "type": "template",
            "template": {"name": "lembrete_vencimento_v1", "language": {"code": "pt_BR"}}}


def text_payload(body: str = "Olá, Maria") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "type": "text", "text": {"body": body}}


def add_conversation(db: Database, e164: str = MARIA, *, inbound_at: datetime | None = None,
                     **phone_flags: Any) -> int:
    """A debtor with one phone and its conversation; returns the conversation id."""
    def work(s: Session) -> int:
        debtor = add_debtor(s, f"Devedor {e164}")
        phone_id = add_phone(s, debtor, e164)
        phone = s.get(Phone, phone_id)
        assert phone is not None
        for key, value in phone_flags.items():
            setattr(phone, key, value)
        conversation = Conversation(phone_id=phone_id, debtor_id=debtor,
                                    last_inbound_at=inbound_at)
        s.add(conversation)
        s.flush()
        return conversation.id
    return db.run_sync(work)


def allowed(kind: str = "business_initiated", message_type: str = "template") -> Decision:
    decision = evaluate(SendRequest(kind, "reminder", cast(MessageType, message_type)),
                        SendFacts(last_inbound_at=START), START)
    assert decision.allowed
    return decision


async def enqueue(db: Database, clock: FakeClock, conversation_id: int, *,
                  payload: Mapping[str, Any] = TEMPLATE, message_type: str = "template",
                  kind: str = "business_initiated", text: str = "") -> int:
    return await OutboxService(db, clock).enqueue(
        conversation_id=conversation_id, payload=payload, purpose="reminder", kind=kind,
        message_type=message_type, text=text, decision=allowed(kind, message_type))


def states(db: Database) -> list[tuple[str, str, str | None]]:
    """(outbox state, message status, wamid) of every row, in id order."""
    return [tuple(r) for r in db.run_sync(lambda s: s.execute(  # type: ignore[misc]
        select(OutboxItem.state, Message.status, Message.wamid)
        .join(Message, Message.id == OutboxItem.message_id).order_by(OutboxItem.id)).all())]


@dataclass
class Receipt:
    wamid: str


@dataclass
class ScriptedClient:
    """Answers each send from `script` (an exception to raise, or None for success)."""

    script: list[BaseException | None] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, payload: Mapping[str, Any]) -> Receipt:
        self.payloads.append(dict(payload))
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        return Receipt(f"wamid.T{len(self.payloads)}")


def fake_sleep(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        # what was started before the wait runs at the time it was started, then time passes
        await asyncio.sleep(0)
        clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)
    return sleep


def sender(db: Database, client: Any, clock: FakeClock, **options: Any) -> OutboxSender:
    return OutboxSender(db, client, clock, rng=random.Random(4), sleep=fake_sleep(clock), **options)


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro
    return asyncio.run(main())


# --------------------------------------------------------------------------- enqueue


@pytest.mark.parametrize("decision", [
    None,
    evaluate(SendRequest("business_initiated", "reminder", "text"), SendFacts(), START),
], ids=["no decision", "blocked"])
def test_enqueue_refuses_without_an_allowing_decision(database: Database,
                                                      decision: Decision | None) -> None:
    conversation = add_conversation(database)
    with pytest.raises(SendBlocked) as caught:
        run(OutboxService(database, FakeClock(START)).enqueue(
            conversation_id=conversation, payload=text_payload(), purpose="reminder",
            kind="business_initiated", message_type="text", text="Olá", decision=decision))
    if decision is not None:
        assert caught.value.message == "A janela de 24 horas está fechada. Use um modelo aprovado."
    assert states(database) == []


def test_enqueue_stores_message_and_row_without_recipient(database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database)
    row_id = run(enqueue(database, clock, conversation,
                         payload={**TEMPLATE, "to": "+5511000000000",
                                  "biz_opaque_callback_data": "x"}))
    row = database.run_sync(lambda s: repo.lock_queued(s, row_id))
    assert row is not None
    assert "to" not in row.request and "biz_opaque_callback_data" not in row.request
    assert row.decision is not None and row.decision["allowed"] is True
    assert states(database) == [("queued", "queued", None)]
    assert database.run_sync(repo.queue_length) == 1


# --------------------------------------------------------------------------- sending


def test_a_queued_message_is_sent_with_recipient_and_callback(database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database)
    row_id = run(enqueue(database, clock, conversation))
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 1
    assert client.payloads[0]["to"] == MARIA
    assert client.payloads[0]["biz_opaque_callback_data"] == f"ob:{row_id}"
    assert states(database) == [("sent", "sent", "wamid.T1")]
    assert run(sender(database, client, clock).run_once()) == 0  # nothing is sent twice
    assert len(client.payloads) == 1


def test_the_stored_wa_id_is_preferred(database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database, wa_id="551187654321")
    run(enqueue(database, clock, conversation))
    client = ScriptedClient()
    run(sender(database, client, clock).run_once())
    assert client.payloads[0]["to"] == "551187654321"


def test_an_unknown_outcome_is_never_resent(database: Database) -> None:
    clock = FakeClock(START)
    run(enqueue(database, clock, add_conversation(database)))
    client = ScriptedClient([SendOutcomeUnknown("read timeout")])
    out = sender(database, client, clock)
    assert run(out.run_once()) == 0
    clock.advance(timedelta(hours=1))
    assert run(out.run_once()) == 0
    assert len(client.payloads) == 1
    assert states(database) == [("unknown", "unknown", None)]
    assert [r.state for r in database.run_sync(lambda s: repo.rows_in_state(s, "unknown"))] \
        == ["unknown"]


def test_transient_errors_back_off_then_fail_after_max_attempts(database: Database) -> None:
    clock = FakeClock(START)
    run(enqueue(database, clock, add_conversation(database)))
    errors = [CloudApiError(code=131016, http_status=503) for _ in range(5)]
    client = ScriptedClient(list(errors))
    out = sender(database, client, clock, max_attempts=5, per_recipient_seconds=0)
    delays = []
    for _ in range(5):
        assert run(out.run_once()) == 0
        at = database.run_sync(lambda s: s.scalar(select(OutboxItem.next_attempt_at)))
        assert at is not None
        delays.append((at - clock.now()).total_seconds())
        clock.set(at)
    assert len(client.payloads) == 5
    # 1, 2, 4, 8 s plus up to 25 % jitter; the fifth failure ends it
    for delay, base in zip(delays[:4], (1, 2, 4, 8), strict=True):
        assert base <= delay <= base * 1.25
    assert states(database) == [("failed", "failed", None)]
    detail = database.run_sync(lambda s: s.scalar(select(Message.error_detail)))
    assert detail == "WhatsApp indisponível; nova tentativa."


def test_outside_the_window_is_failed_with_metas_code(database: Database) -> None:
    clock = FakeClock(START)
    run(enqueue(database, clock, add_conversation(database, inbound_at=START),
                payload=text_payload(), message_type="text", kind="reply", text="Olá, Maria"))
    client = ScriptedClient([CloudApiError(code=131047, http_status=400)])
    run(sender(database, client, clock).run_once())
    assert states(database) == [("failed", "failed", None)]
    code, detail = database.run_sync(lambda s: s.execute(
        select(Message.error_code, Message.error_detail)).one())
    assert code == 131047 and detail == "Janela de 24 horas fechada. Envie um modelo aprovado."


def test_window_closed_while_queued_cancels_without_sending(database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database, inbound_at=START - timedelta(hours=20))
    run(enqueue(database, clock, conversation, payload=text_payload(), message_type="text",
                kind="reply", text="Olá"))
    clock.advance(timedelta(hours=5))  # 25 h after the debtor's message
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 0
    assert client.payloads == []
    assert states(database) == [("cancelled", "failed", None)]
    decision = database.run_sync(lambda s: s.scalar(select(OutboxItem.decision)))
    assert decision is not None
    assert [r.code for r in Decision.from_json(decision).reasons] == ["WA_TEMPLATE_REQUIRED"]


def test_a_reminder_caught_by_the_night_waits_for_the_morning_instead_of_being_cancelled(
        database: Database) -> None:
    """Queued on a Monday afternoon, picked up at 21:00 in São Paulo (the PC was busy): the guard
    refuses it for the hour, so the row stays queued for Tuesday's first allowed hour."""
    clock = FakeClock(START)
    conversation = add_conversation(database)
    run(enqueue(database, clock, conversation))
    clock.set(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))  # 21:00 in Brasília
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 0
    assert client.payloads == []
    assert states(database) == [("queued", "queued", None)]
    at, decision = database.run_sync(lambda s: s.execute(
        select(OutboxItem.next_attempt_at, OutboxItem.decision)).one())
    held = Decision.from_json(decision)
    assert not held.allowed and held.next_allowed_at is not None
    # the next morning's slot (08:00 in every zone the unknown debtor may be in), spread
    # over its first hour
    assert held.next_allowed_at <= at < held.next_allowed_at + timedelta(hours=1)
    assert at.astimezone(UTC).date() == date(2026, 11, 24)
    # and it leaves when the slot comes
    clock.set(at)
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 1
    assert len(client.payloads) == 1


def test_a_number_that_opted_out_meanwhile_is_cancelled(database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database)
    run(enqueue(database, clock, conversation))
    database.run_sync(lambda s: s.execute(update(Phone).values(opted_out=True, opted_out_at=START)))
    client = ScriptedClient()
    run(sender(database, client, clock).run_once())
    assert client.payloads == [] and states(database) == [("cancelled", "failed", None)]
    detail = database.run_sync(lambda s: s.scalar(select(Message.error_detail)))
    assert detail == "O titular deste número pediu para não receber mensagens em 23/11/2026."


def test_an_expired_token_stops_everything_and_fails_nothing(database: Database) -> None:
    clock = FakeClock(START)
    conversation = add_conversation(database)
    for _ in range(3):
        run(enqueue(database, clock, conversation))
    client = ScriptedClient([CloudApiError(code=190, http_status=401)])
    out = sender(database, client, clock, per_recipient_seconds=0)
    assert run(out.run_once()) == 0
    assert out.stopped and out.alert is not None and "Renove o token" in out.alert
    assert len(client.payloads) == 1
    assert states(database) == [("queued", "queued", None)] * 3
    attempts = database.run_sync(lambda s: s.scalars(select(OutboxItem.attempts)).all())
    assert attempts == [0, 0, 0]
    assert run(out.run_once()) == 0 and len(client.payloads) == 1  # stays stopped
    out.resume()
    assert run(out.run_once()) == 3
    assert [s for s, _, _ in states(database)] == ["sent"] * 3


def test_a_row_left_sending_becomes_unknown_at_start(database: Database) -> None:
    clock = FakeClock(START)
    row_id = run(enqueue(database, clock, add_conversation(database)))
    database.run_sync(lambda s: repo.mark_sending(s, row_id, START))  # then the program died
    client = ScriptedClient()
    out = sender(database, client, clock)
    assert run(out.start()) == 1
    assert run(out.run_once()) == 0 and client.payloads == []
    assert states(database) == [("unknown", "unknown", None)]


def test_pacing_spaces_one_recipient_and_never_bursts(database: Database) -> None:
    clock = FakeClock(START)
    maria = add_conversation(database)
    joao = add_conversation(database, "+5511912345678")
    for _ in range(3):
        run(enqueue(database, clock, maria))
    run(enqueue(database, clock, joao))
    sent_at: list[datetime] = []

    class Timed(ScriptedClient):
        async def send(self, payload: Mapping[str, Any]) -> Receipt:
            sent_at.append(clock.now())
            return await super().send(payload)

    client = Timed()
    out = sender(database, client, clock, rate_per_second=2.0, per_recipient_seconds=6.0)
    assert run(out.run_once()) == 2  # Maria's first and João's; Maria's others wait
    # one slot apart: 0.5 s at 2/s, up to twice that while the pacer starts slowly
    assert sent_at[0] == START
    assert timedelta(seconds=0.5) <= sent_at[1] - START <= timedelta(seconds=1)
    clock.advance(timedelta(seconds=3))
    assert run(out.run_once()) == 0
    clock.set(START + timedelta(seconds=6))
    assert run(out.run_once()) == 1
    assert [p["to"] for p in client.payloads] == [MARIA, "+5511912345678", MARIA]
