"""The inbox's left pane: tabs with counts, the search box and the painted conversation list.

Each line shows the name (or the phone), when the last message was written, its preview ("Você:"
before one's own, or "Fulano está respondendo…"), the unread badge, and a line of facts: the
24-hour window (open with the time left, or closed), whose conversation it is (or "Fila"), how
long the debtor has waited for an answer, and the labels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.inbox import ConversationRow, InboxCounts, InboxFilter
from cobrador_desktop.ui.models.conversation_list_model import (
    ROW_ROLE,
    ConversationListModel,
    display_name,
)

AnyIndex = QModelIndex | QPersistentModelIndex

WINDOW = timedelta(hours=24)
TABS = (
    (InboxFilter.MINE, QT_TRANSLATE_NOOP("ConversationList", "Minhas")),
    (InboxFilter.UNASSIGNED, QT_TRANSLATE_NOOP("ConversationList", "Não atribuídas")),
    (InboxFilter.ALL, QT_TRANSLATE_NOOP("ConversationList", "Todas")),
    (InboxFilter.WAITING, QT_TRANSLATE_NOOP("ConversationList", "Aguardando resposta")),
    (InboxFilter.RESOLVED, QT_TRANSLATE_NOOP("ConversationList", "Resolvidas")),
)
_ROW_HEIGHT = 76


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConversationList", text)


def span_text(delta: timedelta) -> str:
    """"agora", "5 min", "3 h", "2 d"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return _tr("agora")
    if minutes < 60:
        return _tr("{n} min").format(n=minutes)
    if minutes < 48 * 60:
        return _tr("{n} h").format(n=minutes // 60)
    return _tr("{n} d").format(n=minutes // (60 * 24))


def when_text(at: datetime | None, now: datetime, tz: tzinfo) -> str:
    """The last message's time: "14:02" today, "Ontem", else "12/11"."""
    if at is None:
        return ""
    local, today = at.astimezone(tz), now.astimezone(tz).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if (today - local.date()).days == 1:
        return _tr("Ontem")
    return local.strftime("%d/%m")


def window_text(row: ConversationRow, now: datetime) -> tuple[str, bool]:
    """("Janela aberta · 5 h", True) or ("Janela fechada", False)."""
    if row.last_inbound_at is not None and row.last_inbound_at + WINDOW > now:
        left = row.last_inbound_at + WINDOW - now
        return _tr("Janela aberta · {left}").format(left=span_text(left)), True
    return _tr("Janela fechada"), False


class ConversationDelegate(QStyledItemDelegate):
    """Paints a `ConversationRow` on three lines (fixed height: the list uses uniform sizes)."""

    def __init__(self, now: Callable[[], datetime], tz: tzinfo, parent: QWidget) -> None:
        super().__init__(parent)
        self._now = now
        self._tz = tz

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(280, _ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row: ConversationRow | None = index.data(ROW_ROLE)
        if row is None:
            return
        rect: QRect = option.rect
        state = option.state
        now = self._now()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor("#dff3ef"))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor("#f5f7f9"))
        painter.setPen(QColor("#edf0f3"))
        painter.drawLine(rect.left() + 12, rect.bottom(), rect.right(), rect.bottom())
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.85))
        left, right = rect.left() + 14, rect.right() - 12
        fm, small_fm = QFontMetrics(base), QFontMetrics(small)
        y1 = rect.top() + 8

        when = when_text(row.last_message_at, now, self._tz)
        painter.setFont(small)
        painter.setPen(QColor("#0f766e") if row.unread else QColor("#667781"))
        when_w = small_fm.horizontalAdvance(when)
        painter.drawText(QRect(right - when_w, y1 + 1, when_w, fm.height()), 0, when)
        painter.setFont(bold)
        painter.setPen(QColor("#0f172a"))
        name_w = right - when_w - 8 - left
        painter.drawText(QRect(left, y1, name_w, fm.height()), 0,
                         QFontMetrics(bold).elidedText(display_name(row),
                                                       Qt.TextElideMode.ElideRight, name_w))

        y2 = y1 + fm.height() + 3
        badge_w = 0
        if row.unread:
            count = str(row.unread) if row.unread < 100 else "99+"
            badge_w = max(20, small_fm.horizontalAdvance(count) + 10)
            badge = QRect(right - badge_w, y2, badge_w, 20)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#12a37f"))
            painter.drawRoundedRect(badge, 10, 10)
            painter.setFont(small)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, int(Qt.AlignmentFlag.AlignCenter), count)
        preview_w = right - left - (badge_w + 8 if badge_w else 0)
        if row.typing_operator_name:
            preview = _tr("{name} está respondendo…").format(name=row.typing_operator_name)
            italic = QFont(base)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(QColor("#0f766e"))
        else:
            preview = row.last_message_preview
            if row.last_direction == "out":
                preview = _tr("Você: {text}").format(text=preview)
            elif row.last_direction == "note":
                preview = _tr("Nota: {text}").format(text=preview)
            painter.setFont(base)
            painter.setPen(QColor("#334155") if row.unread else QColor("#64748b"))
        painter.drawText(QRect(left, y2, preview_w, fm.height()), 0,
                         fm.elidedText(preview, Qt.TextElideMode.ElideRight, preview_w))

        y3 = y2 + fm.height() + 5
        x = left
        painter.setFont(small)
        for text, fg, bg in self._chips(row, now):
            w = small_fm.horizontalAdvance(text) + 12
            if x + w > right:
                break
            chip = QRect(x, y3, w, small_fm.height() + 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(QPen(fg))
            painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), text)
            x += w + 5
        painter.restore()

    def _chips(self, row: ConversationRow, now: datetime) -> list[tuple[str, QColor, QColor]]:
        chips = []
        if row.status == "resolved":
            chips.append((_tr("Resolvida"), QColor("#475467"), QColor("#eef2f6")))
        else:
            text, open_ = window_text(row, now)
            chips.append((text, QColor("#067647"), QColor("#dcfae6")) if open_
                         else (text, QColor("#667085"), QColor("#f2f4f7")))
        owner = row.assigned_operator_name or _tr("Fila")
        chips.append((owner, QColor("#175cd3") if row.assigned_operator_name
                      else QColor("#b54708"),
                      QColor("#eff8ff") if row.assigned_operator_name else QColor("#fffaeb")))
        if row.waiting_since is not None and row.status != "resolved":
            chips.append((_tr("espera há {span}").format(span=span_text(now - row.waiting_since)),
                          QColor("#b42318"), QColor("#fef3f2")))
        chips.extend((label, QColor("#6941c6"), QColor("#f4f3ff")) for label in row.labels)
        return chips


class FilterTabs(QWidget):
    """The five tabs as two rows of pills with their counts (they do not fit one row)."""

    #: the user picked a tab (InboxFilter)
    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxTabs")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[InboxFilter, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for number, (which, label) in enumerate(TABS):
            button = QPushButton(_tr(label))
            button.setObjectName("inboxTab")
            button.setCheckable(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, w=which: self.changed.emit(w))
            self.group.addButton(button)
            self.buttons[which] = button
            if number < 3:
                grid.addWidget(button, 0, number * 2, 1, 2)
            else:
                grid.addWidget(button, 1, (number - 3) * 3, 1, 3)

    def current(self) -> InboxFilter | None:
        return next((w for w, b in self.buttons.items() if b.isChecked()), None)

    def set_current(self, which: InboxFilter) -> None:
        self.buttons[which].setChecked(True)

    def set_counts(self, counts: InboxCounts) -> None:
        values = {InboxFilter.MINE: counts.mine, InboxFilter.UNASSIGNED: counts.unassigned,
                  InboxFilter.ALL: counts.all, InboxFilter.WAITING: counts.waiting,
                  InboxFilter.RESOLVED: counts.resolved}
        for which, label in TABS:
            count = values[which]
            self.buttons[which].setText(f"{_tr(label)}  {count}" if count else _tr(label))


class ConversationList(QWidget):
    """Tabs, search and the list; emits the conversation the user picks."""

    #: a conversation was chosen (click, keyboard, Alt+Up/Down)
    conversation_selected = Signal(int)
    #: the tab changed (an InboxFilter value)
    filter_changed = Signal(str)
    #: the search text changed
    search_changed = Signal(str)

    def __init__(self, model: ConversationListModel, *, now: Callable[[], datetime], tz: tzinfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationPane")
        self.model = model
        self.tabs = FilterTabs()
        self.tabs.changed.connect(lambda which: self.filter_changed.emit(which.value))
        self.search = QLineEdit()
        self.search.setObjectName("inboxSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Buscar nome ou telefone (Ctrl+K)"))
        self.search.textChanged.connect(self.search_changed)
        self.list = QListView()
        self.list.setObjectName("conversationList")
        self.list.setModel(model)
        self.list.setItemDelegate(ConversationDelegate(now, tz, self.list))
        self.list.setUniformItemSizes(True)
        self.list.setMouseTracking(True)
        self.list.setFrameShape(QListView.Shape.NoFrame)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.empty = QLabel(self.tr("Nenhuma conversa nesta aba"))
        self.empty.setObjectName("emptyText")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)
        model.rowsInserted.connect(self._show_list_or_empty)
        model.rowsRemoved.connect(self._show_list_or_empty)
        model.modelReset.connect(self._show_list_or_empty)
        self._counts: InboxCounts | None = None

    def set_filter(self, which: InboxFilter) -> None:
        self.tabs.set_current(which)

    def set_counts(self, counts: InboxCounts) -> None:
        self.tabs.set_counts(counts)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def select_id(self, conversation_id: int | None) -> None:
        """Highlight a conversation without emitting (after a reload)."""
        number = self.model.row_of(conversation_id) if conversation_id is not None else -1
        blocked = self.list.selectionModel().blockSignals(True)
        if number >= 0:
            self.list.setCurrentIndex(self.model.index(number))
        self.list.selectionModel().blockSignals(blocked)

    def step(self, delta: int) -> None:
        """Open the next (+1) or previous (-1) conversation."""
        count = self.model.rowCount()
        if not count:
            return
        current = self.list.currentIndex().row()
        target = 0 if current < 0 else max(0, min(count - 1, current + delta))
        self.list.setCurrentIndex(self.model.index(target))
        self.list.scrollTo(self.model.index(target))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.conversation_selected.emit(self.model.row_at(current.row()).id)

    def _show_list_or_empty(self) -> None:
        self.stack.setCurrentWidget(self.list if self.model.rowCount() else self.empty)
