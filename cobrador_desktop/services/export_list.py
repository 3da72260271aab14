"""The debtor list as the screen shows it (search, filter, segment, order) to CSV or XLSX.

Rows are read in keyset pages and written as they come, so 100k debtors never sit in memory at
once. The CSV is what Excel in Brazil opens without a wizard: UTF-8 with BOM, `;` between fields,
`1.234,56` amounts and `dd/mm/aaaa` dates; the XLSX (openpyxl's write-only mode) holds real numbers
and dates with Brazilian formats. CPF/CNPJ are masked as on screen. The file appears whole or not
at all: it is written beside the target and renamed at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from cobrador_desktop.domain.debtor_summary import DebtorStatus, debtor_status
from cobrador_desktop.domain.documents import masked_for_list
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.phone_display import display_or_raw
from cobrador_desktop.domain.records import DebtorQuery, DebtorRow, DebtorSort
from cobrador_desktop.services.authz import owner_only_sync
from cobrador_desktop.services.ports import SyncRunner
from cobrador_desktop.services.table_export import (
    FORMATS,
    Money,
    UnknownExportFormat,
    export_format,
    export_table,
)
from cobrador_desktop.storage.repos import debtors as debtors_repo

__all__ = ["FORMATS", "HEADERS", "ExportCancelled", "ListExport", "UnknownExportFormat",
           "export_list"]

PAGE = 1000
#: the screen's columns, in its order and with its names ("Maior atraso" in days)
HEADERS = ("Nome", "CPF/CNPJ", "Telefone", "Em aberto (R$)", "Maior atraso (dias)",
           "Próx. venc.", "Situação", "Últ. contato", "Operador")
_STATUS = {
    DebtorStatus.DO_NOT_CONTACT: "Não contatar", DebtorStatus.AGREEMENT: "Em acordo",
    DebtorStatus.OVERDUE: "Em atraso", DebtorStatus.CURRENT: "Em dia",
    DebtorStatus.SETTLED: "Quitado",
}


class ExportCancelled(KnownError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Exportação cancelada.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Nenhum arquivo foi gravado.")


#: the XLSX columns' widths (characters)
WIDTHS = (36, 18, 17, 15, 12, 12, 14, 12, 18)


@dataclass(frozen=True)
class ListExport:
    """Where the list went and how many debtors it holds."""

    path: Path
    rows: int


def _values(row: DebtorRow, today: date, tz: tzinfo) -> tuple[Any, ...]:
    """One row's cells as typed values (the writers format them)."""
    overdue = (today - row.oldest_open_due).days if (
        row.oldest_open_due is not None and row.oldest_open_due < today) else None
    contact = row.last_contact_at.astimezone(tz).date() if row.last_contact_at else None
    return (row.name, masked_for_list(row.document), display_or_raw(row.phone_e164),
            Money(row.open_cents), overdue, row.next_due, _STATUS[debtor_status(row, today)],
            contact, row.operator_name or "")


@owner_only_sync("export.list", QT_TRANSLATE_NOOP("Roles", "exportar a lista de devedores"))
def export_list(db: SyncRunner, target: Path, *, query: DebtorQuery | None, sort: DebtorSort,
                today: date, tz: tzinfo,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None,
                operator_id: int | None = None) -> ListExport:
    """Write the debtors `query` selects, in `sort` order, to `target` (.csv or .xlsx).

    Blocking: run it off the GUI thread. Each page is one short read on the database thread.

    Args:
        db: the database runner.
        target: the file; its suffix picks the format.
        query: the list's search, filter and segment (None: everyone).
        sort: the list's order.
        today: the shop's date (overdue days, situation).
        tz: the shop's zone (date of the last contact).
        progress: called with (rows written, rows expected) after each page.
        cancelled: polled between pages; True stops and leaves no file.
        operator_id: who asked (None: the system); only the owner may.

    Raises:
        OwnerOnly, UnknownExportFormat, ExportFailed, ExportCancelled.
    """
    target = target.expanduser().resolve()
    export_format(target)
    everything = query is None or query.is_everything
    total = db.run_sync(debtors_repo.count_all if everything else (
        lambda s: debtors_repo.count_matching(s, query, today)))
    state = {"done": 0}

    def rows() -> Iterator[tuple[Any, ...]]:
        after: tuple[Any, ...] | None = None
        while True:
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            page = db.run_sync(partial(debtors_repo.list_page, sort=sort, after=after,
                                       limit=PAGE, query=query, today=today))
            for row in page.rows:
                yield _values(row, today, tz)
            state["done"] += len(page.rows)
            if progress is not None:
                progress(state["done"], max(total, state["done"]))
            if page.next_after is None:
                return
            after = page.next_after

    export_table(target, HEADERS, rows(), sheet="Devedores", widths=WIDTHS)
    return ListExport(path=target, rows=state["done"])

