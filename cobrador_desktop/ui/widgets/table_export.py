""""Exportar…" beside any table: what the table shows (its columns, in its order) to CSV or XLSX.

The model is read on the GUI thread (models are not thread-safe): its horizontal header and every
row of the visible columns. A cell exports the raw value its model gives for `EXPORT_ROLE`
(centavos as `services.table_export.Money`, a `date`, an `int`…) when it gives one, else what it
shows (`DisplayRole`). The file is written by `services.table_export.export_table` — on a worker
thread when the table is big — whole or not at all; success goes to the window's status bar (and
`exported`), a failure is shown as a message (and `failed`).

Plug it in with `attach_export(view, "Recuperado por semana")`, which puts the button above the
view when the view sits in a box layout, or place a `TableExportButton(view, name)` yourself.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QToolButton,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.services.table_export import Money, TableExport, export_table
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text, show_known_error
from cobrador_desktop.ui.dialogs.list_export import with_suffix
from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.tasks import TaskRunner

log = logging.getLogger("cobrador.ui")

# the role through which a model offers a cell's raw value for exports (None: use its text)
EXPORT_ROLE = Qt.ItemDataRole.UserRole + 100
# tables with more cells than this are written on a worker thread
THREAD_CELLS = 20_000
# how long the status bar shows "Tabela exportada…"
STATUS_MS = 10_000
_DISPLAY = Qt.ItemDataRole.DisplayRole
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\n\r\t]+')

# the folder of the last export, offered again next time (this session)
_last_folder: list[Path] = []


def table_contents(view: QAbstractItemView) -> tuple[list[str], list[list[Any]]]:
    """The view's header and rows as an export writes them (visible columns, in model order)."""
    model = view.model()
    if model is None:
        return [], []
    hidden = getattr(view, "isColumnHidden", None)
    columns = [c for c in range(model.columnCount()) if not (hidden and hidden(c))]
    headers = [" ".join(str(model.headerData(c, Qt.Orientation.Horizontal, _DISPLAY) or "")
                        .split()) for c in columns]
    rows = []
    for r in range(model.rowCount()):
        row = []
        for c in columns:
            index = model.index(r, c)
            raw = model.data(index, EXPORT_ROLE)
            row.append(_plain(raw) if raw is not None else _plain(model.data(index, _DISPLAY)))
        rows.append(row)
    return headers, rows


def _plain(value: Any) -> Any:
    if isinstance(value, QDateTime):
        return value.toPython()
    if isinstance(value, QDate):
        return value.toPython()
    if value is None or isinstance(value, str | int | float | Decimal | date | datetime | Money):
        return value
    return str(value)


class TableExportButton(QToolButton):
    """A tool button "Exportar…" with a menu (CSV, Excel) that writes `view`'s table to a file."""

    # the file written (Path)
    exported = Signal(object)
    # the export failed: what the user was told
    failed = Signal(str)

    def __init__(self, view: QAbstractItemView, name: str, parent: QWidget | None = None) -> None:
        """Args:
            view: the table (its current model, read when the user asks).
            name: what the table is ("Recuperado por semana"): the file's suggested name and
                the XLSX sheet's.
        """
        super().__init__(parent)
        self.view = view
        self.name = name
        self._tasks = TaskRunner("TableExport")
        self._busy = False
        # asks where to write a format's file (None: the user gave up); tests replace it
        self.choose_path: Callable[[str], Path | None] = self._ask_path
        # the last thing said about an export (success or the error), for tests and screen readers
        self.message = ""
        self.setText(self.tr("Exportar…"))
        self.setToolTip(self.tr("Gravar esta tabela numa planilha (CSV ou Excel)"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self)
        self.csv_action = menu.addAction(self.tr("CSV (separado por ponto e vírgula)…"))
        self.xlsx_action = menu.addAction(self.tr("Planilha do Excel (XLSX)…"))
        self.csv_action.triggered.connect(lambda: self.export_as("csv"))
        self.xlsx_action.triggered.connect(lambda: self.export_as("xlsx"))
        self.setMenu(menu)

    @property
    def running(self) -> bool:
        """True while a file is being written."""
        return self._busy

    def export_as(self, fmt: str) -> None:
        """Ask for the file (`choose_path`), then export the table to it in `fmt`."""
        if self.running:
            return
        target = self.choose_path(fmt)
        if target is not None:  # a name ending in .csv or .xlsx says the format
            self.export_to(target, None if target.suffix.lower() in (".csv", ".xlsx") else fmt)

    def export_to(self, target: Path, fmt: str | None = None) -> asyncio.Task[None] | None:
        """Write the table to `target` now (`fmt`: "csv"/"xlsx", else by the suffix)."""
        if self.running:
            return None
        headers, rows = table_contents(self.view)
        self._busy = True
        self.setEnabled(False)
        return self._tasks.spawn(self._write(Path(target), fmt, headers, rows), "export")

    async def _write(self, target: Path, fmt: str | None, headers: Sequence[str],
                     rows: list[list[Any]]) -> None:
        sheet = self.name or "Planilha"
        try:
            if len(rows) * max(len(headers), 1) > THREAD_CELLS:
                done: TableExport = await asyncio.to_thread(
                    export_table, target, headers, rows, fmt, sheet=sheet)
            else:
                done = export_table(target, headers, rows, fmt, sheet=sheet)
        except KnownError as error:
            log.warning("table export failed: %s", type(error).__name__)
            self.message = known_text(error)
            self._done()
            show_known_error(self, error)
            self.failed.emit(self.message)
            return
        self._done()
        _last_folder[:] = [done.path.parent]
        self.message = self.tr("{count} linha(s) de “{name}” gravada(s) em {path}.").format(
            count=format_count(done.rows), name=self.name, path=str(done.path))
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(self.message, STATUS_MS)
        self.exported.emit(done.path)

    def _done(self) -> None:
        self._busy = False
        self.setEnabled(True)

    def _ask_path(self, fmt: str) -> Path | None:
        folder = (_last_folder[0] if _last_folder else Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())))
        stem = _UNSAFE_NAME.sub("-", self.name).strip(" .-") or "tabela"
        stem = f"{stem} {QDate.currentDate().toString('yyyy-MM-dd')}"
        filters = (self.tr("CSV separado por ponto e vírgula (*.csv)") if fmt == "csv"
                   else self.tr("Planilha do Excel (*.xlsx)"))
        path, chosen = QFileDialog.getSaveFileName(
            self, self.tr("Exportar “{name}”").format(name=self.name),
            str(folder / f"{stem}.{fmt}"), filters)
        return with_suffix(path, chosen or filters) if path else None


def attach_export(view: QAbstractItemView, name: str) -> TableExportButton:
    """A `TableExportButton` for `view`; when the view sits in a box layout, the button goes on
    a row of its own just above it, on the right."""
    parent = view.parentWidget()
    button = TableExportButton(view, name, parent)
    layout = parent.layout() if parent is not None else None
    if isinstance(layout, QBoxLayout):
        at = layout.indexOf(view)
        if at >= 0:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addStretch(1)
            row.addWidget(button)
            layout.insertLayout(at, row)
    return button
