"""The frame every set-up page shares: a title, what the step is for, the fields, one message line.

A page says whether it saves anything (`saves`); "Salvar e continuar" calls `commit()`, and the
page emits `committed` once its service saved (the wizard then moves on) or shows why not.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.ui.widgets.scrolling import scroll_area
from cobrador_desktop.ui.widgets.settings_sections import show_message

WIZARD_STYLE = """
QDialog#setupWizard { background: #f8fafc; }
#wizardSteps { background: #0f172a; border: none; color: #cbd5e1; font-size: 13px; }
#wizardSteps::item { padding: 7px 14px; }
#wizardSteps::item:selected { background: #1e293b; color: #ffffff; }
#pageTitle { font-size: 19px; font-weight: 600; color: #0f172a; }
#pageIntro, #pageHelp { color: #475569; }
#pageProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 8px 10px; }
#pageOk { color: #065f46; background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 6px;
    padding: 8px 10px; }
#ownerFirst { color: #92400e; background: #fffbeb; border: 1px solid #fde68a;
    border-radius: 6px; padding: 8px 10px; }
#pageContent { background: transparent; }
#choiceButton { text-align: left; padding: 10px 16px; font-size: 14px; font-weight: 600; }
#choiceNote { color: #475569; margin: 0 0 10px 4px; }
QGroupBox#settingsSection { font-weight: 600; border: 1px solid #e2e8f0; border-radius: 8px;
    margin-top: 8px; padding: 12px; background: #ffffff; }
QGroupBox#settingsSection QLabel, QGroupBox#settingsSection QCheckBox { font-weight: normal; }
QLabel#sectionHelp, QLabel#pixCheck { color: #64748b; }
"""


class WizardPage(QWidget):
    """One step: title, intro, content (`self.body`), and the line that says what happened."""

    #: the page's work is saved; the wizard moves on
    committed = Signal()

    #: whether "Salvar e continuar" saves something (else it is just "Continuar")
    saves = True
    #: whether saving needs the owner account (every page after it)
    needs_owner = True

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        heading.setWordWrap(True)
        self.intro = QLabel(intro)
        self.intro.setObjectName("pageIntro")
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.intro.setOpenExternalLinks(True)
        self.owner_first = QLabel(self.tr(
            "Crie a conta do dono (passo 2) para salvar esta etapa. Os testes funcionam mesmo "
            "assim; nada é salvo sem o dono."))
        self.owner_first.setObjectName("ownerFirst")
        self.owner_first.setWordWrap(True)
        self.owner_first.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)

        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 8, 0)
        self.body.setSpacing(12)
        self.body.addWidget(heading)
        self.body.addWidget(self.intro)
        self.body.addWidget(self.owner_first)
        self._fields_at = self.body.count()
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        content.setObjectName("pageContent")
        scroll = scroll_area(content)  # the texts wrap to the page's width instead of widening it
        scroll.viewport().setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def add(self, widget: QWidget, *, left: bool = False) -> QWidget:
        """Put `widget` among the fields (above the message line); `left`: its own width."""
        if left:
            self.body.insertWidget(self._fields_at, widget, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            self.body.insertWidget(self._fields_at, widget)
        self._fields_at += 1
        return widget

    def enter(self) -> None:
        """The page is shown (load what it shows)."""

    def commit(self) -> None:
        """Save the page (then `committed`, or a problem shown); pages without saving go on."""
        self.committed.emit()

    def set_owner_ready(self, ready: bool) -> None:
        self.owner_first.setVisible(self.needs_owner and self.saves and not ready)

    def show_problem(self, text: str) -> None:
        self._show(text, "pageProblem")

    def show_ok(self, text: str) -> None:
        self._show(text, "pageOk")

    def clear_message(self) -> None:
        self._show("", "pageOk")

    def _show(self, text: str, name: str) -> None:
        show_message(self.message, text, name)


class WizardLauncher(QGroupBox):
    """Configurações › Assistente de configuração: reopens the set-up wizard."""

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Assistente de configuração"), parent)
        self.setObjectName("settingsSection")
        note = QLabel(self.tr(
            "Os passos da primeira configuração: dados da loja, PIX, conexão do número, webhook, "
            "segurança do número e primeira planilha. Termine o que ficou para depois."))
        note.setWordWrap(True)
        self.button = QPushButton(self.tr("Abrir o assistente…"))
        self.button.clicked.connect(self.open_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
