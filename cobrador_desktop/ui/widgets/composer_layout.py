"""The composer's widgets and look; `Composer` adds what they do.

Texts use the "Composer" context explicitly: `self.tr` would look them up under the subclass.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.ui.widgets.template_picker import TemplatePicker

translate = QCoreApplication.translate

_STYLE = """
Composer { background: #ffffff; }
#composerBanner { color: #8a4b08; background: #fdf0d5; border-radius: 6px; padding: 6px 10px; }
#windowLabel { color: #067647; font-size: 12px; font-weight: 600; }
#windowLabel[state="closing"] { color: #b42318; }
#windowLabel[state="closed"] { color: #64748b; }
#composerEditor { border: 1px solid #cbd5e1; border-radius: 8px; padding: 4px; font-size: 14px;
                  background: #ffffff; }
#composerEditor:focus { border-color: #0f766e; }
#composerEditor[note="true"] { background: #fef9c3; border-color: #eab308; }
#composerEditor:disabled { background: #f1f5f9; color: #94a3b8; }
#guardVerdict { font-size: 12px; color: #475569; }
#guardVerdict[level="warn"], #guardVerdict[level="confirm"] { color: #8a4b08; }
#guardVerdict[level="block"] { color: #b42318; font-weight: 600; }
#composerError { color: #b42318; font-size: 12px; }
#scheduleChip { color: #175cd3; background: #e0edff; border-radius: 8px; padding: 1px 8px;
                font-size: 12px; }
QPushButton#modeButton { border: 1px solid #cbd5e1; border-radius: 6px; padding: 3px 10px;
                         background: #ffffff; color: #334155; }
QPushButton#modeButton:checked { background: #fef08a; border-color: #eab308; color: #713f12; }
QPushButton#actionButton { border: 1px solid #d0d5dd; border-radius: 6px; padding: 4px 10px;
                           background: #f8fafc; color: #0f172a; }
QPushButton#actionButton:hover { background: #eef2f6; }
QPushButton#actionButton:disabled, QPushButton#modeButton:disabled { color: #94a3b8; }
QPushButton#primaryButton:disabled { background: #cbd5e1; color: #f8fafc; }
"""


def repolish(widget: QWidget, name: str, value: object) -> None:
    """Set a property the stylesheet selects on, and apply the stylesheet again."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ComposerLayout(QWidget):
    """The banner, the window's countdown, the mode buttons, the text box or the templates, the
    verdict and error lines, the one-click actions and Enviar."""

    EDITOR, TEMPLATES = range(2)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.banner = QLabel(self)
        self.banner.setObjectName("composerBanner")
        self.banner.setWordWrap(True)
        self.window_label = QLabel(self)
        self.window_label.setObjectName("windowLabel")
        self.window_label.setWordWrap(True)  # a narrow pane wraps it instead of cutting the buttons
        self.note_button = QPushButton(translate("Composer", "Nota interna"), self)
        self.note_button.setObjectName("modeButton")
        self.note_button.setCheckable(True)
        self.note_button.setToolTip(translate("Composer", "Só a equipe vê; nunca vai para o devedor"))
        self.later_button = QPushButton(translate("Composer", "Enviar depois…"), self)
        self.later_button.setObjectName("modeButton")
        self.schedule_chip = QPushButton(self)
        self.schedule_chip.setObjectName("scheduleChip")
        self.schedule_chip.setFlat(True)
        self.schedule_chip.setToolTip(translate("Composer", "Clique para enviar agora"))
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.window_label, 1)
        top.addWidget(self.schedule_chip)
        top.addWidget(self.later_button)
        top.addWidget(self.note_button)

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("composerEditor")
        self.editor.setTabChangesFocus(False)
        self.editor.setMinimumHeight(64)
        self.picker = TemplatePicker(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.editor)
        self.stack.addWidget(self.picker)

        self.verdict_label = QLabel(self)
        self.verdict_label.setObjectName("guardVerdict")
        self.verdict_label.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("composerError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.action_buttons: dict[str, QPushButton] = {}
        bottom = QHBoxLayout()
        bottom.setSpacing(6)
        for action, caption, tip in (
                ("pix", translate("Composer", "Enviar PIX"),
                 translate("Composer", "O PIX copia e cola do valor em aberto")),
                ("wa_link", translate("Composer", "Enviar link wa.me"),
                 translate("Composer", "O link da loja no WhatsApp")),
                ("call_offer", translate("Composer", "Oferecer ligação"),
                 translate("Composer", "Pergunta se o devedor prefere uma ligação"))):
            button = QPushButton(caption, self)
            button.setObjectName("actionButton")
            button.setToolTip(tip)
            bottom.addWidget(button)
            self.action_buttons[action] = button
        bottom.addStretch(1)
        self.send_button = QPushButton(self)
        self.send_button.setObjectName("primaryButton")
        bottom.addWidget(self.send_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.error_label)
        layout.addLayout(bottom)
        self.send_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        self.send_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

