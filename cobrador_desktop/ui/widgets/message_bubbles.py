"""The open conversation's bubbles: a QListView whose delegate paints WhatsApp-like bubbles.

Inbound on the left in white, outbound on the right in green, private notes in yellow ("Nota
interna"); a date separator above the first message of each day; under each bubble its time and
ticks (✓ sent, ✓✓ delivered, blue ✓✓ read, a clock while queued or sending, "agendada para 14:00"
while it waits). A failed send is red with its reason and what to do; one without confirmation
says to check the phone before sending again. Template names and quick-reply buttons are drawn
under the text; media shows as "[imagem]", "[áudio]"…

A bubble's geometry is computed once per (message, status, width) and cached, so `sizeHint` and
painting cost a dictionary lookup: a conversation opens in a few milliseconds however long it is
(only its newest page is loaded; older ones come as the user scrolls up, keeping the position).
The model holds at most `MAX_ROWS` messages and the cache a few times that, so a page put on top
lays out at most `MAX_ROWS` rows however far up the user reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from itertools import islice
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.inbox import MessageRow
from cobrador_desktop.ui.models.message_list_model import (
    DAY_ROLE,
    MAX_ROWS,
    ROW_ROLE,
    MessageListModel,
)

AnyIndex = QModelIndex | QPersistentModelIndex

MEDIA = {
    "image": QT_TRANSLATE_NOOP("MessageBubbles", "[imagem]"),
    "audio": QT_TRANSLATE_NOOP("MessageBubbles", "[áudio]"),
    "video": QT_TRANSLATE_NOOP("MessageBubbles", "[vídeo]"),
    "document": QT_TRANSLATE_NOOP("MessageBubbles", "[documento]"),
    "sticker": QT_TRANSLATE_NOOP("MessageBubbles", "[figurinha]"),
    "location": QT_TRANSLATE_NOOP("MessageBubbles", "[localização]"),
}

_SIDE = 14  # between the list's edge and a bubble
_PAD_X, _PAD_Y = 10, 7  # inside a bubble
_GAP = 4  # between bubbles
_SEPARATOR = 34  # a date separator's height
_BUTTON = 28  # a quick-reply button's height
_RADIUS = 8
_TICKS = 18  # room for the ticks or the clock after an outbound time
# bubble layouts kept: past _CACHE_MAX the oldest go, down to _CACHE_KEEP (more than the model holds)
_CACHE_MAX, _CACHE_KEEP = 3 * MAX_ROWS, 2 * MAX_ROWS

_COLORS = {
    "in": (QColor("#ffffff"), QColor("#e2e8f0")),
    "out": (QColor("#d9fdd3"), QColor("#c3ebbd")),
    "note": (QColor("#fff4c2"), QColor("#f1d67a")),
    "failed": (QColor("#fef3f2"), QColor("#f04438")),
}
_TEXT = QColor("#111b21")
_MUTED = QColor("#667781")
_READ = QColor("#34b7f1")
_ERROR = QColor("#b42318")
_WARN = QColor("#b54708")
_NOTE_LABEL = QColor("#8a6a00")
_LABEL = QColor("#0f766e")


def _tr(text: str) -> str:
    return QCoreApplication.translate("MessageBubbles", text)


def body_text(row: MessageRow) -> str:
    """What the bubble says: the text, after "[imagem]" and the like for media."""
    media = MEDIA.get(row.type)
    if media is None:
        return row.text
    return f"{_tr(media)} {row.text}".strip()


@dataclass(frozen=True, slots=True)
class _Block:
    """A run of text inside a bubble: where, what, in which font and colour."""

    rect: QRect
    text: str
    kind: str  # label, body, template, error, warn, button, footer


@dataclass(frozen=True, slots=True)
class _Layout:
    height: int
    separator: str
    bubble: QRect
    blocks: tuple[_Block, ...]
    size: QSize


class MessageDelegate(QStyledItemDelegate):
    """Paints `MessageRow`s as bubbles; geometry cached per (message, status, width)."""

    def __init__(self, view: QListView, tz: tzinfo) -> None:
        super().__init__(view)
        self._view = view
        self._tz = tz
        self._cache: dict[tuple[Any, ...], _Layout] = {}
        self._fonts: tuple[QFont, QFont, QFont] | None = None
        #: the list's model (set by `MessageList.setModel`)
        self.model: MessageListModel | None = None

    def fonts(self) -> tuple[QFont, QFont, QFont]:
        """Body, small and small bold fonts (from the view's font)."""
        if self._fonts is None:
            body = QFont(self._view.font())
            small = QFont(body)
            small.setPointSizeF(max(7.0, body.pointSizeF() * 0.85))
            bold = QFont(small)
            bold.setBold(True)
            self._fonts = (body, small, bold)
        return self._fonts

    def clear_cache(self) -> None:
        self._cache.clear()

    # ------------------------------------------------------------------ geometry
    def layout_for(self, row: MessageRow, separator: str, width: int) -> _Layout:
        key = (row.id, row.status, row.text, width, separator, row.scheduled_for)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > _CACHE_MAX:
                self._forget_oldest()
            found = self._cache[key] = self._compute(row, separator, width)
        return found

    def _forget_oldest(self) -> None:
        """Drop the layouts computed first (the list's rows are the latest ones computed; the
        oldest are of rows the model dropped): the cache, like the model, stays bounded, and
        so does what a full garbage collection has to walk."""
        cache = self._cache
        for key in list(islice(cache, len(cache) - _CACHE_KEEP)):
            del cache[key]

    def _footer(self, row: MessageRow) -> str:
        time = row.created_at.astimezone(self._tz).strftime("%H:%M")
        if row.scheduled_for is not None and row.status in ("queued", "sending"):
            when = row.scheduled_for.astimezone(self._tz).strftime("%H:%M")
            return _tr("agendada para {time}").format(time=when)
        return time

    def _compute(self, row: MessageRow, separator: str, width: int) -> _Layout:
        body_font, small, bold = self.fonts()
        body_fm, small_fm, bold_fm = QFontMetrics(body_font), QFontMetrics(small), QFontMetrics(bold)
        inner_max = max(120, min(int(width * 0.68), 560) - 2 * _PAD_X)
        wrap = int(Qt.TextFlag.TextWordWrap)
        parts: list[tuple[str, str, QFontMetrics, int]] = []  # kind, text, metrics, extra

        if row.direction == "note":
            label = _tr("Nota interna")
            if row.operator_name:
                label += f" · {row.operator_name}"
            parts.append(("note_label", label, bold_fm, 0))
        elif row.direction == "out" and row.operator_name:
            parts.append(("label", row.operator_name, bold_fm, 0))
        text = body_text(row)
        if text:
            parts.append(("body", text, body_fm, 0))
        if row.template_name:
            parts.append(("template", _tr("Modelo: {name}").format(name=row.template_name),
                          small_fm, 0))
        if row.status == "failed":
            reason = row.error_text or _tr("O WhatsApp recusou a mensagem.")
            parts.append(("error", _tr("Não enviada. {reason}").format(reason=reason),
                          small_fm, 0))
        elif row.status == "unknown":
            parts.append(("warn", _tr("Envio sem confirmação — confira no celular antes de "
                                      "reenviar"), small_fm, 0))
        measured = []
        natural = 0
        for kind, value, fm, _extra in parts:
            rect = fm.boundingRect(QRect(0, 0, inner_max, 100_000), wrap, value)
            measured.append((kind, value, rect.height()))
            natural = max(natural, rect.width())
        footer = self._footer(row)
        natural = max(natural, small_fm.horizontalAdvance(footer) + _TICKS + 8)
        if row.buttons:
            natural = max(natural, *(body_fm.horizontalAdvance(b) + 24 for b in row.buttons))
        inner = min(inner_max, natural)

        top = _SEPARATOR if separator else 0
        y = top + _GAP + _PAD_Y
        blocks = []
        for kind, value, height in measured:
            blocks.append(_Block(QRect(0, y, inner, height), value, kind))
            y += height + 3
        footer_height = small_fm.height()
        blocks.append(_Block(QRect(0, y, inner, footer_height), footer, "footer"))
        y += footer_height
        bubble_bottom = y + _PAD_Y
        for label in row.buttons:
            blocks.append(_Block(QRect(0, bubble_bottom + 3, inner + 2 * _PAD_X, _BUTTON),
                                 label, "button"))
            bubble_bottom += _BUTTON + 3
        total = bubble_bottom + _GAP
        bubble_w = inner + 2 * _PAD_X
        x = width - _SIDE - bubble_w if row.direction == "out" else _SIDE
        if row.direction == "note":
            x = (width - bubble_w) // 2 if width > bubble_w + 2 * _SIDE else _SIDE
        bubble = QRect(x, top + _GAP, bubble_w, y + _PAD_Y - (top + _GAP))
        shifted = tuple(
            _Block(b.rect.translated(x if b.kind == "button" else x + _PAD_X, 0), b.text, b.kind)
            for b in blocks)
        return _Layout(total, separator, bubble, shifted, QSize(width, total))

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        # called for every row at each layout: asks the model directly, not through QVariants
        model = self.model
        found = model.row_and_day(index.row()) if model is not None else None
        if found is None:
            return QSize(0, 0)
        return self.layout_for(found[0], found[1], self._view.viewport().width()).size

    # ------------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row: MessageRow | None = index.data(ROW_ROLE)
        if row is None:
            return
        origin = option.rect.topLeft()
        width = self._view.viewport().width()
        layout = self.layout_for(row, index.data(DAY_ROLE) or "", width)
        body_font, small, bold = self.fonts()
        painter.save()
        painter.translate(origin)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if layout.separator:
            self._paint_separator(painter, layout.separator, width, small)
        kind = "failed" if row.status == "failed" else row.direction
        fill, border = _COLORS.get(kind, _COLORS["in"])
        painter.setPen(QPen(border, 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(layout.bubble, _RADIUS, _RADIUS)
        wrap = int(Qt.TextFlag.TextWordWrap)
        for block in layout.blocks:
            if block.kind == "button":
                painter.setPen(QPen(QColor("#d0d7de"), 1))
                painter.setBrush(QColor("#ffffff"))
                painter.drawRoundedRect(block.rect, 6, 6)
                painter.setFont(body_font)
                painter.setPen(QColor("#027a9c"))
                painter.drawText(block.rect, int(Qt.AlignmentFlag.AlignCenter), block.text)
                continue
            font, color = {
                "label": (bold, _LABEL), "note_label": (bold, _NOTE_LABEL),
                "body": (body_font, _TEXT), "template": (small, _MUTED),
                "error": (small, _ERROR), "warn": (small, _WARN), "footer": (small, _MUTED),
            }[block.kind]
            painter.setFont(font)
            painter.setPen(color)
            if block.kind == "footer":
                text_rect = block.rect.adjusted(0, 0, -_TICKS if row.direction == "out" else 0, 0)
                painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignRight), block.text)
                if row.direction == "out":
                    self._paint_status(painter, row.status, block.rect)
            else:
                painter.drawText(block.rect, wrap, block.text)
        painter.restore()

    def _paint_separator(self, painter: QPainter, text: str, width: int, font: QFont) -> None:
        painter.setFont(font)
        fm = QFontMetrics(font)
        w = fm.horizontalAdvance(text) + 24
        rect = QRect((width - w) // 2, 8, w, fm.height() + 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffffff"))
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(_MUTED)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)

    def _paint_status(self, painter: QPainter, status: str, rect: QRect) -> None:
        """✓, ✓✓, blue ✓✓ or a clock at the footer's right end."""
        right, middle = rect.right(), rect.center().y()
        if status in ("queued", "sending"):
            painter.setPen(QPen(_MUTED, 1.2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(right - 10, middle - 5, 10, 10)
            painter.drawLine(right - 5, middle, right - 5, middle - 3)
            painter.drawLine(right - 5, middle, right - 2, middle)
            return
        if status not in ("sent", "delivered", "read"):
            return
        painter.setPen(QPen(_READ if status == "read" else _MUTED, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        marks = (0,) if status == "sent" else (0, 5)
        for shift in marks:
            x = right - 12 + shift
            painter.drawLine(x, middle, x + 3, middle + 3)
            painter.drawLine(x + 3, middle + 3, x + 9, middle - 4)


class MessageList(QListView):
    """The bubbles, newest at the bottom; scrolling to the top asks for older messages and
    keeps what the user was reading where it was. When the model dropped its newest rows (a
    long history read far up), "↓ Mensagens mais recentes" floats at the bottom right and
    goes back to the newest page."""

    #: the user reached the top: load the messages before the first one
    older_wanted = Signal()
    #: the user asked for the newest messages again (the model had dropped them)
    newest_wanted = Signal()

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageList")
        self.bubbles = MessageDelegate(self, tz)
        self.setItemDelegate(self.bubbles)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.verticalScrollBar().setSingleStep(24)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        # a child of the scroll area, not of the viewport: scrolling moves the viewport's children
        self.newer_button = QPushButton(self.tr("↓ Mensagens mais recentes"), self)
        self.newer_button.setObjectName("newerMessages")
        self.newer_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.newer_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.newer_button.hide()
        self.newer_button.clicked.connect(self.newest_wanted)
        self._top_value: int | None = None
        self._stick = True

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.rowsInserted.connect(self._after_insert)
        model.modelReset.connect(self._after_reset)
        if isinstance(model, MessageListModel):
            self.bubbles.model = model
            model.prepended.connect(self._after_prepend)
            model.trimmed_changed.connect(self._show_newer_button)
            self.newest_wanted.connect(model.show_newest)

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _before_insert(self, _parent: QModelIndex, first: int, _last: int) -> None:
        self._stick = self.at_bottom()
        self._top_value = self.verticalScrollBar().value() if first == 0 and \
            self.model().rowCount() > 0 else None

    def _after_insert(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._top_value is not None:
            return  # a page on top: laid out once `prepended` says the change is complete
        self.doItemsLayout()
        if self._stick:
            self.scrollToBottom()

    def _after_prepend(self, count: int) -> None:
        # one layout of the (capped) rows — laying out at rowsInserted, the date separator's
        # dataChanged that follows would make Qt lay them all out again. Rows dropped at the
        # bottom change nothing above them: the former first row moved down by the new ones.
        self.doItemsLayout()
        if self._top_value is not None:
            below = self.rectForIndex(self.model().index(count, 0)).top()
            self.verticalScrollBar().setValue(self._top_value + below)
            self._top_value = None

    def _after_reset(self) -> None:
        self.doItemsLayout()
        self.scrollToBottom()

    def _on_scrolled(self, value: int) -> None:
        if value <= 40 and self.model() is not None and self.model().rowCount() > 0 \
                and self.verticalScrollBar().maximum() > 0:
            self.older_wanted.emit()

    def _show_newer_button(self, trimmed: bool) -> None:
        self.newer_button.setVisible(trimmed)
        if trimmed:
            self._place_newer_button()

    def _place_newer_button(self) -> None:
        button = self.newer_button
        button.adjustSize()
        area = self.viewport().geometry()
        button.move(area.right() - button.width() - 16, area.bottom() - button.height() - 12)
        button.raise_()

    def resizeEvent(self, event: Any) -> None:
        stick = self.at_bottom()
        super().resizeEvent(event)
        self._place_newer_button()
        if stick:
            self.scrollToBottom()
