"""Owner-only controls: disabled, with a tooltip saying why, while an operator is signed in.

The services refuse an operator anyway (`services.authz`); this only spares the click. Each
guarded control is put inside a small frame that the gate disables: Qt shows a widget enabled
only when it and every parent are, so the views keep enabling and disabling their own buttons
(busy, nothing to save) without undoing the gate, and the gate never undoes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QHBoxLayout, QWidget

from cobrador_desktop.domain.roles import OwnerOnly
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.session import SignedIn


def owner_only_text(what: str) -> str:
    """"Só o dono da loja pode {what}." and what to do, in pt-BR (the services' own words)."""
    return known_text(OwnerOnly(what=what))


@dataclass
class _Guarded:
    widget: QWidget
    frame: QWidget
    what: str
    tooltip: str


class OwnerGate(QObject):
    """Keeps the owner-only controls in step with who is signed in."""

    def __init__(self, session: SignedIn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._guarded: list[_Guarded] = []
        session.changed.connect(self._apply)

    def guard(self, widget: QWidget, what: str) -> None:
        """Let only the owner use `widget` ("Só o dono da loja pode {what}." otherwise)."""
        frame = _wrap(widget)
        entry = _Guarded(widget, frame, what, widget.toolTip())
        self._guarded.append(entry)
        self._apply_one(entry)

    def _apply(self, _actor: object = None) -> None:
        for entry in self._guarded:
            self._apply_one(entry)

    def _apply_one(self, entry: _Guarded) -> None:
        allowed = self.session.is_owner
        entry.frame.setEnabled(allowed)
        entry.widget.setToolTip(entry.tooltip if allowed else owner_only_text(entry.what))


def _wrap(widget: QWidget) -> QWidget:
    """Put `widget` inside a margin-less frame taking its place in its parent's layout."""
    parent = widget.parentWidget()
    frame = QWidget(parent)
    frame.setObjectName("ownerOnly")
    frame.setSizePolicy(widget.sizePolicy())
    layout = parent.layout() if parent is not None else None
    if layout is not None:
        layout.replaceWidget(widget, frame)
    row = QHBoxLayout(frame)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(0)
    row.addWidget(widget)
    return frame
