"""The debtor screen in the main window, over a real database: open from the list, pay, note, Esc."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QTableWidget, QTreeWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import DebtorNotFound
from cobrador_desktop.domain.records import DebtorDetail, PaymentMethod, PaymentRequest
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message
from cobrador_desktop.storage.repos.debtors import refresh_summaries
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.models.debtor_table_model import Column
from cobrador_desktop.ui.viewmodels.debtor_detail_vm import DebtorDetailViewModel
from cobrador_desktop.ui.views.debtor_detail_view import DebtorDetailView
from cobrador_desktop.ui.views.debtors_view import DebtorsView
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

TODAY = date(2026, 11, 23)


def _seed(session: Session) -> int:
    """30 debtors; the 8th by name owes two overdue instalments and has a reference phone."""
    target = 0
    for i in range(30):
        debtor = add_debtor(session, f"Cliente {i:02d}")
        add_debt(session, debtor, 10000, date(2026, 10, 1), description=f"Compra {i}")
        if i == 7:
            target = debtor
            add_debt(session, debtor, 5000, date(2026, 11, 1), description="Parcela 2/2")
            phone = add_phone(session, debtor, "+5511987654321")
            add_phone(session, debtor, "+551133334444", role="reference", position=1)
            conversation = Conversation(phone_id=phone, debtor_id=debtor)
            session.add(conversation)
            session.flush()
            session.add(Message(conversation_id=conversation.id, direction="in",
                                text="Vou pagar amanhã", status="received",
                                created_at=datetime(2026, 11, 20, 15, tzinfo=UTC)))
    refresh_summaries(session, None, TODAY)
    return target


@pytest.fixture
def target(sqlite_database: Database) -> int:
    return sqlite_database.run_sync(_seed)


@pytest.fixture
def window(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
           tmp_path: Path, clock: FakeClock, target: int) -> MainWindow:
    """The main window over the seeded database, its list on screen."""
    del target  # seeded first
    context = UiContext(
        debtors=DebtorListService(sqlite_database, today=lambda: TODAY), profile="normal",
        data_dir=tmp_path / "dados", database_label="sqlite", version="0.1.0", clock=clock)
    detail = DebtorDetailService(sqlite_database, clock=clock, today=lambda: TODAY)
    win = MainWindow(context, detail=detail)
    qtbot.addWidget(win)
    win.resize(1360, 800)
    with qtbot.waitSignal(win.first_data_loaded):
        win.show()
    qtbot.waitExposed(win)
    return win


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _event(tree: QTreeWidget, row: int, column: int) -> str:
    item = tree.topLevelItem(row)
    assert item is not None
    return item.text(column)


def _open_row(qtbot: QtBot, win: MainWindow, row: int) -> DebtorDetail:
    table = win.debtors_view.table
    table.setCurrentIndex(win.debtors_view.model.index(row, Column.NAME))
    with qtbot.waitSignal(win.detail_vm.loaded) as loaded:
        qtbot.keyClick(table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    detail = loaded.args[0]
    assert isinstance(detail, DebtorDetail)
    return detail


def test_enter_opens_the_debtor_pay_updates_the_list_and_esc_goes_back(
        qtbot: QtBot, window: MainWindow, target: int, sqlite_database: Database) -> None:
    view = window.detail_view
    detail = _open_row(qtbot, window, 7)
    assert detail.id == target
    assert window.stack.currentWidget() is view and window.current_page() == Page.DEBTORS
    assert view.name_label.text() == "Cliente 07"
    # the code the command line's export-person and anonymise take
    assert view.identity_fields["code"].text() == str(target)
    assert view.summary_values[1].text() == "R$ 150,00"
    assert view.debts.rowCount() == 2 and _cell(view.debts, 0, view.debts.LATE) == "53 dias"
    badges = [label.accessibleName() for row in view.phones.rows
              for label in row.findChildren(QLabel, "phoneBadges")]
    assert badges[0] == "WhatsApp não verificado, Sem autorização registrada"
    assert badges[1] == "Referência: nunca recebe mensagens, WhatsApp não verificado"
    assert _event(view.timeline, 0, 2) == "Vou pagar amanhã"
    assert view.commitments.no_promises.text() == "Nenhuma promessa de pagamento registrada."

    # pay the selected (first) debt in full
    view.debts.selectRow(0)
    dialog = view.open_payment_dialog()
    assert dialog is not None and dialog.amount.text() == "100,00"
    dialog.method.setCurrentIndex(dialog.method.findData("dinheiro"))
    with qtbot.waitSignal(window.detail_vm.payment_recorded):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: view.payment_dialog is None)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _cell(view.debts, 0, view.debts.STATUS) == "Paga"
    assert view.summary_values[1].text() == "R$ 50,00"
    assert view.payments.rowCount() == 1
    assert _cell(view.payments, 0, 2) == "Dinheiro"
    assert _cell(view.payments, 0, 4) == "não identificado"  # nobody signed in yet

    # the list reloaded behind the screen and came back to the same row, with the new amount
    model = window.debtors_view.model
    qtbot.waitUntil(lambda: not window.list_position.pending)
    table = window.debtors_view.table
    assert model.row_at(table.currentIndex().row()).id == target
    assert model.row_at(table.currentIndex().row()).open_cents == 5000

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view.debts.setFocus()  # Esc works from anywhere on the screen
    qtbot.keyClick(view.debts, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
    assert isinstance(window.stack.currentWidget(), DebtorsView)
    assert window.debtors_view.table.hasFocus()
    assert model.row_at(table.currentIndex().row()).id == target


def test_overpayment_is_explained_and_the_dialog_stays(
        qtbot: QtBot, window: MainWindow, target: int) -> None:
    view = window.detail_view
    _open_row(qtbot, window, 7)
    dialog = view.open_payment_dialog()
    assert dialog is not None
    dialog.amount.setText("150,01")
    dialog.submit()
    assert dialog.isVisible() and not dialog.error_label.isHidden()
    assert dialog.error_label.text().startswith(
        "O pagamento de R$ 150,01 é maior que o saldo em aberto (R$ 150,00).")
    dialog.amount.setText("abc")
    dialog.submit()
    assert "Valor em reais inválido" in dialog.error_label.text()
    # the service refuses too: a payment the dialog let through, for more than is now owed
    with qtbot.waitSignal(window.detail_vm.payment_failed):
        window.detail_vm.record_payment(PaymentRequest(
            target, None, 20000, TODAY, PaymentMethod.PIX))
    assert "maior que o saldo" in dialog.error_label.text()
    assert dialog.ok_button.isEnabled()
    dialog.reject()
    assert view.payments.rowCount() == 0


def test_notes_are_saved_with_ctrl_enter_and_empty_ones_explained(
        qtbot: QtBot, window: MainWindow, target: int, clock: FakeClock) -> None:
    view = window.detail_view
    _open_row(qtbot, window, 7)
    notes = view.notes
    with qtbot.waitSignal(window.detail_vm.note_failed):
        notes.submit()
    assert notes.error_label.text().startswith("A nota está vazia.")
    qtbot.keyClicks(notes.editor, "Prometeu pagar sexta")  # type: ignore[no-untyped-call]
    with qtbot.waitSignal(window.detail_vm.note_added):
        qtbot.keyClick(notes.editor, Qt.Key.Key_Return,  # type: ignore[no-untyped-call]
                       Qt.KeyboardModifier.ControlModifier)
    assert notes.editor.toPlainText() == "" and notes.error_label.isHidden()
    assert "Prometeu pagar sexta" in notes.view.toPlainText()
    assert "23/11/2026 10:00" in notes.view.toPlainText()  # 13:00 UTC in São Paulo
    assert _event(view.timeline, 0, 1) == "Nota"


class GatedSource:
    """A detail source whose loads wait to be released, to test stale answers."""

    def __init__(self) -> None:
        self.gates: dict[int, asyncio.Event] = {}

    async def load(self, debtor_id: int) -> DebtorDetail:
        gate = self.gates.setdefault(debtor_id, asyncio.Event())
        await gate.wait()
        if debtor_id == 404:
            raise DebtorNotFound(debtor_id=404)
        return DebtorDetail(
            id=debtor_id, name=f"Devedor {debtor_id}", document=None, document_type=None,
            email=None, address=None, city=None, uf=None, tags=(), opted_out=False,
            operator_name=None, created_at=datetime(2026, 1, 1, tzinfo=UTC), anonymised_at=None,
            open_cents=0, segment="new", reach="ok", in_agreement=False, phones=(), debts=(),
            notes=(), timeline=())

    record_payment = add_note = load


def test_an_answer_for_a_debtor_no_longer_on_screen_is_dropped(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop) -> None:
    source = GatedSource()
    vm = DebtorDetailViewModel(source)  # type: ignore[arg-type]
    view = DebtorDetailView(vm, today=lambda: TODAY, tz=UTC)
    qtbot.addWidget(view)
    shown: list[str] = []
    vm.loaded.connect(lambda detail: shown.append(detail.name))
    view.open_debtor(1)
    qtbot.wait(10)
    view.open_debtor(2)
    qtbot.wait(10)
    source.gates[1].set()
    with qtbot.waitSignal(vm.loaded):
        source.gates[2].set()
    qtbot.wait(10)
    assert shown == ["Devedor 2"] and view.name_label.text() == "Devedor 2"
    assert view.pay_button.isEnabled() is False  # nothing open
    with qtbot.waitSignal(vm.failed):
        view.open_debtor(404)
        source.gates[404] = asyncio.Event()
        source.gates[404].set()
    assert view.stack.currentIndex() == view.ERROR
    assert "Devedor não encontrado" in view.error_label.text()


def test_the_actions_move_under_the_name_when_the_window_is_narrow(
        qtbot: QtBot, window: MainWindow) -> None:
    """At 1024 px the name, its badges and the four actions do not fit on one line: the actions
    get their own row instead of running past the window's edge (and cutting the name)."""
    view = window.detail_view
    _open_row(qtbot, window, 7)
    bar = view.title_bar
    qtbot.waitUntil(bar.actions_beside_name)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: not bar.actions_beside_name())
    edge = view.mapToGlobal(view.rect().topRight()).x()
    for button in (view.note_button, view.promise_button, view.agreement_button,
                   view.pay_button):
        assert button.isVisible()
        assert button.mapToGlobal(button.rect().topRight()).x() <= edge
        assert button.width() >= button.sizeHint().width()
    # the name is whole
    qtbot.waitUntil(lambda: view.name_label.width() >= view.name_label.sizeHint().width())
    window.resize(1360, 800)
    qtbot.waitUntil(bar.actions_beside_name)
