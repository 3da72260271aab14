"""The import wizard's last pages: the import under way (progress, cancel) and its report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.widgets.import_preview_page import (
    fill_rejected,
    problem_text,
    read_only_table,
    rejected_text,
)

if TYPE_CHECKING:
    from cobrador_desktop.services.importer import ImportProgress, ImportReport


def report_counts(report: ImportReport) -> list[tuple[str, int]]:
    """The counts, worded as INTERFACES.md §4 (and the command line) words them."""
    counts = [
        (QCoreApplication.translate("ImportWizard", "devedores novos"), report.new_debtors),
        (QCoreApplication.translate("ImportWizard", "devedores atualizados"),
         report.updated_debtors),
        (QCoreApplication.translate("ImportWizard", "dívidas novas"), report.new_debts),
        (QCoreApplication.translate("ImportWizard", "linhas rejeitadas"), len(report.rejected))]
    if report.opt_ins:
        counts.append((QCoreApplication.translate("ImportWizard",
                                                  "telefones com opt-in registrado"),
                       report.opt_ins))
    return counts


def report_text(report: ImportReport) -> str:
    """The report as saved to a .txt file: the same lines the screen shows."""
    lines = [
        QCoreApplication.translate("ImportWizard", "Importação de {file} concluída.").format(
            file=report.file.name),
        QCoreApplication.translate("ImportWizard", "Arquivo: {table}; {rows} linhas de dados.")
        .format(table=report.table, rows=report.rows),
        QCoreApplication.translate("ImportWizard", "Colunas: {mapping}.").format(
            mapping=report.mapping)]
    lines += [f"{label}: {count}" for label, count in report_counts(report)]
    lines += [rejected_text(row) for row in report.rejected]
    if report.warnings:
        lines.append(QCoreApplication.translate("ImportWizard", "avisos: {count}").format(
            count=len(report.warnings)))
        lines += [QCoreApplication.translate("ImportWizard", "linha {line}: {reasons}").format(
            line=w.line, reasons=problem_text(w.problem)) for w in report.warnings]
    return "\n".join(lines) + "\n"


class ImportProgressPage(QWidget):
    """Page 4: what the import is doing, how far it is, and how it ended if not well."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase_label = QLabel()
        self.phase_label.setObjectName("wizardSummary")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.count_label = QLabel()
        self.count_label.setObjectName("wizardNote")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 24, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.count_label)
        layout.addSpacing(12)
        layout.addWidget(self.status_label)
        layout.addWidget(self.hint_label)
        layout.addStretch(1)

    def start(self) -> None:
        """The import is about to start."""
        self.phase_label.setText(self.tr("Preparando a importação…"))
        self.bar.setRange(0, 0)  # busy until the first figures arrive
        self.bar.show()
        self.count_label.setText("")
        self.status_label.setText(self.tr(
            "Tudo é gravado de uma vez no final: se cancelar, nada fica gravado."))
        self.hint_label.setText("")

    def show_progress(self, progress: ImportProgress) -> None:
        """Show the phase (translated) and done/total."""
        self.phase_label.setText(QCoreApplication.translate("Import", progress.phase) + "…")
        total = max(progress.total, 1)
        self.bar.setRange(0, total)
        self.bar.setValue(min(progress.done, total))
        self.count_label.setText(self.tr("{done} de {total}").format(
            done=format_count(progress.done), total=format_count(progress.total)))

    def show_cancelling(self) -> None:
        """The cancel was asked for; the transaction is being rolled back."""
        self.status_label.setText(self.tr("Cancelando… nada será gravado."))

    def show_ended(self, message: str, hint: str) -> None:
        """The import did not happen (cancelled or failed): say so and what to do."""
        self.bar.hide()
        self.phase_label.setText(message)
        self.count_label.setText("")
        self.status_label.setText(hint)
        self.hint_label.setText(self.tr("Use “Voltar” para tentar de novo ou “Fechar” para sair."))


class ImportReportPage(QWidget):
    """Page 5: the four counts, the rejected lines, and saving it all as a text file."""

    #: the "Salvar relatório…" button was clicked
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel()
        self.title_label.setObjectName("wizardSummary")
        self.title_label.setWordWrap(True)
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setObjectName("wizardNote")
        self.counts = QGridLayout()
        self.counts.setHorizontalSpacing(24)
        self.counts.setVerticalSpacing(4)
        self.rejected_title = QLabel()
        self.rejected_table = read_only_table([self.tr("Linha"), self.tr("Motivo")])
        self.save_button = QPushButton(self.tr("Salvar relatório…"))
        self.save_button.clicked.connect(self.save_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.details_label)
        layout.addLayout(self.counts)
        layout.addWidget(self.rejected_title)
        layout.addWidget(self.rejected_table, 1)
        self._filler = QWidget()  # keeps the counts at the top when no line was rejected
        layout.addWidget(self._filler, 1)
        layout.addLayout(buttons)
        self.count_labels: dict[str, QLabel] = {}

    def show_report(self, report: ImportReport) -> None:
        """Fill the page from the import's report."""
        self.title_label.setText(self.tr("Importação de {file} concluída.").format(
            file=report.file.name))
        self.details_label.setText(self.tr("{table} · {rows} linhas de dados").format(
            table=report.table, rows=format_count(report.rows)))
        self.count_labels = {}
        for row, (label, count) in enumerate(report_counts(report)):
            name = QLabel(label)
            value = QLabel(format_count(count))
            value.setObjectName("wizardCount")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.counts.addWidget(name, row, 0)
            self.counts.addWidget(value, row, 1)
            self.count_labels[label] = value
        self.counts.setColumnStretch(2, 1)
        self.rejected_title.setText(
            self.tr("Linhas rejeitadas (não importadas): corrija-as na planilha e importe de "
                    "novo; o que já entrou não é duplicado.") if report.rejected
            else self.tr("Nenhuma linha rejeitada."))
        fill_rejected(self.rejected_table, report.rejected)
        self.rejected_table.setVisible(bool(report.rejected))
        self._filler.setVisible(not report.rejected)

    def counts_text(self) -> dict[str, str]:
        """The counts as shown (label -> number), for tests and screen readers."""
        return {label: value.text() for label, value in self.count_labels.items()}
