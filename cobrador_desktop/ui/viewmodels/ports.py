"""What the debtor list needs from the services layer, as a small Protocol.

The UI depends on this shape, not on a concrete service, so tests drive the view-model and the
table model with an in-memory fake and `app.py` passes the real `DebtorListService`.
"""

from __future__ import annotations

from typing import Any, Protocol

from cobrador_desktop.domain.records import DebtorPage, DebtorRow, DebtorSort

__all__ = ["DebtorListSource", "DebtorPage", "DebtorRow", "DebtorSort"]


class DebtorListSource(Protocol):
    """Pages of debtors in a stable order (keyset paging), and how many there are."""

    async def page(self, sort: DebtorSort, after: tuple[Any, ...] | None = None,
                   limit: int = 200) -> DebtorPage:
        """Return up to `limit` rows after the keyset cursor `after` (None: from the start)."""
        ...

    async def count(self) -> int:
        """Return how many debtors the list holds."""
        ...
