"""The inbox's debtor panel over a real database: what the debtor owes, their phones, an unknown
number, and a payment and a promise recorded without leaving the conversation.

Set COBRADOR_SHOTS=/some/dir to save the panel as a PNG (to look at it)."""

from __future__ import annotations

import asyncio
import os
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Promise
from cobrador_desktop.storage.repos.debtors import refresh_summaries
from cobrador_desktop.ui.resources import stylesheet
from cobrador_desktop.ui.widgets.inbox_debtor_panel import InboxDebtorPanel
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

TODAY = date(2026, 11, 23)
TZ = ZoneInfo("America/Sao_Paulo")


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("COBRADOR_SHOTS")
    if folder:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyleSheet(stylesheet())  # as the program looks
        QApplication.processEvents()  # let the layout settle first
        widget.grab().save(str(Path(folder) / f"{name}.png"))
        app.setStyleSheet("")


def _seed(session: Session) -> tuple[int, int]:
    debtor = add_debtor(session, "Maria Aparecida Souza", document="12345678909",
                        document_type="cpf")
    add_debt(session, debtor, 30000, date(2026, 9, 10), description="Geladeira",
             installment_number=1, installment_count=3)
    add_debt(session, debtor, 30000, date(2026, 10, 10), description="Geladeira",
             installment_number=2, installment_count=3, paid_cents=10000)
    add_debt(session, debtor, 30000, date(2026, 12, 10), description="Geladeira",
             installment_number=3, installment_count=3)
    add_debt(session, debtor, 5000, date(2026, 8, 1), description="Frete", status="paid",
             paid_cents=5000)
    add_phone(session, debtor, "+5511987654321")
    add_phone(session, debtor, "+5511933334444", role="reference", position=1,
              wrong_party=True)
    other = add_debtor(session, "João Lima")
    add_debt(session, other, 12000, date(2026, 11, 1), description="Compra balcão")
    refresh_summaries(session, None, TODAY)
    return debtor, other


@pytest.fixture
def seeded(sqlite_database: Database) -> tuple[int, int]:
    return sqlite_database.run_sync(_seed)


@pytest.fixture
def panel(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
          clock: FakeClock) -> InboxDebtorPanel:
    del qasync_loop
    service = DebtorDetailService(sqlite_database, clock=clock, today=lambda: TODAY)
    widget = InboxDebtorPanel(service, today=lambda: TODAY, tz=TZ)
    qtbot.addWidget(widget)
    widget.resize(300, 900)
    widget.show()
    return widget


def _load(qtbot: QtBot, panel: InboxDebtorPanel, debtor: int, operator: int | None = None
          ) -> None:
    assert panel.vm is not None
    with qtbot.waitSignal(panel.vm.loaded):
        panel.set_debtor(debtor, operator)
    assert panel.stack.currentIndex() == panel.CONTENT


def _texts(widget: QWidget, name: str) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel, name)]


def test_shows_what_the_debtor_owes_their_phones_and_opens_the_full_record(
        qtbot: QtBot, panel: InboxDebtorPanel, seeded: tuple[int, int]) -> None:
    debtor, _other = seeded
    _load(qtbot, panel, debtor)
    _shot(panel, "inbox-debtor-panel")
    assert panel.name_label.text() == "Maria Aparecida Souza"
    assert panel.meta_label.text().startswith(f"Código {debtor} · ")
    assert [(c.text(), v.text()) for c, v in panel.figures] == [
        ("Em aberto", "R$ 800,00"), ("Maior atraso", "74 dias"),
        ("Próximo vencimento", "10/12/2026")]
    assert panel.figures[1][1].property("late") is True
    assert panel.debts_title.text() == "Dívidas em aberto (3)"
    assert _texts(panel.debts_card, "debtName") == [
        "Geladeira (1/3)", "Geladeira (2/3)", "Geladeira (3/3)"]
    assert _texts(panel.debts_card, "debtBalance") == ["R$ 300,00", "R$ 200,00", "R$ 300,00"]
    assert _texts(panel.debts_card, "debtLine") == [
        "venceu 10/09/2026 · 74 dias de atraso", "venceu 10/10/2026 · 44 dias de atraso",
        "vence 10/12/2026"]
    assert panel.commitments_label.text() == "Nenhum acordo ou promessa em aberto."
    badges = [label.accessibleName() for label in panel.phones.findChildren(QLabel, "phoneBadges")]
    assert badges == ["WhatsApp não verificado, Sem autorização registrada",
                      "Referência: nunca recebe mensagens, Não é o devedor, "
                      "WhatsApp não verificado"]
    with qtbot.waitSignal(panel.open_debtor_requested) as opened:
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert opened.args == [debtor]


def test_unknown_number_and_switching_debtors(
        qtbot: QtBot, panel: InboxDebtorPanel, seeded: tuple[int, int]) -> None:
    debtor, other = seeded
    panel.set_debtor(None, 1)
    assert panel.stack.currentIndex() == panel.UNKNOWN
    assert panel.state_labels[panel.UNKNOWN].text().startswith("Número desconhecido")
    _shot(panel, "inbox-debtor-panel-unknown")
    _load(qtbot, panel, other)
    assert panel.name_label.text() == "João Lima"
    assert panel.debts_title.text() == "Dívidas em aberto (1)"
    _load(qtbot, panel, debtor)
    assert panel.name_label.text() == "Maria Aparecida Souza"
    panel.set_debtor(debtor, 1)  # the same debtor again: nothing is read
    assert panel.stack.currentIndex() == panel.CONTENT


def test_payment_and_promise_are_recorded_from_the_panel(
        qtbot: QtBot, panel: InboxDebtorPanel, seeded: tuple[int, int],
        sqlite_database: Database) -> None:
    debtor, _other = seeded
    _load(qtbot, panel, debtor)
    dialog = panel.open_payment_dialog()
    assert dialog is not None and not dialog.isModal()
    assert panel.open_promise_dialog() is None  # one form at a time
    assert dialog.amount.text() == "800,00"
    dialog.amount.setText("300,00")
    assert panel.vm is not None
    with qtbot.waitSignals([panel.changed, panel.vm.loaded]):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: panel.dialog is None)
    assert panel.figures[0][1].text() == "R$ 500,00"
    assert panel.debts_title.text() == "Dívidas em aberto (2)"

    promise = panel.open_promise_dialog()
    assert promise is not None
    promise.amount.setText("200,00")
    promise.due_date.setDate(promise.due_date.date().addDays(7))
    with qtbot.waitSignal(panel.changed):
        qtbot.mouseClick(promise.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: panel.dialog is None)
    qtbot.waitUntil(lambda: "Promessa" in panel.commitments_label.text())
    assert "R$ 200,00 até 30/11/2026" in panel.commitments_label.text()
    stored = sqlite_database.run_sync(
        lambda s: s.execute(select(Promise.amount_cents, Promise.debtor_id)).all())
    assert [tuple(row) for row in stored] == [(20000, debtor)]


def test_switching_debtor_closes_an_open_form_and_no_source_says_so(
        qtbot: QtBot, panel: InboxDebtorPanel, seeded: tuple[int, int]) -> None:
    debtor, other = seeded
    _load(qtbot, panel, debtor)
    dialog = panel.open_agreement_dialog()
    assert dialog is not None
    _load(qtbot, panel, other)
    assert panel.dialog is None
    lonely = InboxDebtorPanel(None)
    qtbot.addWidget(lonely)
    lonely.set_debtor(debtor, None)
    assert lonely.stack.currentIndex() == lonely.ERROR
    assert "não está disponível" in lonely.state_labels[lonely.ERROR].text()
