"""The debtor list as the screen sees it: pages loaded on demand, in one sort order, and counts.

Pages come from the service through coroutines on the qasync loop, so the GUI never waits for the
database. What is shown is one sort order and one `DebtorQuery` (search text, quick filter,
segment); changing either reloads from the first page. Every reload bumps a *generation*; an
answer that arrives for an older generation (the user typed on, or re-sorted, while a page was
loading) is dropped instead of being mixed into the new list.

The first page of a reload is a screenful or two (`FIRST_PAGE_SIZE` rows), so a keystroke shows
its result as soon as those are read; the next pages are `page_size` rows, asked for as the view
scrolls (or at once, when the first page does not fill it). A reload asks for its first page
before it empties the list: `reset` follows one turn of the event loop later (or with the page,
if that comes first), so the database thread is already reading while the table lays itself out
and repaints empty. The count of the new list is asked for after its first page, so it never
holds the page up on the database thread.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.tasks import TaskRunner, current_loop
from cobrador_desktop.ui.viewmodels.ports import (
    DebtorCounts,
    DebtorFilter,
    DebtorListSource,
    DebtorQuery,
    DebtorSort,
    Segment,
)

log = logging.getLogger("cobrador.ui")

DEFAULT_PAGE_SIZE = 200
#: the first page of a reload: two screenfuls of a full-HD window (about 30 rows each); a broad
#: search reads the name index until it has this many rows, so fewer rows answer sooner
FIRST_PAGE_SIZE = 60


class DebtorListViewModel(QObject):
    """Loads the debtor list page by page (keyset paging) for `DebtorTableModel`."""

    #: the list was emptied (new query, sort order or refresh); pages follow
    reset = Signal()
    #: rows to append, in order (a tuple of `DebtorRow`)
    rows_loaded = Signal(object)
    #: the first page of the current order is in; True when the list is empty
    first_page_loaded = Signal(bool)
    #: the number of debtors the current query shows
    count_changed = Signal(int)
    #: how many debtors each quick filter and segment holds (`DebtorCounts`)
    counts_changed = Signal(object)
    #: the search, filter or segment changed (the new `DebtorQuery`)
    query_changed = Signal(object)
    #: a page started or finished loading
    loading_changed = Signal(bool)
    #: loading failed with an error the user can act on (`KnownError`)
    failed = Signal(object)

    def __init__(self, source: DebtorListSource, *, page_size: int = DEFAULT_PAGE_SIZE,
                 first_page_size: int = FIRST_PAGE_SIZE, sort: DebtorSort = DebtorSort.NAME,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._page_size = page_size
        self._first_page_size = min(first_page_size, page_size)
        self._sort = sort
        self._tasks = TaskRunner("debtor-list")
        # apart from the pages': a reload (a keystroke in the search box) must not cancel them
        self._counts_tasks = TaskRunner("debtor-list-counts")
        self._generation = 0
        self._started = False
        self._cursor: tuple[Any, ...] | None = None
        self._has_more = True
        self._loading = False
        self._rows_loaded = 0
        #: the reload's count is asked for once its first page is in
        self._count_pending = False
        #: the reload's `reset` is still to be emitted (see the module docstring)
        self._reset_pending = False
        self._count: int | None = None
        self._counts: DebtorCounts | None = None
        self._query = DebtorQuery()

    # ------------------------------------------------------------------ state
    @property
    def sort(self) -> DebtorSort:
        """The order the list is read in."""
        return self._sort

    @property
    def query(self) -> DebtorQuery:
        """The search text, quick filter and segment the list shows."""
        return self._query

    @property
    def counts(self) -> DebtorCounts | None:
        """How many debtors each quick filter and segment holds, once known."""
        return self._counts

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
        """The number of debtors the current query shows, once known."""
        return self._count

    @property
    def rows_loaded_total(self) -> int:
        """How many rows of the current order have been delivered."""
        return self._rows_loaded

    # ------------------------------------------------------------------ actions
    def start(self) -> None:
        """Load the first page, the count and the filter counts, once (later calls do nothing)."""
        if self._started:
            return
        self._started = True
        self._reload(counts=True)

    def refresh(self) -> None:
        """Reload the list from the start in the current order, the count and the filter counts."""
        self._started = True
        self._reload(counts=True)

    def set_search(self, text: str) -> None:
        """Show the debtors `text` finds (name, CPF/CNPJ, phone, debt description); "" for all."""
        self._set_query(DebtorQuery(text.strip(), self._query.filter, self._query.segment))

    def set_filter(self, which: DebtorFilter | None) -> None:
        """Show only one quick filter's debtors (None: no quick filter)."""
        self._set_query(DebtorQuery(self._query.text, which, self._query.segment))

    def set_segment(self, segment: Segment | None) -> None:
        """Show only one segment's debtors (None: every segment)."""
        self._set_query(DebtorQuery(self._query.text, self._query.filter, segment))

    def _set_query(self, query: DebtorQuery) -> None:
        if query == self._query:
            return
        self._query = query
        self.query_changed.emit(query)
        if self._started:
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
        self._reset_pending = False
        self._tasks.cancel_all()
        self._counts_tasks.cancel_all()

    # ------------------------------------------------------------------ loading
    def _reload(self, *, count: bool = True, counts: bool = False) -> None:
        self._generation += 1
        self._tasks.cancel_all()
        self._cursor = None
        self._has_more = True
        self._rows_loaded = 0
        # The page's task takes its first step (handing the query to the database thread) on
        # the loop's next turn, and the reset after it. Views answer a reset with `fetchMore`,
        # which the in-flight guard then refuses.
        self._load_page(None)
        self._reset_pending = True
        current_loop().call_soon(self._flush_reset)
        self._count_pending = count
        if counts:
            # not tied to a generation: typing in the search box does not change them
            self._counts_tasks.cancel_all()
            self._counts_tasks.spawn(self._fetch_counts(), "counts")

    def _load_page(self, after: tuple[Any, ...] | None) -> None:
        self._set_loading(True)
        self._tasks.spawn(self._fetch_page(self._generation, after), "page")

    async def _fetch_page(self, generation: int, after: tuple[Any, ...] | None) -> None:
        first = after is None
        try:
            limit = self._first_page_size if first else self._page_size
            page = await self._source.page(self._sort, after, limit, self._query)
        except KnownError as error:
            if generation == self._generation:
                self._stop_loading(first)
                self.failed.emit(error)
            return
        except BaseException:
            if generation == self._generation:
                self._stop_loading(first)  # do not retry a bug in a loop while the user scrolls
            raise
        if generation != self._generation:
            log.debug("dropping a stale page of the debtor list")
            return
        self._cursor = page.next_after
        self._has_more = page.next_after is not None and bool(page.rows)
        self._rows_loaded += len(page.rows)
        self._set_loading(False)
        if first:
            self._flush_reset()
        if page.rows:
            self.rows_loaded.emit(tuple(page.rows))
        if first:
            self.first_page_loaded.emit(not page.rows)
            if self._count_pending:
                self._count_pending = False
                self._tasks.spawn(self._fetch_count(generation, self._query), "count")

    def _stop_loading(self, first: bool) -> None:
        """A page failed: no more pages (and a reload still empties the list it was to replace)."""
        self._has_more = False
        self._count_pending = False
        self._set_loading(False)
        if first:
            self._flush_reset()

    def _flush_reset(self) -> None:
        if self._reset_pending:
            self._reset_pending = False
            self.reset.emit()

    async def _fetch_count(self, generation: int, query: DebtorQuery) -> None:
        try:
            total = await self._source.count(None if query.is_everything else query)
        except KnownError as error:
            if generation == self._generation:
                self.failed.emit(error)
            return
        if generation == self._generation:
            self._count = total
            self.count_changed.emit(total)

    async def _fetch_counts(self) -> None:
        try:
            counts = await self._source.counts()
        except KnownError as error:
            log.warning("the debtor list's filter counts failed: %s", error.message_source)
            return
        self._counts = counts
        self.counts_changed.emit(counts)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
