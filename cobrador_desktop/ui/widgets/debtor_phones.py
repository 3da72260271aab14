"""A debtor's phones with their state: who may be messaged, and why not.

A number flagged "não sou eu" carries "Não é mais engano…": the owner lifts the flag (with a
reason for the audit log); an operator finds it disabled, with the owner-only tooltip.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import tzinfo

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.records import PhoneState
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.dialogs.reason_dialog import reason_dialog
from cobrador_desktop.ui.session import SignedIn
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text
from cobrador_desktop.ui.widgets.owner_gate import owner_only_text

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


def clear_wrong_party_dialog(parent: QWidget, phone: PhoneState, debtor_name: str,
                             on_reason: Callable[[str], None]) -> QInputDialog:
    """Ask the owner why `phone` is no longer a wrong number for the debtor; `on_reason(reason)`
    once written (Voltar changes nothing; OK stays closed while the reason is empty). The caller
    opens it; it is deleted when closed."""
    question = QCoreApplication.translate(
        "PhonesPanel",
        "Por que {phone} não é mais engano para {name}?\n\nO número volta a receber mensagens "
        "deste devedor, depois de confirmar de novo quem é. O motivo fica no registro de "
        "auditoria, com o seu nome.").format(phone=fmt.format_phone(phone.e164), name=debtor_name)
    title = QCoreApplication.translate("PhonesPanel", "Não é mais engano")
    return reason_dialog(parent, title=title, question=question, ok_text=title,
                         back_text=QCoreApplication.translate("PhonesPanel", "Voltar"),
                         on_reason=on_reason, required=True)


class PhonesPanel(QWidget):
    """One line per phone: the number, its kind, and badges for its state."""

    #: "Não é mais engano…" on a number flagged "não sou eu" (its `PhoneState`)
    clear_wrong_party_requested = Signal(object)

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._owner = False
        self.clear_buttons: dict[int, QPushButton] = {}  # phone id -> its button
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        self.rows: list[QWidget] = []
        self.empty = QLabel(self.tr("Nenhum telefone cadastrado."), self)
        self.empty.setObjectName("detailMuted")
        self._layout.addWidget(self.empty)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("detailError")
        self.error_label.setStyleSheet("color: #b42318;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self._layout.addWidget(self.error_label)

    def set_phones(self, phones: tuple[PhoneState, ...]) -> None:
        """Show `phones` (own first, then reference contacts)."""
        for row in self.rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.clear_buttons = {}
        self.rows = [self._row(phone) for phone in phones]
        for number, row in enumerate(self.rows):
            self._layout.insertWidget(number, row)
        self.empty.setVisible(not phones)
        self.show_error("")

    def set_owner(self, owner: bool) -> None:
        """The owner is signed in: "Não é mais engano…" may be used (else it is closed)."""
        self._owner = owner
        for button in self.clear_buttons.values():
            self._gate(button)

    def follow(self, session: SignedIn) -> None:
        """Open "Não é mais engano…" while the signed-in person is the owner."""
        self.set_owner(session.is_owner)
        session.changed.connect(lambda _actor: self.set_owner(session.is_owner))

    def show_error(self, message: str) -> None:
        """Why lifting a flag was refused ("" hides it)."""
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _gate(self, button: QPushButton) -> None:
        button.setEnabled(self._owner)
        button.setToolTip(self.tr(
            "O número volta a poder receber mensagens deste devedor, depois de confirmar de "
            "novo quem é. O motivo fica no registro de auditoria.") if self._owner
            else owner_only_text(self.tr("desfazer um “não sou eu”")))

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
        # a long label ("Referência – irmã da Maria") wraps instead of widening the narrow
        # inbox panel past its pane (the panel does not scroll sideways)
        caption.setWordWrap(True)
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
        if phone.wrong_party:
            button = QPushButton(self.tr("Não é mais engano…"), row)
            button.setObjectName("clearWrongParty")
            button.clicked.connect(
                lambda _c=False, p=phone: self.clear_wrong_party_requested.emit(p))
            self._gate(button)
            self.clear_buttons[phone.phone_id] = button
            grid.addWidget(button, 2, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        tip = text.phone_tooltip(phone, self._tz)
        row.setToolTip(tip)
        row.setProperty("e164", phone.e164)
        return row
