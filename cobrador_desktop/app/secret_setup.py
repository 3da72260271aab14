"""The window's side of `app.secrets`: asking the owner where secrets go, and for the passphrase.

For the window at start (`store_at_start`), and for the first-run wizard and Configurações ›
Conexão before they save a secret (`obtain_secret_store`, or `secret_store_provider` to hand the
UI a function without it importing `app`). Each resolves to a `SecretStore`, or None when the owner
closed the dialog (then nothing is saved and only the environment supplies secrets).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from cobrador_desktop.app.secrets import (
    NoKeyring,
    SecretsLocked,
    SecretStore,
    choose_secret_store,
    chosen_kind,
    open_secret_store,
    secrets_file,
    unlock_file_store,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog, QWidget

    from cobrador_desktop.app.config import Profile

log = logging.getLogger("cobrador.app")

#: what the UI is handed: `await provide(parent)` -> the store, or None
SecretStoreProvider = Callable[["QWidget | None"], Awaitable[SecretStore | None]]


async def _run(dialog: QDialog) -> bool:
    """Open `dialog` window-modally and wait for it on the running loop (no nested exec)."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finish(code: int) -> None:
        if not done.done():
            done.set_result(code)

    dialog.finished.connect(finish)
    dialog.open()
    try:
        return bool(await done)
    finally:
        dialog.deleteLater()


def unlock_dialog(profile: Profile, parent: QWidget | None) -> QDialog:
    """The passphrase prompt for the encrypted file (not opened)."""
    from cobrador_desktop.ui.dialogs.secret_store_dialog import UnlockSecretsDialog

    return UnlockSecretsDialog(lambda phrase: unlock_file_store(profile, phrase),
                               str(secrets_file(profile)), parent)


def choice_dialog(profile: Profile, parent: QWidget | None) -> QDialog:
    """The "no keyring: environment or encrypted file" choice (not opened)."""
    from cobrador_desktop.ui.dialogs.secret_store_dialog import SecretStoreChoiceDialog

    return SecretStoreChoiceDialog(
        lambda kind, phrase: choose_secret_store(profile, kind, phrase), parent)


async def store_at_start(profile: Profile, parent: QWidget | None, *,
                         interactive: bool = True) -> SecretStore | None:
    """The window's store when it starts: the keyring or the owner's choice; with the file
    chosen, the passphrase is asked (unless not `interactive`: screenshots, timed runs).

    None when this PC has no store yet (no keyring, no choice: the wizard and Configurações
    offer the choice when secrets are saved) or the owner skipped the passphrase; the
    environment's secrets still apply.
    """
    try:
        return open_secret_store(profile)
    except NoKeyring:
        log.info("no OS keyring and no choice yet: secrets from the environment only")
        return None
    except SecretsLocked:
        if not interactive:
            return None
    dialog = unlock_dialog(profile, parent)
    if not await _run(dialog):
        log.info("secrets file left locked: secrets from the environment only")
        return None
    store = dialog.result_value  # type: ignore[attr-defined]
    assert isinstance(store, SecretStore)
    return store


async def obtain_secret_store(profile: Profile, parent: QWidget | None) -> SecretStore | None:
    """A store to save secrets in, asking what is needed: the choice (no keyring) or the
    passphrase (file chosen, still locked). None: the owner cancelled."""
    try:
        return open_secret_store(profile)
    except NoKeyring:
        dialog = choice_dialog(profile, parent)
    except SecretsLocked:
        dialog = unlock_dialog(profile, parent)
    if not await _run(dialog):
        return None
    store = dialog.result_value  # type: ignore[attr-defined]
    assert isinstance(store, SecretStore)
    return store


def secret_store_provider(profile: Profile) -> SecretStoreProvider:
    """`obtain_secret_store` bound to the profile, for the UI (which does not import `app`)."""
    return lambda parent: obtain_secret_store(profile, parent)


def store_kind(profile: Profile) -> str | None:
    """The kind this PC uses or will use: the explicit choice, "keyring" when one exists, else
    None (the choice is still to be made). Never opens the store."""
    kind = chosen_kind(profile)
    if kind is not None:
        return kind
    from cobrador_desktop.app.secrets import keyring_status

    return "keyring" if keyring_status().available else None
