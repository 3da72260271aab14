""""Exportar lista…": pick a CSV or XLSX file, write the list as shown, with progress and Cancelar.

The file is written off the GUI thread (`DebtorListExporter`); its progress arrives from that thread
through a queued signal. Errors say what happened and what to do; nothing half-written is left.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.ports import DebtorListExporter, DebtorQuery, DebtorSort

log = logging.getLogger("cobrador.ui")


def _filters() -> tuple[str, str]:
    return (QCoreApplication.translate("ListExport", "Planilha do Excel (*.xlsx)"),
            QCoreApplication.translate("ListExport", "CSV separado por ponto e vírgula (*.csv)"))


def with_suffix(path: str, chosen_filter: str) -> Path:
    """The chosen name, with .xlsx or .csv added by the chosen type when it has neither."""
    target = Path(path)
    if target.suffix.lower() in (".csv", ".xlsx"):
        return target
    return target.with_name(target.name + (".csv" if "*.csv" in chosen_filter else ".xlsx"))


class ListExport(QObject):
    """Runs one export at a time for the Devedores screen."""

    #: rows written, rows expected (emitted from the worker thread: queued to the GUI thread)
    progressed = Signal(int, int)
    #: the export ended: the file written, or None (failed or cancelled)
    finished = Signal(object)

    def __init__(self, exporter: DebtorListExporter, parent: QWidget) -> None:
        super().__init__(parent)
        self._exporter = exporter
        self._parent = parent
        self._tasks = TaskRunner("ListExport")
        self._cancel = threading.Event()
        self.progress: QProgressDialog | None = None
        #: the last message shown (success or error), for tests and screen readers
        self.message: QMessageBox | None = None
        self.progressed.connect(self._on_progress)

    @property
    def running(self) -> bool:
        """True while a file is being written."""
        return self._tasks.running > 0

    def ask_and_run(self, query: DebtorQuery, sort: DebtorSort, today: date) -> None:
        """Ask for the file, then export to it."""
        if self.running:
            return
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        xlsx, csv = _filters()
        path, chosen = QFileDialog.getSaveFileName(
            self._parent, self.tr("Exportar lista de devedores"),
            str(Path(folder) / f"devedores-{today.isoformat()}.xlsx"), f"{xlsx};;{csv}")
        if path:
            self.run(with_suffix(path, chosen), query, sort)

    def run(self, target: Path, query: DebtorQuery, sort: DebtorSort) -> None:
        """Export to `target` now (progress dialog with Cancelar)."""
        if self.running:
            return
        self._cancel.clear()
        progress = self.progress = QProgressDialog(
            self.tr("Exportando a lista para {name}…").format(name=target.name),
            self.tr("Cancelar"), 0, 0, self._parent)
        progress.setWindowTitle(self.tr("Exportar lista"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self._cancel.set)
        self._tasks.spawn(self._run(target, query, sort), "export")

    async def _run(self, target: Path, query: DebtorQuery, sort: DebtorSort) -> None:
        try:
            rows = await self._exporter.export_list(
                target, query, sort, progress=self.progressed.emit,
                cancelled=self._cancel.is_set)
        except KnownError as error:
            self._close_progress()
            if not self._cancel.is_set():
                log.warning("list export failed: %s", type(error).__name__)
                self._tell(QMessageBox.Icon.Warning, self.tr("A lista não foi exportada"),
                           _text(error))
            self.finished.emit(None)
            return
        self._close_progress()
        self._tell(QMessageBox.Icon.Information, self.tr("Lista exportada"),
                   self.tr("{count} devedor(es) gravado(s) em {path}.").format(
                       count=format_count(rows), path=str(target)))
        self.finished.emit(target)

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)
            self.progress.setLabelText(self.tr("Exportando: {done} de {total} devedores…").format(
                done=format_count(done), total=format_count(total)))

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = self.message = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok,
                                         self._parent)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()


def _text(error: KnownError) -> str:
    message = QCoreApplication.translate(error.context, error.message_source).format(
        **error.params)
    hint = error.hint_source
    if hint:
        message += "\n\n" + QCoreApplication.translate(error.context, hint).format(**error.params)
    return message
