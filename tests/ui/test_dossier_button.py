"""'Dossiê (PDF)…' on the debtor's screen, in the main window over a real database: the owner
gets the PDF where they chose (a sensible name offered), an operator is told only the owner may."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.roles import Actor, Role
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.services.dossier import DossierService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow
from tests.ui.fakes import FakeDebtorSource
from tests.ui.pdf_helpers import page_texts, squeeze
from tests.ui.test_sign_in import Shop
from tests.unit.services.dossier_seed import CPF, MESSAGES, TODAY, Seeded, seed

ZONE = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def seeded(sqlite_database: Database, clock: FakeClock) -> Seeded:
    """The debtor of `dossier_seed` (written before the test's qasync loop starts)."""
    return seed(sqlite_database, clock)


def _window(qtbot: QtBot, database: Database, clock: FakeClock, tmp_path: Path, *,
            dossier: bool = True) -> MainWindow:
    context = UiContext(
        debtors=DebtorListService(database, today=lambda: TODAY), profile="normal",
        data_dir=tmp_path / "dados", database_label="sqlite", version="0.1.0", clock=clock,
        dossier=DossierService(database, clock, ZONE) if dossier
        else None)
    window = MainWindow(context, detail=DebtorDetailService(database, clock=clock,
                                                            today=lambda: TODAY))
    qtbot.addWidget(window)
    window.resize(1024, 700)
    with qtbot.waitSignal(window.first_data_loaded):
        window.show()
    return window


def _open(qtbot: QtBot, window: MainWindow, debtor: int) -> None:
    with qtbot.waitSignal(window.detail_vm.loaded):
        window.open_debtor(debtor)


def test_the_owner_gets_the_dossier_where_they_chose(
        qtbot: QtBot, seeded: Seeded, qasync_loop: asyncio.AbstractEventLoop,
        sqlite_database: Database, clock: FakeClock, tmp_path: Path) -> None:
    ids = seeded
    window = _window(qtbot, sqlite_database, clock, tmp_path)
    window.session.set_actor(Actor(ids.owner, "Rita Dona", Role.OWNER))
    _open(qtbot, window, ids.debtor)
    button = window.detail_view.dossier_button
    assert button is not None and button.isVisible() and button.text() == "Dossiê (PDF)…"
    offered: list[Path] = []
    button.choose_path = lambda path: offered.append(path) or tmp_path / "dossie-maria"
    vm = window.detail_vm.dossier
    assert vm is not None
    with qtbot.waitSignal(vm.saved, timeout=30_000) as saved:
        button.click()
        assert not button.isEnabled() and button.text() == "Gerando dossiê…"
    target = tmp_path / "dossie-maria.pdf"  # ".pdf" added to a name without it
    assert saved.args == [target] and target.is_file()
    assert offered[0].name == "dossie-maria-aparecida-souza-2026-11-23.pdf"
    assert button.isEnabled() and button.text() == "Dossiê (PDF)…"
    assert isinstance(button.message, QMessageBox)
    assert button.message.text() == f"O dossiê foi gravado em {target}."
    everything = "".join(page_texts(target))
    assert all(squeeze(m.text) in everything for m in MESSAGES)
    assert CPF not in everything


def test_an_operator_is_told_only_the_owner_may_and_no_file_is_written(
        qtbot: QtBot, seeded: Seeded, qasync_loop: asyncio.AbstractEventLoop,
        sqlite_database: Database, clock: FakeClock, tmp_path: Path) -> None:
    ids = seeded
    window = _window(qtbot, sqlite_database, clock, tmp_path)
    window.session.set_actor(Actor(ids.operator, "Bruno Atendente", Role.OPERATOR))
    _open(qtbot, window, ids.debtor)
    button = window.detail_view.dossier_button
    vm = window.detail_vm.dossier
    assert button is not None and vm is not None
    button.choose_path = lambda path: tmp_path / "recusado.pdf"
    with qtbot.waitSignal(vm.failed, timeout=10_000):
        button.click()
    assert button.message is not None
    assert button.message.text().startswith("Só o dono da loja pode gerar o dossiê de um devedor")
    assert not (tmp_path / "recusado.pdf").exists()
    assert button.isEnabled()


def test_without_a_dossier_service_there_is_no_button(
        qtbot: QtBot, seeded: Seeded, qasync_loop: asyncio.AbstractEventLoop,
        sqlite_database: Database, clock: FakeClock, tmp_path: Path) -> None:
    ids = seeded
    window = _window(qtbot, sqlite_database, clock, tmp_path, dossier=False)
    _open(qtbot, window, ids.debtor)
    assert window.detail_view.dossier_button is None and window.detail_vm.dossier is None


def test_with_sign_in_the_button_is_the_owners(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        clock: FakeClock, tmp_path: Path) -> None:
    shop = Shop(sqlite_database, clock, qasync_loop)  # Rita (owner) and Ana (operator)
    context = UiContext(
        debtors=FakeDebtorSource(count=5), profile="normal", data_dir=tmp_path / "dados",
        database_label="cobrador.db", version="1.0", clock=clock, operators=shop.operators,
        dossier=DossierService(sqlite_database, clock, ZONE))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.start()
    button = window.detail_view.dossier_button
    assert button is not None
    window.session.set_actor(shop.ana)
    assert not button.isEnabled()
    assert button.toolTip().startswith("Só o dono da loja pode gerar o dossiê de um devedor")
    window.session.set_actor(shop.rita)
    assert button.isEnabled() and button.toolTip().startswith("Um PDF com tudo sobre este")
