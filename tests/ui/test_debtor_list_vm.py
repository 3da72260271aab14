"""The debtor-list view-model loads keyset pages on the qasync loop without blocking the GUI."""

from __future__ import annotations

import asyncio
from asyncio import AbstractEventLoop

from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.errors import DatabaseUnavailable
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
from cobrador_desktop.ui.viewmodels.ports import (
    DebtorFilter,
    DebtorPage,
    DebtorQuery,
    DebtorRow,
    DebtorSort,
    Segment,
)
from tests.ui.fakes import FakeDebtorSource


def _collect(vm: DebtorListViewModel) -> list[DebtorRow]:
    rows: list[DebtorRow] = []
    vm.rows_loaded.connect(lambda chunk: rows.extend(chunk))
    vm.reset.connect(rows.clear)
    return rows


def test_first_page_and_count_arrive(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=25)
    vm = DebtorListViewModel(source, page_size=10)
    rows = _collect(vm)
    with qtbot.waitSignals([vm.first_page_loaded, vm.count_changed]) as blocker:
        vm.start()
    assert len(rows) == 10
    assert vm.count == 25
    assert vm.has_more
    assert not vm.is_loading
    assert [r.name.casefold() for r in rows] == sorted(r.name.casefold() for r in rows)
    del blocker


def test_fetch_more_walks_every_page_once(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=25)
    vm = DebtorListViewModel(source, page_size=10)
    rows = _collect(vm)
    with qtbot.waitSignal(vm.first_page_loaded):
        vm.start()
    while vm.has_more:
        with qtbot.waitSignal(vm.loading_changed, check_params_cb=lambda loading: not loading):
            assert vm.fetch_more()
    assert len(rows) == 25
    assert len({r.id for r in rows}) == 25  # no duplicates across pages
    assert not vm.fetch_more()
    assert len(source.calls) == 3


def test_in_flight_guard_allows_one_page_at_a_time(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=30)
    vm = DebtorListViewModel(source, page_size=10)
    with qtbot.waitSignal(vm.first_page_loaded):
        vm.start()
    source.gate = asyncio.Event()
    assert vm.fetch_more()
    assert vm.is_loading
    assert not vm.fetch_more()
    assert not vm.fetch_more()
    with qtbot.waitSignal(vm.rows_loaded):
        source.gate.set()
    assert len(source.calls) == 2


def test_start_does_not_block_the_gui(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=5)
    source.gate = asyncio.Event()
    vm = DebtorListViewModel(source)
    vm.start()  # returns at once; the page is awaited on the loop
    assert vm.is_loading
    with qtbot.waitSignal(vm.first_page_loaded):
        source.gate.set()


def test_resort_drops_a_stale_page(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=12)
    vm = DebtorListViewModel(source, page_size=50)
    rows = _collect(vm)
    source.gate = asyncio.Event()
    vm.start()
    vm.set_sort(DebtorSort.OPEN_AMOUNT)  # while the NAME page is still loading
    with qtbot.waitSignal(vm.first_page_loaded):
        source.gate.set()
    qtbot.wait(20)
    assert len(rows) == 12
    amounts = [r.open_cents for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert vm.sort == DebtorSort.OPEN_AMOUNT


def test_empty_list_says_so(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    vm = DebtorListViewModel(FakeDebtorSource(count=0))
    with qtbot.waitSignal(vm.first_page_loaded) as blocker:
        vm.start()
    assert blocker.args == [True]
    assert not vm.has_more


def test_known_error_is_reported_not_raised(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=3)
    source.error = DatabaseUnavailable(detail="recusada")
    vm = DebtorListViewModel(source)
    with qtbot.waitSignal(vm.failed) as blocker:
        vm.start()
    assert isinstance(blocker.args[0], DatabaseUnavailable)
    qtbot.waitUntil(lambda: not vm.is_loading)
    assert not vm.fetch_more()  # no retry loop while the user scrolls


# ------------------------------------------------------------------ search, filters, counts


def test_search_filter_and_segment_reload_with_the_query(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=120)
    vm = DebtorListViewModel(source, page_size=500)
    rows = _collect(vm)
    with qtbot.waitSignals([vm.first_page_loaded, vm.count_changed, vm.counts_changed]):
        vm.start()
    assert vm.count == 120
    assert vm.counts is not None and vm.counts.total == 120

    with qtbot.waitSignals([vm.first_page_loaded, vm.count_changed]):
        vm.set_search("  silva ")
    assert vm.query == DebtorQuery("silva")
    assert rows and all("silva" in r.name.casefold() for r in rows)
    assert vm.count == len(rows) < 120
    assert source.queries[-1] == DebtorQuery("silva")

    with qtbot.waitSignal(vm.first_page_loaded):
        vm.set_filter(DebtorFilter.DO_NOT_CONTACT)
    with qtbot.waitSignal(vm.first_page_loaded):
        vm.set_segment(Segment.ALWAYS_LATE)
    expected = DebtorQuery("silva", DebtorFilter.DO_NOT_CONTACT, Segment.ALWAYS_LATE)
    assert source.queries[-1] == expected
    assert {r.id for r in rows} == {r.id for r in source.matching(expected)}

    calls = len(source.calls)
    vm.set_search("silva")  # the same query: nothing to do
    assert len(source.calls) == calls


def test_typing_drops_the_pages_of_earlier_keystrokes_but_not_the_counts(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=60)
    vm = DebtorListViewModel(source, page_size=500)
    rows = _collect(vm)
    source.gate = asyncio.Event()
    counts: list[object] = []
    vm.counts_changed.connect(counts.append)
    vm.start()
    vm.set_search("a")
    vm.set_search("an")
    vm.set_search("ana")
    with qtbot.waitSignal(vm.first_page_loaded):
        source.gate.set()
    wanted = {r.id for r in source.matching(DebtorQuery("ana"))}
    assert len(rows) == len(wanted) and {r.id for r in rows} == wanted  # no stale rows mixed in
    qtbot.waitUntil(lambda: len(counts) == 1)


class _LoggingSource(FakeDebtorSource):
    """Records when pages and counts are asked for and answered."""

    def __init__(self, count: int) -> None:
        super().__init__(count=count)
        self.log: list[str] = []

    async def page(self, sort: DebtorSort, after: tuple[object, ...] | None = None,
                   limit: int = 200, query: DebtorQuery | None = None) -> DebtorPage:
        self.log.append("page asked")
        page = await super().page(sort, after, limit, query)
        self.log.append("page answered")
        return page

    async def count(self, query: DebtorQuery | None = None) -> int:
        self.log.append("count asked")
        return await super().count(query)


def test_a_keystroke_asks_for_the_page_first_then_empties_the_list_then_counts(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = _LoggingSource(count=40)
    vm = DebtorListViewModel(source, page_size=10)
    vm.reset.connect(lambda: source.log.append("reset"))
    vm.rows_loaded.connect(lambda _rows: source.log.append("rows"))
    with qtbot.waitSignals([vm.first_page_loaded, vm.count_changed]):
        vm.start()
    source.log.clear()
    vm.set_search("a")
    assert source.log == []  # the list on screen stays until the loop turns
    with qtbot.waitSignals([vm.first_page_loaded, vm.count_changed]):
        pass
    # the database thread reads while the table lays itself out empty, and the count waits
    # for the page instead of holding it up
    assert source.log == ["page asked", "reset", "page answered", "rows", "count asked"]


def test_a_failed_reload_empties_the_list(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=5)
    vm = DebtorListViewModel(source)
    rows = _collect(vm)
    with qtbot.waitSignals([vm.first_page_loaded, vm.count_changed]):
        vm.start()
    assert len(rows) == 5
    source.error = DatabaseUnavailable(detail="recusada")
    with qtbot.waitSignal(vm.failed):
        vm.refresh()
    assert rows == []
    assert vm.count == 5  # no count is asked for a list that failed to load


def test_a_reload_reads_a_screenful_first_then_whole_pages(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    from cobrador_desktop.ui.viewmodels.debtor_list_vm import FIRST_PAGE_SIZE

    source = FakeDebtorSource(count=FIRST_PAGE_SIZE + 250)
    vm = DebtorListViewModel(source, page_size=200)
    rows = _collect(vm)
    with qtbot.waitSignal(vm.first_page_loaded):
        vm.start()
    assert len(rows) == FIRST_PAGE_SIZE < 200
    while vm.has_more:
        with qtbot.waitSignal(vm.loading_changed, check_params_cb=lambda loading: not loading):
            assert vm.fetch_more()
    assert [limit for _sort, _after, limit in source.calls] == [FIRST_PAGE_SIZE, 200, 200]
    assert len({r.id for r in rows}) == len(rows) == len(source.rows)
    with qtbot.waitSignal(vm.first_page_loaded):
        vm.set_search("a")
    assert source.calls[-1][2] == FIRST_PAGE_SIZE  # every reload starts with a screenful
