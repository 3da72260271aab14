"""An honest empty page: an icon, what this place is for, and what to do now."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cobrador_desktop.ui.resources import icon

_ICON_SIZE = 56
_TEXT_WIDTH = 520


class EmptyState(QWidget):
    """A centred message for a page with nothing to show yet."""

    #: the action button was clicked
    action_triggered = Signal()

    def __init__(self, icon_name: str, title: str, text: str, *, badge: str | None = None,
                 hint: str | None = None, action: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")

        picture = QLabel()
        picture.setPixmap(icon(icon_name).pixmap(QSize(_ICON_SIZE, _ICON_SIZE)))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.title_label = QLabel(title)
        self.title_label.setObjectName("emptyTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setWordWrap(True)

        self.text_label = QLabel(text)
        self.text_label.setObjectName("emptyText")
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)

        column = QVBoxLayout()
        column.setSpacing(12)
        column.addWidget(picture)
        if badge:
            self.badge_label: QLabel | None = QLabel(badge)
            self.badge_label.setObjectName("emptyBadge")
            column.addWidget(self.badge_label, 0, Qt.AlignmentFlag.AlignHCenter)
        else:
            self.badge_label = None
        column.addWidget(self.title_label)
        column.addWidget(self.text_label)
        self.hint_label: QLabel | None = None
        if hint:
            self.hint_label = QLabel(hint)
            self.hint_label.setObjectName("emptyHint")
            self.hint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(self.hint_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.action_button: QPushButton | None = None
        if action:
            self.action_button = QPushButton(action)
            self.action_button.setObjectName("primaryButton")
            self.action_button.setCursor(Qt.CursorShape.PointingHandCursor)
            self.action_button.clicked.connect(self.action_triggered)
            column.addSpacing(4)
            column.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignHCenter)

        box = QWidget()
        box.setLayout(column)
        box.setMaximumWidth(_TEXT_WIDTH)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 10)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addLayout(row)
        outer.addStretch(3)
