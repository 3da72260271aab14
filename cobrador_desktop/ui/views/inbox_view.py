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
from PySide6.QtGui import QHideEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.inbox import ConversationHeader, InboxFilter, Operator
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.models.conversation_list_model import ConversationListModel
from cobrador_desktop.ui.models.message_list_model import MessageListModel
from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel
from cobrador_desktop.ui.widgets.conversation_header import ConversationHeaderBar
from cobrador_desktop.ui.widgets.conversation_list import ConversationList
from cobrador_desktop.ui.widgets.empty_state import EmptyState
from cobrador_desktop.ui.widgets.message_bubbles import MessageList

SPLITTER_KEY = "inbox/splitter"
FILTER_KEY = "inbox/filter"


#: below this width of the inbox the debtor panel starts hidden (the header's "Devedor" shows it)
PANEL_MIN_INBOX_WIDTH = 1000


def default_sizes(width: int, panel_shown: bool = True) -> list[int]:
    """The panes' widths before the user drags the splitter: the list ~340 and the debtor
    panel ~280 at the default window (1360 px), a little narrower on a small screen; the
    conversation gets the rest."""
    side = max(260, min(340, round(width * 0.30)))
    panel = max(240, min(280, round(width * 0.25))) if panel_shown else 0
    return [side, max(0, width - side - panel), panel]


def _placeholder(text: str) -> QWidget:
    label = QLabel(text)
    label.setObjectName("emptyText")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


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
        # the picker of who works here, when the app has no sign-in (hidden when it has)
        self.who_row = QWidget()
        who = QHBoxLayout(self.who_row)
        who.setContentsMargins(0, 0, 0, 0)
        who.addWidget(QLabel(self.tr("Você é:")))
        who.addWidget(self.operator_combo, 1)
        self.conversations = ConversationList(self.list_model, now=now, tz=vm.timezone)
        left = QWidget()
        left.setObjectName("inboxLeft")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(10, 10, 0, 0)
        left_layout.addWidget(self.who_row)
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
        self.splitter.setCollapsible(2, True)  # the header's "Devedor" folds the debtor panel
        self.splitter.setSizes(default_sizes(1136))
        #: True once the user dragged the splitter or a saved layout was restored
        self._sizes_chosen = False
        #: True once the user showed or hid the debtor panel (else it follows the width)
        self._panel_chosen = False
        self.header_bar.panel_button.clicked.connect(self._on_panel_button)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
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
            operator = self.vm.operator
            set_conversation(header, self.vm.operator_id,
                             owner=operator is not None and operator.role == "owner")
        self._set_panel(header.row.debtor_id)

    def _set_panel(self, debtor_id: int | None) -> None:
        set_debtor = getattr(self.debtor_panel, "set_debtor", None)
        shown = (debtor_id, self.vm.operator_id)  # another operator: their id on its changes
        if set_debtor is not None and getattr(self, "_panel_shown", None) != shown:
            self._panel_shown = shown
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
                numbers = [int(s) for s in sizes]
                self._sizes_chosen = self._panel_chosen = True
                self.splitter.setSizes(numbers)
                self.header_bar.panel_button.setChecked(numbers[2] > 0)
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

    def _on_splitter_moved(self) -> None:
        self._sizes_chosen = True
        self.header_bar.panel_button.setChecked(self.splitter.sizes()[2] > 0)
        self._save_layout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = self.splitter.width()
        if not self._panel_chosen:
            self._show_panel(width >= PANEL_MIN_INBOX_WIDTH)
        if not self._sizes_chosen:
            self.splitter.setSizes(default_sizes(width, self.header_bar.panel_button.isChecked()))

    def _show_panel(self, shown: bool) -> None:
        """The debtor panel folds to nothing (its handle stays, to drag it back) or comes back."""
        sizes = self.splitter.sizes()
        if shown and sizes[2] == 0:
            panel = max(260, self.debtor_panel.minimumWidth())
            self.splitter.setSizes([sizes[0], max(0, sizes[1] - panel), panel])
        elif not shown and sizes[2] > 0:
            self.splitter.setSizes([sizes[0], sizes[1] + sizes[2], 0])
        self.header_bar.panel_button.setChecked(shown)

    def _on_panel_button(self, shown: bool) -> None:
        self._panel_chosen = True
        self._show_panel(shown)

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
