"""The connection to the shop's WhatsApp number as the owner saves it (wizard, Configurações).

The non-secret fields (phone number id, WABA id, Cloud API address) go to the settings table,
shared by every PC on the database; the access token, app secret and verify token go to the
secret store this PC uses (`app.secrets`: the OS keyring, an encrypted file, or none when they
come from the environment), reached through the small `SecretPort` below. Saving is owner-only
and audited by name, never by value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.connection import (
    CONNECTION,
    SECRET_NAMES,
    ConnectionFields,
    dump_connection,
)
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner, SyncRunner
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos import settings as repo

#: the audit action of a change to the stored secrets (names only, never values)
SECRETS_ACTION = "connection.secrets"


class SecretPort(Protocol):
    """Where this PC keeps the connection's secrets (`app.secrets.SecretStore`)."""

    @property
    def kind(self) -> str:
        """"keyring", "file" or "env"."""
        ...

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


class SecretNameUnknown(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP("KnownError", "Segredo desconhecido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Os segredos da conexão são o token de acesso, o segredo do aplicativo e "
        "o token de verificação. Nada foi salvo.")


class NoSecretStoreChosen(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Ainda não há onde guardar o token e os segredos neste computador.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha entre variáveis de ambiente e um arquivo criptografado com senha "
        "(Configurações › Assistente de configuração) e salve de novo. Nada foi salvo.")


@dataclass(frozen=True)
class ConnectionState:
    """What the connection screens show: the saved fields and which secrets are kept."""

    fields: ConnectionFields
    #: the secrets the store holds (their names; a value is never shown again)
    saved_secrets: frozenset[str]
    #: the store's kind, None when this PC has none yet (no keyring and no choice)
    store_kind: str | None


def load_connection_sync(db: SyncRunner) -> ConnectionFields:
    """The saved fields, blocking (for `serve`, `check` and `remind`)."""
    return db.run_sync(lambda session: repo.read_json_setting(session, CONNECTION))


class ConnectionService:
    """Reads and saves the connection through the database thread."""

    def __init__(self, db: Runner, clock: Clock, secrets: SecretPort | None = None) -> None:
        """Args:
            db: the database runner.
            clock: the instant recorded with a change.
            secrets: this PC's secret store; None when there is none yet (saving a secret then
                raises `NoSecretStoreChosen`).
        """
        self._db = db
        self._clock = clock
        self._secrets = secrets

    async def load(self) -> ConnectionState:
        """The saved fields and the names of the secrets this PC keeps."""
        fields = await self._db.run(lambda session: repo.read_json_setting(session, CONNECTION))
        store = self._secrets
        saved = frozenset() if store is None else await self._db.run(
            lambda _session: frozenset(name for name in SECRET_NAMES if store.get(name)))
        return ConnectionState(fields, saved, store.kind if store is not None else None)

    @owner_only("connection.save", QT_TRANSLATE_NOOP("Roles", "mudar a conexão com o WhatsApp"))
    async def save(self, fields: Mapping[str, object], operator_id: int | None, *,
                   secrets: Mapping[str, str | None] | None = None) -> ConnectionState:
        """Save the fields (`phone_number_id`, `waba_id`, `api_base_url`; blank = not set) and,
        if given, the secrets (`access_token`, `app_secret`, `verify_token`: a value saves it,
        None or "" removes it). Owner-only; audited (secret names only).

        Raises:
            InvalidInput: a field is wrong (the message names it); nothing is saved.
            SecretNameUnknown: a secret name not in `SECRET_NAMES`; nothing is saved.
            NoSecretStoreChosen: secrets given and this PC has no store yet.
            KnownError: the store refused (`app.secrets`: keyring locked, environment only).
        """
        wanted = dict(secrets or {})
        for name in wanted:
            if name not in SECRET_NAMES:
                raise SecretNameUnknown(value=name)
        store = self._secrets
        if wanted and store is None:
            raise NoSecretStoreChosen()
        now = self._clock.now()

        def work(session: Any) -> ConnectionFields:
            saved = repo.write_json_setting(session, CONNECTION, dict(fields),
                                            operator_id=operator_id, now=now)
            if wanted:
                assert store is not None
                set_names = sorted(name for name, value in wanted.items() if value)
                deleted = sorted(name for name, value in wanted.items() if not value)
                for name in set_names:
                    store.set(name, str(wanted[name]))
                for name in deleted:
                    store.delete(name)
                # names and where, never a value: the audit log is exported and shown
                audit.append(session, action=SECRETS_ACTION, operator_id=operator_id,
                             object_type="setting", object_id=CONNECTION.key, now=now,
                             details={"set": set_names, "deleted": deleted,
                                      "store": store.kind})
            return saved

        await self._db.run(work)
        return await self.load()


__all__ = ["SECRETS_ACTION", "ConnectionService", "ConnectionState", "NoSecretStoreChosen",
           "SecretNameUnknown", "SecretPort", "dump_connection", "load_connection_sync"]
