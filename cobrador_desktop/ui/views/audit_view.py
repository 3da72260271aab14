"""Configurações › Registro de auditoria: who did what, when and why — the owner's view.

Filters by period, kind of action and operator; newest first, a page at a time; Exportar CSV
writes what the filters select. An operator sees why it is closed to them (and the service
refuses anyway, recording the attempt).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.roles import AuditRow, OperatorInfo
from cobrador_desktop.ui.formatting import format_datetime
from cobrador_desktop.ui.viewmodels.audit_vm import (
    ACTIONS,
    PERIODS,
    AuditFilter,
    AuditViewModel,
    action_label,
    object_text,
    reason_text,
)
from cobrador_desktop.ui.widgets.owner_gate import OwnerGate, owner_only_text
from cobrador_desktop.ui.widgets.settings_sections import show_message


class AuditView(QGroupBox):
    """The audit log's table with its filters, pages and export."""

    def __init__(self, vm: AuditViewModel, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Registro de auditoria"), parent)
        self.setObjectName("settingsSection")
        self.vm = vm
        self._shown_once = False
        self._names: dict[int, str] = {}
        self.period = QComboBox(self)
        for label, days in PERIODS:
            self.period.addItem(QCoreApplication.translate("AuditView", label), days)
        self.period.setCurrentIndex(1)
        self.action = QComboBox(self)
        for label, prefix in ACTIONS:
            self.action.addItem(QCoreApplication.translate("AuditView", label), prefix)
        self.who = QComboBox(self)
        self.who.addItem(self.tr("Todos os operadores"), None)
        for combo in (self.period, self.action, self.who):
            combo.activated.connect(self._filters_changed)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Período"), self))
        filters.addWidget(self.period)
        filters.addWidget(QLabel(self.tr("Ação"), self))
        filters.addWidget(self.action)
        filters.addWidget(QLabel(self.tr("Operador"), self))
        filters.addWidget(self.who)
        filters.addStretch(1)

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels([self.tr("Quando"), self.tr("Quem"),
                                              self.tr("O quê"), self.tr("Objeto"),
                                              self.tr("Motivo e detalhes")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(260)

        self.previous_button = QPushButton(self.tr("‹ Anterior"), self)
        self.next_button = QPushButton(self.tr("Próxima ›"), self)
        self.page_label = QLabel("", self)
        self.export_button = QPushButton(self.tr("Exportar CSV…"), self)
        self.previous_button.clicked.connect(lambda: vm.load(vm.page - 1))
        self.next_button.clicked.connect(lambda: vm.load(vm.page + 1))
        self.export_button.clicked.connect(self.ask_export)
        pager = QHBoxLayout()
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        pager.addStretch(1)
        pager.addWidget(self.export_button)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(filters)
        body.addWidget(self.table)
        body.addLayout(pager)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body)
        layout.addWidget(self.message)

        self.gate = OwnerGate(vm.session, self)
        self.gate.guard(self.body, self.tr("ver o registro de auditoria"))
        vm.page_loaded.connect(self.show_page)
        vm.failed.connect(lambda text: self._show(text, "sectionProblem"))
        vm.exported.connect(lambda count, path: self._show(self.tr(
            "{count} registros exportados para {path}.").format(count=count, path=path),
            "sectionSaved"))
        vm.session.changed.connect(self._session_changed)
        self._session_changed()

    def set_operators(self, operators: tuple[OperatorInfo, ...]) -> None:
        """The operator filter's choices."""
        self._names = {info.id: info.name for info in operators}
        chosen = self.who.currentData()
        self.who.clear()
        self.who.addItem(self.tr("Todos os operadores"), None)
        for info in operators:
            self.who.addItem(info.name, info.id)
        self.who.setCurrentIndex(max(0, self.who.findData(chosen)))

    def current_filter(self) -> AuditFilter:
        return AuditFilter(days=self.period.currentData(), action_prefix=self.action.currentData(),
                           who=self.who.currentData())

    def _filters_changed(self) -> None:
        self.vm.set_filter(self.current_filter())

    def refresh(self) -> None:
        """Read the first page again (when the owner is signed in)."""
        if self.vm.session.is_owner:
            self.vm.filter = self.current_filter()
            self.vm.load(0)

    def show_page(self, rows: tuple[AuditRow, ...], page: int, more: bool) -> None:
        self._show("", "sectionSaved")
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            cells = (format_datetime(row.at, self.vm.tz), row.who or self.tr("Sistema"),
                     action_label(row.action), object_text(row, self._names), reason_text(row))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(number, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(more)
        self.page_label.setText(self.tr("Página {n}").format(n=page + 1))

    def ask_export(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Exportar registro de auditoria"),
            str(Path(folder) / "registro-de-auditoria.csv"), self.tr("CSV (*.csv)"))
        if path:
            self.vm.export(Path(path))

    def _session_changed(self, *_: object) -> None:
        self.table.setRowCount(0)
        if self.vm.session.is_owner:
            self._show("", "sectionSaved")
            if self._shown_once:
                self.refresh()
        else:
            self._show(owner_only_text(self.tr("ver o registro de auditoria")), "sectionHelp")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def _show(self, text: str, name: str) -> None:
        show_message(self.message, text, name)
