"""`check`'s keyring line (INTERFACES.md §1): OK with a keyring or the encrypted file, AVISO when
secrets can only come from the environment; the Cloud API line reads the saved connection."""

from __future__ import annotations

from pathlib import Path

from cobrador_desktop.app.checks import Level, check_cloud_api, check_keyring
from cobrador_desktop.app.config import Profile, resolve_profile
from cobrador_desktop.app.secrets import choose_secret_store, secrets_file
from tests.fixtures.memory_keyring import memory_keyring


def _profile(tmp_path: Path) -> Profile:
    return resolve_profile(data_dir=str(tmp_path / "loja"), database_url=None, demo=False)


def test_no_keyring_is_a_warning_that_names_both_choices(tmp_path: Path) -> None:
    line = check_keyring(_profile(tmp_path))
    assert line.level is Level.WARN
    assert "variáveis de ambiente" in line.detail and "arquivo criptografado" in line.detail
    choose_secret_store(_profile(tmp_path), "env")
    assert check_keyring(_profile(tmp_path)).level is Level.WARN


def test_the_encrypted_file_is_ok_while_it_exists(tmp_path: Path) -> None:
    profile = _profile(tmp_path)
    choose_secret_store(profile, "file", "frase longa da dona")
    line = check_keyring(profile)
    assert line.level is Level.OK and str(secrets_file(profile)) in line.detail
    secrets_file(profile).unlink()
    assert check_keyring(profile).level is Level.FAIL


def test_a_keyring_is_ok(tmp_path: Path) -> None:
    with memory_keyring():
        line = check_keyring(_profile(tmp_path))
    assert line.level is Level.OK and "MemoryKeyring" in line.detail


def test_the_cloud_api_line_uses_the_saved_connection(tmp_path: Path) -> None:
    import asyncio

    from cobrador_desktop.domain.clock import SystemClock
    from cobrador_desktop.services.connection import ConnectionService
    from cobrador_desktop.storage.db import open_database

    profile = _profile(tmp_path)
    assert check_cloud_api(profile).level is Level.WARN  # nothing connected yet
    with memory_keyring():
        store = choose_secret_store(profile, "keyring")
        db = open_database(profile.database_url, backup_dir=profile.backup_dir)
        try:
            asyncio.run(ConnectionService(db, SystemClock(), store).save(
                {"phone_number_id": "1122334455667", "api_base_url": "http://127.0.0.1:9/v25.0"},
                None, secrets={"access_token": "token-salvo-1234"}))
        finally:
            db.close()
        line = check_cloud_api(profile)
    # port 9 answers nothing: the saved number and token were used, and the address is named
    assert line.level is Level.FAIL and "http://127.0.0.1:9/v25.0" in line.detail
