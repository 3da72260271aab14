"""The outbox re-judges the régua's rows at send time on complete facts (`send_facts.gather`):
an opt-out, a payment or a promise that arrived after the row was queued cancels it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.policy import Decision, SendRequest, evaluate
from cobrador_desktop.domain.settings import NumberQuality, ShopDetails
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    Promise,
    ReguaSend,
    Template,
)
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from cobrador_desktop.storage.repos.settings import write_number_quality, write_shop
from tests.unit.services.test_outbox import START, ScriptedClient, run, sender, states
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

ZONE = "America/Sao_Paulo"
NAME = "parcela_em_atraso_v1"
PAYLOAD = {"messaging_product": "whatsapp", "type": "template",
           "template": {"name": NAME, "language": {"code": "pt_BR"}}}
TEXT = ("Olá, Maria. Aqui é a Loja Exemplo (Exemplo Comércio Ltda, CNPJ 11.222.333/0001-81). "
        "A parcela de 10/11/2026 está em aberto.")


def _scene(session: Session) -> dict[str, int]:
    """Maria: opted in, identity confirmed, an overdue debt; the shop and number all set."""
    debtor = add_debtor(session, "Maria Silva", uf="SP")
    phone = add_phone(session, debtor, "+5511987654321")
    session.execute(update(Phone).values(opt_in_at=START - timedelta(days=30)))
    session.execute(update(DebtorPhone).values(cpc_status="confirmed"))
    debt = add_debt(session, debtor, 10_000, date(2026, 11, 10))
    chat = Conversation(phone_id=phone, debtor_id=debtor)
    session.add_all([chat, Template(name=NAME, language="pt_BR", status="APPROVED",
                                    category="UTILITY", quality="GREEN")])
    session.flush()
    write_shop(session, ShopDetails("Loja Exemplo", "Exemplo Comércio Ltda",
                                    "11.222.333/0001-81", "Rua A, 1"), operator_id=None, now=START)
    write_number_quality(session, NumberQuality("GREEN"), operator_id=None, now=START)
    return {"debtor": debtor, "phone": phone, "debt": debt, "chat": chat.id}


def _queue(database: Database, clock: FakeClock) -> dict[str, int]:
    """The régua's way: judged on gathered facts, queued, its step recorded with the row."""
    ids = database.run_sync(_scene)
    [facts] = database.run_sync(lambda s: gather(
        s, [FactsTarget(ids["debtor"], ids["phone"], ids["debt"], "D+7", NAME)], now=START,
        shop_zone=ZONE))
    decision = evaluate(SendRequest("automated", "overdue", "template", TEXT, step="D+7"),
                        facts, START)
    assert decision.allowed, decision.reasons

    def work(session: Session) -> int:
        outbox_id = OutboxService.enqueue_in(
            session, conversation_id=ids["chat"], payload=PAYLOAD, purpose="overdue",
            kind="automated", message_type="template", text=TEXT, decision=decision, now=START)
        session.add(ReguaSend(debt_id=ids["debt"], debtor_id=ids["debtor"], phone_id=ids["phone"],
                              step="D+7", purpose="overdue", template=NAME,
                              planned_for=date(2026, 11, 17), state="queued",
                              outbox_id=outbox_id, decision=decision.to_json(), created_at=START))
        return outbox_id

    ids["outbox"] = database.run_sync(work)
    return ids


def _opt_out(session: Session, ids: dict[str, int]) -> None:
    session.execute(update(Phone).values(opted_out=True, opted_out_at=START))


def _paid(session: Session, ids: dict[str, int]) -> None:
    session.execute(update(Debt).values(status="paid", paid_cents=10_000, status_at=START))


def _promised(session: Session, ids: dict[str, int]) -> None:
    session.add(Promise(debtor_id=ids["debtor"], amount_cents=10_000,
                        due_date=date(2026, 11, 27), status="open"))


def test_a_queued_regua_row_goes_when_nothing_changed(database: Database) -> None:
    clock = FakeClock(START + timedelta(minutes=5))
    _queue(database, clock)
    client = ScriptedClient()
    assert run(sender(database, client, clock).run_once()) == 1
    assert states(database) == [("sent", "sent", "wamid.T1")]
    assert database.run_sync(lambda s: s.scalar(select(ReguaSend.state))) == "queued"


@pytest.mark.parametrize(("change", "code", "detail"), [
    (_opt_out, "PHONE_OPTED_OUT",
     "O titular deste número pediu para não receber mensagens em 23/11/2026."),
    (_paid, "DEBT_PAID", "Esta dívida foi quitada em 23/11/2026. Cobrança bloqueada."),
    (_promised, "DEBT_PROMISE_PENDING",
     "Há promessa de pagamento para 27/11/2026. Lembretes automáticos suspensos até lá."),
], ids=["opted out", "paid", "promise"])
def test_a_queued_regua_row_is_cancelled_with_the_reason(
        database: Database, change: Any, code: str, detail: str) -> None:
    clock = FakeClock(START + timedelta(minutes=5))
    ids = _queue(database, clock)
    database.run_sync(lambda s: change(s, ids))
    client = ScriptedClient()
    assert run(sender(database, client, clock, shop_zone=ZONE).run_once()) == 0
    assert client.payloads == []
    assert states(database) == [("cancelled", "failed", None)]
    assert database.run_sync(lambda s: s.scalar(select(Message.error_detail))) == detail
    stored = database.run_sync(lambda s: s.scalar(select(OutboxItem.decision)))
    assert Decision.from_json(stored).main_reason.code == code  # type: ignore[union-attr]
    step = database.run_sync(lambda s: s.execute(
        select(ReguaSend.state, ReguaSend.reason_code)).one())
    assert tuple(step) == ("blocked", code)
