"""A small window asking why something is cancelled (a promise, an agreement)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QWidget


def reason_dialog(parent: QWidget, *, title: str, question: str, ok_text: str, back_text: str,
                  on_reason: Callable[[str], None]) -> QInputDialog:
    """A window-modal question whose answer goes to `on_reason`; deleted when closed.

    The caller opens it; an empty answer still reaches `on_reason`, whose service refuses it
    with a message the operator can act on.
    """
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(question)
    dialog.setOkButtonText(ok_text)
    dialog.setCancelButtonText(back_text)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.textValueSelected.connect(on_reason)
    return dialog
