"""Where the WhatsApp secrets go when this PC has no OS keyring, and unlocking the encrypted file.

Two small dialogs; neither knows how secrets are stored (that is `app.secrets`, wired by
`app.secret_setup`), they take a function to call:

- `SecretStoreChoiceDialog(choose)`: "no keyring on this computer" — the owner picks environment
  variables or an encrypted file with a passphrase typed twice; on "Usar esta opção" it calls
  `choose(kind, passphrase)` ("env", None) or ("file", passphrase). A `KnownError` it raises
  (passphrase too short, wrong passphrase for an existing file) shows inline and the dialog stays
  open; on success the dialog is accepted and `result_value` holds what `choose` returned.
- `UnlockSecretsDialog(unlock, path)`: at start when the file is chosen: the passphrase, then
  `unlock(passphrase)`; a wrong one shows inline; "Agora não" rejects (the program then runs with
  the environment's secrets only).

Open them with `open()` and connect to `accepted`/`finished` (never `exec()` under qasync).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text

#: the minimum the dialog asks for (app.secrets.MIN_PASSPHRASE; the store checks it again)
MIN_PASSPHRASE = 8


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    label.hide()
    return label


def _password_field(placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class SecretStoreChoiceDialog(QDialog):
    """No OS keyring: environment variables or an encrypted file protected by a passphrase."""

    def __init__(self, choose: Callable[[str, str | None], object],
                 parent: QWidget | None = None) -> None:
        """`choose(kind, passphrase)`: records the choice and returns the store (or raises a
        `KnownError`, shown in the dialog)."""
        super().__init__(parent)
        self._choose = choose
        #: what `choose` returned (the store), once accepted
        self.result_value: object = None
        #: "env" or "file", once accepted
        self.kind: str | None = None
        self.setWindowTitle(self.tr("Onde guardar os segredos do WhatsApp"))
        self.setMinimumWidth(520)

        intro = QLabel(self.tr(
            "Este computador não tem um cofre de senhas do sistema para guardar o token de "
            "acesso, o segredo do aplicativo e o token de verificação. Escolha uma opção — o "
            "programa nunca guarda segredos sem criptografia."))
        intro.setWordWrap(True)

        self.file_option = QRadioButton(self.tr(
            "Guardar num arquivo criptografado, protegido por uma senha"))
        file_note = QLabel(self.tr(
            "A senha é pedida cada vez que o programa abre. Sem ela, os segredos não podem ser "
            "lidos — nem por quem copiar o arquivo."))
        file_note.setObjectName("settingsNote")
        file_note.setWordWrap(True)
        self.passphrase = _password_field(self.tr("Senha (pelo menos {n} caracteres)")
                                          .format(n=MIN_PASSPHRASE))
        self.confirmation = _password_field(self.tr("Repita a senha"))
        form = QFormLayout()
        form.addRow(self.tr("Senha:"), self.passphrase)
        form.addRow(self.tr("Confirmação:"), self.confirmation)

        self.env_option = QRadioButton(self.tr("Usar variáveis de ambiente (nada é salvo)"))
        env_note = QLabel(self.tr(
            "Defina WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET e WHATSAPP_VERIFY_TOKEN antes de "
            "abrir o programa (ou do serviço `serve`)."))
        env_note.setObjectName("settingsNote")
        env_note.setWordWrap(True)

        self.options = QButtonGroup(self)
        self.options.addButton(self.file_option)
        self.options.addButton(self.env_option)
        self.file_option.setChecked(True)
        self.file_option.toggled.connect(self._update)

        self.error = _error_label()
        buttons = QDialogButtonBox()
        self.ok_button = QPushButton(self.tr("Usar esta opção"))
        self.ok_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton(self.tr("Cancelar"))
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(intro)
        layout.addWidget(self.file_option)
        layout.addWidget(file_note)
        layout.addLayout(form)
        layout.addWidget(self.env_option)
        layout.addWidget(env_note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._update()

    def _update(self) -> None:
        on_file = self.file_option.isChecked()
        self.passphrase.setEnabled(on_file)
        self.confirmation.setEnabled(on_file)
        self.error.hide()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def submit(self) -> None:
        """Check the passphrase pair, then hand the choice to `choose`."""
        if self.file_option.isChecked():
            phrase = self.passphrase.text()
            if phrase != self.confirmation.text():
                self._show_error(self.tr("As duas senhas não são iguais. Digite de novo."))
                self.confirmation.clear()
                self.confirmation.setFocus()
                return
            kind, passphrase = "file", phrase
        else:
            kind, passphrase = "env", None
        try:
            self.result_value = self._choose(kind, passphrase)
        except KnownError as err:
            self._show_error(known_text(err))
            return
        self.kind = kind
        self.passphrase.clear()
        self.confirmation.clear()
        self.accept()


class UnlockSecretsDialog(QDialog):
    """At start: the passphrase of the encrypted secrets file."""

    def __init__(self, unlock: Callable[[str], object], path: str,
                 parent: QWidget | None = None) -> None:
        """`unlock(passphrase)`: opens the file and returns the store (or raises a
        `KnownError` such as a wrong passphrase, shown in the dialog)."""
        super().__init__(parent)
        self._unlock = unlock
        self.result_value: object = None
        self.setWindowTitle(self.tr("Abrir os segredos do WhatsApp"))
        self.setMinimumWidth(460)
        intro = QLabel(self.tr(
            "O token e os segredos do WhatsApp deste computador estão num arquivo criptografado. "
            "Digite a senha para enviar e receber mensagens."))
        intro.setWordWrap(True)
        where = QLabel(self.tr("Arquivo: {path}").format(path=path))
        where.setObjectName("settingsNote")
        where.setWordWrap(True)
        self.passphrase = _password_field(self.tr("Senha do arquivo de segredos"))
        self.error = _error_label()
        buttons = QDialogButtonBox()
        self.ok_button = QPushButton(self.tr("Abrir"))
        self.ok_button.setObjectName("primaryButton")
        self.later_button = QPushButton(self.tr("Agora não"))
        self.later_button.setToolTip(self.tr(
            "O programa abre sem enviar nem receber pelo número (a não ser pelas variáveis de "
            "ambiente)."))
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.submit)
        self.later_button.clicked.connect(self.reject)
        self.passphrase.returnPressed.connect(self.submit)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def submit(self) -> None:
        """Try the passphrase; a wrong one says so and clears the field."""
        try:
            self.result_value = self._unlock(self.passphrase.text())
        except KnownError as err:
            self.error.setText(known_text(err))
            self.error.show()
            self.passphrase.clear()
            self.passphrase.setFocus()
            return
        self.passphrase.clear()
        self.accept()
