"""The navigation column: the program's name, one entry per page, the version at the bottom."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.ui.resources import app_icon

WIDTH = 224


class Sidebar(QFrame):
    """Left navigation; emits `page_selected(index)` when the user picks an entry."""

    page_selected = Signal(int)

    def __init__(self, footer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebarPanel")
        self.setFixedWidth(WIDTH)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(28, 28)))
        name = QLabel("Cobrador Desktop")
        name.setObjectName("brandName")
        brand = QHBoxLayout()
        brand.setContentsMargins(18, 18, 12, 14)
        brand.setSpacing(10)
        brand.addWidget(logo)
        brand.addWidget(name, 1)

        self.list = QListWidget()
        self.list.setObjectName("sidebar")
        self.list.setIconSize(QSize(20, 20))
        self.list.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self._on_row_changed)

        self.footer = QLabel(footer)
        self.footer.setObjectName("sidebarFooter")
        self.footer.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.setSpacing(0)
        layout.addLayout(brand)
        layout.addWidget(self.list, 1)
        footer_row = QHBoxLayout()
        footer_row.setContentsMargins(18, 0, 12, 0)
        footer_row.addWidget(self.footer)
        layout.addLayout(footer_row)

    def add_page(self, icon: QIcon, label: str, shortcut: str) -> None:
        """Add an entry; `shortcut` is shown in its tooltip."""
        item = QListWidgetItem(icon, label)
        item.setToolTip(f"{label} ({shortcut})")
        item.setSizeHint(QSize(WIDTH - 20, 40))
        self.list.addItem(item)

    def select(self, index: int) -> None:
        """Highlight entry `index` (without emitting `page_selected` if already there)."""
        self.list.setCurrentRow(index)

    def _on_row_changed(self, row: int) -> None:
        if row >= 0:
            self.page_selected.emit(row)
