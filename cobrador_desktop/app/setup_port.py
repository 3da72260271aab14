"""The set-up wizard's way to the services and this PC's secret store (`ui.wizard.ports`).

`wizard_services(...)` builds what `SetupWizard` needs over a database that may still be opening;
`FirstRun` opens the wizard on the first run of the normal profile (no owner account yet) and
again from Configurações › Assistente de configuração; `demo_command()` is how the welcome
page starts the demonstration: the same program, its `demo` command, a process of its own on
its own data folder (it never touches the shop's data).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.clock import Clock, SystemClock
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.ui.wizard.ports import ConnectionForm, SavedConnection, WizardServices

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from cobrador_desktop.app.config import Profile
    from cobrador_desktop.domain.roles import Actor
    from cobrador_desktop.domain.setup import SafetyChecklist
    from cobrador_desktop.services.setup import NumberCheck
    from cobrador_desktop.storage.db import Database
    from cobrador_desktop.ui.dialogs.setup_wizard import SetupWizard
    from cobrador_desktop.ui.session import SignedIn
    from cobrador_desktop.ui.viewmodels.ports import SpreadsheetImporter
    from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsSource
    from cobrador_desktop.whatsapp.webhook.probe import ProbeResult

log = logging.getLogger("cobrador.app")

Ready = Callable[[], Awaitable["Database"]]

#: how the wizard names each kind of secret store (source text, context "Setup")
_STORE_LABELS = {
    "keyring": QT_TRANSLATE_NOOP("Setup", "Chaveiro do sistema (no Windows, o Gerenciador de "
                                 "Credenciais)"),
    "file": QT_TRANSLATE_NOOP("Setup", "Arquivo criptografado com senha, na pasta de dados"),
    "env": QT_TRANSLATE_NOOP("Setup", "Variáveis de ambiente (WHATSAPP_ACCESS_TOKEN, "
                             "WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN)"),
}


def demo_command(profile: Profile) -> tuple[str, list[str]]:
    """The program and arguments that start the demonstration beside this window."""
    args = ["--data-dir", str(profile.data_dir), "demo"]
    if getattr(sys, "frozen", False):  # the packaged program is its own interpreter
        return sys.executable, args
    return sys.executable, ["-m", "cobrador_desktop", *args]


def launch_demo(profile: Profile) -> None:
    """Start the demonstration as a separate process (it outlives this window)."""
    from PySide6.QtCore import QProcess

    program, args = demo_command(profile)
    started, _pid = QProcess.startDetached(program, args)
    log.info("demo started from the set-up wizard: %s", started)


class _Lazy:
    def __init__(self, ready: Ready, clock: Clock) -> None:
        self._ready = ready
        self._clock = clock

    async def db(self) -> Database:
        return await self._ready()


class LazyOwners(_Lazy):
    """`OperatorService`'s first-run half."""

    async def _service(self) -> Any:
        from cobrador_desktop.services.operators import OperatorService

        return OperatorService(await self.db(), self._clock)

    async def needs_owner(self) -> bool:
        return bool(await (await self._service()).needs_owner())

    async def create_first_owner(self, name: str, password: str) -> Actor:
        actor: Actor = await (await self._service()).create_first_owner(name, password)
        return actor


class LazyChecklist(_Lazy):
    async def _service(self) -> Any:
        from cobrador_desktop.services.setup import SetupSettings

        return SetupSettings(await self.db(), self._clock)

    async def load_checklist(self) -> SafetyChecklist:
        checklist: SafetyChecklist = await (await self._service()).load_checklist()
        return checklist

    async def save_checklist(self, checklist: SafetyChecklist, operator_id: int | None
                             ) -> SafetyChecklist:
        saved: SafetyChecklist = await (await self._service()).save_checklist(checklist,
                                                                              operator_id)
        return saved


class SetupTestsPort:
    """`services.setup.SetupChecks`, imported when first used."""

    async def test_number(self, phone_number_id: str, waba_id: str, access_token: str,
                          api_base_url: str = "") -> NumberCheck:
        from cobrador_desktop.services.setup import SetupChecks

        return await SetupChecks().test_number(phone_number_id, waba_id, access_token,
                                               api_base_url)

    async def test_webhook(self, address: str, verify_token: str) -> ProbeResult:
        from cobrador_desktop.services.setup import SetupChecks

        return await SetupChecks().test_webhook(address, verify_token)


class ConnectionPort(_Lazy):
    """`ConnectionService` with this PC's secret store (`app.secrets`)."""

    def __init__(self, ready: Ready, clock: Clock, profile: Profile) -> None:
        super().__init__(ready, clock)
        self._profile = profile

    async def _service(self) -> tuple[Any, Any]:
        from cobrador_desktop.app.secrets import store_or_none
        from cobrador_desktop.services.connection import ConnectionService

        store = store_or_none(self._profile)
        return ConnectionService(await self.db(), self._clock, store), store

    async def load(self) -> SavedConnection:
        from cobrador_desktop.app.secrets import secret

        service, store = await self._service()
        state = await service.load()
        fields = state.fields
        saved = state.saved_secrets
        return SavedConnection(
            phone_number_id=fields.phone_number_id, waba_id=fields.waba_id,
            api_base_url=fields.api_base_url, has_access_token="access_token" in saved,
            has_app_secret="app_secret" in saved, verify_token=secret("verify_token", store),
            store_label=_STORE_LABELS.get(state.store_kind) if state.store_kind else None)

    async def save(self, form: ConnectionForm, operator_id: int | None) -> None:
        service, _store = await self._service()
        secrets = {name: value for name, value in (("access_token", form.access_token),
                                                   ("app_secret", form.app_secret)) if value}
        await service.save({"phone_number_id": form.phone_number_id, "waba_id": form.waba_id,
                            "api_base_url": form.api_base_url}, operator_id, secrets=secrets)

    async def save_verify_token(self, token: str, operator_id: int | None) -> None:
        from dataclasses import asdict

        service, _store = await self._service()
        fields = (await service.load()).fields  # kept as they are
        await service.save(asdict(fields), operator_id, secrets={"verify_token": token})

    def choose_store(self, parent: QWidget, done: Callable[[], None]) -> None:
        from cobrador_desktop.app.secrets import choose_secret_store
        from cobrador_desktop.ui.dialogs.secret_store_dialog import SecretStoreChoiceDialog

        dialog = SecretStoreChoiceDialog(
            lambda kind, passphrase: choose_secret_store(self._profile, kind, passphrase), parent)
        dialog.accepted.connect(done)
        dialog.open()


def wizard_services(profile: Profile, ready: Ready, *, shop_settings: ShopSettingsSource,
                    importer: SpreadsheetImporter | None, webhook_port: int,
                    clock: Clock | None = None) -> WizardServices:
    """Everything the wizard needs on this profile's database."""
    clock = clock or SystemClock()
    return WizardServices(
        owners=LazyOwners(ready, clock), shop_settings=shop_settings, tests=SetupTestsPort(),
        checklist=LazyChecklist(ready, clock), connection=ConnectionPort(ready, clock, profile),
        importer=importer, launch_demo=lambda: launch_demo(profile), webhook_port=webhook_port)


class FirstRun:
    """Opens the wizard: by itself on a first run, and whenever Configurações asks."""

    def __init__(self, services: WizardServices, parent: QWidget,
                 session: SignedIn | None = None) -> None:
        self.services = services
        self.parent = parent
        self.session = session
        self.wizard: SetupWizard | None = None

    async def open_if_first_run(self) -> bool:
        """Open the wizard when no owner account exists yet; True when it opened."""
        if not await self.services.owners.needs_owner():
            return False
        self.open()
        return True

    def open(self) -> SetupWizard:
        from PySide6.QtCore import Qt

        from cobrador_desktop.ui.dialogs.setup_wizard import SetupWizard

        if self.wizard is not None:
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        wizard = self.wizard = SetupWizard(self.services, self.parent, session=self.session)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def closed() -> None:
            self.wizard = None

        wizard.finished.connect(closed)
        wizard.open()
        return wizard

    def launcher(self) -> QWidget:
        """The Configurações section that reopens the wizard."""
        from cobrador_desktop.ui.widgets.wizard_page import WizardLauncher

        section = WizardLauncher()
        section.open_requested.connect(self.open)
        return section

    def picture(self, window: QWidget) -> Any:
        """The window as a picture, with the wizard drawn over it when it is open (what the
        owner sees on a first run; `--screenshot`)."""
        from PySide6.QtCore import QPoint
        from PySide6.QtGui import QColor, QPainter

        shot = window.grab()
        wizard = self.wizard
        if wizard is not None and wizard.isVisible():
            over = wizard.grab()
            painter = QPainter(shot)
            painter.fillRect(shot.rect(), QColor(15, 23, 42, 110))
            painter.drawPixmap(QPoint(max(0, (shot.width() - over.width()) // 2),
                                      max(0, (shot.height() - over.height()) // 2)), over)
            painter.end()
        return shot
