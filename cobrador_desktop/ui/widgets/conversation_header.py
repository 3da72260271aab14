"""The open conversation's header in the Caixa de entrada (issue 6).

Row 1: the debtor's name (elided, the full name in its tooltip) and the actions (Assumir,
Transferir ▾, Resolver or Reabrir). Row 2: phone · whose it is · the 24-hour window, and a small
"Etiquetas ▾" button. Row 3, only when there is something to say: "Fulano está respondendo…", the
label chips and "Não quer mensagens". When the pane is too narrow for the name beside the actions,
the actions move to a row of their own under the details, so no button's text is ever cut.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from cobrador_desktop.domain.inbox import ConversationHeader, Operator
from cobrador_desktop.ui.formatting import format_phone
from cobrador_desktop.ui.models.conversation_list_model import display_name
from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel
from cobrador_desktop.ui.widgets.conversation_list import window_text

#: the least room the name keeps beside the actions before they move under the details
NAME_MIN_WIDTH = 150


class ElidedLabel(QLabel):
    """One line of text that ends in "…" when the room is short; the whole text in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def is_elided(self) -> bool:
        return self.text() != self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              max(0, self.width()))
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


class ConversationHeaderBar(QWidget):
    """Name, phone, whose it is, who is typing, the labels, and the actions on the conversation."""

    def __init__(self, vm: InboxViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationHeader")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.vm = vm
        self.header: ConversationHeader | None = None
        self.name = ElidedLabel()
        self.name.setObjectName("conversationName")
        self.details = ElidedLabel()
        self.details.setObjectName("conversationDetails")
        self.lock = QLabel()
        self.lock.setObjectName("conversationLock")

        self.claim_button = QPushButton(self.tr("Assumir"))
        self.claim_button.setObjectName("primaryButton")
        self.claim_button.clicked.connect(vm.claim)
        self.transfer_button = self._menu_button(self.tr("Transferir"), "headerButton")
        self.transfer_button.setToolTip(self.tr("Passar a conversa para outra pessoa ou "
                                                "devolvê-la para a fila"))
        self.transfer_menu = self.transfer_button.menu()
        self.resolve_button = QPushButton(self.tr("Resolver"))
        self.resolve_button.setObjectName("headerButton")
        self.resolve_button.setToolTip(self.tr("Marca a conversa como resolvida; ela reabre "
                                               "sozinha se o devedor escrever de novo"))
        self.resolve_button.clicked.connect(vm.resolve)
        self.reopen_button = QPushButton(self.tr("Reabrir"))
        self.reopen_button.setObjectName("headerButton")
        self.reopen_button.clicked.connect(vm.reopen)
        self.labels_button = self._menu_button(self.tr("Etiquetas"), "labelsButton")
        self.labels_button.setToolTip(self.tr("Marcar a conversa com etiquetas "
                                              "(promessa, acordo…)"))
        self.labels_menu = self.labels_button.menu()
        self.panel_button = QToolButton()
        self.panel_button.setObjectName("labelsButton")
        self.panel_button.setText(self.tr("Devedor"))
        self.panel_button.setCheckable(True)
        self.panel_button.setToolTip(self.tr("Mostrar ou esconder os dados do devedor à direita"))

        self.actions_box = QWidget()
        actions = self._actions = QHBoxLayout(self.actions_box)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(6)
        for button in (self.claim_button, self.transfer_button, self.resolve_button,
                       self.reopen_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            actions.addWidget(button)
        self.extra_box = QWidget()
        self.extra = QHBoxLayout(self.extra_box)
        self.extra.setContentsMargins(0, 2, 0, 0)
        self.extra.setSpacing(6)
        self.extra.addWidget(self.lock)
        self.extra.addStretch(1)
        self._chips: list[QLabel] = []

        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(16, 8, 12, 8)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(0, 1)
        details_box = QWidget()
        details_row = QHBoxLayout(details_box)
        details_row.setContentsMargins(0, 0, 0, 0)
        details_row.setSpacing(8)
        details_row.addWidget(self.details, 1)
        details_row.addWidget(self.labels_button)
        details_row.addWidget(self.panel_button)
        self.grid.addWidget(details_box, 1, 0, 1, 2)
        self.grid.addWidget(self.extra_box, 3, 0, 1, 2)
        self._wide: bool | None = None
        self._place_actions()

    def _menu_button(self, text: str, name: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setText(f"{text} ▾")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(QMenu(button))
        return button

    # ------------------------------------------------------------------ content
    def show_header(self, header: ConversationHeader) -> None:
        self.header = header
        conv = header.row
        me = self.vm.operator_id
        self.name.set_full_text(display_name(conv))
        if conv.assigned_operator_id is None:
            owner = self.tr("Na fila, sem responsável")
        elif conv.assigned_operator_id == me:
            owner = self.tr("Com você")
        else:
            owner = self.tr("Com {name}").format(name=conv.assigned_operator_name)
        window, _open = window_text(conv, self.vm.clock.now())
        parts = [format_phone(conv.phone), owner, window]
        if conv.status == "resolved":
            parts.append(self.tr("Resolvida"))
        self.details.set_full_text("  ·  ".join(parts))
        typing = conv.typing_operator_name if conv.typing_operator_id not in (None, me) else None
        self.lock.setText(self.tr("{name} está respondendo…").format(name=typing) if typing else "")
        self.lock.setVisible(bool(typing))
        chips = [(label, "label") for label in conv.labels]
        if header.phone_opted_out:
            chips.insert(0, (self.tr("Pediu para não receber mensagens"), "warn"))
        if header.phone_wrong_party:
            chips.insert(0, (self.tr("Disse que não é a pessoa"), "warn"))
        self._set_chips(chips)
        self.extra_box.setVisible(bool(typing) or bool(chips))

        resolved = conv.status == "resolved"
        self.claim_button.setVisible(not resolved and conv.assigned_operator_id != me)
        self.claim_button.setToolTip(
            self.tr("Passa a conversa para você") if conv.assigned_operator_id is None
            else self.tr("Tira a conversa de {name} e passa para você").format(
                name=conv.assigned_operator_name))
        self.transfer_button.setVisible(not resolved)
        self.resolve_button.setVisible(not resolved)
        self.reopen_button.setVisible(resolved)
        self._fill_transfer(self.vm.operators, conv.assigned_operator_id)
        self._fill_labels(header)
        self._place_actions(force=True)

    def _set_chips(self, chips: list[tuple[str, str]]) -> None:
        for chip in self._chips:
            self.extra.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        for number, (text, kind) in enumerate(chips):
            chip = QLabel(text)
            chip.setObjectName("labelChip")
            chip.setProperty("kind", kind)
            self.extra.insertWidget(1 + number, chip)
            self._chips.append(chip)

    def chip_texts(self) -> list[str]:
        return [chip.text() for chip in self._chips]

    # ------------------------------------------------------------------ layout
    def _actions_width(self) -> int:
        self._actions.invalidate()
        return self.actions_box.sizeHint().width()

    def _place_actions(self, force: bool = False) -> None:
        """Name and actions side by side when both fit; else the actions get their own row."""
        margins = self.grid.contentsMargins()
        room = self.width() - margins.left() - margins.right() - self.grid.horizontalSpacing()
        wide = room >= self._actions_width() + NAME_MIN_WIDTH
        if wide == self._wide and not force:
            return
        self._wide = wide
        self.grid.removeWidget(self.name)
        self.grid.removeWidget(self.actions_box)
        if wide:
            self.grid.addWidget(self.name, 0, 0)
            self.grid.addWidget(self.actions_box, 0, 1, 1, 1, Qt.AlignmentFlag.AlignRight)
        else:
            self.grid.addWidget(self.name, 0, 0, 1, 2)
            self.grid.addWidget(self.actions_box, 2, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        self.grid.setVerticalSpacing(2 if wide else 4)

    def actions_beside_name(self) -> bool:
        return bool(self._wide)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_actions()

    # ------------------------------------------------------------------ menus
    def _fill_transfer(self, operators: tuple[Operator, ...], assigned: int | None) -> None:
        self.transfer_menu.clear()
        for operator in operators:
            if operator.id == assigned:
                continue
            action = self.transfer_menu.addAction(operator.name)
            action.triggered.connect(lambda _=False, oid=operator.id: self.vm.transfer(oid))
        self.transfer_menu.addSeparator()
        back = self.transfer_menu.addAction(self.tr("Devolver para a fila"))
        back.setEnabled(assigned is not None)
        back.triggered.connect(lambda _=False: self.vm.transfer(None))

    def _fill_labels(self, header: ConversationHeader) -> None:
        self.labels_menu.clear()
        current = set(header.row.labels)
        for label in sorted(set(header.known_labels) | current):
            action = self.labels_menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(label in current)
            action.toggled.connect(lambda on, name=label: self._toggle_label(name, on))
        self.labels_menu.addSeparator()
        self.labels_menu.addAction(self.tr("Nova etiqueta…")).triggered.connect(self._new_label)

    def _toggle_label(self, label: str, on: bool) -> None:
        if self.header is None:
            return
        labels = set(self.header.row.labels)
        labels = labels | {label} if on else labels - {label}
        self.vm.set_labels(tuple(sorted(labels)))

    def _new_label(self) -> None:
        text, ok = QInputDialog.getText(self, self.tr("Nova etiqueta"),
                                        self.tr("Nome da etiqueta (ex.: promessa, acordo):"))
        if ok and text.strip():
            self._toggle_label(text.strip().lower(), True)
