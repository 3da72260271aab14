"""What the outbox does besides failing a row, per the error table: 131048, 131026, 132000/132001."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Message, OutboxItem, Phone, Template
from cobrador_desktop.whatsapp.errors import CloudApiError
from tests.unit.services.test_outbox import (
    MARIA,
    START,
    TEMPLATE,
    ScriptedClient,
    add_conversation,
    allowed,
    enqueue,
    run,
    sender,
    states,
    text_payload,
)

JOAO = "+5511912345678"
ANA = "+5521987650000"


async def reply(db: Database, clock: FakeClock, conversation_id: int, text: str = "Olá") -> int:
    """An operator's free-text answer inside the 24-hour window."""
    return await OutboxService(db, clock).enqueue(
        conversation_id=conversation_id, payload=text_payload(text), purpose="free_reply",
        kind="reply", message_type="text", text=text, decision=allowed("reply", "text"))


def error_of(db: Database) -> list[tuple[int | None, str | None]]:
    return [tuple(r) for r in db.run_sync(lambda s: s.execute(  # type: ignore[misc]
        select(Message.error_code, Message.error_detail).order_by(Message.id)).all())]


# --------------------------------------------------------------------------- 131048


def test_a_spam_rate_limit_pauses_campaigns_while_replies_keep_going(database: Database) -> None:
    clock = FakeClock(START)
    maria = add_conversation(database)
    joao = add_conversation(database, JOAO, inbound_at=START)
    ana = add_conversation(database, ANA)
    run(enqueue(database, clock, maria))  # a reminder: Meta answers 131048
    run(reply(database, clock, joao))
    run(enqueue(database, clock, ana))
    client = ScriptedClient([CloudApiError(code=131048, http_status=400)])
    out = sender(database, client, clock, concurrency=1)
    assert run(out.run_once()) == 1
    assert out.bulk_paused and not out.stopped
    assert out.alert is not None and "Campanhas pausadas" in out.alert
    assert [p["biz_opaque_callback_data"] for p in client.payloads] == ["ob:1", "ob:2"]
    # the refused reminder and the one not tried wait, untouched: nothing is marked failed
    assert states(database) == [("queued", "queued", None), ("sent", "sent", "wamid.T2"),
                                ("queued", "queued", None)]
    assert database.run_sync(lambda s: s.scalars(
        select(OutboxItem.attempts).order_by(OutboxItem.id)).all()) == [0, 1, 0]
    # while paused, a new reply still goes and the campaign does not
    clock.advance(timedelta(minutes=1))
    run(reply(database, clock, joao, "Pode pagar amanhã"))
    assert run(out.run_once()) == 1
    assert [p["biz_opaque_callback_data"] for p in client.payloads][-1] == "ob:4"
    out.resume()
    assert run(out.run_once()) == 2
    assert [s for s, _, _ in states(database)] == ["sent"] * 4


def test_an_operator_reply_refused_by_the_spam_limit_fails_with_the_reason(
        database: Database) -> None:
    clock = FakeClock(START)
    run(reply(database, clock, add_conversation(database, inbound_at=START)))
    client = ScriptedClient([CloudApiError(code=131048, http_status=400)])
    out = sender(database, client, clock)
    assert run(out.run_once()) == 0
    assert states(database) == [("failed", "failed", None)]
    assert error_of(database) == [
        (131048, "Envios limitados por denúncias de spam. Campanhas pausadas.")]
    assert out.bulk_paused is False  # a reply says nothing about campaigns


# --------------------------------------------------------------------------- 131026


def test_undeliverable_marks_the_number_without_whatsapp_and_is_not_retried(
        database: Database) -> None:
    clock = FakeClock(START)
    run(enqueue(database, clock, add_conversation(database)))
    run(enqueue(database, clock, add_conversation(database, JOAO)))
    client = ScriptedClient([CloudApiError(code=131026, http_status=400), None])
    out = sender(database, client, clock)
    assert run(out.run_once()) == 1
    assert [s for s, _, _ in states(database)] == ["failed", "sent"]
    assert error_of(database)[0] == (131026, "Não entregue: o número pode não ter WhatsApp.")
    phones = database.run_sync(lambda s: s.execute(
        select(Phone.e164, Phone.whatsapp_status, Phone.whatsapp_checked_at)
        .order_by(Phone.id)).all())
    assert [tuple(p) for p in phones] == [(MARIA, "no", START), (JOAO, "unknown", None)]
    clock.advance(timedelta(days=1))
    assert run(out.run_once()) == 0 and len(client.payloads) == 2


# --------------------------------------------------------------------------- 132000 / 132001


def add_template(db: Database, name: str, language: str = "pt_BR") -> None:
    def work(s: Session) -> None:
        s.add(Template(name=name, language=language, status="APPROVED",
                       synced_at=START - timedelta(days=1)))
    db.run_sync(work)


def synced(db: Database) -> dict[tuple[str, str], object]:
    return {(name, language): at for name, language, at in db.run_sync(lambda s: s.execute(
        select(Template.name, Template.language, Template.synced_at)).all())}


@pytest.mark.parametrize(("code", "http", "reason"), [
    (132000, 400, "O modelo espera outro número de campos."),
    (132001, 404, "Modelo não encontrado ou não aprovado."),
])
def test_a_stale_template_fails_the_row_and_is_marked_for_sync(
        database: Database, code: int, http: int, reason: str) -> None:
    clock = FakeClock(START)
    name = TEMPLATE["template"]["name"]  # type: ignore[index]
    add_template(database, name)
    add_template(database, name, "en_US")
    add_template(database, "vencimento_hoje_v1")
    run(enqueue(database, clock, add_conversation(database)))
    client = ScriptedClient([CloudApiError(code=code, http_status=http)])
    out = sender(database, client, clock)
    assert run(out.run_once()) == 0
    assert states(database) == [("failed", "failed", None)]
    assert error_of(database) == [(code, reason)]
    day_before = START - timedelta(days=1)
    assert synced(database) == {(name, "pt_BR"): None, (name, "en_US"): day_before,
                                ("vencimento_hoje_v1", "pt_BR"): day_before}
    assert run(out.run_once()) == 0 and len(client.payloads) == 1  # never retried
