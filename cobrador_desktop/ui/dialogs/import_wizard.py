"""Importar planilha: file, columns, preview, import (progress and cancel), report.

The work runs off the GUI thread through the injected `SpreadsheetImporter` (wired in `app/`):
reading and checking on worker threads, the merge in ONE database transaction on the database
thread, so the window stays responsive and a cancel leaves the database as it was. Progress comes
back from those threads through a Qt signal (queued onto the GUI thread); the cancel flag is a
`threading.Event`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.import_columns import ColumnMapping
from cobrador_desktop.domain.importing import CleanRow, ImportCancelled, RejectedRow
from cobrador_desktop.ui.dialogs.known_error_dialog import translated
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.ports import LoadedSheet, SpreadsheetImporter
from cobrador_desktop.ui.widgets.import_preview_page import ImportPreviewPage
from cobrador_desktop.ui.widgets.import_result_pages import (
    ImportProgressPage,
    ImportReportPage,
    report_text,
)
from cobrador_desktop.ui.widgets.import_setup_pages import ImportFilePage, ImportMappingPage

if TYPE_CHECKING:
    from cobrador_desktop.services.importer import ImportProgress, ImportReport

_STYLE = """
#wizardTitle { font-size: 17px; font-weight: 600; color: #0f172a; }
#wizardStep { color: #64748b; }
#wizardIntro, #wizardNote, #wizardDetails { color: #475569; }
#wizardSummary { font-size: 14px; font-weight: 600; color: #0f172a; }
#wizardProblem { color: #b45309; }
#wizardError { background: #fef2f2; border: 1px solid #fecaca; border-radius: 6px; }
#wizardErrorTitle { font-weight: 600; color: #991b1b; }
#wizardCount { font-weight: 600; }
QPushButton#primaryButton:disabled { background: #cbd5e1; color: #f8fafc; }
"""


class _Relay(QObject):
    """Carries progress from worker threads to the GUI thread (a queued signal)."""

    progressed = Signal(object)


def error_texts(error: KnownError) -> tuple[str, str]:
    """A known error's message and hint, translated."""
    params = dict(error.params)
    hint = translated(error.context, error.hint_source, params) if error.hint_source else ""
    return translated(error.context, error.message_source, params), hint


class ImportWizard(QDialog):
    """The spreadsheet import, step by step (open with `open()`: it does not block)."""

    #: the import finished and was committed (its `ImportReport`)
    imported = Signal(object)

    FILE, MAPPING, PREVIEW, RUNNING, REPORT = range(5)

    def __init__(self, importer: SpreadsheetImporter, parent: QWidget | None = None, *,
                 start_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Importar planilha"))
        self.setStyleSheet(_STYLE)
        self.resize(900, 620)
        self.importer = importer
        self._start_dir = start_dir or Path.home()
        self._tasks = TaskRunner("import-wizard")
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_progress)
        self._cancel = threading.Event()
        self._generation = 0
        self._running = False
        self._path: Path | None = None
        self._loaded: LoadedSheet | None = None
        self._checked = False
        self.report: ImportReport | None = None

        self.title_label = QLabel()
        self.title_label.setObjectName("wizardTitle")
        self.step_label = QLabel()
        self.step_label.setObjectName("wizardStep")
        self.file_page = ImportFilePage()
        self.mapping_page = ImportMappingPage()
        self.preview_page = ImportPreviewPage()
        self.progress_page = ImportProgressPage()
        self.report_page = ImportReportPage()
        self.stack = QStackedWidget()
        for page in (self.file_page, self.mapping_page, self.preview_page, self.progress_page,
                     self.report_page):
            self.stack.addWidget(page)
        self.file_page.choose_requested.connect(self.choose_file)
        self.file_page.sheet_chosen.connect(self._on_sheet)
        self.mapping_page.mapping_changed.connect(self._update_buttons)
        self.preview_page.opt_in_changed.connect(self._update_buttons)
        self.report_page.save_requested.connect(self.choose_report_file)

        self.footer_label = QLabel()
        self.footer_label.setObjectName("wizardProblem")
        self.footer_label.setWordWrap(True)
        self.back_button = QPushButton(self.tr("Voltar"))
        self.next_button = QPushButton(self.tr("Avançar"))
        self.next_button.setObjectName("primaryButton")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancelar"))
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button.clicked.connect(self._on_cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.footer_label, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(14)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.step_label)
        heading.addWidget(self.title_label)
        layout.addLayout(heading)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._show(self.FILE)

    # ------------------------------------------------------------------ navigation
    def page(self) -> int:
        """The step on screen (FILE … REPORT)."""
        return self.stack.currentIndex()

    @property
    def running(self) -> bool:
        """True while an import is under way."""
        return self._running

    def _show(self, page: int) -> None:
        titles = {self.FILE: self.tr("Escolha a planilha"),
                  self.MAPPING: self.tr("Confira as colunas"),
                  self.PREVIEW: self.tr("Confira as linhas"),
                  self.RUNNING: self.tr("Importando"),
                  self.REPORT: self.tr("Resultado da importação")}
        self.stack.setCurrentIndex(page)
        self.title_label.setText(titles[page])
        self.step_label.setText(self.tr("Importar planilha · passo {step} de 5").format(
            step=page + 1))
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.page()
        ended = page == self.RUNNING and not self._running
        self.back_button.setVisible(page in (self.MAPPING, self.PREVIEW) or ended)
        self.next_button.setVisible(page != self.RUNNING)
        self.next_button.setText({self.PREVIEW: self.tr("Importar"),
                                  self.REPORT: self.tr("Concluir")}.get(page, self.tr("Avançar")))
        self.cancel_button.setVisible(page != self.REPORT)
        problem = ""
        if page == self.FILE:
            self.next_button.setEnabled(self._loaded is not None)
        elif page == self.MAPPING:
            self.next_button.setEnabled(self.mapping_page.mapping() is not None)
        elif page == self.PREVIEW:
            problem = self.preview_page.problem() if self._checked else ""
            self.next_button.setEnabled(self._checked and not problem)
        else:
            self.next_button.setEnabled(True)
        self.footer_label.setText(problem)
        if page == self.RUNNING and self._running:
            self.cancel_button.setText(self.tr("Cancelar importação"))
        else:
            self.cancel_button.setText(self.tr("Fechar") if ended else self.tr("Cancelar"))
        self.cancel_button.setEnabled(not (self._running and self._cancel.is_set()))

    def go_next(self) -> None:
        """Advance one step (when the current one allows it)."""
        if self.next_button.isHidden() or not self.next_button.isEnabled():
            return
        page = self.page()
        if page == self.FILE:
            self._show(self.MAPPING)
        elif page == self.MAPPING:
            self._check_rows()
        elif page == self.PREVIEW:
            self._start_import()
        elif page == self.REPORT:
            self.accept()

    def go_back(self) -> None:
        """Go back one step (back to the preview after a cancelled or failed import)."""
        page = self.page()
        if page == self.RUNNING and not self._running:
            self._show(self.PREVIEW)
        elif page in (self.MAPPING, self.PREVIEW):
            self._show(page - 1)

    # ------------------------------------------------------------------ step 1: the file
    def choose_file(self) -> None:
        """Ask for the file (CSV or XLSX) and read it."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Escolher planilha"), str(self._start_dir),
            self.tr("Planilhas (*.csv *.xlsx *.txt);;Todos os arquivos (*)"))
        if chosen:
            self.open_file(Path(chosen))

    def open_file(self, path: Path, sheet: str | None = None) -> None:
        """Read `path` (its `sheet`, for an XLSX) and show what was found."""
        self._path = path
        self._start_dir = path.parent
        self._loaded = None
        self._generation += 1
        self.file_page.set_path(str(path))
        if sheet is None:
            self.file_page.show_sheets(())
        self._update_buttons()
        self._tasks.spawn(self._read(self._generation, path, sheet), "read")

    async def _read(self, generation: int, path: Path, sheet: str | None) -> None:
        try:
            loaded = await self.importer.read(path, sheet)
        except KnownError as error:
            if generation == self._generation:
                self.file_page.show_error(*error_texts(error))
                self._update_buttons()
            return
        if generation != self._generation:
            return
        self._loaded = loaded
        self.file_page.show_loaded(loaded)
        self.mapping_page.set_sheet(loaded)
        self._update_buttons()

    def _on_sheet(self, name: str) -> None:
        if self._path is not None:
            self.open_file(self._path, name)

    # ------------------------------------------------------------------ step 3: preview
    def _check_rows(self) -> None:
        mapping = self.mapping_page.mapping()
        assert self._loaded is not None and mapping is not None
        self._checked = False
        self._generation += 1
        self.preview_page.show_checking()
        self._show(self.PREVIEW)
        self._tasks.spawn(self._validate(self._generation, self._loaded, mapping), "validate")

    async def _validate(self, generation: int, loaded: LoadedSheet,
                        mapping: ColumnMapping) -> None:
        clean: list[CleanRow]
        rejected: list[RejectedRow]
        clean, rejected = await self.importer.validate(loaded.table, loaded.header_index, mapping)
        if generation != self._generation:
            return
        self.preview_page.show_rows(clean, rejected)
        self._checked = True
        self._update_buttons()

    # ------------------------------------------------------------------ step 4: import
    def _start_import(self) -> None:
        mapping = self.mapping_page.mapping()
        assert self._loaded is not None and self._path is not None and mapping is not None
        self._cancel = threading.Event()
        self._running = True
        self.progress_page.start()
        self._show(self.RUNNING)
        self._tasks.spawn(self._import(self._path, self._loaded, mapping,
                                       self.preview_page.opt_in_source()), "import")

    async def _import(self, path: Path, loaded: LoadedSheet, mapping: ColumnMapping,
                      opt_in: str | None) -> None:
        try:
            report = await self.importer.run(
                path, loaded.table, loaded.header_index, mapping, opt_in_source=opt_in,
                progress=self._relay.progressed.emit, cancelled=self._cancel.is_set)
        except (ImportCancelled, KnownError) as error:
            self._running = False
            self.progress_page.show_ended(*error_texts(error))
            self._update_buttons()
            self.title_label.setText(self.tr("A importação não foi feita"))
            return
        except BaseException:
            self._running = False
            self.title_label.setText(self.tr("A importação não foi feita"))
            self.progress_page.show_ended(self.tr("A importação parou por um erro inesperado."),
                                          self.tr("Nada foi gravado."))
            self._update_buttons()
            raise
        self._running = False
        self.report = report
        self.report_page.show_report(report)
        self._show(self.REPORT)
        self.imported.emit(report)

    def _on_progress(self, progress: ImportProgress) -> None:
        if self._running:
            self.progress_page.show_progress(progress)

    def cancel_import(self) -> None:
        """Stop the import under way: its transaction rolls back, nothing is written."""
        if self._running and not self._cancel.is_set():
            self._cancel.set()
            self.progress_page.show_cancelling()
            self._update_buttons()

    def _on_cancel_button(self) -> None:
        if self._running:
            self.cancel_import()
        else:
            self.reject()

    # ------------------------------------------------------------------ step 5: report
    def choose_report_file(self) -> None:
        """Ask where to save the report and save it."""
        if self.report is None:
            return
        suggested = self._start_dir / f"relatorio-importacao-{self.report.file.stem}.txt"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Salvar relatório"), str(suggested), self.tr("Texto (*.txt)"))
        if chosen:
            self.save_report(Path(chosen))

    def save_report(self, path: Path) -> bool:
        """Write the report as UTF-8 text (with a BOM, so Windows' Notepad reads the accents)."""
        assert self.report is not None
        try:
            path.write_text(report_text(self.report), encoding="utf-8-sig")
        except OSError as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Importar planilha"),
                              self.tr("Não foi possível salvar o relatório em {path}: {detail}.")
                              .format(path=path, detail=exc.strerror or exc),
                              QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return False
        return True

    # ------------------------------------------------------------------ closing
    def reject(self) -> None:
        """Esc or Cancelar: during an import, cancel it first (the dialog stays until it ends)."""
        if self._running:
            self.cancel_import()
            return
        self._tasks.cancel_all()
        super().reject()

    def accept(self) -> None:
        if self._running:
            return
        self._tasks.cancel_all()
        super().accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running:
            self.cancel_import()
            event.ignore()
            return
        super().closeEvent(event)
