"""ConnectionService: the number's ids and API address in the settings table, the secrets in the
secret store (never in the database), each save audited by name only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cobrador_desktop.app.config import resolve_profile
from cobrador_desktop.app.secrets import SecretsOnlyInEnvironment, choose_secret_store
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.connection import (
    ConnectionFields,
    ConnectionFieldUnknown,
    ConnectionIdInvalid,
    ConnectionUrlInvalid,
)
from cobrador_desktop.services.connection import (
    ConnectionService,
    NoSecretStoreChosen,
    SecretNameUnknown,
    load_connection_sync,
)
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Operator, Setting
from tests.fixtures.memory_keyring import memory_keyring

FIELDS = {"phone_number_id": " 1122334455667 ", "waba_id": "102290129340398",
          "api_base_url": "http://127.0.0.1:8090/v25.0/"}


def _owner(database: Database) -> int:
    def work(session: Any) -> int:
        person = Operator(name="Dona Loja", login="dona", role="owner")
        session.add(person)
        session.flush()
        return int(person.id)
    return database.run_sync(work)


def _everything_stored(database: Database) -> str:
    """Every settings value and audit detail, as text."""
    return database.run_sync(lambda s: repr(
        [row.value for row in s.scalars(select(Setting))]
        + [row.details for row in s.scalars(select(AuditEntry))]))


def test_fields_go_to_the_database_and_secrets_to_the_store(
        database: Database, clock: FakeClock, tmp_path: Path) -> None:
    owner = _owner(database)
    with memory_keyring() as backend:
        store = choose_secret_store(resolve_profile(data_dir=str(tmp_path / "loja"),
                                                    database_url=None, demo=False), "keyring")
        service = ConnectionService(database, clock, store)
        empty = asyncio.run(service.load())
        assert empty.fields == ConnectionFields() and empty.saved_secrets == frozenset()
        assert empty.store_kind == "keyring"

        state = asyncio.run(service.save(FIELDS, owner, secrets={
            "access_token": "EAAtokendaloja0123456789", "app_secret": "segredo-do-app",
            "verify_token": "verifica-loja"}))
        assert state.fields == ConnectionFields("1122334455667", "102290129340398",
                                                "http://127.0.0.1:8090/v25.0")
        assert state.saved_secrets == {"access_token", "app_secret", "verify_token"}
        assert store.get("app_secret") == "segredo-do-app"
        assert len(backend.passwords) == 3
        assert load_connection_sync(database) == state.fields

        # a blank secret removes it; blank fields become "not set"
        state = asyncio.run(service.save({"phone_number_id": "1122334455667", "waba_id": ""},
                                         owner, secrets={"app_secret": ""}))
        assert state.fields == ConnectionFields("1122334455667")
        assert state.saved_secrets == {"access_token", "verify_token"}

    stored = _everything_stored(database)
    for value in ("EAAtokendaloja0123456789", "segredo-do-app", "verifica-loja"):
        assert value not in stored
    actions = database.run_sync(lambda s: [
        (row.action, row.operator_id, row.details) for row in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "connection.secrets")
            .order_by(AuditEntry.id))])
    assert actions == [
        ("connection.secrets", owner, {"set": ["access_token", "app_secret", "verify_token"],
                                       "deleted": [], "store": "keyring"}),
        ("connection.secrets", owner, {"set": [], "deleted": ["app_secret"],
                                       "store": "keyring"})]


@pytest.mark.parametrize(("fields", "error"), [
    ({"phone_number_id": "+55 11 98765-4321"}, ConnectionIdInvalid),
    ({"waba_id": "abc"}, ConnectionIdInvalid),
    ({"api_base_url": "ftp://graph.facebook.com"}, ConnectionUrlInvalid),
    ({"api_base_url": "https://ana:senha@graph.facebook.com/v25.0"}, ConnectionUrlInvalid),
    ({"access_token": "EAAnaovaiparaobanco123"}, ConnectionFieldUnknown),
])
def test_a_wrong_field_saves_nothing(database: Database, clock: FakeClock,
                                     fields: dict[str, str], error: type[Exception]) -> None:
    service = ConnectionService(database, clock)
    with pytest.raises(error):
        asyncio.run(service.save(fields, None))
    assert asyncio.run(service.load()).fields == ConnectionFields()
    assert "EAAnaovaiparaobanco123" not in _everything_stored(database)


def test_secrets_need_a_store(database: Database, clock: FakeClock, tmp_path: Path) -> None:
    service = ConnectionService(database, clock)  # no keyring and no choice yet
    with pytest.raises(NoSecretStoreChosen):
        asyncio.run(service.save(FIELDS, None, secrets={"access_token": "x" * 20}))
    with pytest.raises(SecretNameUnknown):
        asyncio.run(service.save(FIELDS, None, secrets={"senha": "x" * 20}))
    assert asyncio.run(service.load()).fields == ConnectionFields()

    env_only = choose_secret_store(resolve_profile(data_dir=str(tmp_path / "loja"),
                                                   database_url=None, demo=False), "env")
    with pytest.raises(SecretsOnlyInEnvironment):
        asyncio.run(ConnectionService(database, clock, env_only).save(
            FIELDS, None, secrets={"access_token": "y" * 20}))
    # the store refused: the fields' transaction rolled back with it
    assert asyncio.run(service.load()).fields == ConnectionFields()
