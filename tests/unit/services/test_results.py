"""The Resultados figures against a small data set counted by hand, and on the demo data.

The shop is in São Paulo (UTC-3 all year); the period is November 2026, so it runs from
2026-11-01 03:00 UTC to 2026-12-01 03:00 UTC. Every expected figure below is counted in the
comments from the rows `_hand_made` inserts, following the definitions in `domain.results`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.regua import IDENTITY_CHECK, REMINDER
from cobrador_desktop.domain.results import (
    Funnel,
    Light,
    Period,
    PeriodPreset,
    Ratio,
    ResultsFigures,
    light,
)
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Conversation,
    DebtorPhone,
    Message,
    OutboxItem,
    Payment,
    Phone,
    ReguaSend,
    Template,
)
from tests.unit.storage.factories import add_debt, add_debtor, add_operator, add_phone

ZONE = "America/Sao_Paulo"
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
REMIND, IDENT = "lembrete_vencimento_v1", "confirmacao_identidade_v1"


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _hand_made(s: Session) -> dict[str, int]:
    s.add_all([Template(name=REMIND, purpose=REMINDER), Template(name=IDENT, purpose=IDENTITY_CHECK)])
    op = add_operator(s, "Ana", "ana")
    ids = {"op": op}

    def pay(debt: int, cents: int, on: date) -> None:
        s.add(Payment(debt_id=debt, amount_cents=cents, paid_on=on))

    def conversation(debtor: int, phone: int) -> int:
        c = Conversation(debtor_id=debtor, phone_id=phone)
        s.add(c)
        s.flush()
        return c.id

    def message(conv: int, direction: str, status: str, at: datetime, template: str | None = None,
                operator: int | None = None) -> int:
        m = Message(conversation_id=conv, direction=direction, status=status, created_at=at,
                    template_name=template, operator_id=operator,
                    type="template" if template else "text")
        s.add(m)
        s.flush()
        return m.id

    # A: overdue since October, confirmed identity, replied and paid after a reminder (step D-3)
    a = add_debtor(s, "Alice", segment="always_late")
    pa = add_phone(s, a, "+5519991110001")
    s.query(DebtorPhone).filter_by(phone_id=pa).update({"cpc_status": "confirmed",
                                                        "wrong_party": True,
                                                        "wrong_party_at": _utc(2026, 10, 1)})
    a1 = add_debt(s, a, 100_00, date(2026, 10, 10))
    pay(a1, 40_00, date(2026, 10, 20))
    pay(a1, 30_00, date(2026, 11, 5))
    ca = conversation(a, pa)
    message(ca, "out", "read", _utc(2026, 10, 15, 13), IDENT)  # A's first message: day 10-15
    message(ca, "out", "read", _utc(2026, 11, 1, 2), REMIND)  # 10-31 23:00 local: before
    m2 = message(ca, "out", "read", _utc(2026, 11, 3, 13), REMIND)  # day 11-03
    message(ca, "in", "received", _utc(2026, 11, 4, 12))  # A replies the next day
    s.add(OutboxItem(id=900, message_id=m2, to="+5519991110001", request={}, purpose=REMINDER,
                     kind="template", state="sent"))
    s.flush()
    s.add(ReguaSend(debt_id=a1, debtor_id=a, phone_id=pa, step="D-3", purpose=REMINDER,
                    template=REMIND, planned_for=date(2026, 11, 3), state="queued",
                    outbox_id=900))

    # B: new debt, wrote before being reminded, paid late; the number opted out in November
    b = add_debtor(s, "Bruno", segment="new")
    pb = add_phone(s, b, "+5519991110002")
    s.query(Phone).filter_by(id=pb).update({"opted_out": True,
                                            "opted_out_at": _utc(2026, 11, 12)})
    b1 = add_debt(s, b, 50_00, date(2026, 11, 20))
    pay(b1, 50_00, date(2026, 11, 28))
    cb = conversation(b, pb)
    message(cb, "in", "received", _utc(2026, 11, 5, 12))
    message(cb, "out", "delivered", _utc(2026, 11, 10, 2), REMIND)  # day 11-09 in the shop
    message(cb, "out", "failed", _utc(2026, 11, 12, 13), REMIND)  # never left
    message(cb, "out", "read", _utc(2026, 11, 30, 23, 30), operator=op)  # Ana, 20:30 local

    # C: overdue since September, never messaged, nothing paid; D: cancelled (ignored)
    add_debt(s, add_debtor(s, "Carla"), 80_00, date(2026, 9, 1))
    add_debt(s, add_debtor(s, "Diego"), 20_00, date(2026, 9, 1), status="cancelled")

    # E: reminded at 23:30 local on 11-30, paid on 12-02 (after the period, inside the window);
    # E's number is also F's, and F said "não sou eu" in November
    e = add_debtor(s, "Elisa", segment="on_time")
    pe = add_phone(s, e, "+5519991110005")
    f = add_debtor(s, "Fábio")
    s.add(DebtorPhone(debtor_id=f, phone_id=pe, wrong_party=True,
                      wrong_party_at=_utc(2026, 11, 15), cpc_status="denied"))
    e1 = add_debt(s, e, 30_00, date(2026, 11, 25))
    pay(e1, 30_00, date(2026, 12, 2))
    message(conversation(e, pe), "out", "sent", _utc(2026, 12, 1, 2, 30), REMIND)
    return ids


def _figures(database: Database, period: Period) -> ResultsFigures:
    service = ResultsService(database, FakeClock(_utc(2026, 12, 3, 15)), ZONE)
    return asyncio.run(service.figures(period))


def test_figures_match_a_hand_count(database: Database) -> None:
    ids = database.run_sync(_hand_made)
    f = _figures(database, NOVEMBER)

    # payments in November: A 30,00 (11-05, ISO week 45) + B 50,00 (11-28, week 48)
    assert f.recovered_cents == 80_00
    assert f.recovered_by_week == (((2026, 45), 30_00), ((2026, 48), 50_00))
    # overdue on 11-01: A1 owed 100 - 40 = 60,00 and got 30,00; C1 owed 80,00; D1 is cancelled
    assert f.overdue_recovered == Ratio(30_00, 140_00)
    # A: first message 10-15, first November payment 11-05: 21 days; B: 11-09 to 11-28: 19
    assert (f.days_to_pay.count, f.days_to_pay.mean, f.days_to_pay.median) == (2, 20.0, 20.0)
    # messaged in November: A, B, E; only A wrote after being messaged (B wrote before)
    assert f.response == Ratio(1, 3)
    # the three conversations' (debtor, phone) pairs: only A's is confirmed
    assert f.identity_confirmed == Ratio(1, 3)
    # reminded: A (11-03, paid 11-05), B (11-09, paid 11-28: too late), E (11-30, paid 12-02)
    assert f.paid_after_reminder == Ratio(2, 3)
    # left in November: A's reminder (read, replied, paid), B's reminder (delivered), Ana's text
    # to B (read, no answer), E's reminder (sent only)
    assert f.funnel == Funnel(sent=4, delivered=3, read=2, replied=1, paid=1)
    breakdowns = f.breakdowns
    assert dict(breakdowns.by_template) == {REMIND: Funnel(3, 2, 1, 1, 1), "": Funnel(1, 1, 1, 0, 0)}
    assert dict(breakdowns.by_operator) == {"": Funnel(3, 2, 1, 1, 1),
                                            str(ids["op"]): Funnel(1, 1, 1, 0, 0)}
    assert dict(breakdowns.by_step) == {"D-3": Funnel(1, 1, 1, 1, 1), "": Funnel(3, 2, 1, 0, 0)}
    assert dict(breakdowns.by_segment) == {"always_late": Funnel(1, 1, 1, 1, 1),
                                           "new": Funnel(2, 2, 1, 0, 0),
                                           "on_time": Funnel(1, 0, 0, 0, 0)}
    # numbers messaged: A's, B's, E's; B's opted out in November; F marked E's number "não sou
    # eu" in November (A's own mark was in October)
    assert f.opted_out == Ratio(1, 3)
    assert f.wrong_party == Ratio(1, 3)
    assert f.opt_out_light is Light.RED and f.wrong_party_light is Light.RED


def test_another_debtors_payment_is_not_the_reminded_debtors(database: Database) -> None:
    def more(s: Session) -> None:
        _hand_made(s)
        # G: reminded on 11-20 (read) and replied, never paid; H paid on 11-22, inside G's window
        g = add_debtor(s, "Gabriel", segment="new")
        conv = Conversation(debtor_id=g, phone_id=add_phone(s, g, "+5519991110007"))
        s.add(conv)
        s.flush()
        for direction, status, at, template in (
                ("out", "read", _utc(2026, 11, 20, 13), REMIND),
                ("in", "received", _utc(2026, 11, 21, 13), None)):
            s.add(Message(conversation_id=conv.id, direction=direction, status=status,
                          created_at=at, template_name=template))
        h = add_debtor(s, "Helena")  # with a conversation of her own, never messaged
        s.add(Conversation(debtor_id=h, phone_id=add_phone(s, h, "+5519991110008")))
        s.add(Payment(debt_id=add_debt(s, h, 10_00, date(2026, 11, 1)), amount_cents=10_00,
                      paid_on=date(2026, 11, 22)))

    database.run_sync(more)
    f = _figures(database, NOVEMBER)
    # reminded: A, B, E and G; G's window holds only Helena's payment
    assert f.paid_after_reminder == Ratio(2, 4)
    # G's reminder adds one message read and replied, not paid
    assert f.funnel == Funnel(sent=5, delivered=4, read=3, replied=2, paid=1)


def test_a_period_with_nothing_in_it_is_all_zero(database: Database) -> None:
    database.run_sync(_hand_made)
    f = _figures(database, Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert f.recovered_cents == 0 and f.recovered_by_week == ()
    assert f.funnel == Funnel() and f.response == Ratio(0, 0) and f.response.percent is None
    assert f.days_to_pay.count == 0 and f.days_to_pay.median is None
    assert f.opt_out_light is Light.GREEN


def test_demo_data_gives_meaningful_figures(database: Database) -> None:
    today = date(2026, 11, 23)
    seed_demo_sync(database, today=today, now=_utc(2026, 11, 23, 13),
                   scale=DemoScale(debtors=150, debts_per_debtor_avg=3.0, messages_total=1500))
    f = _figures(database, Period.preset(PeriodPreset.LAST_90_DAYS, today))
    assert f.recovered_cents > 0 and len(f.recovered_by_week) >= 10
    assert sum(c for _, c in f.recovered_by_week) == f.recovered_cents
    funnel = f.funnel
    assert funnel.sent >= funnel.delivered >= funnel.read >= funnel.replied >= funnel.paid > 0
    assert 0 < f.response.numerator <= f.response.denominator
    assert 0 < f.overdue_recovered.numerator < f.overdue_recovered.denominator
    assert f.days_to_pay.count > 0
    assert sum((fn for _, fn in f.breakdowns.by_template), Funnel()) == funnel
    assert sum((fn for _, fn in f.breakdowns.by_segment), Funnel()) == funnel


def test_period_presets_and_lights() -> None:
    today = date(2026, 3, 15)
    assert Period.preset(PeriodPreset.THIS_MONTH, today) == Period(date(2026, 3, 1), today)
    assert Period.preset(PeriodPreset.LAST_MONTH, today) == Period(date(2026, 2, 1),
                                                                    date(2026, 2, 28))
    assert Period.preset(PeriodPreset.LAST_30_DAYS, today).days == 30
    assert Period.preset(PeriodPreset.LAST_90_DAYS, today).start == date(2025, 12, 16)
    limits = ((1, 100), (2, 100))
    assert light(Ratio(1, 100), limits) is Light.GREEN
    assert light(Ratio(2, 100), limits) is Light.AMBER
    assert light(Ratio(3, 100), limits) is Light.RED
