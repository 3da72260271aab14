"""DebtorDetailService: promises and agreements through the database thread."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import (
    CancelReasonMissing,
    FineAboveCap,
    PromiseDateOutOfRange,
)
from cobrador_desktop.domain.records import PromiseRequest
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.storage.db import Database
from tests.unit.storage.factories import add_debt, add_debtor

T = TypeVar("T")
TODAY = date(2026, 11, 23)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _seed(session: Session) -> tuple[int, int, int]:
    debtor = add_debtor(session, "Ana Lima")
    one = add_debt(session, debtor, 12000, date(2026, 10, 1), description="Geladeira 1/2")
    two = add_debt(session, debtor, 12000, date(2026, 11, 1), description="Geladeira 2/2")
    return debtor, one, two


def test_promise_recorded_then_broken_when_opened_after_its_date(
        database: Database, clock: FakeClock) -> None:
    debtor, _one, _two = database.run_sync(_seed)
    days = {"today": TODAY}
    service = DebtorDetailService(database, clock=clock, today=lambda: days["today"])
    with pytest.raises(PromiseDateOutOfRange):
        _run(service.record_promise(PromiseRequest(debtor, 5000, TODAY - timedelta(days=1))))
    detail = _run(service.record_promise(PromiseRequest(debtor, 5000, TODAY, channel="telefone")))
    assert [(p.amount_cents, p.status, p.channel) for p in detail.promises] == [
        (5000, "open", "telefone")]
    assert _run(service.load(debtor)).promises[0].status == "open"
    days["today"] = TODAY + timedelta(days=1)
    assert _run(service.load(debtor)).promises[0].status == "broken"


def test_cancel_promise_needs_a_reason(database: Database, clock: FakeClock) -> None:
    debtor, _one, _two = database.run_sync(_seed)
    service = DebtorDetailService(database, clock=clock, today=lambda: TODAY)
    promise = _run(service.record_promise(PromiseRequest(debtor, 5000, TODAY))).promises[0]
    with pytest.raises(CancelReasonMissing):
        _run(service.cancel_promise(promise.id, "  "))
    after = _run(service.cancel_promise(promise.id, "pagou em outra loja"))
    assert after.promises[0].status == "cancelled"


def test_propose_agreement(database: Database, clock: FakeClock) -> None:
    debtor, one, two = database.run_sync(_seed)
    service = DebtorDetailService(database, clock=clock, today=lambda: TODAY)
    with pytest.raises(FineAboveCap):
        _run(service.propose_agreement(AgreementRequest(
            debtor, (one, two), 2, TODAY + timedelta(days=30), fine_bp=300)))
    detail = _run(service.propose_agreement(AgreementRequest(
        debtor, (one, two), 2, TODAY + timedelta(days=30), fine_bp=200)))
    assert detail.in_agreement
    (agreement,) = detail.agreements
    assert agreement.total_cents == 24480 and agreement.installments == 2
    assert {d.status for d in detail.debts if d.id in (one, two)} == {"agreement"}
    assert detail.balance_cents == 24480
