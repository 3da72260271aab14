"""The Régua page over a real database: edit, save, reload; a wrong step; the default; the keys."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.regua import DEFAULT_REGUA, OVERDUE, REMINDER, Regua, Step
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.services.regua import ReguaService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Template
from cobrador_desktop.storage.repos.regua import load_regua
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.models.regua_steps_model import StepColumn
from cobrador_desktop.ui.viewmodels.regua_text import timeline_text
from cobrador_desktop.ui.viewmodels.regua_vm import ReguaViewModel
from cobrador_desktop.ui.views.regua_view import ReguaView
from tests.fixtures.qt import run_async


def _cell(view: ReguaView, row: int, column: StepColumn) -> str:
    return str(view.vm.model.index(row, column).data())


@pytest.fixture
def service(sqlite_database: Database, clock: FakeClock) -> ReguaService:
    def seed(session: object) -> None:
        session.add(Template(name="cobranca_gentil_v2", status="APPROVED"))  # type: ignore[attr-defined]

    sqlite_database.run_sync(seed)
    return ReguaService(sqlite_database, clock)


def _open(qtbot: QtBot, service: ReguaService) -> ReguaView:
    vm = ReguaViewModel(service)
    view = ReguaView(vm, None, tz=ZoneInfo("America/Sao_Paulo"))
    qtbot.addWidget(view)
    view.resize(1100, 720)
    with qtbot.waitSignal(vm.templates_loaded):
        view.show()
    return view


def test_edit_save_and_reload_shows_the_saved_regua(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, service: ReguaService,
        sqlite_database: Database) -> None:
    view = _open(qtbot, service)
    assert view.vm.regua() == DEFAULT_REGUA
    assert _cell(view, 4, StepColumn.REPEAT) == "a cada 15 dias até D+90"
    assert _cell(view, 0, StepColumn.PURPOSE) == "Lembrete"
    assert view.timeline.text().startswith("Parcelas: D-3 · D0 · D+1 · D+7 · D+15…D+90 a cada 15")
    assert not view.save_button.isEnabled()
    # the template choice offers the templates table's names
    names = [view.form.template.itemText(i) for i in range(view.form.template.count())]
    assert "cobranca_gentil_v2" in names and "lembrete_vencimento_v1" in names

    # D+7 becomes D+5 with another template, a week's grace, for "Atrasa sempre" only
    view.select_row(3)
    view.form.day.setValue(5)
    view.form.template.setEditText("cobranca_gentil_v2")
    view.form.grace.setValue(7)
    view.form.group.setCurrentIndex(view.form.group.findData("always_late"))
    assert _cell(view, 3, StepColumn.DAY) == "D+5"
    assert _cell(view, 3, StepColumn.GROUP) == "Atrasa sempre"
    assert _cell(view, 3, StepColumn.GRACE) == "7 dias"
    # the table's own keys: Space switches D0 off, Ctrl+↓ moves the first step down
    view.table.setFocus()
    view.select_row(1)
    qtbot.keyClick(view.table, Qt.Key.Key_Space)  # type: ignore[no-untyped-call]
    assert not view.vm.model.step(1).active
    view.select_row(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Down,  # type: ignore[no-untyped-call]
                   Qt.KeyboardModifier.ControlModifier)
    assert view.current_row() == 1 and view.vm.model.step(1).code == "D-3"
    assert view.vm.dirty and view.save_button.isEnabled()
    assert view.state_label.text() == "● Alterações não salvas"
    assert view.header.title_label.text().endswith("*")
    assert "D+5 (Atrasa sempre)" in view.timeline.text()
    edited = view.vm.regua()

    with qtbot.waitSignal(view.vm.saved):
        qtbot.keyClick(view.table, Qt.Key.Key_S,  # type: ignore[no-untyped-call]
                       Qt.KeyboardModifier.ControlModifier)
    assert not view.vm.dirty and not view.save_button.isEnabled()
    assert view.state_label.text().startswith("Régua salva")
    assert sqlite_database.run_sync(load_regua) == edited
    audit = sqlite_database.run_sync(lambda s: s.scalars(select(AuditEntry.details).where(
        AuditEntry.action == "regua.change")).all())
    assert len(audit) == 1 and "D+5 overdue cobranca_gentil_v2 (always_late)" in audit[0]["to"]

    # a new screen on the same database shows the saved régua
    again = _open(qtbot, service)
    assert again.vm.regua() == edited
    assert _cell(again, 3, StepColumn.TEMPLATE) == "cobranca_gentil_v2"
    assert _cell(again, 0, StepColumn.DAY) == "D0"
    assert again.timeline.text().split("\n")[0] == (
        "Parcelas: D-3 · D+1 · D+5 (Atrasa sempre) · D+15…D+90 a cada 15")  # D0 is off


def test_a_wrong_step_is_explained_and_the_edits_stay(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, service: ReguaService,
        sqlite_database: Database) -> None:
    view = _open(qtbot, service)
    view.select_row(4)
    qtbot.keyClick(view.table, Qt.Key.Key_Insert)  # type: ignore[no-untyped-call]
    assert view.current_row() == 5 and view.vm.model.rowCount() == len(DEFAULT_REGUA.steps) + 1
    # a reminder ("Lembrete") after the due date is not allowed
    view.form.purpose.setCurrentIndex(view.form.purpose.findData(REMINDER))
    view.form.template.setEditText("lembrete_vencimento_v1")
    expected = ("A régua não foi salva: etapa 6 (D+97): um lembrete vai antes do vencimento ou "
                "no dia (use “em atraso”). Corrija a etapa indicada e salve de novo; a régua "
                "anterior continua valendo.")
    assert view.problem_label.text() == expected  # as soon as it is wrong
    edited = view.vm.regua()
    with qtbot.waitSignal(view.vm.save_failed):
        view.save_button.click()
    assert view.problem_label.isVisible() and view.problem_label.text() == expected
    assert view.vm.regua() == edited and view.vm.dirty  # nothing lost
    assert sqlite_database.run_sync(load_regua) == DEFAULT_REGUA  # nothing saved
    # fixed: the message goes, and it saves
    view.form.purpose.setCurrentIndex(view.form.purpose.findData(OVERDUE))
    assert view.problem_label.text() == "" and not view.problem_label.isVisible()
    with qtbot.waitSignal(view.vm.saved):
        view.save_button.click()
    assert sqlite_database.run_sync(load_regua).steps[5].code == "D+97"


def test_restore_default_and_discard(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, service: ReguaService,
        sqlite_database: Database) -> None:
    mine = Regua((Step(-1, REMINDER, "lembrete_vencimento_v1"),
                  Step(10, OVERDUE, "parcela_em_atraso_v1", grace_days=0)))
    run_async(qasync_loop, service.save(mine, None))
    view = _open(qtbot, service)
    assert view.vm.regua() == mine
    view.select_row(1)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # type: ignore[no-untyped-call]
    assert view.vm.model.rowCount() == 1 and view.vm.dirty
    view.discard_button.click()
    assert view.vm.regua() == mine and not view.vm.dirty

    view.default_button.click()
    assert view.vm.regua() == DEFAULT_REGUA and view.vm.dirty
    assert sqlite_database.run_sync(load_regua) == mine  # only "Salvar" makes it hold
    with qtbot.waitSignal(view.vm.saved):
        view.save_button.click()
    assert sqlite_database.run_sync(load_regua) == DEFAULT_REGUA


def test_the_main_window_shows_the_regua_on_ctrl_3(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, service: ReguaService,
        sqlite_database: Database, tmp_path: Path, clock: FakeClock) -> None:
    context = UiContext(
        debtors=DebtorListService(sqlite_database), profile="normal",
        data_dir=tmp_path / "dados", database_label="sqlite", version="0.1.0", clock=clock,
        regua=service)
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.resize(1360, 800)
    with qtbot.waitSignal(win.first_data_loaded):
        win.show()
    assert win.regua_vm is not None
    with qtbot.waitSignal(win.regua_vm.templates_loaded):
        qtbot.keyClick(win, Qt.Key.Key_3,  # type: ignore[no-untyped-call]
                       Qt.KeyboardModifier.ControlModifier)
    assert win.current_page() == Page.REMINDERS
    assert isinstance(win.reminders_view, ReguaView)
    assert win.reminders_view.tabs.count() == 1  # no planner given: no preview tab
    assert win.reminders_view.timeline.text() == timeline_text(DEFAULT_REGUA.steps)
    win.grab().save(str(Path("/tmp/regua.png")))
