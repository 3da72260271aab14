"""The set-up pages about the WhatsApp number: connect it, make the webhook reachable, and the
number's safety checklist."""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.connection import DEFAULT_API_BASE_URL
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.setup import CHECKLIST_ITEMS, SafetyChecklist, callback_url, is_https
from cobrador_desktop.services.setup import NumberCheck
from cobrador_desktop.ui.widgets.wizard_page import WizardPage
from cobrador_desktop.ui.wizard.page_vms import (
    ChecklistPageVm,
    ConnectionPageVm,
    WebhookPageVm,
    number_lines,
)
from cobrador_desktop.ui.wizard.ports import ConnectionForm, SavedConnection


def _secret_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(8)
    for index, widget in enumerate(widgets):
        row.addWidget(widget, 1 if index == 0 else 0)
    return row


class ConnectionPage(WizardPage):
    """Phone number id, WABA id, token and app secret; test, then save."""

    def __init__(self, vm: ConnectionPageVm, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Conectar o número do WhatsApp Business"), self.tr(
            "Copie os valores do aplicativo na Meta: developers.facebook.com › seu aplicativo › "
            "WhatsApp › Configuração da API. Use um token de <b>usuário do sistema</b> (o token "
            "temporário do painel expira em 24 horas). O token e o segredo ficam guardados fora "
            "do banco de dados e nunca aparecem nos registros."), parent)
        self.vm = vm
        self._filled = False
        box = QWidget()
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.phone_number_id = QLineEdit()
        self.phone_number_id.setPlaceholderText(self.tr("Só algarismos, ex.: 106540352242922"))
        self.waba_id = QLineEdit()
        self.waba_id.setPlaceholderText(self.tr("Só algarismos"))
        self.access_token = _secret_edit()
        self.app_secret = _secret_edit()
        self.api_base_url = QLineEdit()
        self.api_base_url.setPlaceholderText(DEFAULT_API_BASE_URL)
        self.store_label = QLabel()
        self.store_label.setObjectName("pageHelp")
        self.store_label.setWordWrap(True)
        self.store_button = QPushButton(self.tr("Escolher onde guardar…"))
        self.store_button.clicked.connect(self._choose_store)
        self.store_button.setVisible(False)
        form.addRow(self.tr("Identificação do número de telefone"), self.phone_number_id)
        form.addRow(self.tr("Identificação da conta do WhatsApp Business"), self.waba_id)
        form.addRow(self.tr("Token de acesso"), self.access_token)
        form.addRow(self.tr("Chave secreta do aplicativo"), self.app_secret)
        form.addRow(self.tr("Endereço da API"), self.api_base_url)
        store = QVBoxLayout()
        store.setSpacing(6)
        store.addWidget(self.store_label)
        store.addWidget(self.store_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.tr("Onde os segredos ficam"), store)
        self.add(box)
        self.test_button = QPushButton(self.tr("Testar conexão"))
        self.test_button.clicked.connect(self.test)
        self.add(self.test_button, left=True)
        self.result = QLabel()
        self.result.setObjectName("pageOk")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setVisible(False)
        self.add(self.result)
        vm.loaded.connect(self._on_loaded)
        vm.tested.connect(self._on_tested)
        vm.test_failed.connect(self._on_test_failed)
        vm.busy_changed.connect(lambda busy: self.test_button.setEnabled(not busy))
        vm.saved.connect(self._on_saved)
        vm.save_failed.connect(self.show_problem)

    def form(self) -> ConnectionForm:
        return ConnectionForm(phone_number_id=self.phone_number_id.text().strip(),
                              waba_id=self.waba_id.text().strip(),
                              api_base_url=self.api_base_url.text().strip(),
                              access_token=self.access_token.text().strip(),
                              app_secret=self.app_secret.text().strip())

    def enter(self) -> None:
        self.vm.load()

    def test(self) -> None:
        self.clear_message()
        self.result.setVisible(False)
        form = self.form()
        if not form.access_token and self.vm.saved_connection.has_access_token:
            self.show_problem(self.tr("Digite o token de novo para testar: o token salvo não é "
                                      "mostrado nem lido pela tela."))
            return
        self.vm.test(form)

    def commit(self) -> None:
        self.clear_message()
        self.vm.save(self.form())

    def _on_loaded(self, saved: SavedConnection) -> None:
        if not self._filled:  # a later load (the store was chosen) keeps what was typed
            self._filled = True
            self.phone_number_id.setText(saved.phone_number_id or "")
            self.waba_id.setText(saved.waba_id or "")
            self.api_base_url.setText(saved.api_base_url or "")
        kept = self.tr("Salvo — deixe em branco para manter")
        self.access_token.setPlaceholderText(kept if saved.has_access_token else "")
        self.app_secret.setPlaceholderText(kept if saved.has_app_secret else "")
        self.store_label.setText(QCoreApplication.translate("Setup", saved.store_label)
                                 if saved.store_label else self.tr(
            "Este computador não tem chaveiro do sistema: escolha onde guardar os segredos "
            "antes de salvar."))
        self.store_button.setVisible(saved.store_label is None)

    def _on_tested(self, check: NumberCheck) -> None:
        lines = "<br>".join(f"<b>{caption}:</b> {value}" for caption, value in number_lines(check))
        self.result.setText(self.tr("A Meta respondeu:") + "<br>" + lines)
        self.result.setVisible(True)

    def _on_test_failed(self, message: str, hint: str) -> None:
        self.show_problem(f"{message}\n{hint}".strip())

    def _on_saved(self) -> None:
        self.committed.emit()

    def _choose_store(self) -> None:
        if self.vm.connection is not None:
            self.vm.connection.choose_store(self, self.vm.load)


class WebhookPage(WizardPage):
    """The verify token, the callback URL with how to make it reachable, and the handshake."""

    def __init__(self, vm: WebhookPageVm, port: int, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Receber as respostas (webhook)"), self.tr(
            "A Meta avisa o programa de cada resposta, entrega e leitura chamando um endereço "
            "<b>https://</b> público. Um computador da loja não tem um, então escolha:"), parent)
        self.vm = vm
        help_text = QLabel(self.tr(
            "<ol>"
            "<li><b>Túnel HTTPS neste computador</b> (o mais simples): instale o "
            "<a href='https://developers.cloudflare.com/cloudflare-one/connections/"
            "connect-networks/'>Cloudflare Tunnel</a> e rode <code>cloudflared tunnel --url "
            "http://localhost:{port}</code>. Ele mostra um endereço https://…; o Cobrador "
            "recebe na porta {port} enquanto a janela (ou <code>cobrador-desktop serve</code>) "
            "estiver aberta. Para um endereço fixo, crie um túnel com nome na sua conta "
            "Cloudflare.</li>"
            "<li><b>Servidor sempre ligado</b>: rode <code>cobrador-desktop serve</code> num "
            "servidor com HTTPS (por exemplo atrás de um proxy com certificado Let's Encrypt), "
            "ligado ao mesmo banco de dados.</li>"
            "<li>Escreva o endereço abaixo e clique em <b>Testar webhook</b>.</li>"
            "<li>No painel da Meta (seu aplicativo › WhatsApp › Configuração), em Webhook, cole "
            "a URL de retorno e o token de verificação, clique em Verificar e salvar, e assine "
            "o campo <b>messages</b>.</li></ol>").format(port=port))
        help_text.setObjectName("pageHelp")
        help_text.setWordWrap(True)
        help_text.setTextFormat(Qt.TextFormat.RichText)
        help_text.setOpenExternalLinks(True)
        self.add(help_text)
        box = QWidget()
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("https://cobranca.minhaloja.com.br"))
        self.address.textChanged.connect(self._show_url)
        self.url = QLineEdit()
        self.url.setReadOnly(True)
        copy_url = QPushButton(self.tr("Copiar"))
        copy_url.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.url.text()))
        self.token = QLineEdit(vm.token)
        self.token.setReadOnly(True)
        copy_token = QPushButton(self.tr("Copiar"))
        copy_token.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.token.text()))
        regenerate = QPushButton(self.tr("Gerar outro"))
        regenerate.clicked.connect(lambda: self.token.setText(vm.regenerate()))
        form.addRow(self.tr("Endereço público"), self.address)
        form.addRow(self.tr("URL de retorno (cole na Meta)"), _row(self.url, copy_url))
        form.addRow(self.tr("Token de verificação (cole na Meta)"),
                    _row(self.token, copy_token, regenerate))
        self.add(box)
        self.test_button = QPushButton(self.tr("Testar webhook"))
        self.test_button.clicked.connect(self.test)
        self.add(self.test_button, left=True)
        vm.loaded.connect(self._on_loaded)
        vm.probed.connect(self._on_probed)
        vm.busy_changed.connect(lambda busy: self.test_button.setEnabled(not busy))
        vm.saved.connect(self._on_saved)
        vm.save_failed.connect(self.show_problem)

    def enter(self) -> None:
        self.vm.load()

    def test(self) -> None:
        self.clear_message()
        self.vm.probe(self.address.text())

    def commit(self) -> None:
        self.clear_message()
        self.vm.save_token()

    def _show_url(self, text: str) -> None:
        try:
            url = callback_url(text)
        except KnownError:
            self.url.setText("")
            return
        self.url.setText(url)

    def _on_loaded(self, saved: SavedConnection) -> None:
        self.vm.use_saved(saved)
        self.token.setText(self.vm.token)

    def _on_probed(self, ok: bool, message: str, hint: str) -> None:
        text = f"{message}\n{hint}".strip()
        if ok and not is_https(self.url.text()):
            text += "\n" + self.tr("Atenção: a Meta só chama endereços https://; este teste "
                                   "usou um endereço sem HTTPS.")
        (self.show_ok if ok else self.show_problem)(text)

    def _on_saved(self) -> None:
        self.committed.emit()


class ChecklistPage(WizardPage):
    """What keeps the number safe, ticked by the owner."""

    def __init__(self, vm: ChecklistPageVm, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Segurança do número"), self.tr(
            "Se a Meta bloquear o número, todas as cobranças param de uma vez. Marque o que já "
            "está feito; o que faltar fica lembrado aqui."), parent)
        self.vm = vm
        self.boxes: dict[str, QCheckBox] = {}
        items = QWidget()
        column = QVBoxLayout(items)
        column.setSpacing(4)
        for name, caption, why in CHECKLIST_ITEMS:
            box = QCheckBox(QCoreApplication.translate("Setup", caption))
            note = QLabel(QCoreApplication.translate("Setup", why))
            note.setObjectName("pageHelp")
            note.setWordWrap(True)
            note.setContentsMargins(26, 0, 0, 8)
            column.addWidget(box)
            column.addWidget(note)
            self.boxes[name] = box
        self.add(items)
        vm.loaded.connect(self.set_values)
        vm.saved.connect(lambda _c: self.committed.emit())
        vm.save_failed.connect(self.show_problem)

    def enter(self) -> None:
        self.vm.load()

    def values(self) -> SafetyChecklist:
        return SafetyChecklist(**{name: box.isChecked() for name, box in self.boxes.items()})

    def set_values(self, checklist: SafetyChecklist) -> None:
        for item in fields(checklist):
            self.boxes[item.name].setChecked(bool(getattr(checklist, item.name)))

    def commit(self) -> None:
        self.clear_message()
        self.vm.save(self.values())
