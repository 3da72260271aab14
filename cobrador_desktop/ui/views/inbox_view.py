"""Caixa de entrada: the shared WhatsApp inbox in three panes (issue 6).

Left, the conversation list (tabs with counts, search, who I am); middle, the open conversation
(its header with assignment, lock and actions, the bubbles, the composer); right, the debtor
panel. Keyboard: Alt+Up/Down previous/next conversation, Ctrl+K search, Esc clears the search.
The splitter's sizes and the tab are remembered in the window's QSettings.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.inbox import ConversationHeader, InboxFilter, Operator
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.formatting import format_phone
from cobrador_desktop.ui.models.conversation_list_model import ConversationListModel, display_name
from cobrador_desktop.ui.models.message_list_model import MessageListModel
from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel
from cobrador_desktop.ui.widgets.conversation_list import ConversationList, window_text
from cobrador_desktop.ui.widgets.empty_state import EmptyState
from cobrador_desktop.ui.widgets.message_bubbles import MessageList

SPLITTER_KEY = "inbox/splitter"
FILTER_KEY = "inbox/filter"


def _placeholder(text: str) -> QWidget:
    label = QLabel(text)
    label.setObjectName("emptyText")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class ConversationHeaderBar(QWidget):
    """Name, phone, whose it is, who is typing, and the actions on the conversation."""

    def __init__(self, vm: InboxViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationHeader")
        self.vm = vm
        self.name = QLabel()
        self.name.setObjectName("conversationName")
        self.details = QLabel()
        self.details.setObjectName("conversationDetails")
        self.lock = QLabel()
        self.lock.setObjectName("conversationLock")
        self.claim_button = QPushButton(self.tr("Assumir"))
        self.claim_button.setObjectName("primaryButton")
        self.claim_button.setToolTip(self.tr("Passa a conversa para você"))
        self.claim_button.clicked.connect(vm.claim)
        self.transfer_button = QToolButton()
        self.transfer_button.setText(self.tr("Transferir…"))
        self.transfer_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.transfer_menu = QMenu(self.transfer_button)
        self.transfer_button.setMenu(self.transfer_menu)
        self.labels_button = QToolButton()
        self.labels_button.setText(self.tr("Etiquetas"))
        self.labels_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.labels_menu = QMenu(self.labels_button)
        self.labels_button.setMenu(self.labels_menu)
        self.resolve_button = QPushButton(self.tr("Resolver"))
        self.resolve_button.clicked.connect(vm.resolve)
        self.reopen_button = QPushButton(self.tr("Reabrir"))
        self.reopen_button.clicked.connect(vm.reopen)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name)
        text.addWidget(self.details)
        text.addWidget(self.lock)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 10, 12, 10)
        row.addLayout(text, 1)
        for button in (self.labels_button, self.transfer_button, self.claim_button,
                       self.resolve_button, self.reopen_button):
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.header: ConversationHeader | None = None

    def show_header(self, header: ConversationHeader) -> None:
        self.header = header
        row = self.vm.clock.now()
        conv = header.row
        self.name.setText(display_name(conv))
        owner = (self.tr("Atribuída a {name}").format(name=conv.assigned_operator_name)
                 if conv.assigned_operator_name else self.tr("Na fila, sem responsável"))
        window, _open = window_text(conv, row)
        parts = [format_phone(conv.phone), owner, window]
        if header.phone_opted_out:
            parts.append(self.tr("Pediu para não receber mensagens"))
        if conv.labels:
            parts.append(", ".join(conv.labels))
        self.details.setText("  ·  ".join(parts))
        me = self.vm.operator_id
        typing = conv.typing_operator_name if conv.typing_operator_id not in (None, me) else None
        self.lock.setText(self.tr("{name} está respondendo…").format(name=typing) if typing else "")
        self.lock.setVisible(bool(typing))
        resolved = conv.status == "resolved"
        self.claim_button.setVisible(not resolved and conv.assigned_operator_id != me)
        self.claim_button.setText(self.tr("Assumir") if conv.assigned_operator_id is None
                                  else self.tr("Assumir de {name}").format(
                                      name=conv.assigned_operator_name))
        self.resolve_button.setVisible(not resolved)
        self.reopen_button.setVisible(resolved)
        self._fill_transfer(self.vm.operators, conv.assigned_operator_id)
        self._fill_labels(header)

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


class InboxView(QWidget):
    """The Caixa de entrada page."""

    #: kept from the "coming soon" page: the user asked for the debtor list
    show_debtors_requested = Signal()
    #: open this debtor in the Devedores page
    open_debtor_requested = Signal(int)

    def __init__(self, vm: InboxViewModel, *, detail_source: Any = None,
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.vm = vm
        self._settings = settings
        now = vm.clock.now
        self.list_model = ConversationListModel(vm, self)
        self.message_model = MessageListModel(
            vm, today=lambda: now().astimezone(vm.timezone).date(), tz=vm.timezone, parent=self)

        self.operator_combo = QComboBox()
        self.operator_combo.setObjectName("operatorCombo")
        self.operator_combo.currentIndexChanged.connect(self._on_operator_picked)
        who = QHBoxLayout()
        who.addWidget(QLabel(self.tr("Você é:")))
        who.addWidget(self.operator_combo, 1)
        self.conversations = ConversationList(self.list_model, now=now, tz=vm.timezone)
        left = QWidget()
        left.setObjectName("inboxLeft")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(10, 10, 0, 0)
        left_layout.addLayout(who)
        left_layout.addWidget(self.conversations, 1)

        self.header_bar = ConversationHeaderBar(vm)
        self.banner = QLabel()
        self.banner.setObjectName("inboxError")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.messages = MessageList(vm.timezone)
        self.messages.setModel(self.message_model)
        self.messages.older_wanted.connect(self._load_older)
        self.composer = self._build_composer()
        conversation = QWidget()
        middle = QVBoxLayout(conversation)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.header_bar)
        middle.addWidget(self.banner)
        middle.addWidget(self.messages, 1)
        middle.addWidget(self.composer)
        self.no_conversation = EmptyState(
            "inbox", self.tr("Selecione uma conversa"),
            self.tr("Escolha uma conversa na lista à esquerda para ler e responder. Use "
                    "Alt+↑ e Alt+↓ para passar de uma conversa a outra."))
        self.middle = QStackedWidget()
        self.middle.setObjectName("conversationArea")
        self.middle.addWidget(self.no_conversation)
        self.middle.addWidget(conversation)

        self.debtor_panel = self._build_panel(detail_source)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("inboxSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.middle)
        self.splitter.addWidget(self.debtor_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([360, 640, 300])
        self.splitter.splitterMoved.connect(lambda *_: self._save_layout())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.conversations.conversation_selected.connect(self._open)
        self.conversations.filter_changed.connect(self._on_filter)
        self.conversations.search_changed.connect(vm.set_search)
        vm.operators_changed.connect(self._on_operators)
        vm.counts_changed.connect(self.conversations.set_counts)
        vm.header_changed.connect(self._on_header)
        vm.failed.connect(self.show_error)
        vm.first_page_loaded.connect(lambda _empty: self.conversations.select_id(vm.open_id))
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.setInterval(15_000)
        self._banner_timer.timeout.connect(lambda: self.banner.setVisible(False))
        self._shortcut("Alt+Down", lambda: self.conversations.step(1))
        self._shortcut("Alt+Up", lambda: self.conversations.step(-1))
        self._shortcut("Ctrl+K", self.conversations.focus_search)
        self._shortcut("Esc", self._escape)
        self._restore_layout()

    # ------------------------------------------------------------------ parts by C
    def _build_composer(self) -> QWidget:
        try:
            from cobrador_desktop.ui.widgets.composer import Composer
        except ImportError:
            return _placeholder(self.tr("A caixa de resposta aparece aqui."))
        composer = Composer(self.vm.source, self, clock=self.vm.clock, tz=self.vm.timezone)
        composer.sent.connect(lambda _outcome: self.vm.refresh_open())
        composer.note_added.connect(lambda _id: self.vm.refresh_open())
        composer.typing_changed.connect(self.vm.set_typing)
        return composer

    def _build_panel(self, detail_source: Any) -> QWidget:
        if detail_source is not None:
            try:
                from cobrador_desktop.ui.widgets.inbox_debtor_panel import InboxDebtorPanel
            except ImportError:
                pass
            else:
                panel = InboxDebtorPanel(
                    detail_source, self, tz=self.vm.timezone,
                    today=lambda: self.vm.clock.now().astimezone(self.vm.timezone).date())
                panel.open_debtor_requested.connect(self.open_debtor_requested)
                panel.changed.connect(self.vm.poll_now)
                return panel
        return _placeholder(self.tr("Os dados do devedor aparecem aqui."))

    # ------------------------------------------------------------------ actions
    def start(self) -> None:
        self.vm.start()

    def _shortcut(self, keys: str, slot: Any) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    def _escape(self) -> None:
        if self.conversations.search.text():
            self.conversations.search.clear()
            self.conversations.list.setFocus()

    def _open(self, conversation_id: int) -> None:
        self.banner.setVisible(False)
        self.vm.open(conversation_id)

    def _load_older(self) -> None:
        first = self.message_model.first_id
        if first is not None:
            self.vm.fetch_older(first)

    def _on_filter(self, value: str) -> None:
        self.vm.set_filter(InboxFilter(value))
        self._save_layout()

    def _on_operators(self, operators: tuple[Operator, ...], chosen: int | None) -> None:
        combo = self.operator_combo
        blocked = combo.blockSignals(True)
        combo.clear()
        for operator in operators:
            combo.addItem(operator.name, operator.id)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        combo.blockSignals(blocked)
        if self.vm.header is not None:
            self._on_header(self.vm.header)

    def _on_operator_picked(self, number: int) -> None:
        self.vm.set_operator(self.operator_combo.itemData(number))

    def _on_header(self, header: ConversationHeader | None) -> None:
        if header is None:
            self.middle.setCurrentIndex(0)
            self._set_panel(None)
            return
        self.middle.setCurrentIndex(1)
        self.header_bar.show_header(header)
        set_conversation = getattr(self.composer, "set_conversation", None)
        if set_conversation is not None:
            set_conversation(header, self.vm.operator_id)
        self._set_panel(header.row.debtor_id)

    def _set_panel(self, debtor_id: int | None) -> None:
        set_debtor = getattr(self.debtor_panel, "set_debtor", None)
        if set_debtor is not None and getattr(self, "_panel_debtor", -1) != debtor_id:
            self._panel_debtor = debtor_id
            set_debtor(debtor_id, self.vm.operator_id)

    def show_error(self, error: KnownError) -> None:
        """What the source refused, in Portuguese, above the bubbles (or the list)."""
        self.banner.setText(known_text(error))
        self.banner.setVisible(True)
        self._banner_timer.start()

    # ------------------------------------------------------------------ layout memory
    def _restore_layout(self) -> None:
        if self._settings is None:
            return
        sizes = self._settings.value(SPLITTER_KEY)
        if isinstance(sizes, list) and len(sizes) == 3:
            with contextlib.suppress(TypeError, ValueError):
                self.splitter.setSizes([int(s) for s in sizes])
        saved = self._settings.value(FILTER_KEY)
        if saved in {f.value for f in InboxFilter}:
            self.conversations.set_filter(InboxFilter(str(saved)))
            self.vm.filter = InboxFilter(str(saved))
        else:
            self.conversations.set_filter(self.vm.filter)

    def _save_layout(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue(SPLITTER_KEY, self.splitter.sizes())
        self._settings.setValue(FILTER_KEY, self.vm.filter.value)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.vm.set_visible(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.vm.set_visible(False)

    def shutdown(self) -> None:
        """Remember the layout and stop polling (the window is closing)."""
        self._save_layout()
        self.vm.close()
