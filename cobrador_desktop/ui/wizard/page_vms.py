"""The set-up wizard's view-models: one per page that talks to a service.

Each runs its service calls on the qasync loop and answers with signals carrying pt-BR text
(a refused save or test never raises into the view). `WizardState` knows whether the owner
account exists: until it does, nothing can be saved (the services would refuse anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.setup import (
    SafetyChecklist,
    new_verify_token,
    quality_label,
    tier_label,
)
from cobrador_desktop.services.setup import PROBE_TEXTS, NumberCheck
from cobrador_desktop.ui.dialogs.import_wizard import error_texts
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.wizard.ports import (
    ChecklistStore,
    ConnectionForm,
    ConnectionSetup,
    OwnerAccounts,
    SavedConnection,
    SetupTests,
)

if TYPE_CHECKING:
    from cobrador_desktop.domain.roles import Actor
    from cobrador_desktop.ui.session import SignedIn
    from cobrador_desktop.whatsapp.webhook.probe import ProbeResult


def _tr(text: str) -> str:
    return QCoreApplication.translate("Setup", text)


class WizardState(QObject):
    """Who saves: the owner created in this wizard, else whoever is signed in."""

    #: the owner account exists now (True) — saving is possible
    owner_ready_changed = Signal(bool)

    def __init__(self, session: SignedIn | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.actor: Actor | None = None
        self.owner_ready = False

    def operator_id(self) -> int | None:
        if self.actor is not None:
            return self.actor.operator_id
        return self.session.operator_id if self.session is not None else None

    def set_owner_ready(self, ready: bool, actor: Actor | None = None) -> None:
        if actor is not None:
            self.actor = actor
            if self.session is not None:
                self.session.set_actor(actor)  # the owner who just set up is signed in
        if ready != self.owner_ready:
            self.owner_ready = ready
            self.owner_ready_changed.emit(ready)


class _PageVm(QObject):
    def __init__(self, name: str, parent: QObject | None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner(f"wizard-{name}")

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.spawn(coro, name)

    def close(self) -> None:
        self._tasks.cancel_all()


class OwnerPageVm(_PageVm):
    """Creates the owner account (the first thing saved)."""

    #: whether an owner already exists (the page then just says so)
    checked = Signal(bool)
    created = Signal(object)
    #: why the account was refused (pt-BR)
    failed = Signal(str)

    def __init__(self, owners: OwnerAccounts, state: WizardState,
                 parent: QObject | None = None) -> None:
        super().__init__("owner", parent)
        self._owners = owners
        self._state = state

    def check(self) -> None:
        async def run() -> None:
            exists = not await self._owners.needs_owner()
            self._state.set_owner_ready(exists or self._state.owner_ready)
            self.checked.emit(exists)
        self._spawn(run(), "check")

    def create(self, name: str, password: str, confirm: str) -> None:
        if password != confirm:
            self.failed.emit(_tr("As duas senhas não são iguais. Digite a mesma senha nos dois "
                                 "campos."))
            return

        async def run() -> None:
            try:
                actor = await self._owners.create_first_owner(name, password)
            except KnownError as error:
                self.failed.emit(" ".join(t for t in error_texts(error) if t))
                return
            self._state.set_owner_ready(True, actor)
            self.created.emit(actor)
        self._spawn(run(), "create")


def number_lines(check: NumberCheck) -> list[tuple[str, str]]:
    """What the connection test shows: (caption, value) in pt-BR."""
    return [
        (_tr("Nome exibido"), check.display_name or _tr("(a Meta não informou)")),
        (_tr("Número"), check.display_phone_number or "—"),
        (_tr("Qualidade"), _tr(quality_label(check.quality_rating))),
        (_tr("Limite de mensagens"), _tr(tier_label(check.messaging_tier))),
    ]


class ConnectionPageVm(_PageVm):
    """Tests and saves the number's connection."""

    loaded = Signal(object)  # SavedConnection
    tested = Signal(object)  # NumberCheck
    #: the test failed: what happened and what to do (pt-BR)
    test_failed = Signal(str, str)
    busy_changed = Signal(bool)
    saved = Signal()
    save_failed = Signal(str)

    def __init__(self, tests: SetupTests, connection: ConnectionSetup | None, state: WizardState,
                 parent: QObject | None = None) -> None:
        super().__init__("connection", parent)
        self._tests = tests
        self.connection = connection
        self._state = state
        self.saved_connection = SavedConnection()
        self.last_check: NumberCheck | None = None

    def load(self) -> None:
        if self.connection is None:
            return
        connection = self.connection

        async def run() -> None:
            self.saved_connection = await connection.load()
            self.loaded.emit(self.saved_connection)
        self._spawn(run(), "load")

    def test(self, form: ConnectionForm) -> None:
        async def run() -> None:
            self.busy_changed.emit(True)
            try:
                check = await self._tests.test_number(
                    form.phone_number_id, form.waba_id, form.access_token, form.api_base_url)
            except KnownError as error:
                self.last_check = None
                message, hint = error_texts(error)
                self.test_failed.emit(message, hint)
                return
            finally:
                self.busy_changed.emit(False)
            self.last_check = check
            self.tested.emit(check)
        self._spawn(run(), "test")

    def save(self, form: ConnectionForm) -> None:
        self._save(lambda c: c.save(form, self._state.operator_id()))

    def _save(self, call: Callable[[ConnectionSetup], Coroutine[Any, Any, None]]) -> None:
        if self.connection is None:
            self.save_failed.emit(_tr("Esta instalação não guarda a conexão."))
            return
        connection = self.connection

        async def run() -> None:
            try:
                await call(connection)
            except KnownError as error:
                self.save_failed.emit(" ".join(t for t in error_texts(error) if t))
                return
            self.saved.emit()
        self._spawn(run(), "save")


class WebhookPageVm(ConnectionPageVm):
    """The verify token (generated here, saved with the secrets) and the handshake test."""

    #: the test's outcome: passed, what happened, what to do
    probed = Signal(bool, str, str)

    def __init__(self, tests: SetupTests, connection: ConnectionSetup | None, state: WizardState,
                 parent: QObject | None = None) -> None:
        super().__init__(tests, connection, state, parent)
        self.token = new_verify_token()
        self.token_is_new = True

    def use_saved(self, saved: SavedConnection) -> None:
        """Show the verify token already saved (Meta's dashboard has it) instead of a new one."""
        if saved.verify_token:
            self.token = saved.verify_token
            self.token_is_new = False

    def regenerate(self) -> str:
        self.token = new_verify_token()
        self.token_is_new = True
        return self.token

    def probe(self, address: str) -> None:
        token = self.token

        async def run() -> None:
            self.busy_changed.emit(True)
            try:
                result = await self._tests.test_webhook(address, token)
            except KnownError as error:
                self.probed.emit(False, *error_texts(error))
                return
            finally:
                self.busy_changed.emit(False)
            self.probed.emit(result.ok, *probe_texts(result))
        self._spawn(run(), "probe")

    def save_token(self) -> None:
        token = self.token
        self._save(lambda c: c.save_verify_token(token, self._state.operator_id()))


def probe_texts(result: ProbeResult) -> tuple[str, str]:
    message, hint = PROBE_TEXTS[result.outcome]
    status = result.status if result.status is not None else "-"
    return _tr(message).format(status=status), _tr(hint)


class ChecklistPageVm(_PageVm):
    """The number's safety checklist."""

    loaded = Signal(object)  # SafetyChecklist
    saved = Signal(object)
    save_failed = Signal(str)

    def __init__(self, store: ChecklistStore, state: WizardState,
                 parent: QObject | None = None) -> None:
        super().__init__("checklist", parent)
        self._store = store
        self._state = state

    def load(self) -> None:
        async def run() -> None:
            self.loaded.emit(await self._store.load_checklist())
        self._spawn(run(), "load")

    def save(self, checklist: SafetyChecklist) -> None:
        async def run() -> None:
            try:
                saved = await self._store.save_checklist(checklist, self._state.operator_id())
            except KnownError as error:
                self.save_failed.emit(" ".join(t for t in error_texts(error) if t))
                return
            self.saved.emit(saved)
        self._spawn(run(), "save")
