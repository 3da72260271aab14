"""A debtor's answers end to end: the emulator sends signed webhooks to `serve`'s receiver over
HTTP on 127.0.0.1; `serve` applies "Sou eu", "Parar mensagens" and VOLTAR as they are stored and
its outbox sends the one confirmation of each back through the emulator."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from cobrador_desktop.storage.db import open_database, sqlite_url
from tests.e2e.ports import free_port
from tests.e2e.test_emulator_serve import _process, _wait_for
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

pytestmark = pytest.mark.slow
NUMBER = "5511987654321"


def _texts_sent(emulator_url: str) -> list[str]:
    sent = httpx.get(f"{emulator_url}/_emulator/sent", params={"to": NUMBER}, timeout=5).json()
    return [m["payload"]["text"]["body"] for m in sent["messages"] if m["type"] == "text"]


def _inbound(emulator_url: str, **spec: Any) -> None:
    reply = httpx.post(f"{emulator_url}/_emulator/inbound", timeout=10,
                       json={"from": NUMBER, "name": "Maria Souza", **spec})
    assert reply.status_code == 200, reply.text


def test_sou_eu_parar_and_voltar_through_the_receiver_and_the_emulator(tmp_path: Path) -> None:
    db_path = tmp_path / "cobrador.db"
    database = open_database(sqlite_url(db_path), backup_dir=tmp_path / "backups")
    try:
        def seed(s: Session) -> int:
            debtor = add_debtor(s, "Maria Souza")
            add_phone(s, debtor, f"+{NUMBER}")
            return add_debt(s, debtor, 8990, date(2026, 11, 10))
        debt = database.run_sync(seed)
    finally:
        database.close()

    serve_port, emulator_port = free_port(), free_port()
    serve_url = f"http://127.0.0.1:{serve_port}"
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    # serve keeps the real clock, like the emulator: the replies are exempt from contact hours
    sending_env = {"WHATSAPP_API_BASE_URL": f"{emulator_url}/v25.0",
                   "WHATSAPP_PHONE_NUMBER_ID": "1122334455667",
                   "WHATSAPP_WABA_ID": "102290129340398",
                   "WHATSAPP_ACCESS_TOKEN": "emulator-token"}
    with _process(["--data-dir", str(tmp_path / "emu"), "emulator", "--port", str(emulator_port),
                   "--webhook-url", f"{serve_url}/webhook"], f"{emulator_url}/_emulator/sent"), \
         _process(["--data-dir", str(tmp_path), "serve", "--port", str(serve_port)],
                  f"{serve_url}/healthz", extra_env=sending_env):
        # the identity check's "Sou eu" button, naming the debt
        _inbound(emulator_url, type="button", text="Sou eu", payload=f"CPC_YES:d{debt}")
        assert _wait_for("SELECT cpc_status, cpc_message_id FROM debtor_phones "
                         "WHERE cpc_status = 'confirmed'", db_path, 1) != []

        # "Parar mensagens": opted out, one confirmation sent back through the emulator
        _inbound(emulator_url, type="button", text="Parar mensagens", payload=f"STOP:d{debt}")
        rows = _wait_for("SELECT opt_out_source FROM phones WHERE opted_out", db_path, 1)
        assert len(rows) == 1 and str(rows[0][0]).startswith("WhatsApp: STOP (wamid.")
        _wait_for("SELECT 1 FROM outbox WHERE purpose = 'system_reply' AND state = 'sent'",
                  db_path, 1, timeout=30)
        assert _texts_sent(emulator_url) == [
            "Pronto. A loja não enviará mais mensagens para este número. Se quiser voltar a "
            "receber, envie VOLTAR."]

        # VOLTAR: back in, with the holder's request as the new opt-in evidence
        _inbound(emulator_url, type="text", text="VOLTAR")
        rows = _wait_for("SELECT opt_in_source FROM phones WHERE NOT opted_out "
                         "AND opt_in_source IS NOT NULL", db_path, 1)
        assert rows == [("pedido do titular via WhatsApp",)]
        _wait_for("SELECT 1 FROM outbox WHERE purpose = 'system_reply' AND state = 'sent'",
                  db_path, 2, timeout=30)
        assert _texts_sent(emulator_url)[1:] == [
            "Certo! Você voltará a receber mensagens da loja neste número. Para parar a "
            "qualquer momento, envie PARAR."]
        actions = _wait_for("SELECT action FROM audit_log WHERE action LIKE 'phone.%' "
                            "ORDER BY id", db_path, 3)
        assert [a[0] for a in actions] == ["phone.cpc_confirmed", "phone.opt_out",
                                           "phone.opt_in"]
