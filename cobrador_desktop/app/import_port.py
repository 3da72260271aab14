"""The import wizard's way to the import services (`ui.viewmodels.ports.SpreadsheetImporter`).

Reading, checking and importing run on worker threads, the merge on the database thread (its
one transaction); the GUI thread only awaits. The wizard's column mapping is explicit (a column
may be ignored, or named anything), so `run` takes it instead of `import_file`'s `--map` texts and
chains the same public steps `import_file` does: validate, merge, report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    # the import code (phonenumbers, charset detection, SQLAlchemy under the services) loads when
    # the wizard first reads a file, not at start-up (ARCHITECTURE.md §3: the window paints first)
    from cobrador_desktop.domain.clock import Clock
    from cobrador_desktop.domain.import_columns import ColumnMapping
    from cobrador_desktop.domain.importing import CleanRow, RejectedRow
    from cobrador_desktop.services.import_files import Table
    from cobrador_desktop.services.importer import ImportProgress, ImportReport
    from cobrador_desktop.services.ports import SyncRunner
    from cobrador_desktop.ui.viewmodels.ports import LoadedSheet

T = TypeVar("T")


class SpreadsheetImportService:
    """Implements `SpreadsheetImporter` over a database that may still be opening."""

    def __init__(self, database: Callable[[], Awaitable[SyncRunner]], *, clock: Clock,
                 timezone: tzinfo, operator_id: int | None = None,
                 imported_by: str | None = None) -> None:
        """Args:
            database: awaits the open database (`Backend.ready`).
            clock: the instant of the import; `timezone`: the shop's, for its date.
            operator_id / imported_by: who imports (the OS login when neither is given).
        """
        self._database = database
        self._clock = clock
        self._tz = timezone
        self._operator_id = operator_id
        self._imported_by = imported_by

    async def read(self, path: Path, sheet: str | None = None) -> LoadedSheet:
        """Read the file on a worker thread (see the port)."""
        return await _off_thread(partial(_read, path, sheet))

    async def validate(self, table: Table, header_index: int, mapping: ColumnMapping
                       ) -> tuple[list[CleanRow], list[RejectedRow]]:
        """Check every data row on a worker thread."""
        from cobrador_desktop.services.importer import validate_rows

        return await _off_thread(partial(validate_rows, table, header_index, mapping))

    async def run(self, path: Path, table: Table, header_index: int, mapping: ColumnMapping, *,
                  opt_in_source: str | None, progress: Callable[[ImportProgress], None],
                  cancelled: Callable[[], bool]) -> ImportReport:
        """Validate and merge on worker threads, in one database transaction."""
        from cobrador_desktop.services.importer import import_table

        db = await self._database()
        now = self._clock.now()
        return await _off_thread(partial(
            import_table, db, path, table, header_index, mapping, now=now,
            today=now.astimezone(self._tz).date(), opt_in_source=opt_in_source,
            operator_id=self._operator_id, imported_by=self._imported_by,
            progress=progress, cancelled=cancelled))


async def _off_thread(fn: Callable[[], T]) -> T:
    import asyncio  # here: this module loads before the window's first paint, asyncio after it

    return await asyncio.get_running_loop().run_in_executor(None, fn)


def _read(path: Path, sheet: str | None) -> LoadedSheet:
    from cobrador_desktop.services.import_files import (
        EXPORT_AGAIN_HINT,
        HEADER_ONLY,
        ImportFileError,
        read_table,
    )
    from cobrador_desktop.ui.viewmodels.ports import LoadedSheet

    table = read_table(path, sheet=sheet)
    sheets = _sheet_names(path) if table.kind == "xlsx" else ()
    header_index, mapping = _header(table)
    if sheet is None and mapping is None and len(sheets) > 1:
        # a summary or cover sheet first (as many shops' workbooks have): take the first sheet
        # whose columns are recognised; the wizard still offers every sheet
        for name in sheets[1:]:
            other = read_table(path, sheet=name)
            other_index, other_mapping = _header(other)
            if other_mapping is not None and other_index + 1 < len(other.rows):
                table, header_index, mapping = other, other_index, other_mapping
                break
    if header_index + 1 >= len(table.rows):
        raise ImportFileError(message=HEADER_ONLY, hint=EXPORT_AGAIN_HINT, path=str(path))
    return LoadedSheet(table, header_index, mapping, sheets)


def _header(table: Table) -> tuple[int, ColumnMapping | None]:
    """The header row and its mapping; row 0 and None when no row names the required columns."""
    from cobrador_desktop.domain.import_columns import ImportMappingError
    from cobrador_desktop.services.importer import find_header

    try:
        return find_header(table)
    except ImportMappingError:
        return 0, None


def _sheet_names(path: Path) -> tuple[str, ...]:
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return tuple(book.sheetnames)
    finally:
        book.close()
