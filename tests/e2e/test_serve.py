"""`serve` as a user runs it: webhooks over HTTP into the database, /healthz, clean SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cobrador_desktop.whatsapp.webhook.verify import sign
from tests.e2e.ports import free_port

pytestmark = pytest.mark.slow
SECRET = "segredo-do-app"


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, **extra)


def test_serve_without_secrets_says_what_to_set(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cobrador_desktop", "--data-dir", str(tmp_path), "serve"],
        env=_env(), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "WHATSAPP_APP_SECRET" in result.stderr and "WHATSAPP_VERIFY_TOKEN" in result.stderr


def test_serve_stores_a_signed_webhook_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    with subprocess.Popen(
            [sys.executable, "-m", "cobrador_desktop", "--data-dir", str(tmp_path), "serve",
             "--port", str(port)],
            env=_env(WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN="verifica"),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        _exercise(process, port)
    assert process.returncode == 0
    with sqlite3.connect(tmp_path / "cobrador.db") as conn:
        rows = conn.execute("SELECT wamid, text FROM messages").fetchall()
    conn.close()
    assert rows == [("wamid.SERVE1", "Olá")]


def _exercise(process: subprocess.Popen[str], port: int) -> None:
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert health.status_code == 200
        assert health.json()["database"] is True and health.json()["outbox_queue"] == 0
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1",
            "changes": [{"field": "messages", "value": {
                "metadata": {"phone_number_id": "1122334455667"},
                "messages": [{"from": "5511987654321", "id": "wamid.SERVE1",
                              "timestamp": "1767225600", "type": "text",
                              "text": {"body": "Olá"}}]}}]}]}).encode()
        posted = httpx.post(f"{base}/webhook", content=body, timeout=10,
                            headers={"X-Hub-Signature-256": sign(body, SECRET.encode())})
        assert posted.status_code == 200
        assert httpx.get(f"{base}/healthz", timeout=2).json()["last_webhook_received"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
