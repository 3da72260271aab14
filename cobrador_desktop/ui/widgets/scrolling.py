"""The pages' scroll areas: frameless, the content as wide as the view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scroll_area(content: QWidget, parent: QWidget | None = None, *,
                wrap: bool = True) -> QScrollArea:
    """`content` in a frameless scroll area that resizes it to the view's width.

    Args:
        wrap: the content wraps to the view's width (no horizontal scroll bar); False lets a
            content wider than the view scroll sideways.
    """
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if wrap
                                        else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroll.setWidget(content)
    return scroll
