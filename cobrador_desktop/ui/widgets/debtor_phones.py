"""A debtor's phones with their state: who may be messaged, and why not."""

from __future__ import annotations

import html
from datetime import tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from cobrador_desktop.domain.records import PhoneState
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text

#: badge colours (text, background) per tone
TONES = {
    text.OK: ("#067647", "#dcfae6"),
    text.WARN: ("#8a4b08", "#fdf0d5"),
    text.BAD: ("#b42318", "#fee4e2"),
    text.MUTED: ("#475569", "#eef1f4"),
}


def badge(caption: str, tone: str, parent: QWidget | None = None) -> QLabel:
    """A small rounded label in the tone's colours."""
    label = QLabel(caption, parent)
    label.setObjectName("badge")
    label.setProperty("tone", tone)
    fg, bg = TONES.get(tone, TONES[text.MUTED])
    label.setStyleSheet(f"QLabel#badge {{ color: {fg}; background: {bg}; border-radius: 8px;"
                        f" padding: 1px 8px; font-size: 12px; }}")
    return label


def badges_html(badges: list[tuple[str, str]]) -> str:
    """Badges as rich text: coloured, non-breaking runs separated by spaces (they wrap)."""
    parts = []
    for caption, tone in badges:
        fg, bg = TONES.get(tone, TONES[text.MUTED])
        words = html.escape(caption).replace(" ", "&nbsp;")
        parts.append(f'<span style="color:{fg}; background-color:{bg};">&nbsp;{words}&nbsp;</span>')
    return "&nbsp; ".join(parts)


class PhonesPanel(QWidget):
    """One line per phone: the number, its kind, and badges for its state."""

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        self.rows: list[QWidget] = []
        self.empty = QLabel(self.tr("Nenhum telefone cadastrado."), self)
        self.empty.setObjectName("detailMuted")
        self._layout.addWidget(self.empty)

    def set_phones(self, phones: tuple[PhoneState, ...]) -> None:
        """Show `phones` (own first, then reference contacts)."""
        for row in self.rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = [self._row(phone) for phone in phones]
        for row in self.rows:
            self._layout.addWidget(row)
        self.empty.setVisible(not phones)

    def _row(self, phone: PhoneState) -> QWidget:
        row = QWidget(self)
        grid = QGridLayout(row)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        number = QLabel(fmt.format_phone(phone.e164), row)
        number.setObjectName("detailPhone")
        if not phone.may_message:
            number.setProperty("blocked", True)
        caption = QLabel(text.phone_caption(phone), row)
        caption.setObjectName("detailMuted")
        grid.addWidget(number, 0, 0)
        grid.addWidget(caption, 0, 1)
        grid.setColumnStretch(2, 1)
        # rich text wraps when the column is narrow; a row of widgets would not
        states = text.phone_badges(phone)
        badges = QLabel(badges_html(states), row)
        badges.setObjectName("phoneBadges")
        # the plain words, for screen readers (the rich text is only colours around them)
        badges.setAccessibleName(", ".join(caption for caption, _tone in states))
        badges.setWordWrap(True)
        badges.setTextFormat(Qt.TextFormat.RichText)
        grid.addWidget(badges, 1, 0, 1, 3)
        tip = text.phone_tooltip(phone, self._tz)
        row.setToolTip(tip)
        row.setProperty("e164", phone.e164)
        return row
