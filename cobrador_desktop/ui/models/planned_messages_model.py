"""The preview's table: the messages the planner would send, hold, block or skip.

A plan may hold thousands of messages; they are already in memory, but the view gets rows a page
at a time (`canFetchMore`/`fetchMore`), so a big plan shows at once and scrolls in as needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
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
from cobrador_desktop.ui.viewmodels import regua_text as text
from cobrador_desktop.ui.viewmodels.regua_preview_vm import reason_of

Index = QModelIndex | QPersistentModelIndex

PAGE = 200

_ROW_DECISION = {
    text.ALLOWED: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Vai sair"),
    text.HELD: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Adiada"),
    text.BLOCKED: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Bloqueada"),
    text.SKIPPED: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Pulada"),
}
_COLORS = {
    text.ALLOWED: QColor("#0f766e"), text.HELD: QColor("#a15c07"),
    text.BLOCKED: QColor("#b42318"), text.SKIPPED: QColor("#64748b"),
}


class PlanColumn(IntEnum):
    """The columns, left to right."""

    DEBTOR = 0
    PHONE = 1
    STEP = 2
    TEMPLATE = 3
    DECISION = 4
    REASON = 5
    WHEN = 6


_HEADERS: dict[PlanColumn, str] = {
    PlanColumn.DEBTOR: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Devedor"),
    PlanColumn.PHONE: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Telefone"),
    PlanColumn.STEP: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Etapa"),
    PlanColumn.TEMPLATE: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Modelo"),
    PlanColumn.DECISION: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Decisão"),
    PlanColumn.REASON: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Motivo"),
    PlanColumn.WHEN: QT_TRANSLATE_NOOP("PlannedMessagesModel", "Horário"),
}


class PlannedMessagesModel(QAbstractTableModel):
    """The plan's messages (planned first, then skipped), shown a page at a time."""

    def __init__(self, tz: tzinfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._all: list[tuple[Any, str]] = []
        self._shown = 0

    def set_plan(self, items: Sequence[Any], skipped: Sequence[Any]) -> None:
        """Show a new plan (the first page at once)."""
        self.beginResetModel()
        self._all = [(m, str(m.state)) for m in items] + [(m, text.SKIPPED) for m in skipped]
        self._shown = min(PAGE, len(self._all))
        self.endResetModel()

    def total(self) -> int:
        """How many messages the plan has (shown or not yet)."""
        return len(self._all)

    def message(self, row: int) -> Any:
        """The `PlannedMessage` on `row`."""
        return self._all[row][0]

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(PlanColumn)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        more = min(PAGE, len(self._all) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(PlanColumn):
            return QCoreApplication.translate("PlannedMessagesModel",
                                              _HEADERS[PlanColumn(section)])
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and section == PlanColumn.WHEN:
            return QCoreApplication.translate(
                "PlannedMessagesModel", "Quando a fila de envio vai tentar a mensagem (horário "
                "da loja); a regra de envio confere tudo de novo nessa hora")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        message, decision = self._all[index.row()]
        column = PlanColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(message, decision, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == PlanColumn.REASON:
            return self._display(message, decision, column) or None
        if role == Qt.ItemDataRole.ForegroundRole and column == PlanColumn.DECISION:
            return _COLORS[decision]
        return None

    def _display(self, message: Any, decision: str, column: PlanColumn) -> str:
        if column == PlanColumn.DEBTOR:
            return str(message.debtor_name)
        if column == PlanColumn.PHONE:
            return (fmt.format_phone_masked(message.phone) if message.phone
                    else QCoreApplication.translate("PlannedMessagesModel", "sem telefone"))
        if column == PlanColumn.STEP:
            return str(message.step)
        if column == PlanColumn.TEMPLATE:
            return str(message.template or "—")
        if column == PlanColumn.DECISION:
            return QCoreApplication.translate("PlannedMessagesModel", _ROW_DECISION[decision])
        if column == PlanColumn.REASON:
            found = reason_of(message)
            return "" if found is None else text.reason_text(found.message_pt, found.params)
        return fmt.format_datetime(message.send_at, self._tz) if message.send_at else "—"
