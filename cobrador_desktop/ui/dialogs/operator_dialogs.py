"""Small windows of Configurações › Operadores: a new operator, a new password, my password.

Each checks what it can before closing (the two passwords typed alike, the password rule and
the name from `domain.roles`), so a typo is fixed in place; the service still decides the rest.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.roles import MIN_PASSWORD, Role, check_password, clean_name
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.session import role_label


def _password(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class OperatorDialog(QDialog):
    """Asks for what one change needs; `submitted(dict)` carries it when it is right.

    The dict has "name" and "role" (with `ask_name`), "current" (with `ask_current`) and
    "password" (always: the new password, typed twice).
    """

    submitted = Signal(dict)

    def __init__(self, title: str, intro: str, ok_text: str, *, ask_name: bool = False,
                 ask_current: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.name: QLineEdit | None = None
        self.role: QComboBox | None = None
        self.current: QLineEdit | None = None
        form = QFormLayout()
        if ask_name:
            self.name = QLineEdit()
            self.name.setMaxLength(120)
            self.name.setPlaceholderText(self.tr("Como a equipe conhece a pessoa"))
            self.role = QComboBox()
            self.role.addItem(role_label(Role.OPERATOR), Role.OPERATOR.value)
            self.role.addItem(role_label(Role.OWNER), Role.OWNER.value)
            form.addRow(self.tr("Nome"), self.name)
            form.addRow(self.tr("Papel"), self.role)
        if ask_current:
            self.current = _password()
            form.addRow(self.tr("Senha atual"), self.current)
        self.password = _password(self.tr("Pelo menos {n} caracteres").format(n=MIN_PASSWORD))
        self.again = _password()
        form.addRow(self.tr("Nova senha") if ask_current or not ask_name
                    else self.tr("Senha inicial"), self.password)
        form.addRow(self.tr("Repita a senha"), self.again)
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("sectionProblem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_text)
        ok.setObjectName("primaryButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancelar"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def submit(self) -> None:
        """Check what was typed; send it on and close, or say what to fix."""
        values: dict[str, object] = {}
        try:
            if self.name is not None and self.role is not None:
                values["name"] = clean_name(self.name.text())
                values["role"] = Role(self.role.currentData())
            if self.current is not None:
                values["current"] = self.current.text()
            values["password"] = check_password(self.password.text())
        except KnownError as error:
            self._problem(known_text(error))
            return
        if self.password.text() != self.again.text():
            self._problem(self.tr("As duas senhas não são iguais. Digite a mesma senha nos "
                                  "dois campos."))
            self.again.clear()
            self.again.setFocus()
            return
        self.submitted.emit(values)
        self.accept()

    def _problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(True)
