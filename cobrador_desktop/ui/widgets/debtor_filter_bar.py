"""The bar above the debtor list: the search box (debounced), the quick filters and the segment."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.models.debtor_table_model import SEGMENT_LABELS
from cobrador_desktop.ui.viewmodels.ports import DebtorCounts, DebtorFilter, Segment

#: typing pauses this long before the list is searched (each keystroke restarts the wait)
SEARCH_DEBOUNCE_MS = 250

FILTER_LABELS: dict[DebtorFilter, str] = {
    DebtorFilter.OVERDUE: QT_TRANSLATE_NOOP("DebtorFilterBar", "Em atraso"),
    DebtorFilter.DUE_SOON: QT_TRANSLATE_NOOP("DebtorFilterBar", "Vence em 7 dias"),
    DebtorFilter.AGREEMENT: QT_TRANSLATE_NOOP("DebtorFilterBar", "Em acordo"),
    DebtorFilter.PROMISE: QT_TRANSLATE_NOOP("DebtorFilterBar", "Promessa de pagamento"),
    DebtorFilter.NO_WHATSAPP: QT_TRANSLATE_NOOP("DebtorFilterBar", "Sem WhatsApp"),
    DebtorFilter.DO_NOT_CONTACT: QT_TRANSLATE_NOOP("DebtorFilterBar", "Não contatar"),
}

_STYLE = """
QLineEdit#searchBox { border: 1px solid #cbd5e1; border-radius: 6px; padding: 6px 10px;
                      font-size: 13px; background: #ffffff; }
QLineEdit#searchBox:focus { border-color: #0f766e; }
QPushButton#filterChip { border: 1px solid #d0d5dd; border-radius: 13px; padding: 4px 12px;
                         background: #ffffff; color: #344054; font-size: 12px; }
QPushButton#filterChip:hover { background: #f2f4f7; }
QPushButton#filterChip:checked { background: #0f766e; border-color: #0f766e; color: #ffffff; }
QPushButton#filterChip:focus { border-color: #0f766e; }
QComboBox#segmentBox { border: 1px solid #cbd5e1; border-radius: 6px; padding: 5px 10px;
                       font-size: 13px; min-width: 190px; }
"""


class DebtorFilterBar(QWidget):
    """Search box, quick-filter chips (one at a time) and the segment choice."""

    #: the search text, once typing paused (`SEARCH_DEBOUNCE_MS`) or Enter was pressed
    search_changed = Signal(str)
    #: a quick filter was chosen (a `DebtorFilter`, or None for "Todos")
    filter_changed = Signal(object)
    #: a segment was chosen (a `Segment`, or None for every segment)
    segment_changed = Signal(object)
    #: the user pressed ↓ (or Esc on an empty box) in the search box: go to the list
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *,
                 debounce_ms: int = SEARCH_DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.search = QLineEdit(self)
        self.search.setObjectName("searchBox")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            self.tr("Buscar por nome, CPF/CNPJ, telefone ou descrição da dívida  (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Buscar devedores"))
        self.search.installEventFilter(self)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.flush_search)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self.flush_search)
        self._sent_text = ""

        self.segment_box = QComboBox(self)
        self.segment_box.setObjectName("segmentBox")
        self.segment_box.setAccessibleName(self.tr("Perfil de pagamento"))
        self.segment_box.addItem(self.tr("Todos os perfis"), None)
        for segment in Segment:
            self.segment_box.addItem(
                QCoreApplication.translate("DebtorTableModel", SEGMENT_LABELS[segment]),
                segment.value)
        self.segment_box.currentIndexChanged.connect(self._on_segment)

        self.chips: dict[DebtorFilter | None, QPushButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        chip_row = QHBoxLayout()
        chip_row.setSpacing(6)
        for which in (None, *DebtorFilter):
            chip = QPushButton(self)
            chip.setObjectName("filterChip")
            chip.setCheckable(True)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.setProperty("filter", None if which is None else which.value)
            chip.clicked.connect(lambda _checked, w=which: self._on_chip(w))
            self._group.addButton(chip)
            self.chips[which] = chip
            chip_row.addWidget(chip)
        chip_row.addStretch(1)
        self.chips[None].setChecked(True)
        self.chips[DebtorFilter.PROMISE].setToolTip(self.tr(
            "Devedores com uma promessa de pagamento em aberto"))
        self.set_counts(None)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.search, 1)
        top.addWidget(self.segment_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(chip_row)

    # ------------------------------------------------------------------ state
    def set_counts(self, counts: DebtorCounts | None) -> None:
        """Show each quick filter's count on its chip (None: not known yet)."""
        for which, chip in self.chips.items():
            label = (self.tr("Todos") if which is None
                     else QCoreApplication.translate("DebtorFilterBar", FILTER_LABELS[which]))
            if counts is not None:
                n = counts.total if which is None else counts.filters.get(which, 0)
                label = f"{label}  {format_count(n)}"
            chip.setText(label)
        for index in range(1, self.segment_box.count()):
            segment = Segment(self.segment_box.itemData(index))
            label = QCoreApplication.translate("DebtorTableModel", SEGMENT_LABELS[segment])
            if counts is not None:
                label = f"{label} ({format_count(counts.segments.get(segment, 0))})"
            self.segment_box.setItemText(index, label)

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (Ctrl+F, /)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear(self) -> None:
        """No search, no quick filter, every segment."""
        self.search.clear()
        self.flush_search()
        self.segment_box.setCurrentIndex(0)
        self.chips[None].setChecked(True)
        self._on_chip(None)

    def flush_search(self) -> None:
        """Send the search text now (Enter, or the end of the typing pause)."""
        self._debounce.stop()
        text = self.search.text()
        if text != self._sent_text:
            self._sent_text = text
            self.search_changed.emit(text)

    # ------------------------------------------------------------------ events
    def _on_chip(self, which: DebtorFilter | None) -> None:
        self.filter_changed.emit(which)

    def _on_segment(self, index: int) -> None:
        value = self.segment_box.itemData(index)
        self.segment_changed.emit(None if value is None else Segment(value))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down:
                self.flush_search()
                self.leave_requested.emit()
                return True
            if event.key() == Qt.Key.Key_Escape:
                if self.search.text():
                    self.search.clear()
                    self.flush_search()
                else:
                    self.leave_requested.emit()
                return True
        return super().eventFilter(watched, event)
