"""Entrar: pick who you are, type the password; the last one on this PC comes chosen.

The operators come from the service when the dialog opens; a wrong password or a sign-in
locked after too many attempts shows its pt-BR message under the password, which is cleared for
the next try. On success `signed_in(Actor)` is emitted, the operator is remembered in QSettings
(`session/last_operator_id`) and the dialog closes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.session import OperatorSource, person_label
from cobrador_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from cobrador_desktop.domain.roles import Actor

log = logging.getLogger("cobrador.ui")

LAST_OPERATOR_KEY = "session/last_operator_id"

STYLE = """
QLabel#signInProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
QLabel#signInHint { color: #475569; background: #eff6ff; border: 1px solid #bfdbfe;
    border-radius: 6px; padding: 6px 10px; }
QLabel#signInTitle { font-size: 17px; font-weight: 600; }
"""


def last_operator(settings: QSettings | None) -> int | None:
    """The operator who signed in last on this PC, if remembered."""
    value = settings.value(LAST_OPERATOR_KEY) if settings is not None else None
    return int(value) if value is not None and str(value).isdigit() else None


class SignInDialog(QDialog):
    """Entrar no Cobrador Desktop."""

    #: the operator signed in (an `Actor`)
    signed_in = Signal(object)
    #: the operators are in the list (or the list failed: then a message shows)
    operators_loaded = Signal()
    #: a sign-in was refused: the pt-BR text shown
    refused = Signal(str)

    def __init__(self, source: OperatorSource, settings: QSettings | None = None, *,
                 demo: bool = False, cancel_text: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Entrar — Cobrador Desktop"))
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(420)
        self._source = source
        self._settings = settings
        self._tasks = TaskRunner("sign-in")
        title = QLabel(self.tr("Quem está usando este computador?"))
        title.setObjectName("signInTitle")
        self.operator_combo = QComboBox()
        self.operator_combo.setObjectName("signInOperator")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Sua senha"))
        self.password.returnPressed.connect(self.submit)
        self.problem = QLabel()
        self.problem.setObjectName("signInProblem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.hint = QLabel(self.tr("Demonstração: Rita é a dona da loja; os outros são "
                                   "operadores. A senha de todos é demo."))
        self.hint.setObjectName("signInHint")
        self.hint.setWordWrap(True)
        self.hint.setVisible(demo)
        form = QFormLayout()
        form.addRow(self.tr("Operador"), self.operator_combo)
        form.addRow(self.tr("Senha"), self.password)
        buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(self.tr("Entrar"))
        self.sign_in_button.setObjectName("primaryButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setEnabled(False)  # until the operators are in
        self.cancel_button = QPushButton(cancel_text or self.tr("Cancelar"))
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._tasks.spawn(self._load(), "operators")

    # ------------------------------------------------------------------ the list
    async def _load(self) -> None:
        try:
            operators = await self._source.list_operators()
        except KnownError as error:
            self._show_problem(known_text(error))
            self.operators_loaded.emit()
            return
        self.set_operators(operators)
        self.operators_loaded.emit()

    def set_operators(self, operators: Any) -> None:
        """Fill the list with who can sign in (active, with a password); the last one chosen."""
        combo = self.operator_combo
        combo.clear()
        for info in operators:
            if info.active and info.has_password:
                combo.addItem(person_label(info.name, str(info.role)), info.id)
        last = last_operator(self._settings)
        index = combo.findData(last) if last is not None else -1
        combo.setCurrentIndex(max(0, index))
        self.sign_in_button.setEnabled(combo.count() > 0)
        if combo.count() == 0:
            self._show_problem(self.tr("Nenhum operador com senha cadastrada. O dono da loja "
                                       "cadastra os operadores em Configurações › Operadores."))
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ signing in
    def submit(self) -> None:
        """Entrar with the chosen operator and the typed password."""
        operator_id = self.operator_combo.currentData()
        if operator_id is None or not self.sign_in_button.isEnabled():
            return
        self.sign_in_button.setEnabled(False)
        self._tasks.spawn(self._sign_in(int(operator_id), self.password.text()), "sign-in")

    async def _sign_in(self, operator_id: int, password: str) -> None:
        try:
            actor = await self._source.sign_in(operator_id, password)
        except KnownError as error:
            text = known_text(error)
            self._show_problem(text)
            self.password.clear()
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            self.sign_in_button.setEnabled(True)
            self.refused.emit(text)
            return
        self._remember(operator_id)
        self._signed_in(actor)

    def _signed_in(self, actor: Actor) -> None:
        log.info("operator %s signed in", actor.operator_id)
        self.signed_in.emit(actor)
        self.accept()

    def _remember(self, operator_id: int) -> None:
        if self._settings is not None:
            self._settings.setValue(LAST_OPERATOR_KEY, operator_id)
            self._settings.sync()

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self.adjustSize()  # the wrapped message whole, not cut at the old height

    def done(self, result: int) -> None:
        self._tasks.cancel_all()
        super().done(result)
