"""The first-run set-up wizard walked on a real SQLite database, with the Cloud API emulator and a
real webhook receiver over HTTP on 127.0.0.1: owner first, identity and PIX saved, the number's
connection tested (display name, quality, tier; a wrong token's pt-BR error), the webhook
handshake passing with the right verify token and failing with a wrong one, the checklist saved,
and skipped pages leaving everything unset. Every page is rendered to PNG (WIZARD_SHOTS=dir keeps
them)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from cobrador_desktop.app.config import Profile
from cobrador_desktop.app.secrets import lock_file_store, open_secret_store
from cobrador_desktop.app.setup_port import ConnectionPort, demo_command, wizard_services
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.setup import SafetyChecklist
from cobrador_desktop.services.connection import ConnectionService
from cobrador_desktop.services.operators import OperatorService
from cobrador_desktop.services.setup import SetupSettings
from cobrador_desktop.services.shop_settings import ShopSettingsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.ui.dialogs.secret_store_dialog import SecretStoreChoiceDialog
from cobrador_desktop.ui.dialogs.setup_wizard import SetupWizard
from cobrador_desktop.ui.session import SignedIn
from cobrador_desktop.ui.wizard.ports import WizardServices
from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig
from cobrador_desktop.whatsapp.webhook.server import WebhookServer
from tests.fixtures.qt import run_async

TOKEN = "token-de-sistema-do-emulador"
CNPJ = "11.222.333/0001-81"
PASSPHRASE = "cofre-da-loja-2026"


@pytest.fixture
def profile(tmp_path: Path, sqlite_db_path: Path) -> Profile:
    return Profile(name="normal", data_dir=tmp_path / "data",
                   database_url=f"sqlite:///{sqlite_db_path}", timezone="America/Sao_Paulo")


@pytest.fixture
def services(sqlite_database: Database, clock: FakeClock, profile: Profile
             ) -> WizardServices:
    async def ready() -> Database:
        return sqlite_database

    built = wizard_services(profile, ready, shop_settings=ShopSettingsService(
        sqlite_database, clock), importer=None, webhook_port=8080, clock=clock)
    yield replace(built, launch_demo=lambda: None)
    lock_file_store(profile)


@pytest.fixture
def emulator(qasync_loop: asyncio.AbstractEventLoop) -> Emulator:
    emulated = Emulator(EmulatorConfig(access_token=TOKEN))
    run_async(qasync_loop, emulated.start())
    yield emulated
    run_async(qasync_loop, emulated.stop())


def _wizard(qtbot: QtBot, services: WizardServices, session: SignedIn | None = None
            ) -> SetupWizard:
    wizard = SetupWizard(services, session=session)
    qtbot.addWidget(wizard)
    wizard.resize(1000, 700)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.current == wizard.WELCOME)
    return wizard


def _shoot(wizard: SetupWizard, name: str, tmp_path: Path) -> None:
    """Render the page; keep it when WIZARD_SHOTS names a folder (to look at)."""
    QApplication.processEvents()
    folder = Path(os.environ.get("WIZARD_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"wizard-{wizard.current + 1}-{name}.png"
    assert wizard.grab().save(str(target))
    assert target.stat().st_size > 5000


def _type(edit: QLineEdit, text: str) -> None:
    edit.setText(text)


def test_the_owner_walks_every_page_and_each_saves(
        qtbot: QtBot, services: WizardServices, sqlite_database: Database, clock: FakeClock,
        emulator: Emulator, profile: Profile, qasync_loop: asyncio.AbstractEventLoop,
        tmp_path: Path) -> None:
    session = SignedIn()
    wizard = _wizard(qtbot, services, session)
    _shoot(wizard, "boas-vindas", tmp_path)
    wizard.welcome_page.setup_button.click()
    assert wizard.current == wizard.OWNER

    # before the owner exists nothing can be saved
    wizard.go_to(wizard.SHOP)
    assert not wizard.next_button.isEnabled() and wizard.shop_page.owner_first.isVisible()
    wizard.go_to(wizard.OWNER)
    _type(wizard.owner_page.name, "Rita Souza")
    _type(wizard.owner_page.password, "senha-boa-1")
    _type(wizard.owner_page.confirm, "senha-outra")
    wizard.next_button.click()
    qtbot.waitUntil(lambda: "não são iguais" in wizard.owner_page.message.text())
    _type(wizard.owner_page.confirm, "senha-boa-1")
    _shoot(wizard, "dono", tmp_path)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.current == wizard.SHOP)
    owners = OperatorService(sqlite_database, clock)
    assert not run_async(qasync_loop, owners.needs_owner())
    assert session.actor is not None and session.actor.name == "Rita Souza"
    assert wizard.next_button.isEnabled() and not wizard.shop_page.owner_first.isVisible()

    shop = wizard.shop_page.section
    _type(shop.trade_name, "Loja da Rita")
    _type(shop.legal_name, "Rita Souza Comércio ME")
    _type(shop.document, CNPJ)
    _type(shop.address, "Rua das Flores, 10, Centro, Campinas")
    shop.uf.setCurrentIndex(shop.uf.findData("SP"))
    _shoot(wizard, "loja", tmp_path)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.current == wizard.PIX)

    pix = wizard.pix_page.section
    _type(pix.key, "11222333000181")
    _type(pix.name, "LOJA DA RITA")
    _type(pix.city, "CAMPINAS")
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.current == wizard.CONNECTION)
    saved = run_async(qasync_loop, ShopSettingsService(sqlite_database, clock).load())
    assert saved.shop is not None and saved.shop.trade_name == "Loja da Rita"
    assert saved.shop.document == "11222333000181" and saved.shop.uf == "SP"
    assert saved.pix.key == "11222333000181" and saved.pix.city == "CAMPINAS"

    page = wizard.connection_page
    qtbot.waitUntil(lambda: page.store_button.isVisible())  # no keyring here: choose first
    config = emulator.config
    _type(page.phone_number_id, config.phone_number_id)
    _type(page.waba_id, config.waba_id)
    _type(page.access_token, "token-errado")
    _type(page.app_secret, "segredo-do-app")
    _type(page.api_base_url, emulator.base_url)
    page.test_button.click()
    qtbot.waitUntil(lambda: "Acesso à Meta expirado" in page.message.text())
    assert "token de usuário do sistema" in page.message.text()
    _shoot(wizard, "conexao-erro", tmp_path)
    assert "token-errado" not in page.message.text()
    _type(page.access_token, TOKEN)
    page.test_button.click()
    qtbot.waitUntil(lambda: page.result.isVisible())
    shown = page.result.text()
    assert "Loja Exemplo" in shown and "Verde" in shown and "250 clientes por dia" in shown
    assert not page.message.isVisible()
    emulator.state.phone.quality_rating = "YELLOW"
    page.test_button.click()
    qtbot.waitUntil(lambda: "Amarela" in page.result.text())

    page.store_button.click()
    dialog = next(d for d in wizard.findChildren(SecretStoreChoiceDialog) if d.isVisible())
    dialog.file_option.setChecked(True)
    dialog.passphrase.setText(PASSPHRASE)
    for edit in dialog.findChildren(QLineEdit):
        if edit is not dialog.passphrase and edit.echoMode() == QLineEdit.EchoMode.Password:
            edit.setText(PASSPHRASE)
    dialog.submit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    qtbot.waitUntil(lambda: not page.store_button.isVisible())
    _shoot(wizard, "conexao", tmp_path)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.current == wizard.WEBHOOK)
    store = open_secret_store(profile)
    assert store.kind == "file"
    assert store.get("access_token") == TOKEN and store.get("app_secret") == "segredo-do-app"
    state = run_async(qasync_loop, ConnectionService(sqlite_database, clock, store).load())
    assert state.fields.phone_number_id == config.phone_number_id
    assert state.fields.api_base_url == emulator.base_url.rstrip("/")
    assert TOKEN.encode() not in Path(profile.data_dir / "secrets.enc").read_bytes()

    hook = wizard.webhook_page
    token = hook.token.text()
    assert len(token) >= 40 and token == wizard.webhook_vm.token
    right = WebhookServer(app_secrets=[b"segredo-do-app"], verify_token=token, deliver=_ignore)
    wrong = WebhookServer(app_secrets=[b"segredo-do-app"], verify_token="outro-token",
                          deliver=_ignore)
    right_url = run_async(qasync_loop, right.start())
    wrong_url = run_async(qasync_loop, wrong.start())
    try:
        _type(hook.address, right_url)
        assert hook.url.text() == f"{right_url}/webhook"
        hook.test_button.click()
        qtbot.waitUntil(lambda: hook.message.isVisible() and hook.test_button.isEnabled())
        assert hook.message.objectName() == "pageOk", hook.message.text()
        assert "respondeu certo" in hook.message.text() and "https://" in hook.message.text()
        _shoot(wizard, "webhook", tmp_path)
        _type(hook.address, wrong_url + "/webhook")
        hook.test_button.click()
        qtbot.waitUntil(lambda: "recusou o token" in hook.message.text())
        assert hook.message.objectName() == "pageProblem"
        _type(hook.address, "http://127.0.0.1:9/webhook")  # nothing listens there
        hook.test_button.click()
        qtbot.waitUntil(lambda: "Não foi possível conectar" in hook.message.text(),
                        timeout=15000)
    finally:
        run_async(qasync_loop, right.stop())
        run_async(qasync_loop, wrong.stop())
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.current == wizard.CHECKLIST)
    assert open_secret_store(profile).get("verify_token") == token

    boxes = wizard.checklist_page.boxes
    boxes["two_step_verification"].setChecked(True)
    boxes["collections_only"].setChecked(True)
    _shoot(wizard, "seguranca", tmp_path)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.current == wizard.IMPORT)
    checklist = run_async(qasync_loop, SetupSettings(sqlite_database, clock).load_checklist())
    assert checklist == SafetyChecklist(two_step_verification=True, collections_only=True)
    _shoot(wizard, "planilha", tmp_path)
    wizard.skip_button.click()
    assert wizard.current == wizard.DONE
    summary = wizard.done_page.summary.text()
    assert summary.count("✓") == 6 and "para depois" in summary  # only the spreadsheet
    _shoot(wizard, "pronto", tmp_path)
    wizard.next_button.click()
    assert wizard.result() == QDialog.DialogCode.Accepted

    # reopened later (Configurações): the owner exists, the checklist and token are shown again
    again = _wizard(qtbot, services, session)
    again.go_to(again.OWNER)
    qtbot.waitUntil(lambda: again.owner_page.exists)
    assert not again.owner_page.form_box.isVisible() and again.state.owner_ready
    again.go_to(again.CHECKLIST)
    qtbot.waitUntil(lambda: again.checklist_page.boxes["collections_only"].isChecked())
    again.go_to(again.WEBHOOK)
    qtbot.waitUntil(lambda: again.webhook_page.token.text() == token)


async def _ignore(raw: bytes, result: object) -> None:
    del raw, result


def test_skipped_pages_leave_everything_unset(
        qtbot: QtBot, services: WizardServices, sqlite_database: Database, clock: FakeClock,
        profile: Profile, qasync_loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    wizard = _wizard(qtbot, services)
    wizard.next_button.click()  # Começar
    _type(wizard.owner_page.name, "Dono")
    _type(wizard.owner_page.password, "senha-boa-1")
    _type(wizard.owner_page.confirm, "senha-boa-1")
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.current == wizard.SHOP)
    _type(wizard.shop_page.section.trade_name, "Digitado mas não salvo")
    for _page in range(wizard.SHOP, wizard.DONE):
        wizard.skip_button.click()
    assert wizard.current == wizard.DONE
    assert wizard.done_page.summary.text().count("✓") == 1  # the owner only
    settings = run_async(qasync_loop, ShopSettingsService(sqlite_database, clock).load())
    assert settings.shop is None and settings.pix.key is None
    checklist = run_async(qasync_loop, SetupSettings(sqlite_database, clock).load_checklist())
    assert checklist == SafetyChecklist()
    connection = run_async(qasync_loop, ConnectionPort(
        lambda: _ready(sqlite_database), clock, profile).load())
    assert connection.phone_number_id is None and not connection.has_access_token
    assert connection.verify_token is None
    assert not (profile.data_dir / "secrets.enc").exists()


async def _ready(db: Database) -> Database:
    return db


def test_nothing_is_saved_without_the_owner_and_a_refused_value_is_explained(
        qtbot: QtBot, services: WizardServices, sqlite_database: Database, clock: FakeClock,
        qasync_loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    wizard = _wizard(qtbot, services)
    wizard.skip_button.click()
    wizard.skip_button.click()  # the owner: later
    assert wizard.current == wizard.SHOP
    assert not wizard.next_button.isEnabled()
    _shoot(wizard, "loja-sem-dono", tmp_path)
    wizard.go_to(wizard.OWNER)
    _type(wizard.owner_page.name, "Dono")
    _type(wizard.owner_page.password, "curta")
    _type(wizard.owner_page.confirm, "curta")
    wizard.next_button.click()
    qtbot.waitUntil(lambda: "8" in wizard.owner_page.message.text())
    assert wizard.current == wizard.OWNER
    assert run_async(qasync_loop, OperatorService(sqlite_database, clock).needs_owner())


def test_the_demo_starts_as_its_own_program_on_its_own_folder(profile: Profile) -> None:
    program, args = demo_command(profile)
    assert args[-1] == "demo" and args[args.index("--data-dir") + 1] == str(profile.data_dir)
    assert Path(program).exists()
