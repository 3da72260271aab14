"""What the debtor list needs from the services layer, as a small Protocol.

The UI depends on this shape, not on a concrete service, so tests drive the view-model and the
table model with an in-memory fake and `app.py` passes the real `DebtorListService`.
"""

from __future__ import annotations

from typing import Any, Protocol

from cobrador_desktop.domain.records import (
    DebtorCounts,
    DebtorFilter,
    DebtorPage,
    DebtorQuery,
    DebtorRow,
    DebtorSort,
    Reach,
    Segment,
)

__all__ = ["DebtorCounts", "DebtorFilter", "DebtorListSource", "DebtorPage", "DebtorQuery",
           "DebtorRow", "DebtorSort", "Reach", "Segment"]


class DebtorListSource(Protocol):
    """Pages of debtors in a stable order (keyset paging), how many there are, and the counts."""

    async def page(self, sort: DebtorSort, after: tuple[Any, ...] | None = None,
                   limit: int = 200, query: DebtorQuery | None = None) -> DebtorPage:
        """Return up to `limit` rows matching `query` after the keyset cursor `after`."""
        ...

    async def count(self, query: DebtorQuery | None = None) -> int:
        """Return how many debtors match `query` (all of them for None)."""
        ...

    async def counts(self) -> DebtorCounts:
        """Return how many debtors each quick filter and segment holds."""
        ...
