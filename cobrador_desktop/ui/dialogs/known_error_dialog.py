"""A `KnownError` shown to the user: the message and what to do, in Portuguese."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from cobrador_desktop.domain.errors import KnownError

# Message boxes without a parent are owned by nobody: keep them alive until closed.
_orphans: set[QMessageBox] = set()


def translated(context: str, source: str, params: dict[str, object]) -> str:
    """Translate `source` under `context` and fill its `{placeholders}`."""
    text = QCoreApplication.translate(context, source)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def known_text(err: KnownError) -> str:
    """The error's message and what to do, translated, on one line (for an inline label)."""
    params = dict(err.params)
    hint = translated(err.context, err.hint_source, params) if err.hint_source else ""
    return f"{translated(err.context, err.message_source, params)} {hint}".strip()


def show_known_error(parent: QWidget | None, err: KnownError) -> QMessageBox:
    """Open (non-modally, with `open()`) a message box with the error and its hint.

    Returns:
        The box; connect to its `finished` signal to act when the user closes it.
    """
    params = dict(err.params)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Cobrador Desktop")
    box.setText(translated(err.context, err.message_source, params))
    if err.hint_source:
        box.setInformativeText(translated(err.context, err.hint_source, params))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        _orphans.add(box)
        box.finished.connect(lambda *_: _orphans.discard(box))
    box.open()
    return box
