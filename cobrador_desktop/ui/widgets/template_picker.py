"""What the composer shows once the 24-hour window is closed: the approved templates, each with
its category and status, the ones that cannot be used greyed out with why, and the text the
debtor will read with the debt's values filled in."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.inbox import TemplateChoice

_CONTEXT = "TemplatePicker"
CATEGORY_LABELS = {
    "utility": QT_TRANSLATE_NOOP("TemplatePicker", "Utilidade"),
    "marketing": QT_TRANSLATE_NOOP("TemplatePicker", "Marketing"),
    "authentication": QT_TRANSLATE_NOOP("TemplatePicker", "Autenticação"),
}
STATUS_LABELS = {
    "approved": QT_TRANSLATE_NOOP("TemplatePicker", "Aprovado"),
    "pending": QT_TRANSLATE_NOOP("TemplatePicker", "Em análise"),
    "paused": QT_TRANSLATE_NOOP("TemplatePicker", "Pausado"),
    "rejected": QT_TRANSLATE_NOOP("TemplatePicker", "Rejeitado"),
    "disabled": QT_TRANSLATE_NOOP("TemplatePicker", "Desativado"),
}

_STYLE = """
#templateList { border: 1px solid #e3e8ee; border-radius: 6px; font-size: 13px; }
#templateList::item { padding: 4px 6px; }
#templateList::item:selected { background: #d5f5ef; color: #0f172a; }
#templatePreview { background: #f0fdf9; border: 1px solid #cdeee6; border-radius: 8px;
                   padding: 8px 10px; color: #0f172a; }
#templateButtons { color: #0f766e; font-size: 12px; }
#pickerMuted { color: #64748b; }
"""


def _label(table: dict[str, str], code: str | None) -> str:
    if not code:
        return ""
    source = table.get(code.casefold())
    return QCoreApplication.translate(_CONTEXT, source) if source else code


class TemplatePicker(QWidget):
    """Lists `TemplateChoice`s; `send_requested` with the chosen one, `selection_changed` as the
    operator moves through them (the composer checks it with the send guard)."""

    #: Enviar modelo (`TemplateChoice`)
    send_requested = Signal(object)
    #: the selected template changed (`TemplateChoice` or None)
    selection_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self._choices: tuple[TemplateChoice, ...] = ()
        self.caption = QLabel(self.tr(
            "Fora da janela de 24 horas o WhatsApp só aceita modelos aprovados."), self)
        self.caption.setObjectName("pickerMuted")
        self.caption.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("templateList")
        self.list.currentRowChanged.connect(self._on_row)
        self.preview = QLabel(self)
        self.preview.setObjectName("templatePreview")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons_label = QLabel(self)
        self.buttons_label.setObjectName("templateButtons")
        self.buttons_label.setWordWrap(True)  # a narrow pane wraps the buttons' names
        self.send_button = QPushButton(self.tr("Enviar modelo"), self)
        self.send_button.setObjectName("primaryButton")
        self.send_button.clicked.connect(self._send)
        bottom = QHBoxLayout()
        bottom.addWidget(self.buttons_label, 1)
        bottom.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.caption)
        layout.addWidget(self.list)
        layout.addWidget(self.preview)
        layout.addLayout(bottom)
        self.set_loading()

    # ------------------------------------------------------------------ state
    def set_loading(self) -> None:
        """While the templates are read."""
        self._choices = ()
        self.list.clear()
        self.list.hide()
        self.preview.setText(self.tr("Carregando modelos…"))
        self.buttons_label.clear()
        self.send_button.setEnabled(False)

    def set_templates(self, choices: tuple[TemplateChoice, ...]) -> None:
        """List `choices`; the first usable one is selected."""
        self._choices = choices
        self.list.blockSignals(True)
        self.list.clear()
        first_usable = -1
        for i, choice in enumerate(choices):
            item = QListWidgetItem(self._line(choice), self.list)
            if choice.blocked_reason:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled
                              & ~Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(choice.blocked_reason)
            else:
                item.setToolTip(choice.preview)
                if first_usable < 0:
                    first_usable = i
        self.list.blockSignals(False)
        rows = min(len(choices), 4)
        self.list.setFixedHeight(sum(self.list.sizeHintForRow(i) for i in range(rows))
                                 + 2 * self.list.frameWidth() + 2 if rows else 0)
        self.list.setVisible(bool(choices))
        if not choices:
            self.preview.setText(self.tr(
                "Nenhum modelo aprovado para esta conversa. Cadastre e envie modelos para "
                "aprovação na página Modelos."))
        elif first_usable < 0:
            self.preview.setText(self.tr(
                "Nenhum modelo pode ser usado agora: veja o motivo ao lado de cada um."))
        self.list.setCurrentRow(first_usable)
        self._on_row(first_usable)

    def _line(self, choice: TemplateChoice) -> str:
        parts = [choice.name, _label(CATEGORY_LABELS, choice.category),
                 _label(STATUS_LABELS, choice.status)]
        line = "  ·  ".join(p for p in parts if p)
        if choice.blocked_reason:
            line += "\n" + self.tr("Indisponível: {reason}").format(reason=choice.blocked_reason)
        return line

    def current(self) -> TemplateChoice | None:
        """The selected template, if it can be sent."""
        row = self.list.currentRow()
        if 0 <= row < len(self._choices) and not self._choices[row].blocked_reason:
            return self._choices[row]
        return None

    def set_send_enabled(self, enabled: bool) -> None:
        """Whether Enviar modelo may be pressed (besides having a usable template selected)."""
        self.send_button.setEnabled(enabled and self.current() is not None)

    def set_confirming(self, confirming: bool, tooltip: str = "") -> None:
        """`confirming`: the owner confirms this template's send with a note first ("Confirmar
        e enviar…"); `tooltip` says why the button is closed (an operator, asked to confirm)."""
        self.send_button.setText(self.tr("Confirmar e enviar…") if confirming
                                 else self.tr("Enviar modelo"))
        self.send_button.setToolTip(tooltip)

    def _on_row(self, _row: int) -> None:
        choice = self.current()
        if choice is not None:
            self.preview.setText(choice.preview)
            self.buttons_label.setText(self.tr("Botões: {buttons}").format(
                buttons="  ·  ".join(choice.buttons)) if choice.buttons else "")
        elif self._choices:
            self.buttons_label.clear()
        self.send_button.setEnabled(choice is not None)
        self.selection_changed.emit(choice)

    def _send(self) -> None:
        choice = self.current()
        if choice is not None:
            self.send_requested.emit(choice)
