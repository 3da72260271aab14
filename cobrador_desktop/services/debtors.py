"""The debtor list, for the Devedores screen: pages in a stable order, search, filters and counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cobrador_desktop.domain.records import (
    Cursor,
    DebtorCounts,
    DebtorPage,
    DebtorQuery,
    DebtorSort,
)
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import debtors as debtors_repo

DEFAULT_PAGE_SIZE = 200
#: a page larger than this is a bug in the caller, not a wish to read the whole table at once
MAX_PAGE_SIZE = 2000


class DebtorListService:
    """Reads the debtor list through the database thread (keyset paging, never OFFSET)."""

    def __init__(self, db: Runner, *, today: Callable[[], date] = date.today) -> None:
        """Args:
            db: the database runner.
            today: the shop's current date (in its time zone), for the date filters.
        """
        self._db = db
        self._today = today

    async def page(self, sort: DebtorSort, after: Cursor | None = None,
                   limit: int = DEFAULT_PAGE_SIZE, query: DebtorQuery | None = None
                   ) -> DebtorPage:
        """Up to `limit` debtors in `sort` order, after the cursor of the previous page.

        Args:
            sort: the order.
            after: the previous page's `next_after`, or None for the first page.
            limit: page size, 1 to MAX_PAGE_SIZE.
            query: the search text, quick filter and segment (None: everyone).
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
        sort = DebtorSort(sort)
        today = self._today()
        return await self._db.run(
            lambda session: debtors_repo.list_page(session, sort=sort, after=after, limit=limit,
                                                   query=query, today=today))

    async def count(self, query: DebtorQuery | None = None) -> int:
        """How many debtors the list shows for `query` (everyone for None)."""
        if query is None or query.is_everything:
            return await self._db.run(debtors_repo.count_all)
        today = self._today()
        return await self._db.run(
            lambda session: debtors_repo.count_matching(session, query, today))

    async def counts(self) -> DebtorCounts:
        """How many debtors each quick filter and segment holds (over the whole list)."""
        today = self._today()
        return await self._db.run(lambda session: debtors_repo.count_filters(session, today))
