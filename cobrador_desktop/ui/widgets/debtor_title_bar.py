"""The debtor screen's title: the name and its badges, and the actions (note, promise, agreement,
payment) beside them when both fit, else on their own row below — never cut at the window's edge."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget


class DebtorTitleBar(QWidget):
    """`name` and `badges` on the left; `actions` right of them, or under them when narrow."""

    def __init__(self, name: QLabel, badges: QLabel, actions: Sequence[QWidget],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QWidget(self)
        heading_row = QHBoxLayout(self.heading)
        heading_row.setContentsMargins(0, 0, 0, 0)
        heading_row.addWidget(name)
        heading_row.addWidget(badges, 1, Qt.AlignmentFlag.AlignVCenter)
        # a name longer than the whole screen is cut rather than widening the page
        name.setMinimumWidth(40)
        self._name = name
        self.actions_box = QWidget(self)
        actions_row = QHBoxLayout(self.actions_box)
        actions_row.setContentsMargins(0, 0, 0, 0)
        for action in actions:
            actions_row.addWidget(action)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(0, 1)
        self._wide: bool | None = None
        self.place_actions()

    def _heading_width(self) -> int:
        """What the name and its badges need on one line."""
        badges = self.heading.layout()
        assert badges is not None
        badges.invalidate()
        name = self._name.fontMetrics().horizontalAdvance(self._name.text()) + 8
        return name + max(0, self.heading.sizeHint().width() - self._name.sizeHint().width())

    def place_actions(self) -> None:
        """Side by side when the name, its badges and the actions fit; else actions below."""
        room = self.width() - self.grid.horizontalSpacing()
        wide = room >= self.actions_box.sizeHint().width() + self._heading_width()
        if wide == self._wide:
            self.grid.invalidate()
            return
        self._wide = wide
        self.grid.removeWidget(self.heading)
        self.grid.removeWidget(self.actions_box)
        if wide:
            self.grid.addWidget(self.heading, 0, 0)
            self.grid.addWidget(self.actions_box, 0, 1, Qt.AlignmentFlag.AlignRight)
        else:
            self.grid.addWidget(self.heading, 0, 0, 1, 2)
            self.grid.addWidget(self.actions_box, 1, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)

    def actions_beside_name(self) -> bool:
        return bool(self._wide)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.place_actions()
