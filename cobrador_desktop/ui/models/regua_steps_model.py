"""The régua being edited: a small table model over a list of `domain.regua.Step`s.

The model *is* the editor's state: rows are added, removed, moved and replaced here (with the
proper begin/end calls, so the view keeps its current row), and `edited` tells whoever compares
it with the saved régua. Steps are frozen dataclasses: a change replaces the row's step.
"""

from __future__ import annotations

from dataclasses import replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.regua import Step, step_code
from cobrador_desktop.ui.viewmodels import regua_text as text

Index = QModelIndex | QPersistentModelIndex

_INACTIVE = QColor("#94a3b8")
_PROBLEM = QColor("#b42318")


class StepColumn(IntEnum):
    """The columns, left to right."""

    DAY = 0
    REPEAT = 1
    PURPOSE = 2
    TEMPLATE = 3
    GROUP = 4
    GRACE = 5
    ACTIVE = 6


_HEADERS: dict[StepColumn, str] = {
    StepColumn.DAY: QT_TRANSLATE_NOOP("ReguaStepsModel", "Dia"),
    StepColumn.REPEAT: QT_TRANSLATE_NOOP("ReguaStepsModel", "Repete"),
    StepColumn.PURPOSE: QT_TRANSLATE_NOOP("ReguaStepsModel", "Finalidade"),
    StepColumn.TEMPLATE: QT_TRANSLATE_NOOP("ReguaStepsModel", "Modelo"),
    StepColumn.GROUP: QT_TRANSLATE_NOOP("ReguaStepsModel", "Grupo"),
    StepColumn.GRACE: QT_TRANSLATE_NOOP("ReguaStepsModel", "Tolerância"),
    StepColumn.ACTIVE: QT_TRANSLATE_NOOP("ReguaStepsModel", "Ativa"),
}


class ReguaStepsModel(QAbstractTableModel):
    """The steps being edited, in the order the owner sees them."""

    #: a step was added, removed, moved or changed (or the whole list replaced)
    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: list[Step] = []

    # ------------------------------------------------------------------ the list
    def steps(self) -> tuple[Step, ...]:
        """The steps as they are now."""
        return tuple(self._steps)

    def step(self, row: int) -> Step:
        """The step on `row`."""
        return self._steps[row]

    def set_steps(self, steps: tuple[Step, ...]) -> None:
        """Replace every row (after loading, discarding, restoring the default)."""
        self.beginResetModel()
        self._steps = list(steps)
        self.endResetModel()
        self.edited.emit()

    def replace(self, row: int, step: Step) -> None:
        """Put `step` on `row` (the form changed it)."""
        if self._steps[row] == step:
            return
        self._steps[row] = step
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(StepColumn) - 1))
        self.edited.emit()

    def insert(self, row: int, step: Step) -> None:
        """Add `step` as row `row`."""
        self.beginInsertRows(QModelIndex(), row, row)
        self._steps.insert(row, step)
        self.endInsertRows()
        self.edited.emit()

    def remove(self, row: int) -> None:
        """Take row `row` out."""
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._steps[row]
        self.endRemoveRows()
        self.edited.emit()

    def move(self, row: int, delta: int) -> int:
        """Move row `row` up (-1) or down (+1); returns where it is now."""
        target = row + delta
        if not 0 <= target < len(self._steps) or delta == 0:
            return row
        # Qt's destination is the row *before which* it goes, counted before the move
        destination = target + 1 if delta > 0 else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._steps.insert(target, self._steps.pop(row))
        self.endMoveRows()
        self.edited.emit()
        return target

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._steps)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(StepColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(StepColumn):
            return QCoreApplication.translate("ReguaStepsModel", _HEADERS[StepColumn(section)])
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == StepColumn.ACTIVE:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        step = self._steps[index.row()]
        column = StepColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(step, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == StepColumn.ACTIVE:
            return Qt.CheckState.Checked if step.active else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole:
            if step.problems():
                return _PROBLEM
            return None if step.active else _INACTIVE
        if role == Qt.ItemDataRole.ToolTipRole:
            problems = step.problems()
            if problems:
                return "; ".join(problems)
            return QCoreApplication.translate("ReguaStepsModel", "Envios: {dias}").format(
                dias=", ".join(step_code(o) for o in step.offsets()))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != StepColumn.ACTIVE \
                or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) \
            else value
        self.replace(index.row(), replace(self._steps[index.row()], active=checked))
        return True


def _display(step: Step, column: StepColumn) -> str:
    if column == StepColumn.DAY:
        return step.code
    if column == StepColumn.REPEAT:
        return text.repeat_text(step)
    if column == StepColumn.PURPOSE:
        return text.purpose_label(step.purpose)
    if column == StepColumn.TEMPLATE:
        return step.template
    if column == StepColumn.GROUP:
        return text.group_label(step.segment)
    if column == StepColumn.GRACE:
        return text.grace_text(step.grace_days)
    return ""
