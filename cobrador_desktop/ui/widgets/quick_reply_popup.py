"""The list of saved answers the composer offers after `/`: `/pi` shows `/pix`.

The popup never takes the keyboard: the text box keeps it and hands Up/Down/Enter/Tab/Esc over
(`Composer` filters its keys), so the operator goes on typing to narrow the list.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.inbox import QuickReply
from cobrador_desktop.domain.text import fold
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.inbox_ports import InboxSource

#: a `/word` just before the cursor, at the start of the text or after a space
_SLASH_WORD = re.compile(r"(?:^|(?<=\s))/\S*$")

_STYLE = """
#quickReplyPopup { background: #ffffff; border: 1px solid #cbd5e1; border-radius: 8px; }
#quickReplyPopup QListWidget { border: none; outline: none; font-size: 13px; }
#quickReplyPopup QListWidget::item { padding: 5px 8px; border-radius: 6px; color: #0f172a; }
#quickReplyPopup QListWidget::item:selected { background: #d5f5ef; color: #0f172a; }
"""


def matching(replies: tuple[QuickReply, ...], typed: str) -> list[QuickReply]:
    """The replies for what follows the `/`: shortcuts starting with it first, then titles that
    contain it (accents and case ignored)."""
    key = fold(typed.lstrip("/"))
    first = [r for r in replies if fold(r.shortcut.lstrip("/")).startswith(key)]
    rest = [r for r in replies if r not in first and key and key in fold(r.title)]
    return first + rest


class QuickReplyPopup(QFrame):
    """A small floating list of quick replies; `chosen` when the operator picks one."""

    #: the reply picked (`QuickReply`)
    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quickReplyPopup")
        self.setStyleSheet(_STYLE)
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.itemClicked.connect(lambda _item: self.choose())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        self._shown: list[QuickReply] = []

    @property
    def replies(self) -> list[QuickReply]:
        """The replies listed now, in order."""
        return list(self._shown)

    def show_for(self, replies: tuple[QuickReply, ...], typed: str, editor: QWidget) -> bool:
        """List the replies matching `typed` over `editor`'s window, just above the editor (below
        it when there is no room); hidden (False) when none match."""
        self._shown = matching(replies, typed)
        self.list.clear()
        for reply in self._shown:
            preview = " ".join(reply.text.split())
            if len(preview) > 60:
                preview = preview[:59] + "…"
            item = QListWidgetItem(f"{reply.shortcut}  ·  {reply.title}\n{preview}", self.list)
            item.setToolTip(reply.text)
        if not self._shown:
            self.hide()
            return False
        self.list.setCurrentRow(0)
        rows = min(len(self._shown), 5)
        height = sum(self.list.sizeHintForRow(i) for i in range(rows)) + 12
        # a child of the window, not a window of its own: it floats over the conversation
        # without taking the keyboard from the text box
        window = editor.window()
        if self.parent() is not window:
            self.setParent(window)
        anchor = editor.mapTo(window, QPoint(0, 0))
        self.resize(min(max(editor.width(), 280), 480), height)
        top = anchor.y() - height - 4
        self.move(anchor.x(), top if top >= 0 else anchor.y() + editor.height() + 4)
        self.show()
        self.raise_()
        return True

    def step(self, delta: int) -> None:
        """Move the selection up (-1) or down (+1), wrapping around."""
        count = self.list.count()
        if count:
            self.list.setCurrentRow((self.list.currentRow() + delta) % count)

    def current(self) -> QuickReply | None:
        """The selected reply."""
        row = self.list.currentRow()
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def choose(self) -> None:
        """Pick the selected reply and close."""
        reply = self.current()
        self.hide()
        if reply is not None:
            self.chosen.emit(reply)


class QuickReplyAssist(QObject):
    """Watches a text box: `/` at the start of a word opens the popup, typing narrows it,
    Up/Down move, Enter or Tab put the reply in (filled for the conversation by
    `fill_quick_reply`), Esc closes. The replies are read once, at the first `/`."""

    #: reading or filling the replies failed (`KnownError`)
    failed = Signal(object)

    def __init__(self, editor: QPlainTextEdit, source: InboxSource,
                 conversation_id: Callable[[], int | None], tasks: TaskRunner) -> None:
        super().__init__(editor)
        self._editor = editor
        self._source = source
        self._conversation_id = conversation_id
        self._tasks = tasks
        self._replies: tuple[QuickReply, ...] | None = None
        self.popup = QuickReplyPopup(editor)
        self.popup.hide()
        self.popup.chosen.connect(self._insert)
        editor.installEventFilter(self)

    def slash_word(self) -> str | None:
        """The `/word` being typed at the cursor, if any."""
        cursor = self._editor.textCursor()
        before = cursor.block().text()[:cursor.positionInBlock()]
        found = _SLASH_WORD.search(before)
        return found.group(0) if found else None

    def update(self) -> None:
        """The text changed: open, narrow or close the popup."""
        word = self.slash_word() if self._editor.isEnabled() else None
        if word is None:
            self.popup.hide()
            return
        if self._replies is None:
            self._replies = ()
            self._tasks.spawn(self._load(), "quick-replies")
            return
        self.popup.show_for(self._replies, word, self._editor)

    async def _load(self) -> None:
        try:
            self._replies = await self._source.quick_replies()
        except KnownError as error:
            self._replies = None
            self.failed.emit(error)
            return
        self.update()

    def _insert(self, reply: QuickReply) -> None:
        word = self.slash_word()
        cursor = self._editor.textCursor()
        if word:
            cursor.movePosition(cursor.MoveOperation.Left, cursor.MoveMode.KeepAnchor, len(word))
            cursor.removeSelectedText()
        cid = self._conversation_id()
        if cid is not None:
            self._tasks.spawn(self._fill(cid, cursor.position(), reply), "fill-quick-reply")

    async def _fill(self, cid: int, position: int, reply: QuickReply) -> None:
        try:
            filled = await self._source.fill_quick_reply(cid, reply.text)
        except KnownError as error:
            if cid == self._conversation_id():
                self.failed.emit(error)
            return
        if cid != self._conversation_id():
            return
        cursor = self._editor.textCursor()
        cursor.setPosition(min(position, len(self._editor.toPlainText())))
        cursor.insertText(filled)
        self._editor.setTextCursor(cursor)
        self._editor.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._editor and event.type() == QEvent.Type.ShortcutOverride \
                and self.popup.isVisible():
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:  # the list's, not the page's Esc shortcut
                event.accept()
                return True
        if watched is self._editor and event.type() == QEvent.Type.KeyPress \
                and self.popup.isVisible():
            assert isinstance(event, QKeyEvent)
            key = event.key()
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.popup.step(-1 if key == Qt.Key.Key_Up else 1)
                return True
            if key == Qt.Key.Key_Tab or (key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                                         and not ctrl):
                self.popup.choose()
                return True
            if key == Qt.Key.Key_Escape:
                self.popup.hide()
                return True
        return super().eventFilter(watched, event)
