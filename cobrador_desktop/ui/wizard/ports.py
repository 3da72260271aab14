"""What the set-up wizard needs from the layers below, wired in `app/` (tests wire real services).

The wizard saves nothing itself: the owner account (`OperatorService`), the shop's identity and
PIX (`ShopSettingsService`), the connection (`ConnectionService` + the secret store), the safety
checklist (`services.setup.SetupSettings`) and the first spreadsheet (`SpreadsheetImporter`) are
all saved by their own services, which refuse anyone but the owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cobrador_desktop.domain.roles import Actor
    from cobrador_desktop.domain.setup import SafetyChecklist
    from cobrador_desktop.services.setup import NumberCheck
    from cobrador_desktop.ui.viewmodels.ports import SpreadsheetImporter
    from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsSource
    from cobrador_desktop.whatsapp.webhook.probe import ProbeResult


class OwnerAccounts(Protocol):
    """`services.operators.OperatorService`, the part the first run needs."""

    async def needs_owner(self) -> bool: ...

    async def create_first_owner(self, name: str, password: str) -> Actor: ...


@dataclass(frozen=True)
class SavedConnection:
    """The connection as saved: the ids, and only WHETHER each secret is stored."""

    phone_number_id: str | None = None
    waba_id: str | None = None
    api_base_url: str | None = None
    has_access_token: bool = False
    has_app_secret: bool = False
    #: the verify token the receiver checks (the owner pastes it into Meta's dashboard)
    verify_token: str | None = field(default=None, repr=False)
    #: where the secrets are kept, for people ("chaveiro do sistema", "arquivo protegido"…);
    #: None: no place chosen yet and no OS keyring (the owner must choose before saving)
    store_label: str | None = None


@dataclass(frozen=True)
class ConnectionForm:
    """What the owner typed on the connection page; a blank secret keeps the saved one."""

    phone_number_id: str
    waba_id: str
    api_base_url: str
    access_token: str = field(default="", repr=False)
    app_secret: str = field(default="", repr=False)


class ConnectionSetup(Protocol):
    """The connection service and the secret store together (owner-only saves)."""

    async def load(self) -> SavedConnection: ...

    async def save(self, form: ConnectionForm, operator_id: int | None) -> None: ...

    async def save_verify_token(self, token: str, operator_id: int | None) -> None: ...

    def choose_store(self, parent: Any, done: Callable[[], None]) -> None:
        """Open the "where to keep the secrets" choice over `parent` (a widget); call `done`
        once it was made."""
        ...


class SetupTests(Protocol):
    """`services.setup.SetupChecks`: the live tests (they save nothing)."""

    async def test_number(self, phone_number_id: str, waba_id: str, access_token: str,
                          api_base_url: str = ...) -> NumberCheck: ...

    async def test_webhook(self, address: str, verify_token: str) -> ProbeResult: ...


class ChecklistStore(Protocol):
    """`services.setup.SetupSettings`."""

    async def load_checklist(self) -> SafetyChecklist: ...

    async def save_checklist(self, checklist: SafetyChecklist, operator_id: int | None
                             ) -> SafetyChecklist: ...


@dataclass(frozen=True)
class WizardServices:
    """Everything the wizard uses; None hides what this installation lacks."""

    owners: OwnerAccounts
    shop_settings: ShopSettingsSource
    tests: SetupTests
    checklist: ChecklistStore
    connection: ConnectionSetup | None = None
    importer: SpreadsheetImporter | None = None
    #: starts the demonstration as its own program on its own data (None: not offered)
    launch_demo: Callable[[], None] | None = None
    #: the port this PC's window (or `serve`) receives webhooks on, for the help text
    webhook_port: int = 8080
