"""Importing debtors and debts from a shop's spreadsheet (INTERFACES.md §4): the `import` command
and, later, the window's import wizard.

Three steps, each reported through `progress` and each stopping at `cancelled`:
1. read the file (`import_files.read_table`: encoding, delimiter, XLSX);
2. find the header and validate every row (`domain.importing`), in the caller's thread;
3. merge the clean rows in ONE database transaction (`storage.repos.importer`): a failure or a
   cancel leaves the database as it was.

The wizard calls `read_table` + `find_header` for its preview and column mapping, then
`import_file` from a worker thread. `progress` and `cancelled` are called from that thread and,
during step 3, from the database thread: hand them thread-safe callables (a Qt signal, an Event).
"""

from __future__ import annotations

import gc
import getpass
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.import_columns import ColumnMapping, ImportMappingError, match_columns
from cobrador_desktop.domain.importing import (
    CleanRow,
    ImportCancelled,
    RejectedRow,
    RowProblem,
    RowValidator,
)
from cobrador_desktop.services.import_files import (
    EXPORT_AGAIN_HINT,
    HEADER_ONLY,
    ImportFileError,
    Table,
    read_table,
)
from cobrador_desktop.services.ports import SyncRunner
from cobrador_desktop.storage.repos.importer import MergeOptions, MergeResult, merge_rows

#: how many rows the header may sit below the top (a title row, a blank line, a logo)
HEADER_SEARCH_ROWS = 10

READING = QT_TRANSLATE_NOOP("Import", "Lendo o arquivo")
VALIDATING = QT_TRANSLATE_NOOP("Import", "Conferindo as linhas")
WRITING = QT_TRANSLATE_NOOP("Import", "Gravando no banco de dados")


@dataclass(frozen=True)
class ImportProgress:
    """Where an import is: `phase` is pt-BR source text (READING, VALIDATING, WRITING)."""

    phase: str
    done: int
    total: int


ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True)
class RowWarning:
    """Something left out of an accepted row (an invalid phone, an invalid e-mail)."""

    line: int
    problem: RowProblem

    @property
    def text(self) -> str:
        return f"linha {self.line}: {self.problem.text}"


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with `dry_run`, would do).

    Attributes:
        rows: data rows read (header and blank lines not counted).
        rejected: every rejected row, in line order, with its reasons.
        warnings: what accepted rows lost (a phone or e-mail that could not be read).
    """

    file: Path
    table: str
    mapping: str
    rows: int
    new_debtors: int
    updated_debtors: int
    new_debts: int
    opt_ins: int
    rejected: tuple[RejectedRow, ...]
    warnings: tuple[RowWarning, ...]
    dry_run: bool

    def lines(self) -> list[str]:
        """The report as the command line prints it (counts worded as INTERFACES.md §4)."""
        head = (f"Simulação (--dry-run) da importação de {self.file.name}: nada foi gravado."
                if self.dry_run else f"Importação de {self.file.name} concluída.")
        out = [head, f"Arquivo: {self.table}; {self.rows} linhas de dados.",
               f"Colunas: {self.mapping}.",
               f"devedores novos: {self.new_debtors}",
               f"devedores atualizados: {self.updated_debtors}",
               f"dívidas novas: {self.new_debts}",
               f"linhas rejeitadas: {len(self.rejected)}"]
        if self.opt_ins:
            out.append(f"telefones com opt-in registrado: {self.opt_ins}")
        out.extend(r.text for r in self.rejected)
        if self.warnings:
            out.append(f"avisos: {len(self.warnings)}")
            out.extend(w.text for w in self.warnings)
        return out


def find_header(table: Table, overrides: Sequence[str] = ()) -> tuple[int, ColumnMapping]:
    """The header row's index in `table.rows` and the column mapping it gives.

    The header is the first row (of the first `HEADER_SEARCH_ROWS`) whose names give every required
    field, so a title row above it does no harm.

    Raises:
        ImportMappingError: no such row (the message lists the first row's names), or a bad `--map`.
    """
    first_error: ImportMappingError | None = None
    for index, (_, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        try:
            return index, match_columns([_header_name(c) for c in cells], overrides)
        except ImportMappingError as exc:
            first_error = first_error or exc
    assert first_error is not None  # read_table never returns an empty table
    raise first_error


def _header_name(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def validate_rows(table: Table, header_index: int, mapping: ColumnMapping, *,
                  progress: ProgressCallback | None = None,
                  cancelled: Callable[[], bool] | None = None
                  ) -> tuple[list[CleanRow], list[RejectedRow]]:
    """Validate every row below the header (the wizard may call it on a slice for a preview)."""
    validate = RowValidator(mapping).validate
    data = table.rows[header_index + 1:]
    clean: list[CleanRow] = []
    rejected: list[RejectedRow] = []
    for i, (line, cells) in enumerate(data, 1):
        result = validate(line, cells)
        if result.__class__ is CleanRow:
            clean.append(result)
        else:
            rejected.append(result)  # type: ignore[arg-type]
        if i % 2000 == 0:
            step(VALIDATING, i, len(data), progress, cancelled)
    step(VALIDATING, len(data), len(data), progress, cancelled)
    return clean, rejected


def step(phase: str, done: int, total: int, progress: ProgressCallback | None,
         cancelled: Callable[[], bool] | None) -> None:
    """Report `phase` at `done` of `total`, first raising `ImportCancelled` if cancelled."""
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    if progress is not None:
        progress(ImportProgress(phase, done, total))


def import_file(db: SyncRunner, path: Path, *, now: datetime, today: date,
                sheet: str | None = None, overrides: Sequence[str] = (), dry_run: bool = False,
                opt_in_source: str | None = None, operator_id: int | None = None,
                imported_by: str | None = None, progress: ProgressCallback | None = None,
                cancelled: Callable[[], bool] | None = None) -> ImportReport:
    """Import a CSV or XLSX file of debtors and debts.

    Args:
        db: the database (its `run_sync` holds the whole merge in one transaction).
        path: the file.
        now: the instant of the import (aware UTC); `today`: the shop's date.
        sheet: the XLSX sheet (default: the first).
        overrides: `--map` values (`"Coluna X=amount"`).
        dry_run: count everything, write nothing.
        opt_in_source: `--opt-in`: record opt-in evidence with this source on the file's phones.
        operator_id / imported_by: who imports (operator id in the window; the OS login from
            the command line, by default).
        progress: called with an `ImportProgress` as each step advances.
        cancelled: polled as the import advances; True raises `ImportCancelled` and nothing
            is written.

    Raises:
        ImportFileError / ImportMappingError: the file cannot be read or its columns not matched
            (exit status 2); ImportCancelled.
    """
    with bulk_work():
        return _import_file(
            db, path, now=now, today=today, sheet=sheet, overrides=overrides, dry_run=dry_run,
            opt_in_source=opt_in_source, operator_id=operator_id, imported_by=imported_by,
            progress=progress, cancelled=cancelled)


@contextmanager
def bulk_work() -> Iterator[None]:
    """No cyclic garbage collection while an import runs.

    An import makes millions of small objects that live until it ends (cells, rows, memos), and
    each full collection walks them all: with the collector on, it spends ~2 s of a 100,000-row
    import on them and frees nothing (they hold no cycles; reference counting frees them after).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_file(db: SyncRunner, path: Path, *, now: datetime, today: date, sheet: str | None,
                 overrides: Sequence[str], dry_run: bool, opt_in_source: str | None,
                 operator_id: int | None, imported_by: str | None,
                 progress: ProgressCallback | None,
                 cancelled: Callable[[], bool] | None) -> ImportReport:
    step(READING, 0, 1, progress, cancelled)
    table = read_table(path, sheet=sheet, cancelled=cancelled)
    step(READING, 1, 1, progress, cancelled)
    header_index, mapping = find_header(table, overrides)
    if header_index + 1 >= len(table.rows):
        raise ImportFileError(message=HEADER_ONLY, hint=EXPORT_AGAIN_HINT, path=str(path))
    return import_table(db, path, table, header_index, mapping, now=now, today=today,
                        dry_run=dry_run, opt_in_source=opt_in_source, operator_id=operator_id,
                        imported_by=imported_by, progress=progress, cancelled=cancelled)


def import_table(db: SyncRunner, path: Path, table: Table, header_index: int,
                 mapping: ColumnMapping, *, now: datetime, today: date, dry_run: bool = False,
                 opt_in_source: str | None = None, operator_id: int | None = None,
                 imported_by: str | None = None, progress: ProgressCallback | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ImportReport:
    """Validate and merge a table already read and mapped (the window's wizard reads, maps and
    previews first); the rest is `import_file`'s. Who imports defaults to the OS login."""
    with bulk_work():
        clean, rejected = validate_rows(table, header_index, mapping, progress=progress,
                                        cancelled=cancelled)
        options = MergeOptions(
            file_name=path.name, now=now, today=today,
            opt_in_source=(opt_in_source or "").strip() or None, operator_id=operator_id,
            imported_by=imported_by if imported_by is not None or operator_id else login_name())

        def on_merge(done: int, total: int) -> None:
            if progress is not None:
                progress(ImportProgress(WRITING, done, total))

        merged: MergeResult = db.run_sync(partial(
            _merge, rows=clean, options=options, progress=on_merge, cancelled=cancelled,
            dry_run=dry_run))
    all_rejected = sorted([*rejected, *merged.rejected], key=lambda r: r.line)
    merged_out = {r.line for r in merged.rejected}
    warnings = tuple(RowWarning(row.line, w) for row in clean if row.line not in merged_out
                     for w in row.warnings)
    return ImportReport(
        file=path, table=table.describe(), mapping=mapping.describe(),
        rows=len(table.rows) - header_index - 1, new_debtors=merged.new_debtors,
        updated_debtors=merged.updated_debtors, new_debts=merged.new_debts,
        opt_ins=merged.opt_ins, rejected=tuple(all_rejected), warnings=warnings, dry_run=dry_run)


def _merge(session: Any, **kwargs: Any) -> MergeResult:
    return merge_rows(session, kwargs.pop("rows"), kwargs.pop("options"), **kwargs)


def login_name() -> str | None:
    """Who is signed in to the computer (the importer's name until operators sign in)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in a service account or container
        return None
