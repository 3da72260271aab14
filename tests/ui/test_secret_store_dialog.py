"""No OS keyring: the owner chooses environment variables or an encrypted file (passphrase twice),
and the file's passphrase is asked when the window starts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cobrador_desktop.app.config import Profile, resolve_profile
from cobrador_desktop.app.secret_setup import (
    choice_dialog,
    obtain_secret_store,
    store_at_start,
    store_kind,
    unlock_dialog,
)
from cobrador_desktop.app.secrets import (
    chosen_kind,
    lock_file_store,
    open_secret_store,
    secrets_file,
)
from cobrador_desktop.ui.dialogs.secret_store_dialog import (
    SecretStoreChoiceDialog,
    UnlockSecretsDialog,
)
from tests.fixtures.qt import run_async

T = TypeVar("T")

PHRASE = "frase longa da dona"


async def _wait(task: asyncio.Future[T]) -> T:
    return await task


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return resolve_profile(data_dir=str(tmp_path / "loja"), database_url=None, demo=False)


def test_choosing_the_encrypted_file(qtbot: QtBot, profile: Profile) -> None:
    assert store_kind(profile) is None  # no keyring (conftest), nothing chosen
    dialog = choice_dialog(profile, None)
    assert isinstance(dialog, SecretStoreChoiceDialog)
    qtbot.addWidget(dialog)
    assert dialog.file_option.isChecked() and dialog.passphrase.isEnabled()

    dialog.passphrase.setText(PHRASE)
    dialog.confirmation.setText(PHRASE + "x")
    dialog.ok_button.click()
    assert dialog.error.isVisibleTo(dialog) and "não são iguais" in dialog.error.text()
    assert not secrets_file(profile).exists()

    dialog.passphrase.setText("curta")
    dialog.confirmation.setText("curta")
    dialog.ok_button.click()
    assert "pelo menos 8 caracteres" in dialog.error.text()
    assert chosen_kind(profile) is None

    dialog.passphrase.setText(PHRASE)
    dialog.confirmation.setText(PHRASE)
    dialog.ok_button.click()
    assert dialog.result() == SecretStoreChoiceDialog.DialogCode.Accepted
    assert dialog.kind == "file" and chosen_kind(profile) == "file"
    assert secrets_file(profile).exists() and dialog.passphrase.text() == ""
    assert open_secret_store(profile).kind == "file"


def test_choosing_the_environment(qtbot: QtBot, profile: Profile) -> None:
    dialog = choice_dialog(profile, None)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, SecretStoreChoiceDialog)
    dialog.env_option.setChecked(True)
    assert not dialog.passphrase.isEnabled()
    dialog.ok_button.click()
    assert dialog.kind == "env" and chosen_kind(profile) == "env"
    assert not secrets_file(profile).exists()


def test_the_passphrase_is_asked_at_start(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                          profile: Profile) -> None:
    from cobrador_desktop.app.secrets import choose_secret_store

    choose_secret_store(profile, "file", PHRASE).set("verify_token", "verifica-loja")
    lock_file_store(profile)
    # a screenshot or timed run never waits for a person
    assert run_async(qasync_loop, store_at_start(profile, None, interactive=False)) is None

    def answer(phrases: list[str]) -> None:
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, UnlockSecretsDialog) and w.isVisible())
        for phrase in phrases:
            dialog.passphrase.setText(phrase)
            dialog.ok_button.click()

    task = asyncio.ensure_future(store_at_start(profile, None))
    qtbot.waitUntil(lambda: any(isinstance(w, UnlockSecretsDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, UnlockSecretsDialog) and w.isVisible())
    answer(["frase errada da dona"])
    assert "não confere" in dialog.error.text() and dialog.isVisible()
    answer([PHRASE])
    store = run_async(qasync_loop, _wait(task))
    assert store is not None and store.get("verify_token") == "verifica-loja"

    # skipped ("Agora não"): the program goes on with the environment only
    lock_file_store(profile)
    task = asyncio.ensure_future(obtain_secret_store(profile, None))
    qtbot.waitUntil(lambda: any(isinstance(w, UnlockSecretsDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    next(w for w in QApplication.topLevelWidgets()
         if isinstance(w, UnlockSecretsDialog) and w.isVisible()).later_button.click()
    assert run_async(qasync_loop, _wait(task)) is None


def test_unlock_dialog_names_the_file(qtbot: QtBot, profile: Profile) -> None:
    dialog = unlock_dialog(profile, None)
    qtbot.addWidget(dialog)
    assert str(secrets_file(profile)) in " ".join(
        label.text() for label in dialog.findChildren(type(dialog.error)))
