"""`gather`: every fact the send guard weighs, read from the database in a few bulk queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from cobrador_desktop.domain.holidays_br import CustomHoliday
from cobrador_desktop.domain.policy import SendFacts, SendRequest, evaluate
from cobrador_desktop.domain.settings import NumberQuality, ShopDetails
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Agreement,
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    Promise,
    ReguaSend,
    Template,
)
from cobrador_desktop.storage.repos import send_facts
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from cobrador_desktop.storage.repos.settings import (
    write_custom_holidays,
    write_number_quality,
    write_shop,
)
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Brasília
ZONE = "America/Sao_Paulo"
TEMPLATE = "parcela_em_atraso_v1"
SHOP = ShopDetails(trade_name="Loja Exemplo", legal_name="Exemplo Comércio Ltda",
                   document="11.222.333/0001-81", address="Rua A, 1, Campinas", uf="SP")
IDENTIFIED = "Loja Exemplo (Exemplo Comércio Ltda, CNPJ 11.222.333/0001-81): "


def _phone_of(session: Session, phone_id: int) -> Phone:
    phone = session.get(Phone, phone_id)
    assert phone is not None
    return phone


def _link(session: Session, debtor_id: int, phone_id: int) -> DebtorPhone:
    link = session.query(DebtorPhone).filter_by(debtor_id=debtor_id, phone_id=phone_id).one()
    return link


def _outbound(session: Session, conversation_id: int, at: datetime, *, purpose: str,
              kind: str = "automated", text: str = "oi", status: str = "sent") -> int:
    message = Message(conversation_id=conversation_id, direction="out", type="template",
                      text=text, status=status, created_at=at, status_at=at)
    session.add(message)
    session.flush()
    item = OutboxItem(message_id=message.id, to="x", request={}, purpose=purpose, kind=kind,
                      state="sent" if status != "failed" else "cancelled", created_at=at,
                      updated_at=at)
    session.add(item)
    session.flush()
    return item.id


def _scene(session: Session) -> dict[str, int]:
    """Ana (SP, confirmed, shared number, history), and three numbers the guard must refuse."""
    ana = add_debtor(session, "Ana Souza", uf="SP", city="Campinas")
    bia = add_debtor(session, "Bia Souza")
    phone = add_phone(session, ana, "+5519991110001")
    session.add(DebtorPhone(debtor_id=bia, phone_id=phone, role="own"))
    p = _phone_of(session, phone)
    p.opt_in_at = NOW - timedelta(days=90)
    _link(session, ana, phone).cpc_status = "confirmed"
    debt = add_debt(session, ana, 10_000, date(2026, 10, 1), paid_cents=2_500,
                    payment_claimed_at=NOW - timedelta(days=1))
    chat = Conversation(phone_id=phone, debtor_id=ana, last_inbound_at=NOW - timedelta(hours=2))
    session.add(chat)
    session.flush()
    _outbound(session, chat.id, NOW - timedelta(days=2), purpose="overdue", text="lembrete")
    _outbound(session, chat.id, NOW - timedelta(days=20), purpose="identity_check",
              text="falo com Ana?")
    _outbound(session, chat.id, NOW - timedelta(hours=1), purpose="overdue", status="failed",
              text="nunca saiu")
    session.add_all([
        Promise(debtor_id=ana, debt_id=None, amount_cents=5_000, due_date=date(2026, 11, 30),
                status="open"),
        Promise(debtor_id=ana, debt_id=debt, amount_cents=5_000, due_date=date(2026, 12, 20),
                status="broken"),
        ReguaSend(debt_id=debt, debtor_id=ana, phone_id=phone, step="D+7", purpose="overdue",
                  template=TEMPLATE, planned_for=date(2026, 10, 8), state="queued",
                  created_at=NOW - timedelta(days=40)),
        ReguaSend(debt_id=debt, debtor_id=ana, phone_id=phone, step="D+15", purpose="overdue",
                  template=TEMPLATE, planned_for=date(2026, 10, 16), state="blocked",
                  created_at=NOW - timedelta(days=30)),
        Template(name=TEMPLATE, language="en_US", status="PAUSED", category="UTILITY"),
        Template(name=TEMPLATE, language="pt_BR", status="APPROVED", category="UTILITY",
                 quality="GREEN"),
    ])
    carla = add_debtor(session, "Carla Lima")
    out = add_phone(session, carla, "+5511991110002")
    p = _phone_of(session, out)
    p.opted_out, p.opted_out_at, p.opt_in_at = True, NOW - timedelta(days=3), NOW
    wrong = add_phone(session, carla, "+5511991110003", wrong_party=True, position=1)
    reference = add_phone(session, carla, "+5511991110004", role="reference", position=2)
    for phone_id in (wrong, reference):
        _phone_of(session, phone_id).opt_in_at = NOW
    carla_debt = add_debt(session, carla, 5_000, date(2026, 11, 1))
    session.flush()
    write_shop(session, SHOP, operator_id=None, now=NOW)
    write_number_quality(session, NumberQuality("GREEN", "TIER_1K"), operator_id=None, now=NOW)
    write_custom_holidays(session, [CustomHoliday(date(2026, 12, 8), "Padroeira", "SP")],
                          operator_id=None, now=NOW)
    return {"ana": ana, "bia": bia, "phone": phone, "debt": debt, "chat": chat.id,
            "carla": carla, "out": out, "wrong": wrong, "reference": reference,
            "carla_debt": carla_debt}


def _gather(database: Database, targets: list[FactsTarget]) -> list[SendFacts]:
    return database.run_sync(lambda s: gather(s, targets, now=NOW, shop_zone=ZONE))


def test_every_fact_of_a_debtor_number_and_debt(database: Database) -> None:
    ids = database.run_sync(_scene)
    [facts, bare] = _gather(database, [
        FactsTarget(ids["ana"], ids["phone"], ids["debt"], "D+7", TEMPLATE),
        FactsTarget(ids["ana"], ids["phone"], ids["debt"], "D+15", "no_such_template")])
    assert facts.complete
    assert (facts.debtor_uf, facts.debtor_municipality, facts.phone_e164) == (
        "SP", "Campinas", "+5519991110001")
    assert (facts.shop_zone, facts.shop_uf) == (ZONE, "SP")
    assert facts.optin_at == NOW - timedelta(days=90)
    assert facts.cpc_state == "confirmed" and facts.phone_shared is True
    assert not (facts.phone_opted_out or facts.phone_suppressed or facts.wrong_party
                or facts.reference_contact)
    assert facts.last_inbound_at == NOW - timedelta(hours=2)
    assert facts.shop is not None and facts.shop.document == "11222333000181"
    assert facts.number_quality == "GREEN"
    assert facts.custom_holidays == (CustomHoliday(date(2026, 12, 8), "Padroeira", "SP"),)
    assert facts.template is not None
    assert (facts.template.status, facts.template.quality) == ("APPROVED", "GREEN")
    assert bare.template is None  # unknown template: the guard says FACTS_MISSING
    debt = facts.debt
    assert debt is not None
    assert (debt.status, debt.is_agreement, debt.open_balance_cents) == ("open", False, 7_500)
    assert debt.oldest_open_due == date(2026, 10, 1)
    assert debt.payment_claimed_at == NOW - timedelta(days=1)
    assert debt.promised_for == date(2026, 11, 30)  # the broken promise does not count
    assert dict(debt.charges_cents) == {} and debt.prescription_confirmed_at is None
    history = facts.history
    assert history is not None
    assert [(s.at, s.purpose, s.kind, s.text, s.same_phone, s.same_debtor)
            for s in history.recent] == [
        (NOW - timedelta(days=2), "overdue", "automated", "lembrete", True, True)]
    assert history.step_sent_at == NOW - timedelta(days=40)
    assert bare.history is not None and bare.history.step_sent_at is None  # only blocked
    assert history.reply_waiting  # the inbound is newer than every message that went out
    assert history.debt_details_sent


def test_the_other_debtor_on_a_shared_number_and_a_quiet_conversation(
        database: Database) -> None:
    ids = database.run_sync(_scene)

    def answered(session: Session) -> None:
        _outbound(session, ids["chat"], NOW - timedelta(minutes=30), purpose="free_reply",
                  kind="reply", text="respondido")

    database.run_sync(answered)
    [ana, bia] = _gather(database, [FactsTarget(ids["ana"], ids["phone"]),
                                    FactsTarget(ids["bia"], ids["phone"])])
    assert ana.history is not None and not ana.history.reply_waiting
    assert ana.debt is None  # no debt named
    assert bia.cpc_state == "unverified" and bia.debtor_uf is None
    assert bia.history is not None
    assert {(s.text, s.same_phone, s.same_debtor) for s in bia.history.recent} == {
        ("lembrete", True, False), ("respondido", True, False)}


def test_the_guard_over_gathered_facts_stops_what_it_must(database: Database) -> None:
    ids = database.run_sync(_scene)
    targets = [FactsTarget(ids["carla"], ids[name], ids["carla_debt"], "D+7", TEMPLATE)
               for name in ("out", "wrong", "reference")]
    targets.append(FactsTarget(ids["ana"], ids["phone"], ids["debt"], "D+7", TEMPLATE))
    request = SendRequest("automated", "overdue", "template",
                          IDENTIFIED + "sua parcela venceu.", step="D+7")
    codes = [{r.code for r in evaluate(request, f, NOW).blocking}
             for f in _gather(database, targets)]
    assert "PHONE_OPTED_OUT" in codes[0]
    assert "PHONE_WRONG_PARTY" in codes[1]
    assert "PHONE_REFERENCE_CONTACT" in codes[2]
    assert "FREQ_STEP_ALREADY_SENT" in codes[3]
    assert "FACTS_MISSING" not in set().union(*codes)


def test_paid_and_agreement_debts(database: Database) -> None:
    def scene(session: Session) -> list[FactsTarget]:
        debtor = add_debtor(session, "Davi")
        phone = add_phone(session, debtor, "+5511991110005")
        paid = add_debt(session, debtor, 1_000, date(2026, 9, 1), status="paid",
                        paid_cents=1_000, status_at=NOW - timedelta(days=5))
        agreement = Agreement(debtor_id=debtor, principal_cents=1_000, total_cents=1_000,
                              installments=1, first_due=date(2026, 12, 1))
        session.add(agreement)
        session.flush()
        instalment = add_debt(session, debtor, 1_000, date(2026, 12, 1),
                              agreement_id=agreement.id)
        return [FactsTarget(debtor, phone, paid), FactsTarget(debtor, phone, instalment)]

    targets = database.run_sync(scene)
    [paid, instalment] = _gather(database, targets)
    assert paid.debt is not None and instalment.debt is not None
    assert (paid.debt.status, paid.debt.status_at, paid.debt.oldest_open_due) == (
        "paid", NOW - timedelta(days=5), None)
    assert paid.debt.open_balance_cents == 0
    assert instalment.debt.is_agreement and not paid.debt.is_agreement
    assert instalment.optin_at is None and instalment.shop is None
    assert instalment.number_quality is None  # never learned: automated sends wait


def _many(database: Database, count: int) -> list[FactsTarget]:
    """`count` debtors, each with a number, a debt and a conversation, inserted in bulk."""
    def fill(session: Session) -> list[FactsTarget]:
        base = (session.query(Debtor.id).order_by(Debtor.id.desc()).limit(1).scalar() or 0) + 1
        ids = range(base, base + count)
        rows: list[tuple[type[Any], list[dict[str, Any]]]] = [
            (Debtor, [{"id": i, "name": f"D{i}", "name_key": f"d{i}"} for i in ids]),
            (Phone, [{"id": i, "e164": f"+55119{i:08d}"} for i in ids]),
            (DebtorPhone, [{"debtor_id": i, "phone_id": i} for i in ids]),
            (Debt, [{"id": i, "debtor_id": i, "amount_cents": 100, "due_date": date(2026, 11, 1)}
                    for i in ids]),
            (Conversation, [{"id": i, "phone_id": i, "debtor_id": i} for i in ids]),
        ]
        for table, values in rows:
            session.execute(insert(table), values)
        return [FactsTarget(i, i, i, "D+7", TEMPLATE) for i in ids]

    return database.run_sync(fill)


def test_the_number_of_queries_does_not_grow_with_the_targets(database: Database) -> None:
    few, many = _many(database, 10), _many(database, 1_000)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def run(targets: list[FactsTarget]) -> int:
        statements.clear()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            facts = _gather(database, targets)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        assert len(facts) == len(targets) and all(f.debt is not None for f in facts)
        return len(statements)

    for_few, for_many = run(few), run(many)
    assert for_few <= 15
    # one more statement per table for each further IN list of 500 ids, never one per target
    assert for_many <= 2 * for_few


def test_reading_whole_tables_for_many_targets_gives_the_same_facts(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = database.run_sync(_scene)
    targets = [FactsTarget(ids["ana"], ids["phone"], ids["debt"], "D+7", TEMPLATE),
               FactsTarget(ids["bia"], ids["phone"]),
               FactsTarget(ids["carla"], ids["wrong"], ids["carla_debt"], "D+15", TEMPLATE)]
    by_lists = _gather(database, targets)
    monkeypatch.setattr(send_facts, "WHOLE_TABLE_AT", 1)
    assert _gather(database, targets) == by_lists
    # and the same as the guard's own constructor would build them
    assert by_lists[0] == replace(by_lists[0], complete=True)
