"""Importing payments from a bank statement or spreadsheet: the `import FILE --payments` command
(and, later, the window's wizard).

The same steps as `services.importer`: read the file (`read_table`: encoding, delimiter, XLSX),
find the header and check every row (`domain.payment_import`), then apply the payments in ONE
database transaction (`storage.repos.payment_import`): a failure or a cancel changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from cobrador_desktop.domain.import_columns import ImportMappingError
from cobrador_desktop.domain.importing import RejectedRow
from cobrador_desktop.domain.payment_import import (
    PaymentMapping,
    PaymentRow,
    PaymentRowValidator,
    match_payment_columns,
)
from cobrador_desktop.services.import_files import (
    EXPORT_AGAIN_HINT,
    HEADER_ONLY,
    ImportFileError,
    Table,
    read_table,
)
from cobrador_desktop.services.importer import (
    HEADER_SEARCH_ROWS,
    READING,
    VALIDATING,
    WRITING,
    ImportProgress,
    ProgressCallback,
    bulk_work,
    login_name,
    step,
)
from cobrador_desktop.services.ports import SyncRunner
from cobrador_desktop.storage.repos.payment_import import (
    PaymentImportOptions,
    PaymentImportResult,
    apply_payments,
)


@dataclass(frozen=True)
class PaymentImportReport:
    """What a payments import did (or, with `dry_run`, would do).

    Attributes:
        rows: data rows read; registered: rows whose payment was recorded; already: rows found
            registered by an earlier import; payments: payment records written (a row paying
            several debts writes one per debt); settled_debts: debts now fully paid.
    """

    file: Path
    table: str
    mapping: str
    rows: int
    registered: int
    already: int
    payments: int
    settled_debts: int
    rejected: tuple[RejectedRow, ...]
    dry_run: bool

    def lines(self) -> list[str]:
        """The report as the command line prints it."""
        head = (f"Simulação (--dry-run) da importação de pagamentos de {self.file.name}: nada foi "
                "gravado." if self.dry_run
                else f"Importação de pagamentos de {self.file.name} concluída.")
        out = [head, f"Arquivo: {self.table}; {self.rows} linhas de dados.",
               f"Colunas: {self.mapping}.",
               f"pagamentos registrados: {self.registered}",
               f"já registrados: {self.already}",
               f"dívidas quitadas: {self.settled_debts}",
               f"linhas rejeitadas: {len(self.rejected)}"]
        out.extend(r.text for r in self.rejected)
        return out


def find_payment_header(table: Table, overrides: Sequence[str] = ()) -> tuple[int, PaymentMapping]:
    """The header row's index in `table.rows` and its payment column mapping.

    Raises:
        ImportMappingError: no row among the first few gives the columns needed (the message
            lists the first row's names), or a bad `--map`.
    """
    first_error: ImportMappingError | None = None
    for index, (_, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        try:
            return index, match_payment_columns(
                ["" if c is None else str(c).strip() for c in cells], overrides)
        except ImportMappingError as exc:
            first_error = first_error or exc
    assert first_error is not None  # read_table never returns an empty table
    raise first_error


def import_payments(db: SyncRunner, path: Path, *, now: datetime, today: date,
                    sheet: str | None = None, overrides: Sequence[str] = (),
                    dry_run: bool = False, operator_id: int | None = None,
                    imported_by: str | None = None, progress: ProgressCallback | None = None,
                    cancelled: Callable[[], bool] | None = None) -> PaymentImportReport:
    """Import a CSV or XLSX file of payments (document or phone, amount, date paid).

    Args are those of `services.importer.import_file` (no opt-in here).

    Raises:
        ImportFileError / ImportMappingError: unreadable file or columns (exit status 2);
            ImportCancelled.
    """
    with bulk_work():
        step(READING, 0, 1, progress, cancelled)
        table = read_table(path, sheet=sheet, cancelled=cancelled)
        step(READING, 1, 1, progress, cancelled)
        header_index, mapping = find_payment_header(table, overrides)
        data = table.rows[header_index + 1:]
        if not data:
            raise ImportFileError(message=HEADER_ONLY, hint=EXPORT_AGAIN_HINT, path=str(path))
        validator = PaymentRowValidator(mapping, today)
        clean: list[PaymentRow] = []
        rejected: list[RejectedRow] = []
        for i, (line, cells) in enumerate(data, 1):
            got = validator.validate(line, cells)
            (clean if isinstance(got, PaymentRow) else rejected).append(got)  # type: ignore[arg-type]
            if i % 2000 == 0:
                step(VALIDATING, i, len(data), progress, cancelled)
        step(VALIDATING, len(data), len(data), progress, cancelled)
        options = PaymentImportOptions(
            file_name=path.name, now=now, today=today, operator_id=operator_id,
            imported_by=imported_by if imported_by is not None or operator_id else login_name())

        def on_apply(done: int, total: int) -> None:
            if progress is not None:
                progress(ImportProgress(WRITING, done, total))

        result: PaymentImportResult = db.run_sync(partial(
            _apply, rows=clean, options=options, progress=on_apply, cancelled=cancelled,
            dry_run=dry_run))
    return PaymentImportReport(
        file=path, table=table.describe(), mapping=mapping.describe(), rows=len(data),
        registered=result.registered, already=result.already, payments=result.payments,
        settled_debts=result.settled_debts,
        rejected=tuple(sorted([*rejected, *result.rejected], key=lambda r: r.line)),
        dry_run=dry_run)


def _apply(session: Any, **kwargs: Any) -> PaymentImportResult:
    return apply_payments(session, kwargs.pop("rows"), kwargs.pop("options"), **kwargs)

