"""What the debtor list and the import wizard need from the services layer, as small Protocols.

The UI depends on this shape, not on a concrete service, so tests drive the view-model and the
table model with an in-memory fake and `app.py` passes the real `DebtorListService`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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

if TYPE_CHECKING:
    # types only: the window loads the import code (phonenumbers, charset detection, openpyxl)
    # when the wizard first opens, not before its first paint
    from cobrador_desktop.domain.import_columns import ColumnMapping
    from cobrador_desktop.domain.importing import CleanRow, RejectedRow
    from cobrador_desktop.services.import_files import Table
    from cobrador_desktop.services.importer import ImportProgress, ImportReport

__all__ = ["DebtorCounts", "DebtorFilter", "DebtorListExporter", "DebtorListSource", "DebtorPage",
           "DebtorQuery", "DebtorRow", "DebtorSort", "LoadedSheet", "Reach", "Segment", "SpreadsheetImporter"]


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


class DebtorListExporter(Protocol):
    """Writes the debtor list as the screen shows it to a CSV or XLSX file, off the GUI thread.

    `progress` and `cancelled` are called from a worker thread, so they must be thread-safe.
    """

    async def export_list(self, target: Path, query: DebtorQuery, sort: DebtorSort, *,
                          progress: Callable[[int, int], None],
                          cancelled: Callable[[], bool]) -> int:
        """Write the file (its suffix, .csv or .xlsx, picks the format); return how many rows.

        Raises:
            KnownError: unknown format, unwritable file, or cancelled (no file left behind).
        """
        ...


@dataclass(frozen=True)
class LoadedSheet:
    """A spreadsheet read for the import wizard.

    Attributes:
        table: the rows as read (`services.import_files.Table`), with `describe()`.
        header_index: the header row's index in `table.rows` (0 when no row names the required
            columns: the wizard then asks for them).
        mapping: the columns recognised automatically, or None when some required one is missing.
        sheets: an XLSX file's sheet names (empty for a CSV).
    """

    table: Table
    header_index: int
    mapping: ColumnMapping | None
    sheets: tuple[str, ...] = ()


class SpreadsheetImporter(Protocol):
    """What the import wizard needs: read a file, check its rows, import them in one transaction.

    Every method runs its work off the GUI thread. `run`'s `progress` and `cancelled` are called
    from worker threads (the database thread included), so they must be thread-safe.
    """

    async def read(self, path: Path, sheet: str | None = None) -> LoadedSheet:
        """Read `path` (CSV or XLSX; `sheet` of an XLSX, default the first).

        Raises:
            KnownError: unreadable, empty, binary or header-only file (nothing is written).
        """
        ...

    async def validate(self, table: Table, header_index: int, mapping: ColumnMapping
                       ) -> tuple[list[CleanRow], list[RejectedRow]]:
        """Check every data row below the header, as the import will."""
        ...

    async def run(self, path: Path, table: Table, header_index: int, mapping: ColumnMapping, *,
                  opt_in_source: str | None, progress: Callable[[ImportProgress], None],
                  cancelled: Callable[[], bool]) -> ImportReport:
        """Import the rows in one transaction (`ImportCancelled` when `cancelled()`: nothing kept)."""
        ...
