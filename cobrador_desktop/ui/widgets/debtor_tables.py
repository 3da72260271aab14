"""The debtor screen's lists: debts, payments and the timeline (a few hundred rows at most)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from cobrador_desktop.domain.records import (
    DebtRecord,
    PaymentRecord,
    TimelineEvent,
    TimelineKind,
)
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LATE = QColor("#b42318")
_DONE = QColor("#067647")
_MUTED = QColor("#8a94a6")
_AGREEMENT = QColor("#175cd3")
_KIND_COLORS = {
    TimelineKind.PAYMENT: _DONE,
    TimelineKind.MESSAGE_IN: QColor("#175cd3"),
    TimelineKind.NOTE: QColor("#8a4b08"),
    TimelineKind.AUDIT: QColor("#475569"),
}


def _configure(table: QTableWidget, columns: list[str]) -> None:
    """The look every list of the screen shares; the last column takes the spare width."""
    table.setColumnCount(len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 12)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    # sized once after filling (`_fill`): ResizeToContents would measure every column again
    # on each setItem, which makes filling 50 debts take seconds
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


def _fill(table: QTableWidget, rows: Sequence[tuple[QTableWidgetItem, ...]]) -> None:
    """Put `rows` in `table` and size the columns to their contents once."""
    table.setUpdatesEnabled(False)
    try:
        table.clearContents()
        table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, item in enumerate(cells):
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
    finally:
        table.setUpdatesEnabled(True)


def _item(value: str, *, right: bool = False, color: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(value)
    if right:
        item.setTextAlignment(_RIGHT)
    if color is not None:
        item.setForeground(QBrush(color))
    return item


class DebtsTable(QTableWidget):
    """The debtor's debts, by due date: amount, paid, balance, days late, status."""

    DESCRIPTION, INSTALLMENT, DUE, AMOUNT, PAID, BALANCE, LATE, STATUS = range(8)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _configure(self, [
            self.tr("Descrição"), self.tr("Parcela"), self.tr("Vencimento"), self.tr("Valor"),
            self.tr("Pago"), self.tr("Saldo"), self.tr("Atraso"), self.tr("Situação")])
        self.horizontalHeader().setSectionResizeMode(
            self.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self._debts: tuple[DebtRecord, ...] = ()

    def set_debts(self, debts: tuple[DebtRecord, ...], today: date) -> None:
        """Show `debts` (oldest due date first), late ones in red, settled ones greyed."""
        current = self.selected_debt()
        self._debts = debts
        rows = []
        for debt in debts:
            late = debt.days_late(today)
            settled = debt.status in ("paid", "cancelled")
            status_color = (_LATE if late else _DONE if debt.status == "paid"
                            else _AGREEMENT if debt.status == "agreement" else None)
            cells = (
                _item(debt.description or "—", color=_MUTED if settled else None),
                _item(text.installment_text(debt)),
                _item(fmt.format_date(debt.due_date), color=_LATE if late else None),
                _item(fmt.format_brl(debt.amount_cents), right=True),
                _item(fmt.format_brl(debt.paid_cents) if debt.paid_cents else "", right=True),
                _item(fmt.format_brl(debt.balance_cents) if debt.balance_cents else "",
                      right=True, color=_LATE if late else None),
                _item(text.days_text(late), right=True, color=_LATE),
                _item(text.label(text.DEBT_STATUS_LABELS, debt.status), color=status_color),
            )
            cells[self.DESCRIPTION].setToolTip(debt.description)
            rows.append(cells)
        _fill(self, rows)
        if current is not None:  # keep the operator's row across a reload
            for row, debt in enumerate(debts):
                if debt.id == current.id:
                    self.selectRow(row)

    def selected_debt(self) -> DebtRecord | None:
        """The debt on the current row, if any."""
        row = self.currentRow()
        return self._debts[row] if 0 <= row < len(self._debts) else None


class PaymentsTable(QTableWidget):
    """Every payment of the debtor, newest first: date, amount, method, debt, who recorded it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _configure(self, [
            self.tr("Data"), self.tr("Valor"), self.tr("Forma"), self.tr("Dívida"),
            self.tr("Registrado por"), self.tr("Observação")])
        # the debt's name gives way first, so the note stays in view without scrolling
        self.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def set_payments(self, payments: tuple[PaymentRecord, ...],
                     debts: tuple[DebtRecord, ...]) -> None:
        """Show `payments`, naming each one's debt."""
        names = {d.id: d.description or text.installment_text(d) for d in debts}
        rows = []
        for payment in payments:
            rows.append((
                _item(fmt.format_date(payment.paid_on)),
                _item(fmt.format_brl(payment.amount_cents), right=True, color=_DONE),
                _item(text.label(text.METHOD_LABELS, payment.method)),
                _item(names.get(payment.debt_id, "")),
                _item(payment.recorded_by_name or self.tr("não identificado"),
                      color=None if payment.recorded_by_name else _MUTED),
                _item(payment.note or ""),
            ))
        _fill(self, rows)


class TimelineTree(QTreeWidget):
    """Everything that happened to the debtor, newest first: when, what, and the detail."""

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.setColumnCount(3)
        self.setHeaderLabels([self.tr("Quando"), self.tr("O quê"), self.tr("Detalhe")])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, self.fontMetrics().horizontalAdvance("00/00/0000 00:00") + 24)
        # "what" is short but may name the operator: a fixed share leaves the detail readable
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("M" * 22))
        header.setStretchLastSection(True)

    def set_events(self, events: tuple[TimelineEvent, ...]) -> None:
        """Show `events` (already newest first)."""
        self.clear()
        items = []
        for event in events:
            when, what, detail = text.timeline_texts(event, self._tz)
            item = QTreeWidgetItem([when, what, detail])
            item.setToolTip(1, what)
            item.setToolTip(2, detail)
            color = _KIND_COLORS.get(event.kind)
            if event.kind == TimelineKind.MESSAGE_OUT and event.status == "failed":
                color = _LATE
            if color is not None:
                item.setForeground(1, QBrush(color))
            item.setData(0, Qt.ItemDataRole.UserRole, event.kind.value)
            items.append(item)
        self.addTopLevelItems(items)
