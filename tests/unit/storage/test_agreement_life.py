"""Agreements after they are made, in the database: completed by payments (recorded or
imported), broken by the calendar, cancelled by the operator; each audited, the debts undone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.errors import AgreementNotActive
from cobrador_desktop.domain.payment_import import PaymentRow
from cobrador_desktop.domain.records import (
    PaymentMethod,
    PaymentRequest,
    PromiseRequest,
    TimelineKind,
)
from cobrador_desktop.domain.settings import AGREEMENT_BREAK_AFTER_DAYS
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Agreement, AuditEntry, Debt, Debtor, Payment, Promise
from cobrador_desktop.storage.repos import agreements, debtors, payment_import, promises
from cobrador_desktop.storage.repos import debtor_detail as repo
from cobrador_desktop.storage.repos.settings import write_setting
from tests.unit.storage.factories import add_debt, add_debtor, add_operator

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
FIRST_DUE = TODAY + timedelta(days=10)
DOC = "52998224725"


def _seed(session: Session) -> dict[str, int]:
    """Two debts (R$ 200 and R$ 300 open) in an agreement: R$ 100 down, 2 × R$ 200."""
    debtor = add_debtor(session, "Ana Lima", document=DOC)
    a = add_debt(session, debtor, 30000, date(2026, 9, 10), description="Parcela 1/2",
                 paid_cents=10000)
    b = add_debt(session, debtor, 30000, date(2026, 10, 10), description="Parcela 2/2")
    debtors.refresh_summaries(session, None, TODAY)
    number, _ = agreements.create_agreement(
        session, AgreementRequest(debtor, (a, b), 2, FIRST_DUE, down_payment_cents=10000,
                                  note="paga no pix"),
        operator_id=None, now=NOW, today=TODAY)
    return {"debtor": debtor, "a": a, "b": b, "agreement": number}


def _pay(session: Session, debtor: int, cents: int, debt_id: int | None = None,
         now: datetime = NOW) -> None:
    repo.record_payment(session, PaymentRequest(debtor, debt_id, cents, TODAY, PaymentMethod.PIX),
                        operator_id=None, now=now, today=TODAY)


def _created(session: Session, agreement: int) -> list[Debt]:
    return list(session.scalars(select(Debt).where(Debt.agreement_id == agreement)
                                .order_by(Debt.id)))


def _actions(session: Session, debtor: int) -> list[tuple[str, dict[str, object]]]:
    out = []
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.object_id == str(debtor))
                                 .order_by(AuditEntry.id)):
        details = entry.details if isinstance(entry.details, dict) else json.loads(
            entry.details or "{}")
        out.append((entry.action, details))
    return out


def _in_agreement(session: Session, debtor: int) -> bool:
    return bool(session.execute(select(Debtor.in_agreement).where(Debtor.id == debtor))
                .scalar_one())


def test_paying_every_instalment_completes_the_agreement(database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor, number = ids["debtor"], ids["agreement"]

    def work(session: Session) -> None:
        _pay(session, debtor, 10000)  # the down payment
        _pay(session, debtor, 20000)
        agreement = session.get(Agreement, number)
        assert agreement is not None and agreement.status == "active"
        later = NOW + timedelta(hours=1)
        _pay(session, debtor, 20000, now=later)
        session.refresh(agreement)
        assert agreement.status == "completed" and agreement.ended_at == later
        assert {d.status for d in _created(session, number)} == {"paid"}
        originals = [session.get(Debt, ids[k]) for k in ("a", "b")]
        assert [d.status for d in originals if d is not None] == ["paid", "paid"]
        assert not _in_agreement(session, debtor)
        assert _actions(session, debtor)[-1] == ("agreement.completed",
                                                 {"agreement_id": number})
        (record,) = repo.load(session, debtor).agreements
        assert (record.status, record.ended_at) == ("completed", later)

    database.run_sync(work)


def test_imported_payments_complete_the_agreement_too(database: Database) -> None:
    ids = database.run_sync(_seed)
    number = ids["agreement"]

    def work(session: Session) -> None:
        rows = [PaymentRow(line=2, document=DOC, phone=None, amount_cents=50000, paid_on=TODAY,
                           method=PaymentMethod.PIX, description="", key="a" * 32)]
        result = payment_import.apply_payments(session, rows, payment_import.PaymentImportOptions(
            file_name="extrato.csv", now=NOW, today=TODAY))
        assert result.registered == 1
        agreement = session.get(Agreement, number)
        assert agreement is not None and agreement.status == "completed"
        assert agreement.ended_at == NOW
        assert not _in_agreement(session, ids["debtor"])

    database.run_sync(work)


def test_instalment_unpaid_past_the_grace_breaks_and_undoes_the_agreement(
        database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor, number = ids["debtor"], ids["agreement"]

    def work(session: Session) -> None:
        _pay(session, debtor, 10000)  # down payment
        _pay(session, debtor, 5000)  # part of instalment 1
        # exactly 30 days late: still active
        assert agreements.settle_agreements(session, FIRST_DUE + timedelta(days=30),
                                            now=NOW) == ()
        late = NOW + timedelta(days=41)
        assert agreements.settle_agreements(session, FIRST_DUE + timedelta(days=31), now=late,
                                            debtor_id=debtor) == (number,)
        agreement = session.get(Agreement, number)
        assert agreement is not None
        assert (agreement.status, agreement.ended_at) == ("broken", late)
        down, first, second = _created(session, number)
        assert [down.status, first.status, second.status] == ["paid", "cancelled", "cancelled"]
        a, b = session.get(Debt, ids["a"]), session.get(Debt, ids["b"])
        assert a is not None and b is not None
        # R$ 150 received: all on the oldest debt (R$ 200 open → R$ 50 open)
        assert (a.status, a.paid_cents, b.status, b.paid_cents) == ("open", 25000, "open", 0)
        assert not _in_agreement(session, debtor)
        action, details = _actions(session, debtor)[-1]
        assert action == "agreement.broken"
        assert details["amount_cents"] == 15000
        assert details["cancelled_debt_ids"] == [first.id, second.id]
        # nothing more to break
        assert agreements.settle_agreements(session, FIRST_DUE + timedelta(days=90)) == ()
        timeline = [e.text for e in repo.load(session, debtor).timeline]
        assert "agreement.broken" in timeline

    database.run_sync(work)


def test_cancel_needs_an_active_agreement_and_keeps_the_reason_out_of_the_audit(
        database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor, number = ids["debtor"], ids["agreement"]

    def work(session: Session) -> None:
        with pytest.raises(AgreementNotActive):
            agreements.cancel_agreement(session, number + 99, "engano", operator_id=None,
                                        now=NOW, today=TODAY)
        assert agreements.cancel_agreement(session, number, "cliente desistiu",
                                           operator_id=None, now=NOW, today=TODAY) == debtor
        agreement = session.get(Agreement, number)
        assert agreement is not None
        assert (agreement.status, agreement.ended_at) == ("cancelled", NOW)
        assert agreement.note == "paga no pix\nCancelado: cliente desistiu"
        assert {d.status for d in _created(session, number)} == {"cancelled"}
        a, b = session.get(Debt, ids["a"]), session.get(Debt, ids["b"])
        assert a is not None and b is not None
        assert (a.status, a.paid_cents, b.status, b.paid_cents) == ("open", 10000, "open", 0)
        action, details = _actions(session, debtor)[-1]
        assert action == "agreement.cancel" and "desistiu" not in json.dumps(details)
        assert not _in_agreement(session, debtor)
        with pytest.raises(AgreementNotActive):
            agreements.cancel_agreement(session, number, "de novo", operator_id=None,
                                        now=NOW, today=TODAY)
        # the debts are payable again
        _pay(session, debtor, 20000)
        assert session.get(Debt, ids["a"]).status == "paid"  # type: ignore[union-attr]

    database.run_sync(work)


def _payments(session: Session, debt_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.debt_id == debt_id)
                                .order_by(Payment.id)))


def test_opening_the_debtor_breaks_by_the_shops_setting(database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor, number = ids["debtor"], ids["agreement"]

    def work(session: Session) -> None:
        write_setting(session, AGREEMENT_BREAK_AFTER_DAYS, 10, operator_id=None, now=NOW)
        _pay(session, debtor, 10000)  # the down payment: the first instalment is what is late
        # no `days`: the setting, as opening the debtor and the daily upkeep do
        assert agreements.settle_agreements(session, FIRST_DUE + timedelta(days=10), now=NOW,
                                            debtor_id=debtor) == ()
        assert agreements.settle_agreements(session, FIRST_DUE + timedelta(days=11), now=NOW,
                                            debtor_id=debtor) == (number,)

    database.run_sync(work)


def test_a_broken_agreement_credits_the_debts_with_payments_by_the_system(
        database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor, number = ids["debtor"], ids["agreement"]
    day = FIRST_DUE + timedelta(days=31)
    late = datetime.combine(day, NOW.timetz())

    def work(session: Session) -> None:
        _pay(session, debtor, 10000)  # down payment
        _pay(session, debtor, 5000)  # part of instalment 1
        assert agreements.settle_agreements(session, day, now=late) == (number,)
        a, b = session.get(Debt, ids["a"]), session.get(Debt, ids["b"])
        assert a is not None and b is not None
        # the balances as before: R$ 150 received, all on the oldest debt
        assert (a.status, a.paid_cents, b.status, b.paid_cents) == ("open", 25000, "open", 0)
        (credit,) = _payments(session, a.id)
        assert (credit.amount_cents, credit.paid_on, credit.method, credit.recorded_by,
                credit.created_at) == (15000, day, "outro", None, late)
        assert credit.note == (f"Crédito do acordo nº {number}, rompido pelo sistema: o que foi "
                               "pago no acordo")
        assert _payments(session, b.id) == []
        # a debt's payments add up to what it has paid (R$ 100 paid before the agreement is
        # the factory's, without a payment row)
        assert a.paid_cents - 10000 == sum(p.amount_cents for p in _payments(session, a.id))
        action, details = _actions(session, debtor)[-1]
        assert action == "agreement.broken"
        assert details["credited"] == [{"debt_id": a.id, "amount_cents": 15000,
                                        "payment_id": credit.id}]
        events = [e for e in repo.load(session, debtor).timeline
                  if e.kind == TimelineKind.PAYMENT and e.ref_id == credit.id]
        assert len(events) == 1 and events[0].amount_cents == 15000
        assert events[0].actor is None and events[0].detail == credit.note

    database.run_sync(work)


def test_a_cancelled_agreement_credits_by_the_operator_oldest_debt_first(
        database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor, number = ids["debtor"], ids["agreement"]

    def work(session: Session) -> None:
        carla = add_operator(session, "Carla Souza", "carla")
        _pay(session, debtor, 10000)  # down payment
        _pay(session, debtor, 20000)  # instalment 1
        _pay(session, debtor, 12000)  # part of instalment 2
        agreements.cancel_agreement(session, number, "cliente pediu", operator_id=carla,
                                    now=NOW, today=TODAY)
        a, b = session.get(Debt, ids["a"]), session.get(Debt, ids["b"])
        assert a is not None and b is not None
        # R$ 420 received: R$ 200 settle the oldest, R$ 220 go on the next (R$ 80 left)
        assert (a.status, a.paid_cents, b.status, b.paid_cents) == ("paid", 30000, "open", 22000)
        (first,), (second,) = _payments(session, a.id), _payments(session, b.id)
        assert [(p.amount_cents, p.recorded_by, p.paid_on) for p in (first, second)] == [
            (20000, carla, TODAY), (22000, carla, TODAY)]
        assert first.note == second.note == (
            f"Crédito do acordo nº {number}, cancelado: o que foi pago no acordo")
        _action, details = _actions(session, debtor)[-1]
        assert details["credited"] == [
            {"debt_id": a.id, "amount_cents": 20000, "payment_id": first.id},
            {"debt_id": b.id, "amount_cents": 22000, "payment_id": second.id}]
        shown = {e.ref_id: e for e in repo.load(session, debtor).timeline
                 if e.kind == TimelineKind.PAYMENT}
        assert shown[first.id].actor == shown[second.id].actor == "Carla Souza"

    database.run_sync(work)


def test_the_credit_of_an_undone_agreement_does_not_keep_a_promise_twice(
        database: Database) -> None:
    """R$ 100 paid on the agreement, then moved to the debts it replaced: still R$ 100."""
    ids = database.run_sync(_seed)
    debtor, number = ids["debtor"], ids["agreement"]

    def work(session: Session) -> None:
        promise = promises.create_promise(
            session, PromiseRequest(debtor, 20000, TODAY + timedelta(days=5)), operator_id=None,
            now=NOW, today=TODAY)
        _pay(session, debtor, 10000)  # the down payment: half the promise
        agreements.cancel_agreement(session, number, "refazer", operator_id=None,
                                    now=NOW + timedelta(hours=1), today=TODAY)
        assert sum(p.amount_cents for p in _payments(session, ids["a"])) == 10000
        assert promises.settle_promises(session, TODAY + timedelta(days=6),
                                        now=NOW + timedelta(days=6)) == (promise,)
        kept = session.get(Promise, promise)
        assert kept is not None and kept.status == "broken"

    database.run_sync(work)
