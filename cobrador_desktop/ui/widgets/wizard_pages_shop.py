"""The set-up pages about the shop: welcome, the owner account, identity, PIX, the first
spreadsheet, and the summary at the end."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from cobrador_desktop.domain.roles import MIN_PASSWORD
from cobrador_desktop.services.shop_settings import ShopSettings
from cobrador_desktop.ui.viewmodels import shop_settings_vm as sections
from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsViewModel
from cobrador_desktop.ui.widgets.settings_sections import PixSection, ShopSection
from cobrador_desktop.ui.widgets.wizard_page import WizardPage
from cobrador_desktop.ui.wizard.page_vms import OwnerPageVm


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("choiceNote")
    label.setWordWrap(True)
    return label


class WelcomePage(WizardPage):
    """Try the demonstration, or set up this shop."""

    saves = False
    needs_owner = False
    demo_requested = Signal()

    def __init__(self, demo_available: bool, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Bem-vindo ao Cobrador Desktop"), self.tr(
            "Este assistente prepara o programa em alguns passos: a conta do dono, os dados da "
            "loja, a chave PIX, o número do WhatsApp Business e a primeira planilha. Qualquer "
            "passo pode ficar para depois — o assistente volta a abrir em Configurações › "
            "Assistente de configuração."), parent)
        self.demo_button = QPushButton(self.tr("Experimentar com dados de demonstração"))
        self.demo_button.clicked.connect(self.demo_requested)
        demo_note = _note(self.tr(
            "Abre outra janela com uma loja de exemplo, numa pasta separada: nada do que você "
            "fizer lá toca nos dados reais da loja nem envia WhatsApp de verdade."))
        self.setup_button = QPushButton(self.tr("Configurar minha loja"))
        self.setup_button.clicked.connect(self.committed)
        setup_note = _note(self.tr(
            "Começa pela conta do dono, que protege as configurações; depois os dados da loja, "
            "o PIX e o número."))
        for button, note in ((self.demo_button, demo_note), (self.setup_button, setup_note)):
            button.setObjectName("choiceButton")
            self.add(button)
            self.add(note)
        self.demo_button.setVisible(demo_available)
        demo_note.setVisible(demo_available)


class OwnerPage(WizardPage):
    """The owner account: the only one that changes settings."""

    needs_owner = False

    def __init__(self, vm: OwnerPageVm, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Conta do dono"), self.tr(
            "O dono é quem muda as configurações, a régua e a chave PIX, e cadastra os "
            "operadores. Sem esta conta nada do assistente é salvo."), parent)
        self.vm = vm
        self.exists = False
        form_box = QWidget()
        form = QFormLayout(form_box)
        self.name = QLineEdit()
        self.name.setMaxLength(120)
        self.name.setPlaceholderText(self.tr("Seu nome, como os operadores verão"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Pelo menos {n} caracteres").format(n=MIN_PASSWORD))
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Nome"), self.name)
        form.addRow(self.tr("Senha"), self.password)
        form.addRow(self.tr("Repita a senha"), self.confirm)
        self.form_box = self.add(form_box)
        self.confirm.returnPressed.connect(self.commit)
        vm.checked.connect(self._on_checked)
        vm.created.connect(self._on_created)
        vm.failed.connect(self.show_problem)

    def enter(self) -> None:
        self.vm.check()

    def commit(self) -> None:
        if self.exists:
            self.committed.emit()
            return
        self.clear_message()
        self.vm.create(self.name.text(), self.password.text(), self.confirm.text())

    def _on_checked(self, exists: bool) -> None:
        self.exists = self.exists or exists
        self.form_box.setVisible(not self.exists)
        if self.exists:
            self.show_ok(self.tr("A conta do dono já existe. Os operadores são cadastrados em "
                                 "Configurações › Operadores."))

    def _on_created(self, _actor: object) -> None:
        self.exists = True
        self.password.clear()
        self.confirm.clear()
        self.form_box.setVisible(False)
        self.show_ok(self.tr("Conta criada. Você entra com ela a partir de agora."))
        self.committed.emit()


class _SettingsPage(WizardPage):
    """A Configurações section inside the wizard: same fields, the wizard's own button."""

    section_name = ""

    def __init__(self, title: str, intro: str, vm: ShopSettingsViewModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, intro, parent)
        self.vm = vm
        vm.loaded.connect(self._on_loaded)
        vm.saved.connect(self._on_saved)
        vm.save_failed.connect(self._on_failed)

    def _prepare(self, section: ShopSection | PixSection) -> None:
        section.save_button.setVisible(False)
        section.save_requested.connect(self.commit)
        section.track_edits()
        self.add(section)

    def enter(self) -> None:
        if self.vm.settings is None:
            self.vm.load()

    def _on_loaded(self, settings: ShopSettings) -> None:
        raise NotImplementedError

    def _on_saved(self, name: str, _settings: ShopSettings) -> None:
        if name == self.section_name:
            self.clear_message()
            self.committed.emit()

    def _on_failed(self, name: str, text: str) -> None:
        if name == self.section_name:
            self.show_problem(text)


class ShopPage(_SettingsPage):
    section_name = sections.SHOP

    def __init__(self, vm: ShopSettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Identificação da loja"), self.tr(
            "Nome, CNPJ e endereço aparecem em toda mensagem de cobrança: a lei (CDC art. "
            "42-A) exige que quem cobra se identifique, e sem eles a régua não envia nada."),
            vm, parent)
        self.section = ShopSection()
        self._prepare(self.section)

    def _on_loaded(self, settings: ShopSettings) -> None:
        self.section.set_values(settings.shop)

    def commit(self) -> None:
        self.clear_message()
        self.vm.save_shop(self.section.values())


class PixPage(_SettingsPage):
    section_name = sections.PIX

    def __init__(self, vm: ShopSettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Chave PIX"), self.tr(
            "Os devedores pagam por PIX: cada mensagem leva um código copia-e-cola com o valor "
            "certo para esta chave."), vm, parent)
        self.section = PixSection()
        self._prepare(self.section)

    def _on_loaded(self, settings: ShopSettings) -> None:
        self.section.set_values(settings.pix, self.vm.pix_check_code())

    def _on_saved(self, name: str, settings: ShopSettings) -> None:
        if name == self.section_name:
            self.section.set_values(settings.pix, self.vm.pix_check_code())
        super()._on_saved(name, settings)

    def commit(self) -> None:
        self.clear_message()
        self.vm.save_pix(*self.section.values())


class ImportPage(WizardPage):
    """The first spreadsheet, through the existing "Importar planilha"."""

    saves = False
    import_requested = Signal()

    def __init__(self, available: bool, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Primeira planilha de devedores"), self.tr(
            "Traga os devedores de uma planilha (Excel, CSV ou LibreOffice): o programa mostra "
            "as colunas, confere CPF, telefone e valores antes de gravar, e nada é enviado "
            "durante a importação. Guarde junto a origem da autorização (opt-in) de cada "
            "pessoa para receber mensagens."), parent)
        self.button = QPushButton(self.tr("Importar planilha…"))
        self.button.setObjectName("primaryButton")
        self.button.clicked.connect(self.import_requested)
        self.button.setEnabled(available)
        self.add(self.button, left=True)

    def report_imported(self, summary: str) -> None:
        self.show_ok(summary)


class DonePage(WizardPage):
    """What was set up and what was left for later."""

    saves = False
    needs_owner = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Pronto"), self.tr(
            "O que ficou para depois pode ser feito a qualquer momento em Configurações › "
            "Assistente de configuração."), parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.add(self.summary)

    def set_summary(self, lines: list[tuple[str, str]]) -> None:
        self.summary.setText("<br>".join(f"{mark}&nbsp;&nbsp;{title}" for title, mark in lines))

