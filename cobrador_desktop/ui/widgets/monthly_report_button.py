""""Relatório do mês (PDF)…" for the Resultados screen's header: pick a month (last month by
default), pick the file, and the report is gathered on the database thread and written on a
worker thread (`ui.reports.monthly_report`). Success goes to the window's status bar (and
`saved`); a failure is shown as a message (and `failed`).

Plug it in: `view.header_actions.addWidget(MonthlyReportButton(context.results.report, view,
today=...))`, where the source is `services.monthly_report.MonthlyReportService` (or the app's
lazy stand-in for it, `ResultsSources.report`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QDate, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QPushButton, QWidget

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text, show_known_error
from cobrador_desktop.ui.reports.monthly_report import month_label, save_monthly_report
from cobrador_desktop.ui.tasks import TaskRunner

log = logging.getLogger("cobrador.ui")

# how many months back the picker offers
MONTHS_BACK = 24
# how long the status bar shows "Relatório gravado…"
STATUS_MS = 10_000


class ReportSource(Protocol):
    async def report(self, month: date) -> Any: ...


def months_up_to(today: date, count: int = MONTHS_BACK) -> list[date]:
    """The first days of this month and the `count` before it, newest first."""
    months = [today.replace(day=1)]
    for _ in range(count):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months


def _local_today() -> date:
    day = QDate.currentDate()
    return date(day.year(), day.month(), day.day())


class MonthlyReportButton(QPushButton):
    """A button that writes a month's report to a PDF the owner chooses."""

    # the PDF written (Path)
    saved = Signal(object)
    # the report failed: what the user was told
    failed = Signal(str)

    def __init__(self, source: ReportSource, parent: QWidget | None = None, *,
                 today: Callable[[], date] | None = None) -> None:
        """Args:
            source: gathers a month's report (`MonthlyReportService.report`).
            today: the shop's date (default: this computer's).
        """
        super().__init__(parent)
        self._source = source
        self._today = today or _local_today
        self._tasks = TaskRunner("MonthlyReport")
        self._busy = False
        # asks which month (the months offered, newest first; the default's index); tests
        # replace it
        self.choose_month: Callable[[list[date], int], date | None] = self._ask_month
        # asks where to write the month's PDF; tests replace it
        self.choose_path: Callable[[date], Path | None] = self._ask_path
        # the last thing said (success or the error), for tests and screen readers
        self.message = ""
        self.setText(self.tr("Relatório do mês (PDF)…"))
        self.setToolTip(self.tr("Gravar um PDF com os resultados e custos de um mês, para "
                                "imprimir ou guardar"))
        self.clicked.connect(self.ask_and_run)

    @property
    def running(self) -> bool:
        return self._busy

    def ask_and_run(self) -> None:
        """Ask for the month (last month by default) and the file, then write the report."""
        if self._busy:
            return
        months = months_up_to(self._today())
        month = self.choose_month(months, 1)
        if month is None:
            return
        target = self.choose_path(month)
        if target is not None:
            self.run(month, target)

    def run(self, month: date, target: Path) -> asyncio.Task[None] | None:
        """Gather `month`'s report and write it to `target` now."""
        if self._busy:
            return None
        self._busy = True
        self.setEnabled(False)
        self.setText(self.tr("Gerando relatório…"))
        return self._tasks.spawn(self._run(month, Path(target)), "report")

    async def _run(self, month: date, target: Path) -> None:
        try:
            record = await self._source.report(month)
            await asyncio.to_thread(save_monthly_report, target, record)
        except KnownError as error:
            log.warning("monthly report failed: %s", type(error).__name__)
            self.message = known_text(error)
            self._done()
            show_known_error(self, error)
            self.failed.emit(self.message)
            return
        except BaseException:
            self._done()
            raise
        self._done()
        self.message = self.tr("Relatório de {month} gravado em {path}.").format(
            month=month_label(month), path=str(target))
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(self.message, STATUS_MS)
        self.saved.emit(target)

    def _done(self) -> None:
        self._busy = False
        self.setEnabled(True)
        self.setText(self.tr("Relatório do mês (PDF)…"))

    def _ask_month(self, months: list[date], default: int) -> date | None:
        labels = [month_label(m) for m in months]
        chosen, ok = QInputDialog.getItem(
            self, self.tr("Relatório do mês"), self.tr("Mês do relatório:"), labels, default,
            False)
        return months[labels.index(chosen)] if ok and chosen in labels else None

    def _ask_path(self, month: date) -> Path | None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        name = self.tr("relatorio-cobranca-{month}.pdf").format(month=f"{month:%Y-%m}")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Gravar o relatório de {month}").format(month=month_label(month)),
            str(Path(folder) / name), self.tr("Documento PDF (*.pdf)"))
        if not path:
            return None
        target = Path(path)
        return target if target.suffix.lower() == ".pdf" else target.with_name(
            target.name + ".pdf")
