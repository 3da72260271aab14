"""The debtor list as a lazy Qt table: rows arrive page by page as the user scrolls.

`canFetchMore`/`fetchMore` ask the view-model for the next keyset page; the view-model's in-flight
guard makes repeated `fetchMore` calls while a page is loading harmless. Only the columns that map
to a `DebtorSort` can be sorted, each in the one direction the service reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
from cobrador_desktop.ui.viewmodels.ports import DebtorRow, DebtorSort

_OVERDUE_COLOR = QColor("#b42318")
_OPTED_OUT_COLOR = QColor("#8a94a6")

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    """The columns of the debtor table, in display order."""

    NAME = 0
    DOCUMENT = 1
    PHONE = 2
    OPEN = 3
    OVERDUE = 4
    NEXT_DUE = 5
    LAST_CONTACT = 6
    OPERATOR = 7


_HEADERS: dict[Column, str] = {
    Column.NAME: QT_TRANSLATE_NOOP("DebtorTableModel", "Nome"),
    Column.DOCUMENT: QT_TRANSLATE_NOOP("DebtorTableModel", "CPF/CNPJ"),
    Column.PHONE: QT_TRANSLATE_NOOP("DebtorTableModel", "Telefone"),
    Column.OPEN: QT_TRANSLATE_NOOP("DebtorTableModel", "Em aberto"),
    Column.OVERDUE: QT_TRANSLATE_NOOP("DebtorTableModel", "Maior atraso"),
    Column.NEXT_DUE: QT_TRANSLATE_NOOP("DebtorTableModel", "Próx. vencimento"),
    Column.LAST_CONTACT: QT_TRANSLATE_NOOP("DebtorTableModel", "Último contato"),
    Column.OPERATOR: QT_TRANSLATE_NOOP("DebtorTableModel", "Operador"),
}

#: which column sorts by what, and the direction the service reads that order in
SORTS: dict[Column, tuple[DebtorSort, Qt.SortOrder]] = {
    Column.NAME: (DebtorSort.NAME, Qt.SortOrder.AscendingOrder),
    Column.OPEN: (DebtorSort.OPEN_AMOUNT, Qt.SortOrder.DescendingOrder),
    # oldest due date first = longest overdue first
    Column.OVERDUE: (DebtorSort.OLDEST_DUE, Qt.SortOrder.DescendingOrder),
    Column.NEXT_DUE: (DebtorSort.NEXT_DUE, Qt.SortOrder.AscendingOrder),
}
_COLUMN_OF_SORT = {sort: column for column, (sort, _order) in SORTS.items()}

#: `data(index, ROW_ROLE)` gives the whole `DebtorRow`
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class DebtorTableModel(QAbstractTableModel):
    """Table model over `DebtorListViewModel`; starts empty and grows as pages arrive."""

    def __init__(self, vm: DebtorListViewModel, *, today: Callable[[], date], tz: tzinfo,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._today = today
        self._tz = tz
        self._rows: list[DebtorRow] = []
        vm.reset.connect(self._on_reset)
        vm.rows_loaded.connect(self._on_rows_loaded)

    # ------------------------------------------------------------------ shape
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("DebtorTableModel", _HEADERS[column])
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.OVERDUE:
                return self.tr(
                    "Dias desde o vencimento mais antigo ainda em aberto")
            if column == Column.NEXT_DUE:
                return self.tr("Próximo vencimento de uma dívida em aberto")
            if column in SORTS:
                return self.tr("Clique para ordenar por esta coluna")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.OPEN, Column.OVERDUE):
            return _RIGHT
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ------------------------------------------------------------------ data
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.OPEN, Column.OVERDUE):
            return _RIGHT
        if row.opted_out and column == Column.NAME:
            if role == Qt.ItemDataRole.ToolTipRole:
                return row.name + "\n" + self.tr("Pediu para não receber mensagens de cobrança")
            if role == Qt.ItemDataRole.ForegroundRole:
                return _OPTED_OUT_COLOR
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.OVERDUE:
            return _OVERDUE_COLOR if fmt.overdue_days(row.oldest_open_due, self._today()) else None
        if role == Qt.ItemDataRole.ToolTipRole and column in (Column.NAME, Column.OPERATOR):
            return self._display(row, column) or None  # long names are elided in the cell
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.LAST_CONTACT:
            return fmt.format_datetime(row.last_contact_at, self._tz) or None
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.OPEN:
            return self.tr("{count} dívida(s) em aberto").format(
                count=fmt.format_count(row.open_debts))
        return None

    def _display(self, row: DebtorRow, column: Column) -> str:
        if column == Column.NAME:
            return row.name
        if column == Column.DOCUMENT:
            return fmt.format_document(row.document)
        if column == Column.PHONE:
            return fmt.format_phone(row.phone_e164)
        if column == Column.OPEN:
            return fmt.format_brl(row.open_cents)
        if column == Column.OVERDUE:
            return self._overdue_text(row)
        if column == Column.NEXT_DUE:
            return fmt.format_date(row.next_due)
        if column == Column.LAST_CONTACT:
            # the date is enough in the table; the time is in the tooltip
            contact = row.last_contact_at
            return fmt.format_date(contact.astimezone(self._tz).date()) if contact else ""
        return row.operator_name or ""

    def _overdue_text(self, row: DebtorRow) -> str:
        if row.oldest_open_due is None:
            return ""
        days = fmt.overdue_days(row.oldest_open_due, self._today())
        if days is None:
            return self.tr("em dia")
        if days == 1:
            return self.tr("1 dia")
        return self.tr("{days} dias").format(days=fmt.format_count(days))

    def row_at(self, row: int) -> DebtorRow:
        """The debtor shown on line `row`."""
        return self._rows[row]

    # ------------------------------------------------------------------ lazy loading
    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self._vm.has_more

    def fetchMore(self, parent: AnyIndex) -> None:
        if not parent.isValid():
            self._vm.fetch_more()  # no-op while a page is in flight

    # ------------------------------------------------------------------ sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a sortable column; other columns (and the direction) are ignored."""
        del order  # each order is read in one direction only (see SORTS)
        if column in SORTS:
            self._vm.set_sort(SORTS[Column(column)][0])

    def sort_indicator(self) -> tuple[int, Qt.SortOrder]:
        """The column and direction the header should show for the current order."""
        column = _COLUMN_OF_SORT[self._vm.sort]
        return int(column), SORTS[column][1]

    # ------------------------------------------------------------------ view-model
    def _on_reset(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()

    def _on_rows_loaded(self, rows: tuple[DebtorRow, ...]) -> None:
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
