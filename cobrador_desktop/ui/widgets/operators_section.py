"""Configurações › Operadores: who may sign in, with which role; the owner manages them.

Everyone sees the list and may change their own password; adding an operator, resetting a
password, disabling or enabling and changing a role are the owner's (the buttons say so to an
operator, and the service refuses anyway).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from cobrador_desktop.domain.roles import OperatorInfo, Role
from cobrador_desktop.ui.dialogs.operator_dialogs import OperatorDialog
from cobrador_desktop.ui.session import role_label
from cobrador_desktop.ui.viewmodels.operators_vm import OperatorsViewModel
from cobrador_desktop.ui.widgets.owner_gate import OwnerGate
from cobrador_desktop.ui.widgets.settings_sections import show_message


class OperatorsSection(QGroupBox):
    """The accounts table and what can be done to them."""

    def __init__(self, vm: OperatorsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Operadores"), parent)
        self.setObjectName("settingsSection")
        self.vm = vm
        self.dialog: OperatorDialog | None = None
        help_label = QLabel(self.tr(
            "Cada pessoa entra com o próprio nome e senha, e o registro de auditoria guarda quem "
            "fez o quê. Só o dono muda configurações, régua e modelos, exporta dados e cuida dos "
            "operadores."), self)
        help_label.setObjectName("sectionHelp")
        help_label.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("operatorsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Nome"), self.tr("Papel"), self.tr("Situação"), self.tr("Senha")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.table.setMaximumHeight(220)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton(self.tr("Adicionar operador…"), self)
        self.reset_button = QPushButton(self.tr("Redefinir senha…"), self)
        self.active_button = QPushButton(self.tr("Desativar"), self)
        self.role_button = QPushButton(self.tr("Tornar dono"), self)
        self.own_button = QPushButton(self.tr("Trocar minha senha…"), self)
        self.add_button.clicked.connect(self.ask_add)
        self.reset_button.clicked.connect(self.ask_reset)
        self.active_button.clicked.connect(self.toggle_active)
        self.role_button.clicked.connect(self.toggle_role)
        self.own_button.clicked.connect(self.ask_own_password)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.reset_button, self.active_button,
                       self.role_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.own_button)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(help_label)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

        self.gate = OwnerGate(vm.session, self)
        self.gate.guard(self.add_button, self.tr("cadastrar operadores"))
        self.gate.guard(self.reset_button, self.tr("redefinir a senha de outra pessoa"))
        self.gate.guard(self.active_button, self.tr("desativar ou reativar operadores"))
        self.gate.guard(self.role_button, self.tr("mudar o papel de um operador"))
        vm.loaded.connect(self.show_operators)
        vm.done.connect(lambda text: self._show(text, "sectionSaved"))
        vm.failed.connect(lambda text: self._show(text, "sectionProblem"))
        vm.session.changed.connect(self._update_buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ the list
    def show_operators(self, operators: tuple[OperatorInfo, ...]) -> None:
        chosen = self.selected()
        self.table.setRowCount(len(operators))
        for row, info in enumerate(operators):
            me = info.id == self.vm.session.operator_id
            cells = (
                self.tr("{name} (você)").format(name=info.name) if me else info.name,
                role_label(str(info.role)),
                self.tr("Ativo") if info.active else self.tr("Desativado"),
                self.tr("Definida") if info.has_password else self.tr("Sem senha"),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, info.id)
                self.table.setItem(row, column, item)
            if chosen is not None and info.id == chosen.id:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> OperatorInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.vm.operators):
            return None
        return self.vm.operators[rows[0].row()]

    def select_id(self, operator_id: int) -> None:
        for row, info in enumerate(self.vm.operators):
            if info.id == operator_id:
                self.table.selectRow(row)

    def _update_buttons(self, *_: object) -> None:
        chosen = self.selected()
        for button in (self.reset_button, self.active_button, self.role_button):
            button.setEnabled(chosen is not None)
        if chosen is not None:
            self.active_button.setText(self.tr("Desativar") if chosen.active
                                       else self.tr("Reativar"))
            self.role_button.setText(self.tr("Tornar operador") if chosen.role is Role.OWNER
                                     else self.tr("Tornar dono"))
        self.own_button.setEnabled(self.vm.session.operator_id is not None)

    # ------------------------------------------------------------------ changes
    def ask_add(self) -> None:
        dialog = self._dialog(OperatorDialog(
            self.tr("Adicionar operador"),
            self.tr("A pessoa entra com o nome e esta senha, e pode trocá-la depois em "
                    "Configurações › Operadores."),
            self.tr("Adicionar"), ask_name=True, parent=self))
        dialog.submitted.connect(
            lambda v: self.vm.add(str(v["name"]), Role(v["role"]), str(v["password"])))

    def ask_reset(self) -> None:
        target = self.selected()
        if target is None:
            return
        dialog = self._dialog(OperatorDialog(
            self.tr("Redefinir senha"),
            self.tr("Nova senha para {name}. A senha antiga deixa de valer.").format(
                name=target.name), self.tr("Redefinir"), parent=self))
        dialog.submitted.connect(lambda v: self.vm.reset_password(target, str(v["password"])))

    def ask_own_password(self) -> None:
        dialog = self._dialog(OperatorDialog(
            self.tr("Trocar minha senha"), self.tr("Digite a senha atual e a nova."),
            self.tr("Trocar"), ask_current=True, parent=self))
        dialog.submitted.connect(
            lambda v: self.vm.change_own_password(str(v["current"]), str(v["password"])))

    def toggle_active(self) -> None:
        target = self.selected()
        if target is not None:
            self.vm.set_active(target, not target.active)

    def toggle_role(self) -> None:
        target = self.selected()
        if target is not None:
            self.vm.set_role(target, Role.OPERATOR if target.role is Role.OWNER
                             else Role.OWNER)

    def _dialog(self, dialog: OperatorDialog) -> OperatorDialog:
        self._show("", "sectionSaved")
        self.dialog = dialog
        dialog.open()
        return dialog

    def _show(self, text: str, name: str) -> None:
        show_message(self.message, text, name)
