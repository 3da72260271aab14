"""Promises and agreements in the database: kept by payments, broken by the calendar, cancelled;
agreements turning open debts into instalments, audited, with the list's filters up to date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.errors import (
    AgreementDebtsChanged,
    FineAboveCap,
    NothingOpen,
    PromiseNotOpen,
    PromiseTooLarge,
)
from cobrador_desktop.domain.records import (
    DebtorFilter,
    DebtorQuery,
    PaymentMethod,
    PaymentRequest,
    PromiseRequest,
    TimelineKind,
)
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AgreementDebt, AuditEntry, Debt, Debtor, Promise
from cobrador_desktop.storage.repos import agreements, audit, debtors, promises
from cobrador_desktop.storage.repos import debtor_detail as repo
from tests.unit.storage.factories import add_debt, add_debtor, add_operator

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def _seed(session: Session) -> dict[str, int]:
    op = add_operator(session, "Carla Rezende", "carla")
    debtor = add_debtor(session, "Ana Lima")
    a = add_debt(session, debtor, 30000, date(2026, 9, 10), description="Parcela 1/3",
                 paid_cents=10000)
    b = add_debt(session, debtor, 30000, date(2026, 10, 10), description="Parcela 2/3")
    c = add_debt(session, debtor, 30000, date(2026, 12, 10), description="Parcela 3/3")
    other = add_debtor(session, "Bruno Reis")
    add_debt(session, other, 5000, date(2026, 10, 1))
    debtors.refresh_summaries(session, None, TODAY)
    return {"op": op, "debtor": debtor, "a": a, "b": b, "c": c, "other": other}


def _pay(session: Session, debtor: int, cents: int, *, now: datetime = NOW,
         paid_on: date = TODAY, debt_id: int | None = None) -> None:
    repo.record_payment(session, PaymentRequest(debtor, debt_id, cents, paid_on,
                                                PaymentMethod.PIX),
                        operator_id=None, now=now, today=paid_on)


def test_promise_recorded_listed_and_kept_by_payments(database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor = ids["debtor"]

    def work(session: Session) -> None:
        pid = promises.create_promise(
            session, PromiseRequest(debtor, 15000, TODAY + timedelta(days=5), channel="whatsapp",
                                    note="paga na sexta"),
            operator_id=ids["op"], now=NOW, today=TODAY)
        detail = repo.load(session, debtor)
        assert [(p.id, p.status, p.created_by_name) for p in detail.promises] == [
            (pid, "open", "Carla Rezende")]
        # a payment made before the promise does not count; one after counts toward it
        _pay(session, debtor, 10000, now=NOW + timedelta(hours=1))
        assert session.get(Promise, pid).status == "open"  # type: ignore[union-attr]
        _pay(session, debtor, 5000, now=NOW + timedelta(hours=2))
        promise = session.get(Promise, pid)
        assert promise is not None and promise.status == "kept"
        assert promise.resolved_at == NOW + timedelta(hours=2)
        actions = [e.action for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == str(debtor))
            .order_by(AuditEntry.id))]
        assert actions == ["promise.create", "payment.record", "payment.record", "promise.kept"]
        timeline = repo.load(session, debtor).timeline
        made = next(e for e in timeline if e.text == "promise.create")
        assert made.kind is TimelineKind.AUDIT and made.amount_cents == 15000
        assert made.status == (TODAY + timedelta(days=5)).isoformat()
        assert made.actor == "Carla Rezende" and made.detail is None
        assert audit.verify_chain(session)

    database.run_sync(work)


def test_promise_on_a_debt_counts_only_that_debts_payments(database: Database) -> None:
    ids = database.run_sync(_seed)

    def work(session: Session) -> None:
        pid = promises.create_promise(
            session, PromiseRequest(ids["debtor"], 10000, TODAY, debt_id=ids["c"]),
            operator_id=None, now=NOW, today=TODAY)
        _pay(session, ids["debtor"], 10000, now=NOW + timedelta(minutes=1), debt_id=ids["b"])
        assert session.get(Promise, pid).status == "open"  # type: ignore[union-attr]
        _pay(session, ids["debtor"], 10000, now=NOW + timedelta(minutes=2), debt_id=ids["c"])
        assert session.get(Promise, pid).status == "kept"  # type: ignore[union-attr]

    database.run_sync(work)


def test_promise_checks_against_what_is_open(database: Database) -> None:
    ids = database.run_sync(_seed)

    def work(session: Session) -> None:
        with pytest.raises(PromiseTooLarge):
            promises.create_promise(session, PromiseRequest(ids["debtor"], 30001, TODAY,
                                                            debt_id=ids["a"]),
                                    operator_id=None, now=NOW, today=TODAY)
        other_debt = session.scalar(select(Debt.id).where(Debt.debtor_id == ids["other"]))
        with pytest.raises(NothingOpen):
            promises.create_promise(session, PromiseRequest(ids["debtor"], 100, TODAY,
                                                            debt_id=other_debt),
                                    operator_id=None, now=NOW, today=TODAY)

    database.run_sync(work)


def test_settle_breaks_unpaid_promises_and_keeps_backdated_payments(database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor = ids["debtor"]

    def work(session: Session) -> tuple[int, int, int]:
        due = TODAY + timedelta(days=2)
        unpaid = promises.create_promise(session, PromiseRequest(debtor, 5000, due),
                                         operator_id=None, now=NOW, today=TODAY)
        other = promises.create_promise(session, PromiseRequest(ids["other"], 5000, due),
                                        operator_id=None, now=NOW, today=TODAY)
        later = promises.create_promise(session, PromiseRequest(debtor, 5000, due + timedelta(
            days=10)), operator_id=None, now=NOW, today=TODAY)
        return unpaid, other, later

    unpaid, other, later = database.run_sync(work)
    after = TODAY + timedelta(days=3)

    def settle(session: Session) -> None:
        # the other debtor paid on the promised day but it was typed in a day late
        repo.record_payment(session, PaymentRequest(ids["other"], None, 2000, after,
                                                    PaymentMethod.PIX),
                            operator_id=None, now=NOW + timedelta(days=3), today=after)
        # nothing happens on the promised day itself
        assert promises.settle_promises(session, TODAY + timedelta(days=2), now=NOW) == ()
        assert promises.settle_promises(session, after, now=NOW,
                                        debtor_id=ids["other"]) == (other,)
        assert promises.settle_promises(session, after, now=NOW) == (unpaid,)
        status = dict(session.execute(select(Promise.id, Promise.status)).all())
        assert status == {unpaid: "broken", other: "broken", later: "open"}
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "promise.broken")) == 2

    database.run_sync(settle)


def test_cancel_needs_an_open_promise_and_keeps_the_reason(database: Database) -> None:
    ids = database.run_sync(_seed)

    def work(session: Session) -> None:
        pid = promises.create_promise(session, PromiseRequest(ids["debtor"], 5000, TODAY,
                                                              note="disse que paga"),
                                      operator_id=None, now=NOW, today=TODAY)
        assert promises.cancel_promise(session, pid, "devedor desistiu", operator_id=ids["op"],
                                       now=NOW) == ids["debtor"]
        promise = session.get(Promise, pid)
        assert promise is not None and promise.status == "cancelled"
        assert promise.note == "disse que paga\nCancelada: devedor desistiu"
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "promise.cancel"
        assert "devedor desistiu" not in str(entry.details)
        with pytest.raises(PromiseNotOpen):
            promises.cancel_promise(session, pid, "de novo", operator_id=None, now=NOW)

    database.run_sync(work)


def test_promise_filter_counts_debtors_with_open_promises(database: Database) -> None:
    ids = database.run_sync(_seed)

    def work(session: Session) -> None:
        query = DebtorQuery(filter=DebtorFilter.PROMISE)
        assert debtors.count_filters(session, TODAY).filters[DebtorFilter.PROMISE] == 0
        assert debtors.count_matching(session, query, TODAY) == 0
        for _ in range(2):
            promises.create_promise(session, PromiseRequest(ids["debtor"], 100, TODAY),
                                    operator_id=None, now=NOW, today=TODAY)
        pid = promises.create_promise(session, PromiseRequest(ids["other"], 100, TODAY),
                                      operator_id=None, now=NOW, today=TODAY)
        assert debtors.count_filters(session, TODAY).filters[DebtorFilter.PROMISE] == 2
        page = debtors.list_page(session, sort="name", after=None, limit=10,  # type: ignore[arg-type]
                                 query=query, today=TODAY)
        assert [r.name for r in page.rows] == ["Ana Lima", "Bruno Reis"]
        promises.cancel_promise(session, pid, "engano", operator_id=None, now=NOW)
        assert debtors.count_filters(session, TODAY).filters[DebtorFilter.PROMISE] == 1
        assert debtors.count_matching(session, query, TODAY) == 1

    database.run_sync(work)


def test_agreement_renegotiates_debts_into_instalments(database: Database) -> None:
    ids = database.run_sync(_seed)
    debtor = ids["debtor"]
    request = AgreementRequest(
        debtor_id=debtor, debt_ids=(ids["a"], ids["b"]), installments=3,
        first_due=date(2026, 12, 23), fine_bp=200, interest_bp=100, discount_cents=1000,
        down_payment_cents=5000, note="  fechado no balcão ")

    def work(session: Session) -> None:
        number, terms = agreements.create_agreement(session, request, operator_id=ids["op"],
                                                    now=NOW, today=TODAY)
        assert terms.principal_cents == 50000 and terms.fine_cents == 1000
        originals = {d.id: d for d in session.scalars(select(Debt).where(
            Debt.id.in_([ids["a"], ids["b"], ids["c"]])))}
        assert originals[ids["a"]].status == originals[ids["b"]].status == "agreement"
        assert originals[ids["c"]].status == "open"
        links = session.execute(select(AgreementDebt.debt_id, AgreementDebt.balance_cents)
                                .where(AgreementDebt.agreement_id == number)
                                .order_by(AgreementDebt.debt_id)).all()
        assert links == [(ids["a"], 20000), (ids["b"], 30000)]
        new = session.scalars(select(Debt).where(Debt.agreement_id == number)
                              .order_by(Debt.id)).all()
        assert [d.description for d in new] == [
            f"Acordo nº {number} – entrada", f"Acordo nº {number} – parcela 1/3",
            f"Acordo nº {number} – parcela 2/3", f"Acordo nº {number} – parcela 3/3"]
        assert sum(d.amount_cents for d in new) == terms.total_cents
        assert new[0].due_date == TODAY and new[1].due_date == date(2026, 12, 23)
        assert [d.installment_number for d in new] == [None, 1, 2, 3]
        row = session.get(Debtor, debtor)
        assert row is not None and row.in_agreement
        assert row.open_cents == 30000 + terms.total_cents
        detail = repo.load(session, debtor)
        (record,) = detail.agreements
        assert record.id == number and record.status == "active"
        assert record.note == "fechado no balcão" and record.created_by_name == "Carla Rezende"
        assert record.original_debt_ids == (ids["a"], ids["b"])
        assert record.new_debt_ids == tuple(d.id for d in new)
        made = next(e for e in detail.timeline if e.text == "agreement.create")
        assert made.amount_cents == terms.total_cents and made.status == "3"
        assert debtors.count_filters(session, TODAY).filters[DebtorFilter.AGREEMENT] == 1
        assert audit.verify_chain(session)
        # the originals are no longer open: a second agreement over them is refused
        with pytest.raises(AgreementDebtsChanged):
            agreements.create_agreement(session, request, operator_id=None, now=NOW,
                                        today=TODAY)

    database.run_sync(work)


def test_agreement_refuses_other_debtors_debts_and_a_high_fine(database: Database) -> None:
    ids = database.run_sync(_seed)

    def work(session: Session) -> None:
        other_debt = session.scalar(select(Debt.id).where(Debt.debtor_id == ids["other"]))
        assert other_debt is not None
        with pytest.raises(AgreementDebtsChanged):
            agreements.create_agreement(session, AgreementRequest(
                ids["debtor"], (ids["b"], other_debt), 2, TODAY), operator_id=None, now=NOW,
                today=TODAY)
        with pytest.raises(FineAboveCap):
            agreements.create_agreement(session, AgreementRequest(
                ids["debtor"], (ids["b"],), 2, TODAY, fine_bp=250), operator_id=None, now=NOW,
                today=TODAY)
        assert session.scalar(select(Debt.status).where(Debt.id == ids["b"])) == "open"

    database.run_sync(work)
