"""What the debtor screen's form dialogs share: check the form, hand the request over, stay open
until the caller says it was done (or shows why it was refused), never submit twice."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.known_error_dialog import translated


def error_text(error: KnownError) -> str:
    """The error's message and hint, translated, on two lines."""
    params = dict(error.params)
    message = translated(error.context, error.message_source, params)
    if error.hint_source:
        return f"{message}\n{translated(error.context, error.hint_source, params)}"
    return message


class RequestDialog(QDialog):
    """A form that emits `submitted` with a checked request.

    Subclasses lay their fields out with `lay_out` (which adds `error_label` and the buttons)
    and define `request()` (raising `KnownError` when the form breaks a rule), `ok_text()` and
    `busy_text()`; `focus_field` is where the cursor goes back to after an error (None: it stays
    where it is).
    """

    submitted = Signal(object)

    error_label: QLabel
    ok_button: QPushButton
    focus_field: QWidget | None = None

    def lay_out(self, fields: QLayout) -> None:
        """`fields`, then a hidden error line, then Cancel and the primary button."""
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formError")
        self.error_label.setStyleSheet("color: #b42318;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = QPushButton(self.ok_text(), self)
        self.ok_button.setObjectName("primaryButton")
        self.ok_button.setDefault(True)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(fields)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def request(self) -> Any:
        raise NotImplementedError

    def checked_request(self) -> Any:
        """The request `submit` hands over, after every check (default: `request()`)."""
        return self.request()

    def ok_text(self) -> str:
        raise NotImplementedError

    def busy_text(self) -> str:
        # an explicit context: `self.tr` would look it up under each subclass's name
        return QCoreApplication.translate("RequestDialog", "Registrando…")

    def can_submit(self) -> bool:
        """Whether the OK button may be pressed when not busy (a form may need more first)."""
        return True

    def submit(self) -> None:
        """Check the form and hand the request over; a broken rule is shown instead."""
        try:
            request = self.checked_request()
        except KnownError as error:
            self.show_error(error)
            return
        self.error_label.hide()
        self.set_busy(True)
        self.submitted.emit(request)

    def show_error(self, error: KnownError) -> None:
        """Show why the request was refused and let the operator correct it."""
        self.set_busy(False)
        self.error_label.setText(error_text(error))
        self.error_label.show()
        if self.focus_field is not None:
            self.focus_field.setFocus()
            select_all = getattr(self.focus_field, "selectAll", None)
            if select_all is not None:
                select_all()

    def request_done(self) -> None:
        """The request was carried out: close."""
        self.set_busy(False)
        self.accept()

    def set_busy(self, busy: bool) -> None:
        """Disable the button while the request is carried out (no double entries)."""
        self.ok_button.setEnabled(not busy and self.can_submit())
        self.ok_button.setText(self.busy_text() if busy else self.ok_text())
