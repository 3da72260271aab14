"""Where the WhatsApp secrets live: the OS keyring, an encrypted file, or the environment only.

The keyring is an in-memory backend registered per test; the real OS keyring is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cobrador_desktop.app.config import Profile, cloud_api_config, resolve_profile, webhook_secrets
from cobrador_desktop.app.secrets import (
    NoKeyring,
    PassphraseTooShort,
    SecretsLocked,
    SecretsOnlyInEnvironment,
    WrongPassphrase,
    change_passphrase,
    choose_secret_store,
    chosen_kind,
    keyring_service,
    lock_file_store,
    open_secret_store,
    secret,
    secrets_file,
    store_or_none,
    unlock_file_store,
)
from cobrador_desktop.domain.connection import ConnectionFields
from cobrador_desktop.domain.redact import redact
from tests.fixtures.memory_keyring import MemoryKeyring, memory_keyring

PHRASE = "frase longa da dona"


@pytest.fixture
def backend() -> Iterator[MemoryKeyring]:
    with memory_keyring() as fake:
        yield fake


def _profile(folder: Path, *, demo: bool = False) -> Profile:
    return resolve_profile(data_dir=str(folder), database_url=None, demo=demo)


def test_the_keyring_keeps_each_installations_secrets_apart(
        backend: MemoryKeyring, tmp_path: Path) -> None:
    shop, other = _profile(tmp_path / "loja"), _profile(tmp_path / "outra")
    assert keyring_service(shop) != keyring_service(other)
    store = open_secret_store(shop)
    assert store.kind == "keyring"
    store.set("access_token", "token-da-loja-1234")
    open_secret_store(other).set("access_token", "token-da-outra-5678")
    assert open_secret_store(shop).get("access_token") == "token-da-loja-1234"
    assert open_secret_store(other).get("access_token") == "token-da-outra-5678"
    assert backend.passwords[(keyring_service(shop), "access_token")] == "token-da-loja-1234"
    store.delete("access_token")
    store.delete("access_token")  # nothing stored: no error
    assert open_secret_store(shop).get("access_token") is None
    # nothing but the keyring holds it: the data folder has no file with the value
    assert not (tmp_path / "loja").exists() or not any(
        b"token-da-outra" in p.read_bytes() for p in (tmp_path / "loja").rglob("*") if p.is_file())


def test_without_a_keyring_nothing_is_stored_until_the_owner_chooses(tmp_path: Path) -> None:
    profile = _profile(tmp_path / "loja")  # conftest: the "fail" keyring backend
    with pytest.raises(NoKeyring) as caught:
        open_secret_store(profile)
    text = str(caught.value)
    assert "cofre de senhas" in text
    assert "variáveis de ambiente" in text and "arquivo criptografado" in text
    assert store_or_none(profile) is None
    assert not profile.data_dir.exists() or not any(profile.data_dir.iterdir())

    store = choose_secret_store(profile, "env")
    assert store.kind == "env" and chosen_kind(profile) == "env"
    assert open_secret_store(profile).kind == "env"
    with pytest.raises(SecretsOnlyInEnvironment):
        store.set("access_token", "nao-vai-ser-salvo")
    assert not any(b"nao-vai-ser-salvo" in p.read_bytes()
                   for p in profile.data_dir.rglob("*") if p.is_file())


def test_the_encrypted_file_opens_only_with_its_passphrase(tmp_path: Path) -> None:
    profile = _profile(tmp_path / "loja")
    with pytest.raises(PassphraseTooShort):
        choose_secret_store(profile, "file", "curta")
    store = choose_secret_store(profile, "file", PHRASE)
    assert store.kind == "file" and chosen_kind(profile) == "file"
    store.set("access_token", "EAAtokendaloja0123456789")
    store.set("app_secret", "segredo-do-app-da-loja")
    store.set("verify_token", "verifica-loja")
    raw = secrets_file(profile).read_bytes()
    for value in (b"EAAtokendaloja0123456789", b"segredo-do-app-da-loja", b"verifica-loja",
                  PHRASE.encode(), b"access_token"):
        assert value not in raw
    header = json.loads(raw)
    assert header["kdf"] == "scrypt" and len(header["salt"]) >= 16

    lock_file_store(profile)
    with pytest.raises(SecretsLocked):
        open_secret_store(profile)
    with pytest.raises(WrongPassphrase) as caught:
        unlock_file_store(profile, "frase errada da dona")
    assert "senha do arquivo de segredos não confere" in caught.value.message
    assert str(secrets_file(profile)) in caught.value.hint
    unlock_file_store(profile, PHRASE)
    reopened = open_secret_store(profile)
    assert reopened.get("app_secret") == "segredo-do-app-da-loja"

    # choosing the file again never overwrites it: the passphrase must open it
    lock_file_store(profile)
    with pytest.raises(WrongPassphrase):
        choose_secret_store(profile, "file", "outra frase qualquer")
    assert choose_secret_store(profile, "file", PHRASE).get("verify_token") == "verifica-loja"

    salt = header["salt"]
    change_passphrase(profile, PHRASE, "nova frase da dona")
    lock_file_store(profile)
    assert json.loads(secrets_file(profile).read_bytes())["salt"] != salt
    with pytest.raises(WrongPassphrase):
        unlock_file_store(profile, PHRASE)
    assert unlock_file_store(profile, "nova frase da dona").get(
        "access_token") == "EAAtokendaloja0123456789"


def test_two_files_with_one_passphrase_differ(tmp_path: Path) -> None:
    first, second = _profile(tmp_path / "a"), _profile(tmp_path / "b")
    choose_secret_store(first, "file", PHRASE).set("verify_token", "mesmo-valor")
    choose_secret_store(second, "file", PHRASE).set("verify_token", "mesmo-valor")
    one, two = (json.loads(secrets_file(p).read_bytes()) for p in (first, second))
    assert one["salt"] != two["salt"] and one["data"] != two["data"]


def test_the_environment_overrides_the_stored_secrets(
        backend: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_secret_store(_profile(tmp_path / "loja"))
    store.set("access_token", "token-salvo-1234")
    store.set("app_secret", "segredo-salvo")
    store.set("verify_token", "verifica-salvo")
    fields = ConnectionFields(phone_number_id="1122334455667", waba_id="102290129340398",
                              api_base_url="http://127.0.0.1:9/v25.0")
    config = cloud_api_config(fields, store)
    assert config is not None
    assert (config.access_token, config.phone_number_id, config.base_url) == (
        "token-salvo-1234", "1122334455667", "http://127.0.0.1:9/v25.0")
    assert webhook_secrets(store) == ([b"segredo-salvo"], "verifica-salvo")

    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "token-do-ambiente")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "novo-segredo,segredo-salvo")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "99887766554")
    config = cloud_api_config(fields, store)
    assert config is not None
    assert (config.access_token, config.phone_number_id) == ("token-do-ambiente", "99887766554")
    assert webhook_secrets(store) == ([b"novo-segredo", b"segredo-salvo"], "verifica-salvo")
    assert secret("access_token", None) == "token-do-ambiente"
    # what was read is hidden from then on, wherever it shows up
    assert redact("x token-do-ambiente y novo-segredo z verifica-salvo") == "x *** y *** z ***"


def test_no_number_without_a_token(backend: MemoryKeyring, tmp_path: Path) -> None:
    store = open_secret_store(_profile(tmp_path / "loja"))
    assert cloud_api_config(ConnectionFields(phone_number_id="1122334455667"), store) is None
    assert cloud_api_config(None, None) is None


def test_the_demo_never_touches_the_keyring(backend: MemoryKeyring, tmp_path: Path) -> None:
    demo = _profile(tmp_path / "dados", demo=True)
    store = open_secret_store(demo)
    assert store.kind == "env" and store.get("access_token") is None
    assert backend.calls == 0
    with pytest.raises(ValueError):
        choose_secret_store(demo, "file", PHRASE)
