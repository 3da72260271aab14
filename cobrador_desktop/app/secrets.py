"""Where this PC keeps the WhatsApp secrets: the one module that imports `keyring` (ARCHITECTURE §7).

Three kinds of `SecretStore`:

- ``keyring``: the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service/KWallet),
  under a service name of its own for each data folder, so two installations never mix;
- ``file``: `secrets.enc` in the data folder, encrypted with Fernet under a key derived from the
  owner's passphrase by scrypt (random salt stored with the file); it opens only with the passphrase;
- ``env``: nothing stored; the secrets come from the WHATSAPP_* environment variables.

Without a keyring backend the owner must choose ``file`` or ``env`` (`choose_secret_store`); until
then `open_secret_store` raises `NoKeyring`. Nothing is ever written in plain text. The environment
overrides every stored value (`secret`). Each value read or saved is handed to
`domain.redact.remember_secret`, so the logs and crash reports hide it.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.connection import SECRET_ENV, SECRET_NAMES
from cobrador_desktop.domain.errors import InvalidInput, KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.redact import remember_secret

if TYPE_CHECKING:
    from cobrador_desktop.app.config import Profile

__all__ = [
    "CHOICE_FILE", "KINDS", "MIN_PASSPHRASE", "SECRETS_FILE", "SECRET_NAMES", "KeyringStatus",
    "NoKeyring", "PassphraseTooShort", "SecretStore", "SecretsFileDamaged", "SecretsLocked",
    "SecretsOnlyInEnvironment", "StoreFailed", "WrongPassphrase", "change_passphrase",
    "choose_secret_store", "chosen_kind", "keyring_service", "keyring_status",
    "open_secret_store", "remember_environment_secrets", "secret", "store_or_none",
    "unlock_file_store",
]

KINDS = ("keyring", "file", "env")
#: the owner's explicit choice of store (not secret: only the kind)
CHOICE_FILE = "secret_store.json"
#: the encrypted secrets (kind "file")
SECRETS_FILE = "secrets.enc"
MIN_PASSPHRASE = 8
_FORMAT = "cobrador-secrets"
#: scrypt's cost (2^15 × 8 × 128 bytes = 32 MB, ~0.1 s): kept in the file, so it can grow
_SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


class NoKeyring(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Este computador não tem um cofre de senhas do sistema para guardar o token "
        "e os segredos do WhatsApp.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha uma das duas opções em Configurações › Assistente de "
        "configuração: variáveis de ambiente (WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET e "
        "WHATSAPP_VERIFY_TOKEN, nada é salvo) ou um arquivo criptografado protegido por uma "
        "senha. O programa nunca guarda segredos sem criptografia.")


class WrongPassphrase(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A senha do arquivo de segredos não confere.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Digite de novo (maiúsculas e minúsculas contam). Se a esqueceu, apague o "
        "arquivo {path} e salve o token e os segredos de novo com uma senha nova.")


class SecretsLocked(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O arquivo de segredos deste computador está trancado.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Abra o programa e digite a senha do arquivo de segredos; para o `serve`, "
        "informe os segredos pelas variáveis de ambiente WHATSAPP_*.")


class SecretsFileDamaged(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O arquivo de segredos {path} está danificado ou não é deste programa.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Apague o arquivo e salve o token e os segredos de novo (Configurações › "
        "Conexão).")


class PassphraseTooShort(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A senha do arquivo de segredos precisa de pelo menos {minimum} "
        "caracteres.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha uma senha mais longa, por exemplo uma frase que só você conheça.")


class SecretsOnlyInEnvironment(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Neste computador os segredos do WhatsApp vêm das variáveis de ambiente: "
        "nada é salvo aqui.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Defina WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET e WHATSAPP_VERIFY_TOKEN "
        "antes de abrir o programa, ou escolha guardar os segredos num arquivo criptografado.")


class StoreFailed(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não foi possível usar o cofre de segredos: {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Destrave o cofre de senhas do sistema (ou libere espaço na pasta de "
        "dados) e tente de novo.")


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    backend: str


def keyring_status() -> KeyringStatus:
    """Whether a usable OS keyring backend exists (for `check` and the settings screen)."""
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend must not crash `check`
        return KeyringStatus(False, type(exc).__name__)
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return KeyringStatus(False, name)
    try:
        priority = float(backend.priority)
    except Exception:
        priority = 0.0
    return KeyringStatus(priority > 0, name)


class SecretStore:
    """Reads and saves the connection's secrets (`SECRET_NAMES`); values are remembered for
    redaction. Satisfies `services.connection.SecretPort`."""

    kind: str = ""

    def get(self, name: str) -> str | None:
        """The stored value, or None."""
        value = self._get(_checked(name))
        remember_secret(value)
        return value

    def set(self, name: str, value: str) -> None:
        """Store `value` (an empty value deletes)."""
        if not value:
            self.delete(name)
            return
        remember_secret(value)
        self._set(_checked(name), value)

    def delete(self, name: str) -> None:
        """Forget the value (nothing happens when none is stored)."""
        self._delete(_checked(name))

    def _get(self, name: str) -> str | None:
        raise NotImplementedError

    def _set(self, name: str, value: str) -> None:
        raise NotImplementedError

    def _delete(self, name: str) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} kind={self.kind}>"  # never the values


def _checked(name: str) -> str:
    if name not in SECRET_NAMES:
        raise ValueError(f"unknown secret {name!r}")
    return name


class EnvStore(SecretStore):
    """Nothing stored: `secret` reads the environment; saving says so."""

    kind = "env"

    def _get(self, name: str) -> str | None:
        return None

    def _set(self, name: str, value: str) -> None:
        raise SecretsOnlyInEnvironment()

    def _delete(self, name: str) -> None:
        return None


class KeyringStore(SecretStore):
    """The OS keyring, under `service` (one per data folder)."""

    kind = "keyring"

    def __init__(self, service: str) -> None:
        self.service = service

    def _get(self, name: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(self.service, name) or None
        except KeyringError as exc:
            raise StoreFailed(detail=type(exc).__name__) from exc

    def _set(self, name: str, value: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self.service, name, value)
        except KeyringError as exc:
            raise StoreFailed(detail=type(exc).__name__) from exc

    def _delete(self, name: str) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self.service, name)
        except PasswordDeleteError:
            return  # nothing was stored
        except KeyringError as exc:
            raise StoreFailed(detail=type(exc).__name__) from exc


class FileStore(SecretStore):
    """`secrets.enc`, unlocked: the derived key and the values live in this process only."""

    kind = "file"

    def __init__(self, path: Path, header: dict[str, Any], key: bytes,
                 values: dict[str, str]) -> None:
        self.path = path
        self._header = header
        self._key = key
        self._values = values
        self._lock = threading.Lock()
        for value in values.values():
            remember_secret(value)

    def _get(self, name: str) -> str | None:
        with self._lock:
            return self._values.get(name)

    def _set(self, name: str, value: str) -> None:
        with self._lock:
            values = dict(self._values, **{name: value})
            _write_file(self.path, self._header, self._key, values)
            self._values = values

    def _delete(self, name: str) -> None:
        with self._lock:
            if name not in self._values:
                return
            values = {k: v for k, v in self._values.items() if k != name}
            _write_file(self.path, self._header, self._key, values)
            self._values = values


# ----------------------------------------------------------------------- the encrypted file

def _derive(passphrase: str, header: dict[str, Any]) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=base64.b64decode(header["salt"]), length=32, n=int(header["n"]),
                 r=int(header["r"]), p=int(header["p"]))
    raw = kdf.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def _new_header() -> dict[str, Any]:
    return {"format": _FORMAT, "version": 1, "kdf": "scrypt", **_SCRYPT,
            "salt": base64.b64encode(os.urandom(16)).decode("ascii")}


def _write_file(path: Path, header: dict[str, Any], key: bytes, values: dict[str, str]) -> None:
    """Encrypt `values` and replace the file atomically (owner-only permissions)."""
    from cryptography.fernet import Fernet

    token = Fernet(key).encrypt(json.dumps(values).encode("utf-8")).decode("ascii")
    text = json.dumps({**header, "data": token}, indent=1)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreFailed(detail=exc.strerror or str(exc)) from exc


def _read_file(path: Path, passphrase: str) -> FileStore:
    from cryptography.fernet import Fernet, InvalidToken

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        header = {k: v for k, v in document.items() if k != "data"}
        if header.get("format") != _FORMAT or header.get("kdf") != "scrypt":
            raise ValueError(header.get("format"))
        key = _derive(passphrase, header)
        token = document["data"].encode("ascii")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SecretsFileDamaged(path=str(path)) from exc
    try:
        plain = Fernet(key).decrypt(token)
    except InvalidToken:
        raise WrongPassphrase(path=str(path)) from None
    values = json.loads(plain)
    return FileStore(path, header, key, {k: str(v) for k, v in values.items()
                                         if k in SECRET_NAMES and v})


def _check_passphrase(passphrase: str | None) -> str:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseTooShort(minimum=MIN_PASSPHRASE)
    remember_secret(passphrase)
    return passphrase


# ----------------------------------------------------------------------- choosing and opening

#: file stores unlocked in this process, by data folder
_unlocked: dict[Path, FileStore] = {}
_unlocked_lock = threading.Lock()


def keyring_service(profile: Profile) -> str:
    """The keyring's service name for this data folder (two installations never share one)."""
    return f"CobradorDesktop:{profile.data_dir}"


def _choice_path(profile: Profile) -> Path:
    return profile.data_dir / CHOICE_FILE


def secrets_file(profile: Profile) -> Path:
    """Where the encrypted file store lives."""
    return profile.data_dir / SECRETS_FILE


def chosen_kind(profile: Profile) -> str | None:
    """The kind the owner chose explicitly on this PC, or None (the keyring by default)."""
    try:
        kind = json.loads(_choice_path(profile).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None
    return kind if kind in KINDS else None


def _record_choice(profile: Profile, kind: str) -> None:
    path = _choice_path(profile)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps({"kind": kind}), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise StoreFailed(detail=exc.strerror or str(exc)) from exc


def open_secret_store(profile: Profile) -> SecretStore:
    """This PC's store: the owner's choice, else the OS keyring.

    The demo never touches the keyring: its store is always ``env`` (the demo uses its emulator).

    Raises:
        NoKeyring: no keyring backend and no explicit choice (offer `choose_secret_store`).
        SecretsLocked: the encrypted file is chosen and not unlocked in this process yet
            (`unlock_file_store`).
    """
    if profile.is_demo:
        return EnvStore()
    kind = chosen_kind(profile)
    if kind == "env":
        return EnvStore()
    if kind == "file":
        with _unlocked_lock:
            store = _unlocked.get(profile.data_dir)
        if store is None:
            raise SecretsLocked()
        return store
    if not keyring_status().available:
        raise NoKeyring()
    return KeyringStore(keyring_service(profile))


def choose_secret_store(profile: Profile, kind: str, passphrase: str | None = None
                        ) -> SecretStore:
    """Record the owner's explicit choice and return the store.

    ``file`` needs `passphrase` (at least `MIN_PASSPHRASE` characters): an existing file is
    opened with it (never overwritten), else a new empty one is created. The choice is kept in
    the data folder (this PC only).

    Raises:
        PassphraseTooShort, WrongPassphrase, SecretsFileDamaged: for ``file``.
        NoKeyring: ``keyring`` chosen where no backend exists.
        ValueError: an unknown kind (a bug).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown secret store kind {kind!r}")
    if profile.is_demo:
        raise ValueError("the demo keeps no secrets")
    store: SecretStore
    if kind == "file":
        phrase = _check_passphrase(passphrase)
        path = secrets_file(profile)
        if path.exists():
            store = _read_file(path, phrase)
        else:
            header = _new_header()
            store = FileStore(path, header, _derive(phrase, header), {})
            _write_file(path, header, store._key, {})
        with _unlocked_lock:
            _unlocked[profile.data_dir] = store
    elif kind == "keyring":
        if not keyring_status().available:
            raise NoKeyring()
        store = KeyringStore(keyring_service(profile))
    else:
        store = EnvStore()
    _record_choice(profile, kind)
    return store


def unlock_file_store(profile: Profile, passphrase: str) -> FileStore:
    """Open the encrypted file with the passphrase; `open_secret_store` returns it afterwards.

    Raises:
        WrongPassphrase: the passphrase does not open the file.
        SecretsFileDamaged: the file is missing, unreadable or not ours.
    """
    remember_secret(passphrase)
    store = _read_file(secrets_file(profile), passphrase)
    with _unlocked_lock:
        _unlocked[profile.data_dir] = store
    return store


def change_passphrase(profile: Profile, current: str, new: str) -> SecretStore:
    """Re-encrypt the file under a new passphrase (new salt).

    Raises:
        WrongPassphrase: `current` does not open the file.
        PassphraseTooShort: `new` is too short.
    """
    phrase = _check_passphrase(new)
    old = unlock_file_store(profile, current)
    header = _new_header()
    store = FileStore(old.path, header, _derive(phrase, header), dict(old._values))
    _write_file(store.path, header, store._key, store._values)
    with _unlocked_lock:
        _unlocked[profile.data_dir] = store
    return store


def lock_file_store(profile: Profile) -> None:
    """Forget the unlocked file store of this data folder (tests; sign-out)."""
    with _unlocked_lock:
        _unlocked.pop(profile.data_dir, None)


def secret(name: str, store: SecretStore | None) -> str | None:
    """The secret: its environment variable first, then the store (None: neither has it)."""
    value = os.environ.get(SECRET_ENV[_checked(name)]) or None
    if value is not None:
        remember_secret(value)
        # WHATSAPP_APP_SECRET may hold two secrets separated by a comma while Meta rotates it
        for part in value.split(","):
            remember_secret(part.strip())
        return value
    return store.get(name) if store is not None else None


def remember_environment_secrets() -> None:
    """Have the redaction hide the WHATSAPP_* secrets the environment holds (at start-up)."""
    for name in SECRET_NAMES:
        secret(name, None)


def store_or_none(profile: Profile) -> SecretStore | None:
    """This PC's store, or None when it can't be used without asking the owner (no keyring and
    no choice yet, or a locked file): then only the environment supplies secrets (`serve`,
    `check`, `remind`)."""
    try:
        return open_secret_store(profile)
    except (NoKeyring, SecretsLocked) as err:
        import logging

        logging.getLogger("cobrador.app").info("secrets from the environment only: %s",
                                               type(err).__name__)
        return None
