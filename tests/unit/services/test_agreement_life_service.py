"""DebtorDetailService: agreements broken when the debtor is opened, cancelled with a reason."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import AgreementNotActive, CancelReasonMissing
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.storage.db import Database
from tests.unit.storage.factories import add_debt, add_debtor

T = TypeVar("T")
TODAY = date(2026, 11, 23)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _seed(session: Session) -> tuple[int, tuple[int, int]]:
    debtor = add_debtor(session, "Ana Lima")
    one = add_debt(session, debtor, 12000, date(2026, 10, 1), description="Geladeira 1/2")
    two = add_debt(session, debtor, 12000, date(2026, 11, 1), description="Geladeira 2/2")
    return debtor, (one, two)


def test_opening_the_debtor_breaks_an_agreement_long_overdue(
        database: Database, clock: FakeClock) -> None:
    debtor, debts = database.run_sync(_seed)
    days = {"today": TODAY}
    service = DebtorDetailService(database, clock=clock, today=lambda: days["today"])
    detail = _run(service.propose_agreement(AgreementRequest(debtor, debts, 3, TODAY)))
    assert detail.agreements[0].status == "active"
    days["today"] = TODAY + timedelta(days=30)
    assert _run(service.load(debtor)).agreements[0].status == "active"
    days["today"] = TODAY + timedelta(days=31)
    detail = _run(service.load(debtor))
    assert (detail.agreements[0].status, detail.agreements[0].ended_at) == ("broken", clock.now())
    assert {d.status for d in detail.debts if d.id in debts} == {"open"}


def test_cancel_agreement_needs_a_reason_and_an_active_agreement(
        database: Database, clock: FakeClock) -> None:
    debtor, debts = database.run_sync(_seed)
    service = DebtorDetailService(database, clock=clock, today=lambda: TODAY)
    number = _run(service.propose_agreement(
        AgreementRequest(debtor, debts, 2, TODAY + timedelta(days=5)))).agreements[0].id
    with pytest.raises(CancelReasonMissing):
        _run(service.cancel_agreement(number, "   "))
    detail = _run(service.cancel_agreement(number, "  pagou à vista  "))
    (record,) = detail.agreements
    assert record.status == "cancelled" and record.note == "Cancelado: pagou à vista"
    assert {d.status for d in detail.debts if d.id in debts} == {"open"}
    with pytest.raises(AgreementNotActive):
        _run(service.cancel_agreement(number, "de novo"))
