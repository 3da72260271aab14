"""Assistente de configuração: the first run's step-by-step set-up, reopened from Configurações.

Steps on the left, one page on the right, and at the bottom Voltar · Fazer depois · Salvar e
continuar. "Fazer depois" moves on and saves nothing. Until the owner account exists (step 2)
no page can save: their "Salvar e continuar" is off and a line says why; the tests still run.
The dialog is non-blocking (`open()`), so the window behind keeps working (and `--screenshot`
and `--exit-after` still end the program).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsViewModel
from cobrador_desktop.ui.widgets.wizard_page import WIZARD_STYLE, WizardPage
from cobrador_desktop.ui.widgets.wizard_pages_shop import (
    DonePage,
    ImportPage,
    OwnerPage,
    PixPage,
    ShopPage,
    WelcomePage,
)
from cobrador_desktop.ui.widgets.wizard_pages_whatsapp import ChecklistPage, ConnectionPage, WebhookPage
from cobrador_desktop.ui.wizard.page_vms import (
    ChecklistPageVm,
    ConnectionPageVm,
    OwnerPageVm,
    WebhookPageVm,
    WizardState,
)
from cobrador_desktop.ui.wizard.ports import WizardServices

if TYPE_CHECKING:
    from cobrador_desktop.ui.session import SignedIn

SAVED, SKIPPED = "saved", "skipped"


class SetupWizard(QDialog):
    """The set-up wizard (open with `open()`)."""

    #: the owner account was created here (its `Actor`): the app signs it in
    owner_created = Signal(object)

    WELCOME, OWNER, SHOP, PIX, CONNECTION, WEBHOOK, CHECKLIST, IMPORT, DONE = range(9)

    def __init__(self, services: WizardServices, parent: QWidget | None = None, *,
                 session: SignedIn | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle(self.tr("Assistente de configuração"))
        self.setStyleSheet(WIZARD_STYLE)
        self.resize(1000, 700)
        self.services = services
        self.state = WizardState(session, self)
        self.status: dict[int, str] = {}
        self.import_wizard: QDialog | None = None
        self._entered: set[int] = set()

        self.owner_vm = OwnerPageVm(services.owners, self.state, self)
        self.settings_vm = ShopSettingsViewModel(services.shop_settings,
                                                 operator_id=self.state.operator_id, parent=self)
        self.connection_vm = ConnectionPageVm(services.tests, services.connection, self.state,
                                              self)
        self.webhook_vm = WebhookPageVm(services.tests, services.connection, self.state, self)
        self.checklist_vm = ChecklistPageVm(services.checklist, self.state, self)
        self.welcome_page = WelcomePage(services.launch_demo is not None)
        self.owner_page = OwnerPage(self.owner_vm)
        self.shop_page = ShopPage(self.settings_vm)
        self.pix_page = PixPage(self.settings_vm)
        self.connection_page = ConnectionPage(self.connection_vm)
        self.webhook_page = WebhookPage(self.webhook_vm, services.webhook_port)
        self.checklist_page = ChecklistPage(self.checklist_vm)
        self.import_page = ImportPage(services.importer is not None)
        self.done_page = DonePage()
        self.pages: list[WizardPage] = [
            self.welcome_page, self.owner_page, self.shop_page, self.pix_page,
            self.connection_page, self.webhook_page, self.checklist_page, self.import_page,
            self.done_page]
        if services.connection is None:  # nowhere to keep the secrets: test only
            self.connection_page.saves = self.webhook_page.saves = False

        self.steps = QListWidget()
        self.steps.setObjectName("wizardSteps")
        self.steps.setFixedWidth(230)
        self.stack = QStackedWidget()
        for number, page in enumerate(self.pages):
            self.stack.addWidget(page)
            self.steps.addItem(self._step_text(number))
            page.committed.connect(lambda number=number: self._on_committed(number))
        self.steps.currentRowChanged.connect(self.go_to)
        self.welcome_page.demo_requested.connect(self.start_demo)
        self.import_page.import_requested.connect(self.open_import)
        self.owner_vm.created.connect(self.owner_created)
        self.state.owner_ready_changed.connect(self._on_owner_ready)

        self.back_button = QPushButton(self.tr("Voltar"))
        self.back_button.clicked.connect(lambda: self.go_to(self.current - 1))
        self.skip_button = QPushButton(self.tr("Fazer depois"))
        self.skip_button.clicked.connect(self.skip)
        self.next_button = QPushButton()
        self.next_button.setObjectName("primaryButton")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.commit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.next_button)
        right = QVBoxLayout()
        right.setContentsMargins(28, 22, 28, 18)
        right.setSpacing(14)
        right.addWidget(self.stack, 1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.steps)
        layout.addLayout(right, 1)
        self._on_owner_ready(False)
        self.go_to(self.WELCOME)
        self.owner_vm.check()  # is there an owner already (a reopened wizard)?

    # ------------------------------------------------------------------ navigation
    @property
    def current(self) -> int:
        return self.stack.currentIndex()

    def page(self, number: int) -> WizardPage:
        return self.pages[number]

    def go_to(self, number: int) -> None:
        number = max(0, min(number, len(self.pages) - 1))
        if self.stack.currentIndex() != number or not self.steps.currentItem():
            self.stack.setCurrentIndex(number)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(number)
        self.steps.blockSignals(False)
        page = self.pages[number]
        if number == self.DONE:
            self.done_page.set_summary(self.summary())
        if number not in self._entered:  # once: going back keeps what was typed
            self._entered.add(number)
            page.enter()
        self._update_buttons()

    def commit(self) -> None:
        """Salvar e continuar (or Continuar / Concluir)."""
        if self.current == self.DONE:
            self.accept()
            return
        self.page(self.current).commit()

    def skip(self) -> None:
        """Fazer depois: nothing of this page is saved."""
        number = self.current
        if number == self.DONE:
            self.accept()
            return
        if self.status.get(number) != SAVED and self.page(number).saves:
            self.status[number] = SKIPPED
            self._refresh_step(number)
        self.go_to(number + 1)

    def _on_committed(self, number: int) -> None:
        page = self.page(number)
        if page.saves or number == self.IMPORT:
            self.status[number] = SAVED
            self._refresh_step(number)
        if self.current == number:
            self.go_to(number + 1)

    def _on_owner_ready(self, ready: bool) -> None:
        for page in self.pages:
            page.set_owner_ready(ready)
        self.import_page.button.setEnabled(ready and self.services.importer is not None)
        if ready and self.status.get(self.OWNER) is None:
            self.status[self.OWNER] = SAVED
            self._refresh_step(self.OWNER)
        self._update_buttons()

    def _update_buttons(self) -> None:
        number = self.current
        page = self.page(number)
        self.back_button.setEnabled(number > 0)
        self.skip_button.setVisible(number != self.DONE)
        if number == self.DONE:
            text = self.tr("Concluir")
        elif number == self.WELCOME:
            text = self.tr("Começar")
        elif page.saves or number == self.OWNER:
            text = self.tr("Salvar e continuar")
        else:
            text = self.tr("Continuar")
        self.next_button.setText(text)
        blocked = page.saves and page.needs_owner and not self.state.owner_ready
        self.next_button.setEnabled(not blocked)

    # ------------------------------------------------------------------ steps and summary
    def _titles(self) -> list[str]:
        return [self.tr("Boas-vindas"), self.tr("Conta do dono"), self.tr("Identificação da loja"),
                self.tr("Chave PIX"), self.tr("Conectar o número"), self.tr("Webhook"),
                self.tr("Segurança do número"), self.tr("Primeira planilha"), self.tr("Pronto")]

    def _step_text(self, number: int) -> str:
        mark = {SAVED: "✓", SKIPPED: "–"}.get(self.status.get(number, ""), " ")
        return f"{mark}  {number + 1}. {self._titles()[number]}"

    def _refresh_step(self, number: int) -> None:
        item = self.steps.item(number)
        if item is not None:
            item.setText(self._step_text(number))

    def summary(self) -> list[tuple[str, str]]:
        """Each step between welcome and done: its title and ✓ (saved) or "para depois"."""
        titles = self._titles()
        return [(titles[number], "✓" if self.status.get(number) == SAVED
                 else self.tr("para depois —"))
                for number in range(self.OWNER, self.DONE)]

    # ------------------------------------------------------------------ demo and import
    def start_demo(self) -> None:
        launch = self.services.launch_demo
        if launch is None:
            return
        launch()
        self.welcome_page.show_ok(self.tr(
            "A demonstração está abrindo em outra janela, com dados de exemplo numa pasta "
            "separada. Quando quiser configurar a sua loja, volte aqui."))

    def open_import(self) -> None:
        importer = self.services.importer
        if importer is None or not self.state.owner_ready:
            return
        if self.import_wizard is not None:
            self.import_wizard.raise_()
            return
        from cobrador_desktop.ui.dialogs.import_wizard import ImportWizard
        from cobrador_desktop.ui.widgets.import_result_pages import report_text

        wizard = ImportWizard(importer, self)
        self.import_wizard = wizard

        def closed() -> None:
            self.import_wizard = None
            if wizard.report is not None:
                self.import_page.report_imported(report_text(wizard.report))
                self.status[self.IMPORT] = SAVED
                self._refresh_step(self.IMPORT)
            wizard.deleteLater()

        wizard.finished.connect(closed)
        wizard.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._close_vms()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._close_vms()
        super().done(result)

    def _close_vms(self) -> None:
        for vm in (self.owner_vm, self.connection_vm, self.webhook_vm, self.checklist_vm):
            vm.close()
        self.settings_vm.close()
