"""The WhatsApp secrets never reach the database, the logs, an export or a crash report.

The owner saves the connection (secrets in the store: an in-memory OS keyring, or the encrypted
file), the environment overrides the access token, `serve` runs against the project's emulator on
127.0.0.1 (webhook handshake with the verify token, a signed inbound message, the account sync with
the token), an error with the secrets in its text is logged, the data is exported and a crash
report written. Then every byte of the data folder (database, logs, reports, the secrets file)
and the export are searched for each secret value: none is there.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from cobrador_desktop.app.config import Profile, resolve_profile, webhook_secrets
from cobrador_desktop.app.logs import setup_logging
from cobrador_desktop.app.secrets import (
    SecretStore,
    choose_secret_store,
    lock_file_store,
    unlock_file_store,
)
from cobrador_desktop.app.serve import _serve
from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.services.connection import ConnectionService
from cobrador_desktop.services.export import export_json
from cobrador_desktop.storage.db import open_database
from cobrador_desktop.ui.errors import CrashHandler
from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig
from tests.e2e.ports import free_port
from tests.fixtures.memory_keyring import memory_keyring

PHONE_ID, WABA_ID = "1122334455667", "102290129340398"


@pytest.fixture
def logs_reset() -> Iterator[None]:
    yield
    setup_logging(None)


def _values() -> dict[str, str]:
    """Secrets shaped like nothing the patterns know (only the store's memory hides them),
    except the environment's token, which looks like Meta's."""
    return {
        "env_token": "EAAG" + secrets.token_hex(24),
        "stored_token": "loja-token-" + secrets.token_urlsafe(18),
        "app_secret": "segredo-" + secrets.token_urlsafe(18),
        "verify_token": "verifica-" + secrets.token_urlsafe(12),
        "passphrase": "frase da dona " + secrets.token_urlsafe(8),
    }


async def _save_connection(profile: Profile, store: SecretStore, api_base_url: str,
                           values: dict[str, str]) -> None:
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        await ConnectionService(db, SystemClock(), store).save(
            {"phone_number_id": PHONE_ID, "waba_id": WABA_ID, "api_base_url": api_base_url},
            None, secrets={"access_token": values["stored_token"],
                           "app_secret": values["app_secret"],
                           "verify_token": values["verify_token"]})
    finally:
        db.close()


async def _run_serve(profile: Profile, store: SecretStore, values: dict[str, str]) -> None:
    port = free_port()
    serve_url = f"http://127.0.0.1:{port}"
    emulator = Emulator(EmulatorConfig(access_token=values["env_token"], phone_number_id=PHONE_ID,
                                       waba_id=WABA_ID, webhook_url=f"{serve_url}/webhook",
                                       app_secret=values["app_secret"]))
    api = await emulator.start("127.0.0.1", 0)
    try:
        await _save_connection(profile, store, api, values)
        app_secrets, verify_token = webhook_secrets(store)
        stop = asyncio.Event()
        serving = asyncio.ensure_future(_serve(profile, "127.0.0.1", port, app_secrets,
                                               verify_token, store, stop=stop))
        async with httpx.AsyncClient(timeout=10) as client:
            for _ in range(200):
                try:
                    health = (await client.get(f"{serve_url}/healthz")).json()
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert health["sending"] is True  # the token from the environment reached the API
            challenge = await client.get(f"{serve_url}/webhook", params={
                "hub.mode": "subscribe", "hub.verify_token": values["verify_token"],
                "hub.challenge": "4242"})
            assert challenge.text == "4242"
            refused = await client.get(f"{serve_url}/webhook", params={
                "hub.mode": "subscribe", "hub.verify_token": values["stored_token"],
                "hub.challenge": "1"})
            assert refused.status_code == 403
            inbound = await client.post(f"{emulator.control_url}/inbound", json={
                "from": "5511987654321", "type": "text", "name": "Maria Souza",
                "text": "Oi, recebi a cobrança"})
            assert inbound.status_code == 200, inbound.text
            for _ in range(100):
                if (await client.get(f"{serve_url}/healthz")).json()["last_webhook_received"]:
                    break
                await asyncio.sleep(0.05)
        stop.set()
        assert await serving == 0
    finally:
        await emulator.stop()


def _crash(values: dict[str, str]) -> BaseException:
    try:
        raise RuntimeError(f"a API recusou {values['env_token']} e {values['app_secret']} "
                           f"(verify {values['verify_token']})")
    except RuntimeError as exc:
        return exc


@pytest.mark.parametrize("kind", ["keyring", "file"])
def test_no_secret_reaches_the_database_logs_export_or_crash_report(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logs_reset: None) -> None:
    values = _values()
    profile = resolve_profile(data_dir=str(tmp_path / "dados"), database_url=None, demo=False)
    with ExitStack() as stack:
        if kind == "keyring":
            stack.enter_context(memory_keyring())
            store = choose_secret_store(profile, "keyring")
        else:
            choose_secret_store(profile, "file", values["passphrase"])
            lock_file_store(profile)
            store = unlock_file_store(profile, values["passphrase"])
        monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", values["env_token"])
        log_file = setup_logging(profile.log_dir, verbose=True)
        assert log_file is not None

        asyncio.run(_run_serve(profile, store, values))

        log = logging.getLogger("cobrador.test")
        log.error("LINHA_DE_ENVIO token %s, segredo %s e verificação %s",
                  values["env_token"], values["app_secret"], values["verify_token"])
        log.warning("LINHA_SALVO: " + values["stored_token"])
        exc = _crash(values)
        log.error("LINHA_DE_ERRO", exc_info=exc)
        handler = CrashHandler(profile.log_dir)
        handler(type(exc), exc, exc.__traceback__)
        report = handler.last_report
        assert report is not None and "RuntimeError" in report

        db = open_database(profile.database_url, backup_dir=profile.backup_dir)
        try:
            export = tmp_path / "exportacao.json"
            export_json(db, export, now=datetime.now(UTC))
        finally:
            db.close()
        for handler_ in logging.getLogger("cobrador").handlers:
            handler_.flush()

    text = log_file.read_text(encoding="utf-8")
    # (other tests in the process may have taught the redaction everyday words: markers here)
    assert "LINHA_DE_ENVIO token ***" in text and "LINHA_SALVO: ***" in text
    assert "LINHA_DE_ERRO" in text and "RuntimeError: a API recusou ***" in text
    assert "webhook receiver listening" in text  # serve's own lines are there too
    files = [p for p in profile.data_dir.rglob("*") if p.is_file()]
    assert profile.sqlite_path in files and any(p.name.startswith("erro-") for p in files)
    if kind == "file":
        assert profile.data_dir / "secrets.enc" in files
    searched = {str(p): p.read_bytes() for p in [*files, export]}
    searched["crash report"] = report.encode()
    for name, value in values.items():
        for where, data in searched.items():
            assert value.encode() not in data, f"{name} found in {where}"
    print(f"searched {len(searched)} files for {len(values)} secrets", file=sys.stderr)
