"""A debtor's notes (newest first) and a box to add one (Ctrl+Enter saves)."""

from __future__ import annotations

import html
from datetime import tzinfo

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.records import NoteRecord
from cobrador_desktop.ui import formatting as fmt


class NotesPanel(QWidget):
    """The notes, and the box to write a new one."""

    #: the operator asked to save this note (not yet saved)
    note_submitted = Signal(str)

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.view = QTextBrowser(self)
        self.view.setObjectName("notesView")
        self.view.setOpenLinks(False)
        self.view.setMinimumHeight(70)
        self.view.setMaximumHeight(220)
        self.editor = QPlainTextEdit(self)
        self.editor.setPlaceholderText(self.tr("Escreva uma nota (Ctrl+Enter salva)"))
        self.editor.setFixedHeight(self.editor.fontMetrics().height() * 3 + 16)
        self.editor.installEventFilter(self)
        self.save_button = QPushButton(self.tr("Adicionar nota"), self)
        self.save_button.clicked.connect(self.submit)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formError")
        self.error_label.setStyleSheet("color: #b42318;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.error_label, 1)
        buttons.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.editor)
        layout.addLayout(buttons)

    def set_notes(self, notes: tuple[NoteRecord, ...]) -> None:
        """Show `notes` (given oldest first) newest first."""
        if not notes:
            self.view.setHtml(
                f"<p style='color:#8a94a6'>{html.escape(self.tr('Nenhuma nota ainda.'))}</p>")
            return
        blocks = []
        for note in reversed(notes):
            when = (fmt.format_datetime(note.at, self._tz) if note.at is not None
                    else self.tr("Importada"))
            head = when + (f" · {note.author}" if note.author else "")
            body = html.escape(note.text).replace("\n", "<br>")
            blocks.append(f"<p><span style='color:#64748b'>{html.escape(head)}</span><br>"
                          f"{body}</p>")
        self.view.setHtml("".join(blocks))

    def submit(self) -> None:
        """Ask to save what is in the box (the view-model checks and saves it)."""
        self.note_submitted.emit(self.editor.toPlainText())

    def note_saved(self) -> None:
        """The note was saved: empty the box."""
        self.editor.clear()
        self.show_error("")

    def show_error(self, message: str) -> None:
        """Show why the note was not saved ("" hides it)."""
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def set_busy(self, busy: bool) -> None:
        """Disable saving while a change is under way."""
        self.save_button.setEnabled(not busy)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.editor and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.submit()
            return True
        return super().eventFilter(watched, event)
