"""The open conversation's messages as a Qt list model, oldest at the top.

A conversation opens with its newest page (`InboxViewModel.messages_reset`); older pages are put
on top as the user scrolls up (`older_loaded`), and new messages and moved ticks are merged by id
(`messages_updated`). `DAY_ROLE` gives the date separator drawn above a message ("Hoje", "Ontem",
"12 de novembro") when its day differs from the message before it.

The model holds at most `MAX_ROWS` messages, so laying the list out after a page is put on top
costs the same in a conversation of 10,000 messages as in one of 1,200. Past the cap the newest
rows are dropped from the bottom (`trimmed_newer`): new messages are then not appended (ticks of
the loaded ones still are) and `show_newest()` reopens the conversation at its newest page.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import date, tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.inbox import MessagePage, MessageRow
from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel

AnyIndex = QModelIndex | QPersistentModelIndex

#: `data(index, ROW_ROLE)` gives the `MessageRow`
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: the date separator above the message ("" when it is on the same day as the one before)
DAY_ROLE = Qt.ItemDataRole.UserRole + 2
_ROW, _DAY, _DISPLAY = int(ROW_ROLE), int(DAY_ROLE), int(Qt.ItemDataRole.DisplayRole)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
#: the most messages kept; older pages past it drop the newest rows
MAX_ROWS = 1_200

MONTHS = (
    QT_TRANSLATE_NOOP("MessageListModel", "janeiro"),
    QT_TRANSLATE_NOOP("MessageListModel", "fevereiro"),
    QT_TRANSLATE_NOOP("MessageListModel", "março"),
    QT_TRANSLATE_NOOP("MessageListModel", "abril"),
    QT_TRANSLATE_NOOP("MessageListModel", "maio"),
    QT_TRANSLATE_NOOP("MessageListModel", "junho"),
    QT_TRANSLATE_NOOP("MessageListModel", "julho"),
    QT_TRANSLATE_NOOP("MessageListModel", "agosto"),
    QT_TRANSLATE_NOOP("MessageListModel", "setembro"),
    QT_TRANSLATE_NOOP("MessageListModel", "outubro"),
    QT_TRANSLATE_NOOP("MessageListModel", "novembro"),
    QT_TRANSLATE_NOOP("MessageListModel", "dezembro"),
)


def day_label(day: date, today: date) -> str:
    """"Hoje", "Ontem", "12 de novembro" (this year) or "12 de novembro de 2025"."""
    def tr(text: str) -> str:
        return QCoreApplication.translate("MessageListModel", text)

    if day == today:
        return tr("Hoje")
    if (today - day).days == 1:
        return tr("Ontem")
    month = tr(MONTHS[day.month - 1])
    if day.year == today.year:
        return tr("{day} de {month}").format(day=day.day, month=month)
    return tr("{day} de {month} de {year}").format(day=day.day, month=month, year=day.year)


class MessageListModel(QAbstractListModel):
    """List model of `MessageRow`s, oldest first, at most `max_rows` of them."""

    #: the newest messages were dropped (True) or the newest page is loaded again (False)
    trimmed_changed = Signal(bool)
    #: a page went on top (its row count), after every other signal of that change: the list
    #: lays itself out once, here
    prepended = Signal(int)

    def __init__(self, vm: InboxViewModel | None, *, today: Callable[[], date], tz: tzinfo,
                 max_rows: int = MAX_ROWS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._today = today
        self._tz = tz
        self._max_rows = max_rows
        self._rows: list[MessageRow] = []
        self._ids: list[int] = []
        self._days: list[date] = []
        self._trimmed = False
        if vm is not None:
            vm.messages_reset.connect(self.reset_to)
            vm.older_loaded.connect(self.prepend)
            vm.messages_updated.connect(self.upsert)
            vm.header_changed.connect(self._on_header)

    def _on_header(self, header: object) -> None:
        if header is None:
            self.reset_to(None)

    # ------------------------------------------------------------------ shape
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        number = index.row()
        if not 0 <= number < len(self._rows):
            return None
        if role == _ROW:
            return self._rows[number]
        if role == _DAY:
            found = self.row_and_day(number)
            return found[1] if found is not None else None
        if role == _DISPLAY:
            return self._rows[number].text
        return None

    def row_at(self, number: int) -> MessageRow:
        return self._rows[number]

    def row_and_day(self, number: int) -> tuple[MessageRow, str] | None:
        """The message at `number` and its date separator ("" for none), as `data()` gives
        them for ROW_ROLE and DAY_ROLE, in one call (the delegate's sizing at each layout)."""
        if not 0 <= number < len(self._rows):
            return None
        days = self._days
        day = days[number]
        if number > 0 and days[number - 1] == day:
            return self._rows[number], ""
        return self._rows[number], day_label(day, self._today())

    @property
    def first_id(self) -> int | None:
        """The oldest message loaded (where the next older page ends)."""
        return self._ids[0] if self._ids else None

    @property
    def trimmed_newer(self) -> bool:
        """Newer messages than the last row exist but were dropped (the list is capped)."""
        return self._trimmed

    def _set_trimmed(self, trimmed: bool) -> None:
        if trimmed != self._trimmed:
            self._trimmed = trimmed
            self.trimmed_changed.emit(trimmed)

    def show_newest(self) -> None:
        """Go back to the conversation's newest page (after the newest rows were dropped)."""
        if self._vm is not None:
            self._vm.reload_open()

    # ------------------------------------------------------------------ changes
    def _day(self, row: MessageRow) -> date:
        return row.created_at.astimezone(self._tz).date()

    def reset_to(self, page: MessagePage | None) -> None:
        """Show a freshly opened conversation (None: empty)."""
        self.beginResetModel()
        rows = list(page.messages) if page is not None else []
        self._rows = rows
        self._ids = [row.id for row in rows]
        self._days = [self._day(row) for row in rows]
        self.endResetModel()
        self._set_trimmed(False)

    def prepend(self, page: MessagePage) -> None:
        """Older messages go on top; past the cap as many of the newest go from the bottom
        (first, so the list lays itself out once, after the insertion)."""
        first = self.first_id
        rows = [row for row in page.messages if first is None or row.id < first]
        if not rows:
            return
        rows = rows[-self._max_rows:]
        extra = len(self._rows) + len(rows) - self._max_rows
        if extra > 0:
            keep = len(self._rows) - extra
            self.beginRemoveRows(QModelIndex(), keep, len(self._rows) - 1)
            del self._rows[keep:], self._ids[keep:], self._days[keep:]
            self.endRemoveRows()
            self._set_trimmed(True)
        self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        self._rows[:0] = rows
        self._ids[:0] = [row.id for row in rows]
        self._days[:0] = [self._day(row) for row in rows]
        self.endInsertRows()
        # the former first message may lose its date separator
        if len(rows) < len(self._rows):
            below = self.index(len(rows))
            self.dataChanged.emit(below, below)
        self.prepended.emit(len(rows))

    def upsert(self, rows: tuple[MessageRow, ...]) -> None:
        """New messages go in order of id; known ones (a tick moved) are replaced. While the
        newest rows are dropped, messages after the last row are not added."""
        for row in rows:
            at = bisect_left(self._ids, row.id)
            if at < len(self._ids) and self._ids[at] == row.id:
                self._rows[at] = row
                index = self.index(at)
                self.dataChanged.emit(index, index)
                continue
            if self._trimmed and at == len(self._ids):
                continue
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, row)
            self._ids.insert(at, row.id)
            self._days.insert(at, self._day(row))
            self.endInsertRows()
            if at == 0 and len(self._rows) > 1:
                self.prepended.emit(1)
