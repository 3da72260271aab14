"""Promises and agreements on the debtor screen, over a real database: the dialogs, their checks in
Portuguese, the itemised plan, the "Acordos e promessas" tab, cancelling a promise.

Set COBRADOR_SHOTS=/some/dir to save the dialogs and the tab as PNGs (to look at them)."""

from __future__ import annotations

import asyncio
import os
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import price_interest
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.records import DebtorDetail
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Agreement, Debt, Promise
from cobrador_desktop.storage.repos.debtors import refresh_summaries
from cobrador_desktop.ui.viewmodels.debtor_detail_vm import DebtorDetailViewModel
from cobrador_desktop.ui.views.debtor_detail_view import DebtorDetailView
from tests.unit.storage.factories import add_debt, add_debtor

TODAY = date(2026, 11, 23)


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("COBRADOR_SHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _seed(session: Session) -> int:
    debtor = add_debtor(session, "Maria da Silva")
    add_debt(session, debtor, 30000, date(2026, 9, 10), description="Geladeira 1/3")
    add_debt(session, debtor, 30000, date(2026, 10, 10), description="Geladeira 2/3")
    add_debt(session, debtor, 30000, date(2026, 12, 10), description="Geladeira 3/3")
    refresh_summaries(session, None, TODAY)
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


def test_promise_dialog_checks_records_and_the_tab_lists_it(
        qtbot: QtBot, view: DebtorDetailView, sqlite_database: Database) -> None:
    dialog = view.open_promise_dialog()
    assert dialog is not None
    assert dialog.amount.text() == "900,00"
    assert dialog.rule.text() == ("De hoje até 21/02/2027 (90 dias). Para prazos maiores, "
                                  "proponha um acordo.")
    dialog.amount.setText("900,01")
    dialog.submit()
    assert dialog.error_label.text().startswith(
        "O valor prometido (R$ 900,01) passa do que está em aberto (R$ 900,00).")
    dialog.amount.setText("150,00")
    dialog.due_date.setDate(dialog.due_date.date().addDays(5))
    dialog.channel.setCurrentIndex(dialog.channel.findData("whatsapp"))
    dialog.note.setText("Paga quando receber")
    _shot(dialog, "promise_dialog")
    with qtbot.waitSignal(view.vm.promise_changed):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: view.promise_dialog is None)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert view.tabs.currentWidget() is view.commitments
    table = view.commitments.promises
    assert table.rowCount() == 1 and table.isVisibleTo(view)
    assert _cell(table, 0, table.DUE) == "28/11/2026"
    assert _cell(table, 0, table.AMOUNT) == "R$ 150,00"
    assert _cell(table, 0, table.CHANNEL) == "WhatsApp"
    assert _cell(table, 0, table.STATUS) == "Em aberto"
    assert view.commitments.promises_title.text() == "Promessas (1 em aberto de 1)"
    top = view.timeline.topLevelItem(0)
    assert top is not None and top.text(1) == "Promessa de pagamento registrada"
    assert top.text(2) == "R$ 150,00 para 28/11/2026"
    _shot(view, "detail_with_promise")

    # cancelling asks why
    table.selectRow(0)
    assert view.commitments.cancel_button.isEnabled()
    view.commitments.cancel_button.click()
    ask = view.cancel_dialog
    assert ask is not None
    _shot(ask, "cancel_promise")
    ask.setTextValue("Devedor desistiu")
    with qtbot.waitSignal(view.vm.promise_changed):
        ask.accept()
    assert _cell(view.commitments.promises, 0, table.STATUS) == "Cancelada"
    assert not view.commitments.cancel_button.isEnabled()
    status = sqlite_database.run_sync(lambda s: s.scalar(select(Promise.status)))
    assert status == "cancelled"


def test_agreement_dialog_previews_the_plan_refuses_a_high_fine_and_makes_it(
        qtbot: QtBot, view: DebtorDetailView, sqlite_database: Database) -> None:
    dialog = view.open_agreement_dialog()
    assert dialog is not None
    # the two overdue debts start chosen
    assert len(dialog.chosen_debt_ids()) == 2
    dialog.down_payment.setText("100,00")
    dialog.installments.setValue(4)
    dialog.interest.setValue(1.0)
    preview = dialog.preview.text()
    assert "Valor devido" in preview and "R$ 600,00" in preview
    assert "Multa (2 %)" in preview and "R$ 12,00" in preview
    assert "Parcela 4/4" in preview and dialog.ok_button.isEnabled()
    _shot(dialog, "agreement_dialog")
    dialog.fine.setValue(2.5)
    assert "A multa de 2,5 % passa do limite de 2 %." in dialog.preview.text()
    assert "art. 52" in dialog.preview.text()
    assert not dialog.ok_button.isEnabled()
    _shot(dialog, "agreement_dialog_fine")
    dialog.fine.setValue(2.0)
    with qtbot.waitSignal(view.vm.agreement_made):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: view.agreement_dialog is None)
    detail = view.vm.detail
    assert isinstance(detail, DebtorDetail)
    (agreement,) = detail.agreements
    table = view.commitments.agreements
    assert table.rowCount() == 1
    assert _cell(table, 0, table.STATUS) == "Ativo"
    assert _cell(table, 0, table.PRINCIPAL) == "R$ 600,00"
    assert _cell(table, 0, table.TOTAL) == format_brl(agreement.total_cents)
    assert format_brl(agreement.total_cents) in preview
    assert _cell(table, 0, table.PLAN) == "4 × a partir de 23/12/2026"
    descriptions = [_cell(view.debts, r, view.debts.DESCRIPTION)
                    for r in range(view.debts.rowCount())]
    n = agreement.id
    assert f"Acordo nº {n} – entrada" in descriptions
    assert f"Acordo nº {n} – parcela 4/4" in descriptions
    statuses = sqlite_database.run_sync(lambda s: sorted(s.scalars(
        select(Debt.status).where(Debt.agreement_id.is_(None))).all()))
    assert statuses == ["agreement", "agreement", "open"]
    items = [view.timeline.topLevelItem(i) for i in range(view.timeline.topLevelItemCount())]
    made = [item for item in items if item is not None and item.text(1) == "Acordo feito"]
    assert len(made) == 1 and made[0].text(2) == (
        f"Total {format_brl(agreement.total_cents)} em 4 parcelas")
    view.tabs.setCurrentWidget(view.commitments)
    _shot(view, "detail_with_agreement")


def test_agreement_preview_counts_the_days_to_the_first_instalment_in_the_interest(
        qtbot: QtBot, view: DebtorDetailView, sqlite_database: Database) -> None:
    dialog = view.open_agreement_dialog()
    assert dialog is not None
    dialog.down_payment.setText("112,00")
    dialog.installments.setValue(3)
    dialog.interest.setValue(2.0)

    def interest_line(days: int) -> tuple[str, str]:
        dialog.first_due.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(days))
        preview = dialog.preview.text()
        # R$ 600,00 + 2 % fine − R$ 112,00 down: R$ 500,00 financed at 2 % a month
        expected = format_brl(price_interest(50000, 200, 3, days))
        return preview, expected

    preview, expected = interest_line(30)
    assert "Juros (2 % ao mês, 1ª parcela em 30 dias)" in preview and expected in preview
    preview, later = interest_line(45)
    assert "Juros (2 % ao mês, 1ª parcela em 45 dias)" in preview and later in preview
    assert later == "R$ 25,31" != expected
    preview, _ = interest_line(0)
    assert "1ª parcela hoje" in preview
    interest_line(45)
    with qtbot.waitSignal(view.vm.agreement_made):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: view.agreement_dialog is None)
    stored = sqlite_database.run_sync(lambda s: s.scalar(select(Agreement.interest_cents)))
    assert stored == price_interest(50000, 200, 3, 45) == 2531
