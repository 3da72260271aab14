"""The debtor list as a lazy Qt table: rows arrive page by page as the user scrolls.

`canFetchMore`/`fetchMore` ask the view-model for the next keyset page; the view-model's in-flight
guard makes repeated `fetchMore` calls while a page is loading harmless. Only the columns that map
to a `DebtorSort` can be sorted, each in the one direction the service reads it.

`data()` never queries anything: every cell comes from the row's summary columns, and a row's
display texts are formatted once (on first paint) and kept until the list reloads or the day
changes, so scrolling repaints from memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from enum import IntEnum
from time import monotonic
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

from cobrador_desktop.domain.debtor_summary import DebtorStatus, debtor_status
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
from cobrador_desktop.ui.viewmodels.ports import DebtorRow, DebtorSort, Reach, Segment

_OVERDUE_COLOR = QColor("#b42318")
_OPTED_OUT_COLOR = QColor("#8a94a6")
_AGREEMENT_COLOR = QColor("#175cd3")
_OK_COLOR = QColor("#067647")

AnyIndex = QModelIndex | QPersistentModelIndex
#: a row's display texts and foreground colours, one per column
_Cells = tuple[tuple[str, ...], tuple[QColor | None, ...]]


class Column(IntEnum):
    """The columns of the debtor table, in display order."""

    NAME = 0
    DOCUMENT = 1
    PHONE = 2
    OPEN = 3
    OVERDUE = 4
    NEXT_DUE = 5
    STATUS = 6
    LAST_CONTACT = 7
    OPERATOR = 8




STATUS_LABELS: dict[DebtorStatus, str] = {
    DebtorStatus.DO_NOT_CONTACT: QT_TRANSLATE_NOOP("DebtorTableModel", "Não contatar"),
    DebtorStatus.AGREEMENT: QT_TRANSLATE_NOOP("DebtorTableModel", "Em acordo"),
    DebtorStatus.OVERDUE: QT_TRANSLATE_NOOP("DebtorTableModel", "Em atraso"),
    DebtorStatus.CURRENT: QT_TRANSLATE_NOOP("DebtorTableModel", "Em dia"),
    DebtorStatus.SETTLED: QT_TRANSLATE_NOOP("DebtorTableModel", "Quitado"),
}
_STATUS_COLORS: dict[DebtorStatus, QColor] = {
    DebtorStatus.DO_NOT_CONTACT: _OPTED_OUT_COLOR, DebtorStatus.AGREEMENT: _AGREEMENT_COLOR,
    DebtorStatus.OVERDUE: _OVERDUE_COLOR, DebtorStatus.CURRENT: _OK_COLOR,
    DebtorStatus.SETTLED: _OPTED_OUT_COLOR,
}

#: the segments as the screen names them (context "DebtorTableModel")
SEGMENT_LABELS: dict[Segment, str] = {
    Segment.ON_TIME: QT_TRANSLATE_NOOP("DebtorTableModel", "Em dia"),
    Segment.SOMETIMES_LATE: QT_TRANSLATE_NOOP("DebtorTableModel", "Atrasa às vezes"),
    Segment.ALWAYS_LATE: QT_TRANSLATE_NOOP("DebtorTableModel", "Atrasa sempre"),
    Segment.NEVER_REPLIED: QT_TRANSLATE_NOOP("DebtorTableModel", "Nunca respondeu"),
    Segment.NEW: QT_TRANSLATE_NOOP("DebtorTableModel", "Novo"),
}




_HEADERS: dict[Column, str] = {
    Column.NAME: QT_TRANSLATE_NOOP("DebtorTableModel", "Nome"),
    Column.DOCUMENT: QT_TRANSLATE_NOOP("DebtorTableModel", "CPF/CNPJ"),
    Column.PHONE: QT_TRANSLATE_NOOP("DebtorTableModel", "Telefone"),
    Column.OPEN: QT_TRANSLATE_NOOP("DebtorTableModel", "Em aberto"),
    Column.OVERDUE: QT_TRANSLATE_NOOP("DebtorTableModel", "Maior atraso"),
    Column.NEXT_DUE: QT_TRANSLATE_NOOP("DebtorTableModel", "Próx. venc."),
    Column.STATUS: QT_TRANSLATE_NOOP("DebtorTableModel", "Situação"),
    Column.LAST_CONTACT: QT_TRANSLATE_NOOP("DebtorTableModel", "Últ. contato"),
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
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ANSWERED = frozenset({_DISPLAY, _ALIGNMENT, _FOREGROUND, int(Qt.ItemDataRole.ToolTipRole),
                       int(ROW_ROLE)})
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
#: how often data() makes sure the formatted cells are still of today
_DAY_CHECK_SECONDS = 1.0
_RIGHT_COLUMNS = frozenset({int(Column.OPEN), int(Column.OVERDUE)})
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
        #: each row's display texts and colours (one per column), made on first use
        self._cells: list[_Cells | None] = []
        self._cells_day: date | None = None
        # asking the clock on every call would cost more than the rest of data()
        self._day_checked_at = float("-inf")
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
            if column == Column.LAST_CONTACT:
                return self.tr("Última mensagem trocada com o devedor")
            if column == Column.STATUS:
                return self.tr("Não contatar, em acordo, em atraso, em dia ou quitado; o perfil "
                               "de pagamento aparece ao passar o mouse")
            if column in SORTS:
                return self.tr("Clique para ordenar por esta coluna")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.OPEN, Column.OVERDUE):
            return _RIGHT
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    # ------------------------------------------------------------------ data
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks about 7 roles per visible cell on every repaint: roles this model never
        # answers return first, and the others read pre-formatted texts
        if role not in _ANSWERED:
            return None
        number = index.row()  # -1 for an invalid index
        if not 0 <= number < len(self._rows):
            return None
        column = index.column()
        if role in (_DISPLAY, _FOREGROUND):
            cells = self._cells[number]
            if cells is None or monotonic() - self._day_checked_at > _DAY_CHECK_SECONDS:
                cells = self._row_cells(number)
            return cells[0][column] if role == _DISPLAY else cells[1][column]
        if role == _ALIGNMENT:
            return _RIGHT if column in _RIGHT_COLUMNS else None
        row = self._rows[number]
        if role == ROW_ROLE:
            return row
        return self._tooltip(row, column)

    def _foreground(self, row: DebtorRow, column: Column) -> QColor | None:
        if column == Column.NAME and row.opted_out:
            return _OPTED_OUT_COLOR
        if column == Column.OVERDUE:
            return _OVERDUE_COLOR if fmt.overdue_days(row.oldest_open_due, self._today()) else None
        if column == Column.STATUS:
            return _STATUS_COLORS[debtor_status(row, self._today())]
        return None

    def _tooltip(self, row: DebtorRow, column: int) -> str | None:
        if column == Column.NAME and row.opted_out:
            return row.name + "\n" + self.tr("Pediu para não receber mensagens de cobrança")
        if column in (Column.NAME, Column.OPERATOR):
            return self._display(row, Column(column)) or None  # long names are elided
        if column == Column.LAST_CONTACT:
            return fmt.format_datetime(row.last_contact_at, self._tz) or None
        if column == Column.OPEN:
            return self.tr("{count} dívida(s) em aberto").format(
                count=fmt.format_count(row.open_debts))
        if column == Column.STATUS:
            lines = [self.tr("Perfil de pagamento: {segment}").format(
                segment=QCoreApplication.translate(
                    "DebtorTableModel", SEGMENT_LABELS.get(Segment(row.segment), row.segment)))]
            if row.reach == Reach.NO_WHATSAPP:
                lines.append(self.tr("Sem WhatsApp em nenhum telefone próprio"))
            elif row.reach == Reach.BLOCKED and not row.opted_out:
                lines.append(self.tr("Nenhum telefone próprio pode receber mensagens"))
            return "\n".join(lines)
        return None

    def _row_cells(self, row_number: int) -> _Cells:
        today = self._today()
        self._day_checked_at = monotonic()
        if today != self._cells_day:
            # "N dias" of overdue and the situation move with the date
            self._cells_day = today
            self._cells = [None] * len(self._rows)
        cells = self._cells[row_number]
        if cells is None:
            row = self._rows[row_number]
            cells = (tuple(self._display(row, column) for column in Column),
                     tuple(self._foreground(row, column) for column in Column))
            self._cells[row_number] = cells
        return cells

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
        if column == Column.STATUS:
            return QCoreApplication.translate(
                "DebtorTableModel", STATUS_LABELS[debtor_status(row, self._today())])
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
        self._cells.clear()
        self.endResetModel()

    def _on_rows_loaded(self, rows: tuple[DebtorRow, ...]) -> None:
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._cells.extend([None] * len(rows))
        self.endInsertRows()
