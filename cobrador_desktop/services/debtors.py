"""The debtor list, for the Devedores screen: pages in a stable order and the total count."""

from __future__ import annotations

from cobrador_desktop.domain.records import Cursor, DebtorPage, DebtorSort
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import debtors as debtors_repo

DEFAULT_PAGE_SIZE = 200
#: a page larger than this is a bug in the caller, not a wish to read the whole table at once
MAX_PAGE_SIZE = 2000


class DebtorListService:
    """Reads the debtor list through the database thread (keyset paging, never OFFSET)."""

    def __init__(self, db: Runner) -> None:
        self._db = db

    async def page(self, sort: DebtorSort, after: Cursor | None = None,
                   limit: int = DEFAULT_PAGE_SIZE) -> DebtorPage:
        """Up to `limit` debtors in `sort` order, after the cursor of the previous page.

        Args:
            sort: the order.
            after: the previous page's `next_after`, or None for the first page.
            limit: page size, 1 to MAX_PAGE_SIZE.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
        sort = DebtorSort(sort)
        return await self._db.run(
            lambda session: debtors_repo.list_page(session, sort=sort, after=after, limit=limit))

    async def count(self) -> int:
        """How many debtors there are."""
        return await self._db.run(debtors_repo.count_all)
