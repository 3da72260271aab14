""""O que sai amanhã": choose a day, "Calcular", and see what the régua would do that day.

Counts per decision (vão sair, adiadas, bloqueadas, puladas), per reason (the send guard's own
words), and every message in a table. A dry run: nothing is written, nothing is sent.
"""

from __future__ import annotations

from datetime import date, time, tzinfo

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.formatting import format_count, format_datetime
from cobrador_desktop.ui.models.planned_messages_model import PlanColumn, PlannedMessagesModel
from cobrador_desktop.ui.viewmodels import regua_text as text
from cobrador_desktop.ui.viewmodels.regua_preview_vm import (
    DEFAULT_RUN_TIME,
    PlanLike,
    ReguaPreviewViewModel,
    decision_counts,
    reason_rows,
)

_STYLE = """
#countCard { background: #f8fafc; border: 1px solid #e3e8ee; border-radius: 8px; }
#countValue { color: #0f172a; font-size: 22px; font-weight: 600; }
#countCaption { color: #475569; }
#previewNote { color: #64748b; }
#previewError { color: #b42318; }
"""


class _CountCard(QFrame):
    def __init__(self, caption: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("countCard")
        self.value = QLabel("—", self)
        self.value.setObjectName("countValue")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("countCaption")
        self.caption.setWordWrap(True)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(2)
        box.addWidget(self.value)
        box.addWidget(self.caption)


class ReguaPreview(QWidget):
    """The preview tab of the Régua page."""

    def __init__(self, vm: ReguaPreviewViewModel, *, tz: tzinfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self._tz = tz
        self.setStyleSheet(_STYLE)
        tomorrow = vm.tomorrow()
        self.day = QDateEdit(QDate(tomorrow.year, tomorrow.month, tomorrow.day), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setAccessibleName(self.tr("Dia da prévia"))
        self.time = QTimeEdit(QTime(DEFAULT_RUN_TIME.hour, DEFAULT_RUN_TIME.minute), self)
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName(self.tr("Horário da prévia"))
        self.calculate_button = QPushButton(self.tr("&Calcular"), self)
        self.calculate_button.setObjectName("primaryButton")
        self.calculate_button.clicked.connect(self.calculate)
        self.busy_label = QLabel("", self)
        self.busy_label.setObjectName("previewNote")
        day_label = QLabel(self.tr("&Dia:"), self)
        day_label.setBuddy(self.day)
        at_label = QLabel(self.tr("às"), self)
        at_label.setBuddy(self.time)
        controls = QHBoxLayout()
        controls.setSpacing(8)
        controls.addWidget(day_label)
        controls.addWidget(self.day)
        controls.addWidget(at_label)
        controls.addWidget(self.time)
        controls.addWidget(self.calculate_button)
        controls.addWidget(self.busy_label)
        controls.addStretch(1)

        self.note = QLabel(self.tr(
            "Prévia do que a régua faria nesse dia, com as regras de envio de hoje. Nada é "
            "enviado nem registrado daqui."), self)
        self.note.setObjectName("previewNote")
        self.note.setWordWrap(True)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("previewError")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)

        self.cards = {key: _CountCard(text.tr(label), self)
                      for key, label in text.DECISION_LABELS.items()}
        cards = QHBoxLayout()
        cards.setSpacing(10)
        for card in self.cards.values():
            cards.addWidget(card, 1)

        self.reasons = QTableWidget(0, 2, self)
        self.reasons.setHorizontalHeaderLabels([self.tr("Motivo"), self.tr("Mensagens")])
        self.reasons.verticalHeader().setVisible(False)
        self.reasons.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reasons.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reasons.setWordWrap(False)  # one line each; the tooltip has it whole
        self.reasons.verticalHeader().setDefaultSectionSize(28)
        header = self.reasons.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.reasons.setVisible(False)

        self.model = PlannedMessagesModel(tz, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAccessibleName(self.tr("Mensagens da prévia"))
        table_header = self.table.horizontalHeader()
        table_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table_header.setStretchLastSection(False)
        for column, width in ((PlanColumn.DEBTOR, 180), (PlanColumn.PHONE, 120),
                              (PlanColumn.STEP, 60), (PlanColumn.TEMPLATE, 200),
                              (PlanColumn.DECISION, 90), (PlanColumn.WHEN, 125)):
            self.table.setColumnWidth(column, width)
        table_header.setSectionResizeMode(PlanColumn.REASON, QHeaderView.ResizeMode.Stretch)
        self.messages_label = QLabel("", self)
        self.messages_label.setObjectName("previewNote")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(controls)
        layout.addWidget(self.note)
        layout.addWidget(self.error_label)
        layout.addLayout(cards)
        layout.addWidget(self.reasons)
        layout.addWidget(self.messages_label)
        layout.addWidget(self.table, 1)

        vm.planned.connect(self.show_plan)
        vm.failed.connect(self._failed)
        vm.busy_changed.connect(self._busy)

    def calculate(self) -> None:
        """Run the dry run for the chosen day and time."""
        day, at = self.day.date().toPython(), self.time.time().toPython()
        assert isinstance(day, date) and isinstance(at, time)
        self.error_label.setVisible(False)
        self.vm.calculate(self.vm.instant(day, at))

    def show_plan(self, plan: PlanLike) -> None:
        """Fill the counts, the reasons and the table from `plan`."""
        for key, count in decision_counts(plan).items():
            self.cards[key].value.setText(format_count(count))
        rows = reason_rows(plan)
        self.reasons.setRowCount(len(rows))
        for row, (code, words, count) in enumerate(rows):
            reason = QTableWidgetItem(words)
            reason.setToolTip(f"{words} ({code})")
            number = QTableWidgetItem(format_count(count))
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.reasons.setItem(row, 0, reason)
            self.reasons.setItem(row, 1, number)
        self._fit_reasons()
        self.model.set_plan(plan.items, plan.skipped)
        total = self.model.total()
        when = format_datetime(plan.at, self._tz)
        self.messages_label.setText(
            self.tr("Nenhuma mensagem em {quando}.").format(quando=when) if total == 0 else
            self.tr("1 mensagem em {quando}").format(quando=when) if total == 1 else
            self.tr("{count} mensagens em {quando}").format(count=format_count(total),
                                                           quando=when))

    def _fit_reasons(self) -> None:
        """As tall as its rows, up to five (then it scrolls); hidden when there is none."""
        table = self.reasons
        shown = min(table.rowCount(), 5)
        table.setVisible(shown > 0)
        height = (table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                  + sum(table.rowHeight(r) for r in range(shown)))
        table.setFixedHeight(height)

    def _failed(self, error: KnownError) -> None:
        self.error_label.setText(known_text(error))
        self.error_label.setVisible(True)

    def _busy(self, busy: bool) -> None:
        self.calculate_button.setEnabled(not busy)
        self.busy_label.setText(self.tr("Calculando…") if busy else "")
