"""The main window: pages and shortcuts, first data signal, status bar, honest empty pages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.models.debtor_table_model import Column
from cobrador_desktop.ui.viewmodels.ports import DebtorSort
from cobrador_desktop.ui.views.debtors_view import DebtorsView, count_text
from tests.ui.fakes import FakeDebtorSource


@pytest.fixture
def make_window(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, tmp_path: Path,
                clock: FakeClock) -> Callable[..., MainWindow]:
    def make(source: FakeDebtorSource | None = None, **changes: Any) -> MainWindow:
        context = UiContext(
            debtors=source if source is not None else FakeDebtorSource(count=50),
            profile="normal", data_dir=tmp_path / "dados",
            database_label="sqlite:///dados/cobrador.db", version="0.1.0", clock=clock)
        window = MainWindow(replace(context, **changes))
        qtbot.addWidget(window)
        return window
    return make


def _shown(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.first_data_loaded):
        window.show()
    qtbot.waitExposed(window)


def test_title_says_when_it_is_the_demo(make_window: Callable[..., MainWindow]) -> None:
    assert make_window().windowTitle() == "Cobrador Desktop"
    assert make_window(profile="demo").windowTitle() == "Cobrador Desktop — Demonstração"


def test_navigation_has_five_pages_and_opens_on_debtors(
        make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    labels = [window.sidebar.list.item(i).text() for i in range(window.sidebar.list.count())]
    assert labels == ["Caixa de entrada", "Devedores", "Régua", "Resultados", "Configurações"]
    assert window.current_page() == Page.DEBTORS
    window.start()
    assert isinstance(window.stack.currentWidget(), DebtorsView)
    window.sidebar.list.setCurrentRow(Page.SETTINGS)  # as a click does
    assert window.current_page() == Page.SETTINGS


def test_frame_paints_before_pages_are_built(qtbot: QtBot,
                                             make_window: Callable[..., MainWindow]) -> None:
    """Paint first: with autostart off the shown window has only placeholder pages until start()."""
    context = make_window().context
    window = MainWindow(context, autostart=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not isinstance(window.stack.currentWidget(), DebtorsView)
    assert window.stack.count() == 5
    window.set_api_status("offline")  # safe before the pages exist
    with qtbot.waitSignal(window.first_data_loaded):
        window.start()
    assert isinstance(window.stack.currentWidget(), DebtorsView)
    assert window.current_page() == Page.DEBTORS


def test_ctrl_number_switches_pages(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    _shown(qtbot, window)
    window.activateWindow()
    for number, page in zip("12345", Page, strict=True):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"),  # type: ignore[no-untyped-call]
                       Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == page
        assert window.sidebar.list.currentRow() == page


def test_first_data_loaded_fires_once_with_rows(qtbot: QtBot,
                                                make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    fired: list[None] = []
    window.first_data_loaded.connect(lambda: fired.append(None))
    _shown(qtbot, window)
    view = window.debtors_view
    assert view.stack.currentWidget() is view.table
    assert view.model.rowCount() > 0
    qtbot.waitUntil(lambda: view.count_label.text() == "50 devedores")
    view.vm.set_sort(DebtorSort.OPEN_AMOUNT)  # a later reload is not "first data" again
    qtbot.wait(20)
    assert fired == [None]


def test_empty_database_shows_what_to_do(qtbot: QtBot,
                                         make_window: Callable[..., MainWindow]) -> None:
    window = make_window(FakeDebtorSource(count=0))
    _shown(qtbot, window)  # an empty list is still "first data"
    view = window.debtors_view
    assert view.stack.currentWidget() is view.empty_state
    text = view.empty_state.text_label.text()
    assert "importando a planilha de clientes" in text
    assert view.empty_state.action_button is not None
    assert view.empty_state.action_button.text() == "Importar planilha…"
    assert view.empty_state.hint_label is not None
    assert view.empty_state.hint_label.text() == "cobrador-desktop demo"
    qtbot.waitUntil(lambda: view.count_label.text() == "Nenhum devedor")


def test_empty_demo_says_how_to_recreate_the_samples(
        qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    window = make_window(FakeDebtorSource(count=0), profile="demo")
    _shown(qtbot, window)
    hint = window.debtors_view.empty_state.hint_label
    assert hint is not None and hint.text() == "cobrador-desktop demo --reset"


def test_count_text_groups_thousands() -> None:
    assert count_text(1234) == "1.234 devedores"
    assert count_text(1) == "1 devedor"


def test_clicking_a_header_sorts_by_that_order(qtbot: QtBot,
                                               make_window: Callable[..., MainWindow]) -> None:
    source = FakeDebtorSource(count=30)
    window = make_window(source)
    _shown(qtbot, window)
    header = window.debtors_view.table.horizontalHeader()

    def click(column: int) -> None:
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,  # type: ignore[no-untyped-call]
                         pos=QPoint(x, header.height() // 2))

    with qtbot.waitSignal(window.debtors_view.vm.first_page_loaded):
        click(Column.OPEN)
    assert source.calls[-1][0] == DebtorSort.OPEN_AMOUNT
    assert header.sortIndicatorSection() == Column.OPEN
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    calls = len(source.calls)
    click(Column.PHONE)  # not sortable: the indicator stays where the order really is
    qtbot.wait(20)
    assert len(source.calls) == calls
    assert header.sortIndicatorSection() == Column.OPEN


def test_status_bar_shows_connection_queue_operator_and_profile(
        make_window: Callable[..., MainWindow]) -> None:
    window = make_window(profile="demo", api_status="emulator", outbox_count=7,
                         operator_name="Joana")
    status = window.status
    assert status.api_label.text() == "WhatsApp: emulador local"
    assert status.outbox_label.text() == "Fila de envio: 7"
    assert status.operator_label.text() == "Operador: Joana"
    assert status.profile_label.text() == "Demonstração"
    window.set_api_status("offline")
    assert status.api_label.text() == "WhatsApp: sem conexão"
    window.set_operator(None)
    assert status.operator_label.text() == "Operador: —"
    normal = make_window()
    assert normal.status.api_label.text() == "WhatsApp: nenhum número conectado"
    assert not normal.status.profile_label.isVisibleTo(normal)
    with pytest.raises(ValueError, match="unknown API status"):
        window.set_api_status("maybe")


def test_outbox_count_can_come_from_an_async_function(
        qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    async def queued() -> int:
        await asyncio.sleep(0)
        return 1234

    window = make_window(outbox_count=queued)
    _shown(qtbot, window)
    qtbot.waitUntil(lambda: window.status.outbox_label.text() == "Fila de envio: 1.234")


def test_coming_soon_pages_are_honest(make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    window.start()
    for view in (window.inbox_view, window.reminders_view, window.results_view):
        assert "próxima versão" in view.empty_state.text_label.text()
        assert view.findChildren(type(window.debtors_view.table)) == []  # no tables of fake data
    window.inbox_view.empty_state.action_button.click()  # type: ignore[union-attr]
    assert window.current_page() == Page.DEBTORS


def test_settings_page_shows_this_installation(make_window: Callable[..., MainWindow],
                                               tmp_path: Path) -> None:
    window = make_window(database_label="postgresql+psycopg://cobra:***@servidor/cobrador")
    window.start()
    texts = {label.text() for label in window.settings_view.findChildren(QLabel)}
    assert "0.1.0" in texts
    assert str(tmp_path / "dados") in texts
    assert "postgresql+psycopg://cobra:***@servidor/cobrador" in texts
    assert "Nenhum número conectado" in texts
    assert "Nenhum operador identificado" in texts


def test_geometry_is_remembered(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    _shown(qtbot, window)
    assert (window.width(), window.height()) == (1360, 800)  # the first start's size
    window.resize(800, 560)  # (the offscreen screen is 800x600)
    window.close()
    assert window.context.ui_settings_path.exists()
    again = make_window()
    assert (again.width(), again.height()) == (800, 560)


def test_building_pages_opens_no_stray_windows(qtbot: QtBot,
                                               make_window: Callable[..., MainWindow]) -> None:
    """A widget made visible before it has a parent becomes a window of its own (and steals focus)."""
    from PySide6.QtWidgets import QApplication

    window = make_window()
    _shown(qtbot, window)
    stray = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]
    assert stray == []
    assert window.isActiveWindow()
