"""The README's flow with nothing but this machine: `emulator` and `serve` as separate processes.

A simulated debtor writes (control API) -> the emulator sends a signed webhook -> `serve` stores it
in the debtor's conversation. A message sent through the emulator with the project's client has
its sent/delivered/read statuses delivered to `serve` and kept.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from tests.e2e.ports import free_port

pytestmark = pytest.mark.slow
SECRET = "segredo-de-teste"


@contextmanager
def _process(args: list[str], ready_url: str,
             extra_env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    env = dict(os.environ, WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN="verifica",
               **(extra_env or {}))
    with subprocess.Popen([sys.executable, "-m", "cobrador_desktop", *args], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          text=True) as process:
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(ready_url, timeout=2)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, f"{args[0]} exited early"
                    assert time.monotonic() < deadline, f"{args} did not start"
                    time.sleep(0.2)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            finally:
                if process.poll() is None:
                    process.kill()


def _wait_for(query: str, db: Path, expected: int, timeout: float = 20) -> list[tuple[object, ...]]:
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(query).fetchall()
        conn.close()
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_inbound_and_statuses_flow_from_the_emulator_into_serve(tmp_path: Path) -> None:
    serve_port, emulator_port = free_port(), free_port()
    serve_url = f"http://127.0.0.1:{serve_port}"
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    db = tmp_path / "cobrador.db"
    with _process(["--data-dir", str(tmp_path), "serve", "--port", str(serve_port)],
                  f"{serve_url}/healthz"), \
         _process(["--data-dir", str(tmp_path / "emu"), "emulator", "--port", str(emulator_port),
                   "--webhook-url", f"{serve_url}/webhook"], f"{emulator_url}/_emulator/sent"):
        # a simulated debtor writes to the shop
        injected = httpx.post(f"{emulator_url}/_emulator/inbound", timeout=10, json={
            "from": "5511987654321", "type": "text", "text": "Oi, recebi a cobrança",
            "name": "Maria Souza"})
        assert injected.status_code == 200, injected.text
        inbound = _wait_for("SELECT text, direction FROM messages", db, 1)
        assert inbound == [("Oi, recebi a cobrança", "in")]

        # the shop answers inside the window through the project's client
        async def send() -> str:
            config = CloudApiConfig(base_url=f"{emulator_url}/v25.0",
                                    phone_number_id="1122334455667", waba_id="102290129340398",
                                    access_token="emulator-token")
            async with CloudApiClient(config) as client:
                result = await client.send_text("+5511987654321", "Olá, Maria! Posso ajudar?",
                                                callback_data="ob:1")
                return result.wamid
        wamid = asyncio.run(send())
        statuses = _wait_for(
            f"SELECT status FROM message_events WHERE wamid = '{wamid}'", db, 3, timeout=30)
        assert {row[0] for row in statuses} >= {"sent", "delivered", "read"}


def test_an_outbox_message_is_sent_by_serve_and_its_statuses_arrive(tmp_path: Path) -> None:
    from cobrador_desktop.domain.clock import FakeClock
    from cobrador_desktop.storage.db import open_database, sqlite_url
    from tests.e2e.campaign import CLOCK_START
    from tests.unit.services.test_outbox import add_conversation, enqueue

    reminder = {"messaging_product": "whatsapp", "type": "template", "template": {
        "name": "lembrete_vencimento_v1", "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": v} for v in ("Maria", "2/6", "R$ 89,90", "15/12/2026")]}]}}

    db_path = tmp_path / "cobrador.db"
    database = open_database(sqlite_url(db_path), backup_dir=tmp_path / "backups")
    try:
        conversation = add_conversation(database, "+5511987654321")
        asyncio.run(enqueue(database, FakeClock(CLOCK_START), conversation,
                            payload=reminder))
    finally:
        database.close()

    serve_port, emulator_port = free_port(), free_port()
    serve_url = f"http://127.0.0.1:{serve_port}"
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    sending_env = {"WHATSAPP_API_BASE_URL": f"{emulator_url}/v25.0",
                   "WHATSAPP_PHONE_NUMBER_ID": "1122334455667",
                   "WHATSAPP_WABA_ID": "102290129340398",
                   "WHATSAPP_ACCESS_TOKEN": "emulator-token",
                   # the guard keeps contact hours by serve's clock: a weekday afternoon
                   "COBRADOR_CLOCK_START": CLOCK_START.isoformat()}
    with _process(["--data-dir", str(tmp_path / "emu"), "emulator", "--port", str(emulator_port),
                   "--webhook-url", f"{serve_url}/webhook"], f"{emulator_url}/_emulator/sent"), \
         _process(["--data-dir", str(tmp_path), "serve", "--port", str(serve_port)],
                  f"{serve_url}/healthz", extra_env=sending_env):
        rows = _wait_for("SELECT o.state, m.status FROM outbox o JOIN messages m "
                         "ON m.id = o.message_id WHERE m.status = 'read'", db_path, 1, timeout=30)
        assert rows == [("sent", "read")]
        sent = httpx.get(f"{emulator_url}/_emulator/sent", timeout=5).json()
        assert sent["total"] == 1  # sent exactly once
        health = httpx.get(f"{serve_url}/healthz", timeout=5).json()
        assert health["sending"] is True and health["last_send"] is not None
        assert health["outbox_queue"] == 0


def test_check_reads_the_number_through_the_client(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with _process(["--data-dir", str(tmp_path / "emu"), "emulator", "--port", str(port)],
                  f"{url}/_emulator/sent"):
        def check(token: str) -> subprocess.CompletedProcess[str]:
            env = dict(os.environ, WHATSAPP_API_BASE_URL=f"{url}/v25.0",
                       WHATSAPP_PHONE_NUMBER_ID="1122334455667", WHATSAPP_ACCESS_TOKEN=token)
            return subprocess.run([sys.executable, "-m", "cobrador_desktop", "--data-dir",
                                   str(tmp_path), "check"], env=env, capture_output=True,
                                  text=True, timeout=120, check=False)
        good = check("emulator-token")
        line = next(x for x in good.stdout.splitlines() if "API do WhatsApp" in x)
        assert line.startswith("OK") and "Loja Exemplo" in line, good.stdout
        bad = check("token-vencido")
        line = next(x for x in bad.stdout.splitlines() if "API do WhatsApp" in x)
        assert bad.returncode == 1 and line.startswith("FALHA") and "token" in line
        assert "token-vencido" not in bad.stdout + bad.stderr
