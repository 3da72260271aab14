"""The debtor list as the screen sees it: pages loaded on demand, in one sort order, and a count.

Pages come from the service through coroutines on the qasync loop, so the GUI never waits for the
database. Every reload bumps a *generation*; an answer that arrives for an older generation (the
user re-sorted while a page was loading) is dropped instead of being mixed into the new list.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.ports import DebtorListSource, DebtorSort

log = logging.getLogger("cobrador.ui")

DEFAULT_PAGE_SIZE = 200


class DebtorListViewModel(QObject):
    """Loads the debtor list page by page (keyset paging) for `DebtorTableModel`."""

    #: the list was emptied (new sort order or refresh); pages follow
    reset = Signal()
    #: rows to append, in order (a tuple of `DebtorRow`)
    rows_loaded = Signal(object)
    #: the first page of the current order is in; True when the list is empty
    first_page_loaded = Signal(bool)
    #: the number of debtors
    count_changed = Signal(int)
    #: a page started or finished loading
    loading_changed = Signal(bool)
    #: loading failed with an error the user can act on (`KnownError`)
    failed = Signal(object)

    def __init__(self, source: DebtorListSource, *, page_size: int = DEFAULT_PAGE_SIZE,
                 sort: DebtorSort = DebtorSort.NAME, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._page_size = page_size
        self._sort = sort
        self._tasks = TaskRunner("debtor-list")
        self._generation = 0
        self._started = False
        self._cursor: tuple[Any, ...] | None = None
        self._has_more = True
        self._loading = False
        self._rows_loaded = 0
        self._count: int | None = None

    # ------------------------------------------------------------------ state
    @property
    def sort(self) -> DebtorSort:
        """The order the list is read in."""
        return self._sort

    @property
    def has_more(self) -> bool:
        """True until the last page of the current order has arrived."""
        return self._has_more

    @property
    def is_loading(self) -> bool:
        """True while a page is in flight (the in-flight guard of `fetch_more`)."""
        return self._loading

    @property
    def count(self) -> int | None:
        """The number of debtors, once known."""
        return self._count

    @property
    def rows_loaded_total(self) -> int:
        """How many rows of the current order have been delivered."""
        return self._rows_loaded

    # ------------------------------------------------------------------ actions
    def start(self) -> None:
        """Load the first page and the count, once (later calls do nothing)."""
        if self._started:
            return
        self._started = True
        self._reload()

    def refresh(self) -> None:
        """Reload the list from the start in the current order, and the count."""
        self._started = True
        self._reload()

    def set_sort(self, sort: DebtorSort) -> None:
        """Read the list in another order, from the start."""
        if sort == self._sort and self._started:
            return
        self._sort = sort
        self._started = True
        self._reload(count=False)

    def fetch_more(self) -> bool:
        """Ask for the next page; False when one is already in flight or there is none."""
        if not self._started or self._loading or not self._has_more:
            return False
        self._load_page(self._cursor)
        return True

    def close(self) -> None:
        """Stop loading (the window is closing)."""
        self._generation += 1
        self._tasks.cancel_all()

    # ------------------------------------------------------------------ loading
    def _reload(self, *, count: bool = True) -> None:
        self._generation += 1
        self._tasks.cancel_all()
        self._cursor = None
        self._has_more = True
        self._rows_loaded = 0
        # Start the load before announcing the reset: views answer a reset with `fetchMore`,
        # which the in-flight guard must then refuse.
        self._load_page(None)
        self.reset.emit()
        if count:
            self._tasks.spawn(self._fetch_count(self._generation), "count")

    def _load_page(self, after: tuple[Any, ...] | None) -> None:
        self._set_loading(True)
        self._tasks.spawn(self._fetch_page(self._generation, after), "page")

    async def _fetch_page(self, generation: int, after: tuple[Any, ...] | None) -> None:
        first = after is None
        try:
            page = await self._source.page(self._sort, after, self._page_size)
        except KnownError as error:
            if generation == self._generation:
                self._has_more = False
                self._set_loading(False)
                self.failed.emit(error)
            return
        except BaseException:
            if generation == self._generation:
                self._has_more = False  # do not retry a bug in a loop while the user scrolls
                self._set_loading(False)
            raise
        if generation != self._generation:
            log.debug("dropping a stale page of the debtor list")
            return
        self._cursor = page.next_after
        self._has_more = page.next_after is not None and bool(page.rows)
        self._rows_loaded += len(page.rows)
        self._set_loading(False)
        if page.rows:
            self.rows_loaded.emit(tuple(page.rows))
        if first:
            self.first_page_loaded.emit(not page.rows)

    async def _fetch_count(self, generation: int) -> None:
        try:
            total = await self._source.count()
        except KnownError as error:
            if generation == self._generation:
                self.failed.emit(error)
            return
        if generation == self._generation:
            self._count = total
            self.count_changed.emit(total)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
