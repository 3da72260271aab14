"""The debtor list as a lazy Qt table: rows arrive page by page as the user scrolls.

`canFetchMore`/`fetchMore` ask the view-model for the next keyset page; the view-model's in-flight
guard makes repeated `fetchMore` calls while a page is loading harmless. Only the columns that map
to a `DebtorSort` can be sorted, each in the one direction the service reads it.

`data()` never queries anything: every cell comes from the row's summary columns, and a row's
display texts and colours are formatted once, when its page arrives, and kept until the list
reloads (or again on first paint after the date changed), so painting is tuple lookups.
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
# Qt passes roles as ints, and comparing ints is what data() can afford ~2,000 times a paint
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROW = int(ROW_ROLE)
_HORIZONTAL = Qt.Orientation.Horizontal
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_COLUMNS = len(Column)
#: how often data() makes sure the formatted cells are still of today
_DAY_CHECK_SECONDS = 1.0
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# each column's alignment (None: the view's default, left)
_ALIGNMENTS = tuple(_RIGHT if column in (Column.OPEN, Column.OVERDUE) else None
                    for column in Column)


class _Texts:
    """The fixed texts of the cells, translated once per model (the app's language is set before
    any window is built)."""

    __slots__ = ("current", "days", "one_day", "status")

    def __init__(self, current: str, one_day: str, days: str) -> None:
        self.current = current
        self.one_day = one_day
        self.days = days
        self.status = {status: QCoreApplication.translate("DebtorTableModel", label)
                       for status, label in STATUS_LABELS.items()}


class DebtorTableModel(QAbstractTableModel):
    """Table model over `DebtorListViewModel`; starts empty and grows as pages arrive."""

    def __init__(self, vm: DebtorListViewModel, *, today: Callable[[], date], tz: tzinfo,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._today = today
        self._tz = tz
        self._rows: list[DebtorRow] = []
        # each row's cells, formatted on first use: `_COLUMNS` display texts, then as many
        # foreground colours (None: the view's default)
        self._cells: list[tuple[Any, ...] | None] = []
        self._cells_day: date | None = None
        # asking the clock on every call would cost more than the rest of data()
        self._day_checked_at = float("-inf")
        self._texts: _Texts | None = None
        # role -> the header's value for each column (made on first use, like `_Texts`)
        self._headers: dict[int, tuple[Any, ...]] | None = None
        vm.reset.connect(self._on_reset)
        vm.rows_loaded.connect(self._on_rows_loaded)

    # ------------------------------------------------------------------ shape
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a visible vertical header asks ~8 roles for each of up to 200 rows after every page
        if orientation != _HORIZONTAL:
            return None
        headers = self._headers
        if headers is None:
            headers = self._headers = self._header_values()
        values = headers.get(role)
        return values[section] if values is not None and 0 <= section < _COLUMNS else None

    def _header_values(self) -> dict[int, tuple[Any, ...]]:
        tips: dict[Column, str] = {
            Column.OVERDUE: self.tr("Dias desde o vencimento mais antigo ainda em aberto"),
            Column.NEXT_DUE: self.tr("Próximo vencimento de uma dívida em aberto"),
            Column.LAST_CONTACT: self.tr("Última mensagem trocada com o devedor"),
            Column.STATUS: self.tr("Não contatar, em acordo, em atraso, em dia ou quitado; o "
                                   "perfil de pagamento aparece ao passar o mouse"),
        }
        sortable = self.tr("Clique para ordenar por esta coluna")
        return {
            _DISPLAY: tuple(QCoreApplication.translate("DebtorTableModel", _HEADERS[column])
                            for column in Column),
            _TOOLTIP: tuple(tips.get(column, sortable if column in SORTS else None)
                            for column in Column),
            _ALIGNMENT: _ALIGNMENTS,
        }

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    # ------------------------------------------------------------------ data
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks about 7 roles per visible cell on every repaint: a text or a colour is a tuple
        # lookup in the row's cells (formatted once), and the roles never answered return first
        if role == _DISPLAY:
            offset = 0
        elif role == _FOREGROUND:
            offset = _COLUMNS
        elif role == _ALIGNMENT:
            column = index.column()  # -1 for an invalid index
            return _ALIGNMENTS[column] if column >= 0 else None
        elif role in (_TOOLTIP, _ROW):
            return self._rare_data(index, role)
        else:
            return None
        number = index.row()
        if number < 0:
            return None
        try:
            cells = self._cells[number]
        except IndexError:
            return None
        if cells is None or monotonic() - self._day_checked_at > _DAY_CHECK_SECONDS:
            cells = self._row_cells(number)
        return cells[offset + index.column()]

    def _rare_data(self, index: AnyIndex, role: int) -> Any:
        """The roles asked for one cell at a time: the tooltip (hover) and the row itself."""
        number = index.row()
        if not 0 <= number < len(self._rows):
            return None
        row = self._rows[number]
        return row if role == _ROW else self._tooltip(number, row, index.column())

    def _tooltip(self, number: int, row: DebtorRow, column: int) -> str | None:
        if column == Column.NAME and row.opted_out:
            return row.name + "\n" + self.tr("Pediu para não receber mensagens de cobrança")
        if column in (Column.NAME, Column.OPERATOR):
            # long names are elided in the cell
            return self._row_cells(number)[column] or None
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

    def _row_cells(self, row_number: int) -> tuple[Any, ...]:
        """The row's cells, formatting them again if the date changed since they were."""
        today = self._of_today()
        cells = self._cells[row_number]
        if cells is None:
            cells = _format_row(self._rows[row_number], today, self._tz, self._cell_texts())
            self._cells[row_number] = cells
        return cells

    def _of_today(self) -> date:
        """Today's date; when it changed, the cells formatted on another day are dropped."""
        today = self._today()
        self._day_checked_at = monotonic()
        if today != self._cells_day:
            # "N dias" of overdue and the situation move with the date
            self._cells_day = today
            self._cells = [None] * len(self._rows)
        return today

    def _cell_texts(self) -> _Texts:
        if self._texts is None:
            self._texts = _Texts(self.tr("em dia"), self.tr("1 dia"), self.tr("{days} dias"))
        return self._texts

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
        # formatted as they arrive (a first page is a screenful or two), so painting them is
        # tuple lookups
        today = self._of_today()
        texts = self._cell_texts()
        tz = self._tz
        cells = [_format_row(row, today, tz, texts) for row in rows]
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._cells.extend(cells)
        self.endInsertRows()


def _format_row(row: DebtorRow, today: date, tz: tzinfo, texts: _Texts) -> tuple[Any, ...]:
    """A row's cells: the display text of each column, then the foreground colour of each."""
    days = fmt.overdue_days(row.oldest_open_due, today)
    overdue_color = None
    if days is not None:
        overdue = texts.one_day if days == 1 else texts.days.format(days=fmt.format_count(days))
        overdue_color = _OVERDUE_COLOR
    else:
        overdue = "" if row.oldest_open_due is None else texts.current
    status = debtor_status(row, today)
    contact = row.last_contact_at
    return (
        # Column order: NAME, DOCUMENT, PHONE, OPEN, OVERDUE, NEXT_DUE, STATUS, LAST_CONTACT,
        # OPERATOR (the last contact's date is enough in the table; the time is in the tooltip)
        row.name, fmt.format_document(row.document), fmt.format_phone(row.phone_e164),
        fmt.format_brl(row.open_cents), overdue, fmt.format_date(row.next_due),
        texts.status[status],
        fmt.format_date(contact.astimezone(tz).date()) if contact is not None else "",
        row.operator_name or "",
        _OPTED_OUT_COLOR if row.opted_out else None, None, None, None, overdue_color, None,
        _STATUS_COLORS[status], None, None,
    )
