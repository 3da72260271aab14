"""`Debt.status_at`: every path that changes a debt's status dates the change (the send guard
says "quitada em …", "em acordo desde …" from it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.payment_import import PaymentRow
from cobrador_desktop.domain.records import PaymentMethod, PaymentRequest
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Debt
from cobrador_desktop.storage.repos import agreements, debtors, payment_import
from cobrador_desktop.storage.repos import debtor_detail as repo
from tests.unit.storage.factories import add_debt, add_debtor

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
DOC = "52998224725"


def _status(session: Session, debt_id: int) -> tuple[str, datetime | None]:
    row = session.execute(select(Debt.status, Debt.status_at).where(Debt.id == debt_id)).one()
    return row.status, row.status_at


def _pay(session: Session, debtor: int, cents: int, now: datetime,
         debt_id: int | None = None) -> None:
    repo.record_payment(session, PaymentRequest(debtor, debt_id, cents, TODAY, PaymentMethod.PIX),
                        operator_id=None, now=now, today=TODAY)


def test_a_payment_that_pays_the_debt_off_dates_it(database: Database) -> None:
    def work(session: Session) -> None:
        debtor = add_debtor(session, "Ana")
        debt = add_debt(session, debtor, 10_000, date(2026, 10, 1))
        _pay(session, debtor, 4_000, NOW)
        assert _status(session, debt) == ("open", None)  # partly paid: no change
        later = NOW + timedelta(hours=3)
        _pay(session, debtor, 6_000, later)
        assert _status(session, debt) == ("paid", later)

    database.run_sync(work)


def test_an_imported_payment_dates_only_the_debts_it_pays_off(database: Database) -> None:
    def work(session: Session) -> None:
        debtor = add_debtor(session, "Bia", document=DOC)
        first = add_debt(session, debtor, 10_000, date(2026, 9, 1))
        second = add_debt(session, debtor, 10_000, date(2026, 10, 1))
        debtors.refresh_summaries(session, None, TODAY)
        rows = [PaymentRow(line=2, document=DOC, phone=None, amount_cents=15_000, paid_on=TODAY,
                           method=PaymentMethod.PIX, description="", key="b" * 32)]
        payment_import.apply_payments(session, rows, payment_import.PaymentImportOptions(
            file_name="extrato.csv", now=NOW, today=TODAY))
        assert _status(session, first) == ("paid", NOW)
        assert _status(session, second) == ("open", None)

    database.run_sync(work)


def test_an_agreement_dates_the_debts_it_replaces_completes_and_breaks(
        database: Database) -> None:
    def work(session: Session) -> None:
        debtor = add_debtor(session, "Carla")
        a = add_debt(session, debtor, 20_000, date(2026, 9, 10))
        b = add_debt(session, debtor, 20_000, date(2026, 10, 10))
        debtors.refresh_summaries(session, None, TODAY)
        number, _ = agreements.create_agreement(
            session, AgreementRequest(debtor, (a, b), 2, TODAY + timedelta(days=10)),
            operator_id=None, now=NOW, today=TODAY)
        assert _status(session, a) == ("agreement", NOW)
        assert _status(session, b) == ("agreement", NOW)
        # broken: the unpaid instalments are cancelled, the originals open again, all dated
        late = NOW + timedelta(days=60)
        assert agreements.settle_agreements(session, TODAY + timedelta(days=60), now=late,
                                            debtor_id=debtor) == (number,)
        instalments = session.scalars(select(Debt.id).where(Debt.agreement_id == number)).all()
        assert {_status(session, i) for i in instalments} == {("cancelled", late)}
        assert _status(session, a) == ("open", late)

    database.run_sync(work)


def test_paying_an_agreement_off_dates_the_debts_it_settled(database: Database) -> None:
    def work(session: Session) -> None:
        debtor = add_debtor(session, "Davi")
        a = add_debt(session, debtor, 20_000, date(2026, 9, 10))
        debtors.refresh_summaries(session, None, TODAY)
        number, terms = agreements.create_agreement(
            session, AgreementRequest(debtor, (a,), 1, TODAY + timedelta(days=10)),
            operator_id=None, now=NOW, today=TODAY)
        paid_at = NOW + timedelta(days=2)
        _pay(session, debtor, terms.total_cents, paid_at)
        (instalment,) = session.scalars(select(Debt.id).where(Debt.agreement_id == number))
        assert _status(session, instalment) == ("paid", paid_at)
        assert _status(session, a) == ("paid", paid_at)

    database.run_sync(work)
