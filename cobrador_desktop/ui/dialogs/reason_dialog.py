"""A small window asking why: a promise or agreement is cancelled, the owner confirms a send or
lifts a "não sou eu"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QInputDialog, QLabel, QWidget


def reason_dialog(parent: QWidget, *, title: str, question: str, ok_text: str, back_text: str,
                  on_reason: Callable[[str], None], required: bool = False) -> QInputDialog:
    """A window-modal question whose answer goes to `on_reason`; deleted when closed.

    The caller opens it; an empty answer still reaches `on_reason`, whose service refuses it
    with a message the operator can act on — unless `required`: then the OK button stays
    disabled until something other than spaces is written, and a blank answer never goes out.
    """
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(question)
    dialog.setOkButtonText(ok_text)
    dialog.setCancelButtonText(back_text)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if not required:
        dialog.textValueSelected.connect(on_reason)
        return dialog
    # setOkButtonText built the dialog's widgets: the OK button exists now
    label = dialog.findChild(QLabel)
    if label is not None:  # a long question wraps instead of stretching the window
        label.setWordWrap(True)
        dialog.setMinimumWidth(460)
    box = dialog.findChild(QDialogButtonBox)
    ok = box.button(QDialogButtonBox.StandardButton.Ok) if box is not None else None

    def typed(value: str) -> None:
        if ok is not None:
            ok.setEnabled(bool(value.strip()))

    def chosen(value: str) -> None:
        if value.strip():
            on_reason(value.strip())

    dialog.textValueChanged.connect(typed)
    dialog.textValueSelected.connect(chosen)
    typed(dialog.textValue())
    return dialog
