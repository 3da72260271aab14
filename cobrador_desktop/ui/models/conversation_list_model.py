"""The inbox's conversation list as a lazy Qt model: keyset pages as the user scrolls, and the
first page merged in place on each change (rows move, update or leave; selection and scroll stay).

`data(index, ROW_ROLE)` gives the `ConversationRow`; the delegate in `widgets/conversation_list`
paints it. Display is the name (or the phone) for accessibility and keyboard search.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from cobrador_desktop.domain.inbox import ConversationRow
from cobrador_desktop.ui.formatting import format_phone
from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel, in_filter

AnyIndex = QModelIndex | QPersistentModelIndex

#: `data(index, ROW_ROLE)` gives the whole `ConversationRow`
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
_ROW = int(ROW_ROLE)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def display_name(row: ConversationRow) -> str:
    """The debtor's name, or the formatted phone for an unknown number."""
    return row.debtor_name or format_phone(row.phone)


class ConversationListModel(QAbstractListModel):
    """List model over `InboxViewModel`: starts empty and grows as pages arrive."""

    def __init__(self, vm: InboxViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._rows: list[ConversationRow] = []
        vm.list_reset.connect(self._on_reset)
        vm.rows_loaded.connect(self._on_rows_loaded)
        vm.first_page_refreshed.connect(self.merge_first_page)
        vm.rows_changed.connect(self.update_rows)

    # ------------------------------------------------------------------ shape
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != _ROW and role != _DISPLAY:
            return None
        number = index.row()
        if not 0 <= number < len(self._rows) or index.parent().isValid():
            return None
        row = self._rows[number]
        return row if role == _ROW else display_name(row)

    def row_at(self, number: int) -> ConversationRow:
        return self._rows[number]

    def row_of(self, conversation_id: int) -> int:
        """The line showing a conversation, or -1."""
        for number, row in enumerate(self._rows):
            if row.id == conversation_id:
                return number
        return -1

    # ------------------------------------------------------------------ lazy loading
    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self._vm.has_more

    def fetchMore(self, parent: AnyIndex) -> None:
        if not parent.isValid():
            self._vm.fetch_more()

    # ------------------------------------------------------------------ view-model
    def _on_reset(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()

    def _on_rows_loaded(self, rows: tuple[ConversationRow, ...]) -> None:
        known = {row.id for row in self._rows}
        rows = tuple(row for row in rows if row.id not in known)
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def merge_first_page(self, page: tuple[ConversationRow, ...], has_more: bool,
                         changed: Any = frozenset()) -> None:
        """Make the top of the list the fresh first page with moves, updates, inserts and
        removals (never a reset). Rows below the page stay as they were."""
        del changed  # the page itself says where each row is now
        fresh = {row.id for row in page}
        last_key = page[-1].sort_key if page else None
        # rows that left the page's range without being in it are gone from the tab
        for number in range(len(self._rows) - 1, -1, -1):
            row = self._rows[number]
            if row.id in fresh:
                continue
            if not has_more or last_key is None or row.sort_key <= last_key:
                self._remove(number)
        for target, row in enumerate(page):
            current = self._find(row.id, target)
            if current == target:
                if self._rows[target] != row:
                    self._rows[target] = row
                    index = self.index(target)
                    self.dataChanged.emit(index, index)
                continue
            if current >= 0:
                self.beginMoveRows(QModelIndex(), current, current, QModelIndex(), target)
                self._rows.insert(target, self._rows.pop(current))
                self.endMoveRows()
                self._rows[target] = row
                index = self.index(target)
                self.dataChanged.emit(index, index)
            else:
                self.beginInsertRows(QModelIndex(), target, target)
                self._rows.insert(target, row)
                self.endInsertRows()
        self._vm.list_moved_to(self._rows[-1].sort_key if self._rows else None)

    def update_rows(self, rows: tuple[ConversationRow, ...]) -> None:
        """Rows below the first page changed: update them in place, or drop those that left
        the tab."""
        for row in rows:
            number = self.row_of(row.id)
            if number < 0:
                continue
            if in_filter(row, self._vm.filter, self._vm.operator_id):
                self._rows[number] = row
                index = self.index(number)
                self.dataChanged.emit(index, index)
            else:
                self._remove(number)

    def _find(self, conversation_id: int, start: int) -> int:
        for number in range(start, len(self._rows)):
            if self._rows[number].id == conversation_id:
                return number
        return -1

    def _remove(self, number: int) -> None:
        self.beginRemoveRows(QModelIndex(), number, number)
        del self._rows[number]
        self.endRemoveRows()
