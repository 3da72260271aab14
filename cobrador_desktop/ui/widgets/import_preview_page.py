"""The import wizard's preview: rows as they will be stored, rejected lines and why, opt-in."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.importing import CleanRow, RejectedRow, RowProblem
from cobrador_desktop.ui.dialogs.known_error_dialog import translated
from cobrador_desktop.ui.formatting import (
    format_brl,
    format_count,
    format_date,
    format_document,
    format_phone,
)

#: clean rows shown in the preview
PREVIEW_ROWS = 50
#: rejected lines listed on screen (the report file has them all)
SHOWN_REJECTED = 1000


def problem_text(problem: RowProblem) -> str:
    """A rejection reason or warning in the user's language (`Import` context)."""
    return translated("Import", problem.template, dict(problem.params))


def rejected_text(row: RejectedRow) -> str:
    """`linha 7: nome vazio; valor “abc” ilegível`, translated."""
    return QCoreApplication.translate("ImportWizard", "linha {line}: {reasons}").format(
        line=row.line, reasons="; ".join(problem_text(p) for p in row.problems))


def read_only_table(headers: Sequence[str]) -> QTableWidget:
    """A plain table for showing rows (no editing, row selection for copying)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def fill_rejected(table: QTableWidget, rejected: Sequence[RejectedRow]) -> None:
    """One line per rejected row: its line number and every reason."""
    shown = rejected[:SHOWN_REJECTED]
    table.setRowCount(len(shown))
    for i, row in enumerate(shown):
        line = QTableWidgetItem(str(row.line))
        line.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(i, 0, line)
        reasons = QTableWidgetItem("; ".join(problem_text(p) for p in row.problems))
        reasons.setToolTip(reasons.text())  # a long list of reasons is elided in the cell
        table.setItem(i, 1, reasons)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)


class ImportPreviewPage(QWidget):
    """Page 3: what the import will store, what it leaves out and why; opt-in evidence."""

    #: the opt-in choice or its source text changed
    opt_in_changed = Signal()

    CLEAN_TAB, REJECTED_TAB = range(2)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("wizardSummary")
        self.summary_label.setWordWrap(True)
        self.clean_table = read_only_table([
            self.tr("Linha"), self.tr("Nome"), self.tr("CPF/CNPJ"), self.tr("Telefones"),
            self.tr("E-mail"), self.tr("Descrição"), self.tr("Valor"), self.tr("Vencimento")])
        self.rejected_table = read_only_table([self.tr("Linha"), self.tr("Motivo")])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.clean_table, "")
        self.tabs.addTab(self.rejected_table, "")

        self.opt_in_box = QCheckBox(self.tr("Estes clientes autorizaram receber mensagens no "
                                            "WhatsApp (registrar opt-in)"))
        self.opt_in_box.toggled.connect(self._on_opt_in)
        explain = QLabel(self.tr(
            "Marque só se a loja tem a autorização de cada cliente desta planilha. O programa "
            "guarda, em cada telefone, a origem escrita abaixo, a data e quem importou, como "
            "prova do consentimento (LGPD); números bloqueados ou que pediram para sair não "
            "mudam."))
        explain.setWordWrap(True)
        explain.setObjectName("wizardNote")
        self.source_edit = QLineEdit()
        self.source_edit.setPlaceholderText(self.tr(
            "De onde veio a autorização (ex.: ficha de crediário assinada)"))
        self.source_edit.setMaxLength(150)
        self.source_edit.setEnabled(False)
        self.source_edit.textChanged.connect(lambda _text: self.opt_in_changed.emit())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.opt_in_box)
        layout.addWidget(explain)
        layout.addWidget(self.source_edit)
        self.clean_count = 0

    def show_checking(self) -> None:
        """The rows are being checked (a large file takes a moment)."""
        self.summary_label.setText(self.tr("Conferindo as linhas…"))
        self.clean_table.setRowCount(0)
        self.rejected_table.setRowCount(0)
        self.clean_count = 0
        self._set_tab_titles(0, 0)

    def show_rows(self, clean: Sequence[CleanRow], rejected: Sequence[RejectedRow]) -> None:
        """Show the first clean rows as stored, every rejected line, and the counts."""
        self.clean_count = len(clean)
        total = len(clean) + len(rejected)
        warnings = sum(len(r.warnings) for r in clean)
        text = self.tr("{total} linhas de dados: {clean} prontas para importar, {rejected} "
                       "rejeitadas.").format(total=format_count(total),
                                             clean=format_count(len(clean)),
                                             rejected=format_count(len(rejected)))
        if warnings == 1:
            text += " " + self.tr("1 telefone ou e-mail ilegível será deixado de fora.")
        elif warnings:
            text += " " + self.tr("{count} telefones ou e-mails ilegíveis serão deixados de "
                                  "fora.").format(count=format_count(warnings))
        if len(clean) > PREVIEW_ROWS:
            text += " " + self.tr("A tabela mostra as primeiras {count}.").format(
                count=PREVIEW_ROWS)
        self.summary_label.setText(text)
        self._fill_clean(clean[:PREVIEW_ROWS])
        fill_rejected(self.rejected_table, rejected)
        self._set_tab_titles(len(clean), len(rejected))
        self.tabs.setCurrentIndex(self.CLEAN_TAB if clean or not rejected else self.REJECTED_TAB)

    def opt_in_source(self) -> str | None:
        """The opt-in source to record, or None when the box is not ticked."""
        return self.source_edit.text().strip() or None if self.opt_in_box.isChecked() else None

    def problem(self) -> str:
        """Why the import cannot start yet ("" when it can)."""
        if self.clean_count == 0:
            return self.tr("Nenhuma linha pode ser importada: corrija a planilha ou as colunas.")
        if self.opt_in_box.isChecked() and not self.source_edit.text().strip():
            return self.tr("Escreva de onde veio a autorização, ou desmarque o opt-in.")
        return ""

    def _set_tab_titles(self, clean: int, rejected: int) -> None:
        self.tabs.setTabText(self.CLEAN_TAB, self.tr("Prontas para importar ({count})").format(
            count=format_count(clean)))
        self.tabs.setTabText(self.REJECTED_TAB, self.tr("Rejeitadas ({count})").format(
            count=format_count(rejected)))

    def _fill_clean(self, rows: Sequence[CleanRow]) -> None:
        table = self.clean_table
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            values = (str(row.line), row.name, format_document(row.document),
                      ", ".join(format_phone(e164) for e164, _kind in row.phones),
                      row.email or "", row.description, format_brl(row.amount_cents),
                      format_date(row.due_date))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column in (0, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(i, column, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)

    def _on_opt_in(self, checked: bool) -> None:
        self.source_edit.setEnabled(checked)
        if checked:
            self.source_edit.setFocus()
        self.opt_in_changed.emit()
