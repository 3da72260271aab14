"""After payment, in the régua's daily pass on a real database: one thank-you per paid debt, never
again; none for open or long-paid debts; the guard's refusal logged; the optional survey and its
answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.inbound_answers import Intent, classify
from cobrador_desktop.domain.settings import PAYMENT_SURVEY, Capacity
from cobrador_desktop.domain.webhook_events import InboundMessage
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Debt, Message, OutboxItem
from cobrador_desktop.storage.repos.ingest import ingest_events, store_delivery
from cobrador_desktop.storage.repos.settings import write_capacity, write_json_setting
from tests.unit.services.test_reminders import (
    MONDAY,
    count,
    on,
    person,
    plan,
    run,
    seed_shop,
    sends,
    sync,
)

RECEIPT = ("RECIBO", "payment_receipt", "pagamento_recebido_v1")


@pytest.fixture
def shop(database: Database) -> Database:
    """The sample shop's identity, a green number and its approved templates."""
    seed_shop(database)
    return database


def pay(db: Database, debt_id: int, at: datetime) -> None:
    """The debt is paid in full at `at`."""
    def work(s: Session) -> None:
        debt = s.get(Debt, debt_id)
        assert debt is not None
        debt.status, debt.status_at, debt.paid_cents = "paid", at, debt.amount_cents
    sync(db, work)


def thanked_at(db: Database, debt_id: int) -> datetime | None:
    return sync(db, lambda s: s.scalar(select(Debt.thanked_at).where(Debt.id == debt_id)))


def test_a_debt_paid_yesterday_gets_one_thank_you_and_never_another(shop: Database) -> None:
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 1),))
    pay(shop, ana.debt_ids[0], on(6, 14))

    first = run(shop, MONDAY)

    [receipt] = first.items
    assert (receipt.step, receipt.purpose, receipt.template) == RECEIPT
    assert receipt.decision.allowed, receipt.decision.reasons
    assert "Olá, Ana." in receipt.text and "R$ 150,00" in receipt.text
    assert "06/12/2026" in receipt.text and "1/1" in receipt.text
    assert receipt.outbox_id is not None and receipt.send_at == MONDAY
    assert sends(shop) == [(ana.debt_ids[0], "RECIBO", "queued", None, receipt.outbox_id)]
    assert thanked_at(shop, ana.debt_ids[0]) is not None
    outbox = sync(shop, lambda s: s.get(OutboxItem, receipt.outbox_id))
    assert outbox is not None and outbox.purpose == "payment_receipt"
    assert outbox.request["template"]["name"] == "pagamento_recebido_v1"

    for later in (on(7, 18), on(8), on(9)):
        assert run(shop, later).items == ()
    assert count(shop, OutboxItem) == 1 and len(sends(shop)) == 1


def test_open_and_long_paid_debts_get_no_thank_you(shop: Database) -> None:
    person(shop, "Bia Rocha", "+5511987650002", (date(2026, 12, 20),))  # open, no step today
    old = person(shop, "Caio Prado", "+5511987650003", (date(2026, 10, 1),))
    pay(shop, old.debt_ids[0], on(7) - timedelta(days=20))

    day = run(shop, MONDAY)

    assert day.items == () and sends(shop) == [] and count(shop, OutboxItem) == 0
    assert thanked_at(shop, old.debt_ids[0]) is None


def test_one_thank_you_a_day_per_debtor_and_outside_the_capacity(shop: Database) -> None:
    sync(shop, lambda s: write_capacity(s, Capacity(operators=1, conversations_each=1),
                                        operator_id=None, now=MONDAY))
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 11, 1), date(2026, 12, 1)))
    pay(shop, ana.debt_ids[0], on(6, 10))
    pay(shop, ana.debt_ids[1], on(6, 14))
    late = person(shop, "Bia Rocha", "+5511987650002", (date(2026, 11, 30),))  # D+7 today

    day = run(shop, MONDAY)

    assert sorted((m.debt_id, m.step) for m in day.items) == sorted(
        [(ana.debt_ids[1], "RECIBO"), (late.debt_ids[0], "D+7")])
    assert all(m.decision.allowed for m in day.items), [m.decision.reasons for m in day.items]
    assert [m.step for m in run(shop, on(8)).items] == ["RECIBO"]  # the other debt, next day
    assert thanked_at(shop, ana.debt_ids[0]) is not None


def test_the_guards_refusal_is_logged_blocked_and_nothing_is_sent(shop: Database) -> None:
    out = person(shop, "Davi Neves", "+5511987650004", (date(2026, 12, 1),),
                 opted_out=True, opted_out_at=on(1))
    pay(shop, out.debt_ids[0], on(6, 14))

    day = run(shop, MONDAY)

    [receipt] = day.items
    assert receipt.state == "blocked" and receipt.outbox_id is None
    assert receipt.decision.main_reason is not None
    assert receipt.decision.main_reason.code == "PHONE_OPTED_OUT"
    assert sends(shop) == [(out.debt_ids[0], "RECIBO", "blocked", "PHONE_OPTED_OUT", None)]
    assert count(shop, OutboxItem) == 0 and thanked_at(shop, out.debt_ids[0]) is None
    assert run(shop, on(8)).items == ()  # once, ever


def test_a_dry_run_plans_the_thank_you_without_writing(shop: Database) -> None:
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 1),))
    pay(shop, ana.debt_ids[0], on(6, 14))

    assert [m.step for m in plan(shop, MONDAY).items] == ["RECIBO"]
    assert sends(shop) == [] and thanked_at(shop, ana.debt_ids[0]) is None


def _inbound(db: Database, phone_id: int, at: datetime) -> None:
    """The person wrote at `at` and was answered (their 24-hour window is open)."""
    def work(s: Session) -> None:
        conversation = Conversation(phone_id=phone_id, status="open", created_at=at,
                                    last_inbound_at=at, last_message_at=at)
        s.add(conversation)
        s.flush()
        s.add(Message(conversation_id=conversation.id, direction="in", type="text",
                      text="Paguei hoje cedo", status="received", created_at=at, payload={}))
        s.add(Message(conversation_id=conversation.id, direction="out", type="text",
                      text="Recebemos, obrigado!", status="sent", created_at=at, payload={}))
    sync(db, work)


def test_the_survey_goes_with_the_thank_you_only_when_on_and_the_window_is_open(
        shop: Database) -> None:
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 1),))
    bia = person(shop, "Bia Rocha", "+5511987650002", (date(2026, 12, 1),))
    caio = person(shop, "Caio Prado", "+5511987650003", (date(2026, 12, 1),))
    for who in (ana, bia, caio):
        pay(shop, who.debt_ids[0], on(7, 12))
    _inbound(shop, ana.phone_id, on(7, 13))  # ana's window is open; bia's is not
    _inbound(shop, caio.phone_id, on(7, 13))

    assert [m.step for m in plan(shop, MONDAY).items] == ["RECIBO"] * 3  # off by default
    sync(shop, lambda s: write_json_setting(s, PAYMENT_SURVEY, True, operator_id=None,
                                            now=MONDAY))
    day = plan(shop, MONDAY)
    surveys = [m for m in day.items if m.step == "PESQUISA"]
    assert sorted(m.debt_id for m in surveys) == sorted([ana.debt_ids[0], caio.debt_ids[0]])
    assert all(m.decision.allowed for m in surveys), [m.decision.reasons for m in surveys]

    run(shop, MONDAY)
    survey = sync(shop, lambda s: s.scalars(select(OutboxItem).join(
        Message, Message.id == OutboxItem.message_id).where(Message.type == "interactive")).all())
    assert len(survey) == 2
    buttons = survey[0].request["interactive"]["action"]["buttons"]
    assert [b["reply"]["title"] for b in buttons] == ["Ótimo", "Regular", "Ruim"]
    assert buttons[0]["reply"]["id"].startswith("SURVEY:d")


def test_a_survey_answer_is_stored_on_the_inbound_message(shop: Database) -> None:
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 1),))
    debt = ana.debt_ids[0]
    event = InboundMessage(
        phone_number_id="1122334455667", wamid="wamid.SURVEY1", from_wa_id="5511987650001",
        from_user_id=None, timestamp=on(7, 16), type="interactive", text="Ótimo",
        payload=f"SURVEY:d{debt}:OTIMO", context_wamid=None, profile_name="Ana", errors=(),
        raw={"id": "wamid.SURVEY1"})

    def work(s: Session) -> None:
        delivery = store_delivery(s, b"{}", received_at=on(7, 16), parsed_ok=True, problem=None,
                                  events=1)
        ingest_events(s, [event], delivery_id=delivery, received_at=on(7, 16))
    sync(shop, work)

    stored = sync(shop, lambda s: s.scalar(select(Message.payload).where(
        Message.wamid == "wamid.SURVEY1")))
    assert stored is not None and stored["answer"] == {
        "intent": "survey", "keyword": "SURVEY", "by_button": True, "debt_id": debt,
        "score": "OTIMO"}


def test_the_classifier_reads_survey_taps_and_refuses_unknown_scores() -> None:
    answer = classify("interactive", "Ruim", "SURVEY:d42:RUIM")
    assert answer is not None and (answer.intent, answer.debt_id, answer.score) == (
        Intent.SURVEY, 42, "RUIM")
    assert classify("interactive", "x", "SURVEY:d42:EXCELENTE") is None
    assert classify("button", "Parar mensagens", "STOP:d7") is not None
    assert "score" not in classify("button", "Sou eu", "CPC_YES:d7").to_json()  # type: ignore[union-attr]
