"""The "Acordos e promessas" tab after agreements end: status and end date shown, "Cancelar
acordo…" asks why and reopens the debts, the list behind is told."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.records import PaymentMethod, PaymentRequest
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Agreement, Debt
from cobrador_desktop.storage.repos import agreements
from cobrador_desktop.storage.repos import debtor_detail as repo
from cobrador_desktop.storage.repos.debtors import refresh_summaries
from cobrador_desktop.ui.viewmodels.debtor_detail_vm import DebtorDetailViewModel
from cobrador_desktop.ui.views.debtor_detail_view import DebtorDetailView
from tests.unit.storage.factories import add_debt, add_debtor

TODAY = date(2026, 11, 23)
MADE = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("COBRADOR_SHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _seed(session: Session) -> int:
    """Agreement 1 paid in full (completed), agreement 2 active."""
    debtor = add_debtor(session, "Maria da Silva")
    one = add_debt(session, debtor, 30000, date(2026, 9, 10), description="Geladeira 1/2")
    two = add_debt(session, debtor, 30000, date(2026, 10, 10), description="Geladeira 2/2")
    refresh_summaries(session, None, TODAY)
    first, _ = agreements.create_agreement(session, AgreementRequest(debtor, (one,), 1, TODAY),
                                           operator_id=None, now=MADE, today=TODAY)
    instalment = session.scalars(select(Debt.id).where(Debt.agreement_id == first)).one()
    repo.record_payment(session, PaymentRequest(debtor, instalment, 30000, TODAY,
                                                PaymentMethod.PIX),
                        operator_id=None, now=MADE + timedelta(hours=1), today=TODAY)
    agreements.create_agreement(
        session, AgreementRequest(debtor, (two,), 3, TODAY + timedelta(days=10),
                                  down_payment_cents=3000),
        operator_id=None, now=MADE + timedelta(hours=2), today=TODAY)
    return debtor


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


@pytest.fixture
def view(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
         clock: FakeClock) -> DebtorDetailView:
    del qasync_loop
    debtor = sqlite_database.run_sync(_seed)
    service = DebtorDetailService(sqlite_database, clock=clock, today=lambda: TODAY)
    vm = DebtorDetailViewModel(service)
    widget = DebtorDetailView(vm, today=lambda: TODAY, tz=ZoneInfo("America/Sao_Paulo"))
    qtbot.addWidget(widget)
    widget.resize(1360, 820)
    widget.show()
    with qtbot.waitSignal(vm.loaded):
        widget.open_debtor(debtor)
    return widget


def test_cancel_an_active_agreement_with_a_reason_and_see_how_each_ended(
        qtbot: QtBot, view: DebtorDetailView, sqlite_database: Database) -> None:
    panel = view.commitments
    table = panel.agreements
    view.tabs.setCurrentWidget(panel)
    assert table.rowCount() == 2
    assert [_cell(table, r, table.STATUS) for r in (0, 1)] == ["Ativo", "Quitado"]
    assert [_cell(table, r, table.ENDED) for r in (0, 1)] == ["", "20/11/2026 11:00"]
    # only an active agreement can be cancelled
    table.selectRow(1)
    assert not panel.cancel_agreement_button.isEnabled()
    table.selectRow(0)
    assert panel.cancel_agreement_button.isEnabled()
    assert panel.cancel_agreement_button.text() == "Cancelar acordo…"

    # no reason: refused, said where the agreements are
    panel.cancel_agreement_button.click()
    ask = view.cancel_dialog
    assert ask is not None and ask.windowTitle() == "Cancelar acordo"
    assert "acordo nº 2" in ask.labelText()
    _shot(ask, "cancel_agreement")
    ask.setTextValue("   ")
    with qtbot.waitSignal(view.vm.agreement_failed):
        ask.accept()
    assert panel.agreements_title.text().startswith("Diga por que está cancelando.")
    qtbot.waitUntil(lambda: view.cancel_dialog is None)

    table.selectRow(0)
    panel.cancel_agreement_button.click()
    ask = view.cancel_dialog
    assert ask is not None
    ask.setTextValue("Cliente vai pagar à vista")
    with qtbot.waitSignal(view.vm.agreement_changed):
        ask.accept()
    assert view.tabs.currentWidget() is panel
    assert _cell(table, 0, table.STATUS) == "Cancelado"
    assert _cell(table, 0, table.ENDED) == "23/11/2026 10:00"
    assert not panel.cancel_agreement_button.isEnabled()
    assert "Cliente vai pagar à vista" in (table.item(0, table.NUMBER).toolTip()  # type: ignore[union-attr]
                                          or "")
    events = [view.timeline.topLevelItem(i) for i in range(view.timeline.topLevelItemCount())]
    cancelled = next(e for e in events if e is not None and e.text(1) == "Acordo cancelado")
    assert cancelled.text(2) == "Recebido no acordo: R$ 0,00"
    assert any(e is not None and e.text(1) == "Acordo quitado" for e in events)
    _shot(view, "agreements_cancelled_and_completed")

    def check(session: Session) -> None:
        assert session.scalars(select(Agreement.status).order_by(Agreement.id)).all() == [
            "completed", "cancelled"]
        # the renegotiated debt is open again, the completed one's is paid
        assert session.scalars(select(Debt.status).where(Debt.agreement_id.is_(None))
                               .order_by(Debt.id)).all() == ["paid", "open"]

    sqlite_database.run_sync(check)


def test_cancelling_shows_the_credit_to_the_debt_as_a_payment_in_the_timeline(
        qtbot: QtBot, view: DebtorDetailView, sqlite_database: Database) -> None:
    def pay_down_payment(session: Session) -> None:
        down = session.scalars(select(Debt).where(Debt.agreement_id == 2,
                                                  Debt.installment_number.is_(None))).one()
        repo.record_payment(session, PaymentRequest(down.debtor_id, down.id, 3000, TODAY,
                                                    PaymentMethod.PIX),
                            operator_id=None, now=MADE + timedelta(hours=3), today=TODAY)

    sqlite_database.run_sync(pay_down_payment)
    panel = view.commitments
    view.tabs.setCurrentWidget(panel)
    panel.agreements.selectRow(0)
    panel.cancel_agreement_button.click()
    ask = view.cancel_dialog
    assert ask is not None
    ask.setTextValue("Cliente vai pagar à vista")
    with qtbot.waitSignal(view.vm.agreement_changed):
        ask.accept()
    events = [view.timeline.topLevelItem(i) for i in range(view.timeline.topLevelItemCount())]
    credits = [e for e in events if e is not None and e.text(1) == "Pagamento de R$ 30,00 (Outro)"
               and "Crédito do acordo nº 2" in e.text(2)]
    assert len(credits) == 1
    assert credits[0].text(2) == (
        "Geladeira 2/2 — Crédito do acordo nº 2, cancelado: o que foi pago no acordo")
    cancelled = next(e for e in events if e is not None and e.text(1) == "Acordo cancelado")
    assert cancelled.text(2) == "Recebido no acordo: R$ 30,00"
    # the debt's balance: R$ 300,00 less the R$ 30,00 the agreement received
    debt = sqlite_database.run_sync(lambda s: s.scalars(
        select(Debt.paid_cents).where(Debt.description == "Geladeira 2/2")).one())
    assert debt == 3000
