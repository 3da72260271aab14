"""DebtorDetailService over a real database: load, record a payment, add a note, validation."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import (
    InvalidNote,
    NoteTooLong,
    Overpayment,
    PaymentAmountNotPositive,
    PaymentDateInFuture,
)
from cobrador_desktop.domain.records import PaymentMethod, PaymentRequest, TimelineKind
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Payment
from tests.unit.storage.factories import add_debt, add_debtor

T = TypeVar("T")
TODAY = date(2026, 11, 23)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _seed(session: Session) -> tuple[int, int]:
    debtor = add_debtor(session, "Ana Lima")
    debt = add_debt(session, debtor, 12000, date(2026, 11, 1), description="Geladeira 1/2")
    add_debt(session, debtor, 12000, date(2026, 12, 1), description="Geladeira 2/2")
    return debtor, debt


def _service(database: Database, clock: FakeClock) -> DebtorDetailService:
    return DebtorDetailService(database, clock=clock, today=lambda: TODAY)


def test_load_then_pay_then_note(database: Database, clock: FakeClock) -> None:
    debtor, debt = database.run_sync(_seed)
    service = _service(database, clock)
    detail = _run(service.load(debtor))
    assert detail.balance_cents == 24000

    after = _run(service.record_payment(PaymentRequest(
        debtor, debt, 12000, TODAY, PaymentMethod.CASH, note="  recibo 123  ")))
    assert after.debts[0].status == "paid" and after.open_cents == 12000
    assert after.debts[0].payments[0].note == "recibo 123"
    assert after.debts[0].payments[0].created_at == clock.now()

    clock.advance(timedelta(minutes=3))
    noted = _run(service.add_note(debtor, "Quitou a primeira parcela."))
    assert noted.notes[-1].text == "Quitou a primeira parcela."
    assert noted.notes[-1].at == clock.now().replace(second=0)
    assert noted.timeline[0].kind == TimelineKind.NOTE
    actions = database.run_sync(lambda s: list(s.scalars(
        select(AuditEntry.action).order_by(AuditEntry.id))))
    assert actions == ["payment.record", "debtor.note"]


@pytest.mark.parametrize(("amount", "paid_on", "error"), [
    (0, TODAY, PaymentAmountNotPositive),
    (-500, TODAY, PaymentAmountNotPositive),
    (100, TODAY + timedelta(days=1), PaymentDateInFuture),
    (24001, TODAY, Overpayment),
])
def test_invalid_payments_are_refused_in_portuguese_and_write_nothing(
        database: Database, clock: FakeClock, amount: int, paid_on: date,
        error: type[Exception]) -> None:
    debtor, _debt = database.run_sync(_seed)
    with pytest.raises(error) as caught:
        _run(_service(database, clock).record_payment(
            PaymentRequest(debtor, None, amount, paid_on, PaymentMethod.PIX)))
    assert caught.value.message  # type: ignore[attr-defined]
    written = database.run_sync(lambda s: (s.scalar(select(func.count()).select_from(Payment)),
                                           s.scalar(select(func.count()).select_from(AuditEntry))))
    assert written == (0, 0)


def test_empty_or_huge_notes_are_refused(database: Database, clock: FakeClock) -> None:
    debtor, _debt = database.run_sync(_seed)
    service = _service(database, clock)
    with pytest.raises(InvalidNote, match="vazia"):
        _run(service.add_note(debtor, " \n\t "))
    with pytest.raises(NoteTooLong):
        _run(service.add_note(debtor, "x" * 2001))
    assert _run(service.load(debtor)).notes == ()
