"""The Devedores screen: debounced search, filter chips with counts, keyboard, multi-select."""

from __future__ import annotations

from asyncio import AbstractEventLoop
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from cobrador_desktop.ui.models.debtor_table_model import Column
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
from cobrador_desktop.ui.viewmodels.ports import DebtorFilter, DebtorQuery, Segment
from cobrador_desktop.ui.views.debtors_view import DebtorsView
from tests.ui.fakes import TODAY, FakeDebtorSource


def _view(qtbot: QtBot, source: FakeDebtorSource) -> DebtorsView:
    vm = DebtorListViewModel(source, page_size=500, first_page_size=500)  # one page holds all
    view = DebtorsView(vm, today=lambda: TODAY, tz=ZoneInfo("America/Sao_Paulo"))
    view.filter_bar._debounce.setInterval(30)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    # the count of the list is asked for once its first page is in
    with qtbot.waitSignals([vm.first_page_loaded, vm.count_changed, vm.counts_changed]):
        view.start()
    return view


def test_typing_searches_once_after_a_pause(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=80)
    view = _view(qtbot, source)
    pages = len(source.calls)
    qtbot.keyClicks(view.filter_bar.search, "silva")
    assert len(source.calls) == pages  # not one query per keystroke
    with qtbot.waitSignal(view.vm.first_page_loaded):
        pass
    assert len(source.calls) == pages + 1
    assert source.queries[-1] == DebtorQuery("silva")
    shown = {view.model.row_at(i).id for i in range(view.model.rowCount())}
    assert shown == {r.id for r in source.matching(DebtorQuery("silva"))}
    qtbot.waitUntil(lambda: view.count_label.text().endswith(("devedores", "devedor")))


def test_no_match_offers_to_clear_and_clearing_shows_everyone(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    view = _view(qtbot, FakeDebtorSource(count=20))
    view.filter_bar.search.setText("xyzxyz")
    with qtbot.waitSignal(view.vm.first_page_loaded):
        view.filter_bar.flush_search()
    assert view.stack.currentIndex() == view.NO_MATCH
    with qtbot.waitSignal(view.vm.first_page_loaded):
        view.no_match_state.action_triggered.emit()
    assert view.stack.currentIndex() == view.TABLE
    assert view.model.rowCount() == 20


def test_chips_show_counts_and_filter(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=90)
    view = _view(qtbot, source)
    counts = view.vm.counts
    assert counts is not None
    overdue = counts.filters[DebtorFilter.OVERDUE]
    chip = view.filter_bar.chips[DebtorFilter.OVERDUE]
    assert chip.text() == f"Em atraso  {overdue}"
    assert view.filter_bar.chips[DebtorFilter.PROMISE].text() == "Promessa de pagamento  0"
    with qtbot.waitSignal(view.vm.first_page_loaded):
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == overdue
    assert all(view.model.data(view.model.index(i, Column.STATUS)) in ("Em atraso",
                                                                       "Em acordo",
                                                                       "Não contatar")
               for i in range(view.model.rowCount()))
    box = view.filter_bar.segment_box
    index = box.findData(Segment.NEW.value)
    assert box.itemText(index) == f"Novo ({counts.segments[Segment.NEW]})"
    with qtbot.waitSignal(view.vm.first_page_loaded):
        box.setCurrentIndex(index)
    assert source.queries[-1] == DebtorQuery("", DebtorFilter.OVERDUE, Segment.NEW)


def test_keyboard_search_list_and_open(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    view = _view(qtbot, FakeDebtorSource(count=30))
    view.activateWindow()
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.filter_bar.search.hasFocus()
    qtbot.keyClick(view.filter_bar.search, Qt.Key.Key_Down)
    assert view.table.hasFocus()
    assert view.table.currentIndex().row() == 0
    qtbot.keyClick(view.table, Qt.Key.Key_Slash)
    assert view.filter_bar.search.hasFocus()
    qtbot.keyClicks(view.filter_bar.search, "12.345/6")  # "/" is typed, not a shortcut, here
    assert view.filter_bar.search.text() == "12.345/6"
    qtbot.keyClick(view.filter_bar.search, Qt.Key.Key_Escape)  # clears
    assert view.filter_bar.search.text() == ""
    qtbot.keyClick(view.filter_bar.search, Qt.Key.Key_Escape)  # then leaves
    assert view.table.hasFocus()

    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.open_requested) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [view.model.row_at(1).id]


def test_several_rows_can_be_selected_for_bulk_actions(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    view = _view(qtbot, FakeDebtorSource(count=30))
    assert view.table.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(2, 0))
    with qtbot.waitSignal(view.selection_changed):
        qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_ids() == [view.model.row_at(i).id for i in (2, 3, 4)]
    assert view.count_label.text() == "30 devedores · 3 selecionados"


def test_a_first_page_that_does_not_fill_the_table_is_followed_by_the_next(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=40)
    vm = DebtorListViewModel(source, page_size=30, first_page_size=5)
    view = DebtorsView(vm, today=lambda: TODAY, tz=ZoneInfo("America/Sao_Paulo"))
    qtbot.addWidget(view)
    view.resize(1200, 700)  # room for about 15 rows
    view.show()
    qtbot.waitExposed(view)
    view.start()
    qtbot.waitUntil(lambda: view.model.rowCount() == 35)  # the table asked for the next page
    assert [limit for _sort, _after, limit in source.calls] == [5, 30]
