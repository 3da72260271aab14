"""The self-service buttons end to end: the emulator sends the debtor's taps as signed webhooks to
`serve` over HTTP on 127.0.0.1; `serve` applies them as they are stored and its outbox sends the
replies back through the emulator — the PIX copia e cola, "Já paguei" pausing the régua,
"Falar com atendente" queueing the conversation, and PARAR silencing the number."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from cobrador_desktop.domain.pix import decode_brcode
from cobrador_desktop.domain.policy import SendRequest, evaluate
from cobrador_desktop.storage.db import open_database, sqlite_url
from cobrador_desktop.storage.repos.bulk import mark_dataset
from cobrador_desktop.storage.repos.inbound_answers import confirm_identity_by_hand
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from tests.e2e.ports import free_port
from tests.e2e.test_emulator_serve import _process, _wait_for
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

pytestmark = pytest.mark.slow
NUMBER = "5511987654321"
SENT_REPLIES = "SELECT 1 FROM outbox WHERE purpose = 'system_reply' AND state = 'sent'"


def _sent(emulator_url: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{emulator_url}/_emulator/sent", params={"to": NUMBER},
                          timeout=5).json()["messages"])


def _texts(emulator_url: str) -> list[str]:
    return [m["payload"]["text"]["body"] for m in _sent(emulator_url) if m["type"] == "text"]


def _tap(emulator_url: str, label: str, payload: str, template: str = "wamid.T1") -> None:
    """A tap on a quick reply of the template message `template`."""
    reply = httpx.post(f"{emulator_url}/_emulator/inbound", timeout=10, json={
        "from": NUMBER, "name": "Maria Souza", "type": "button", "text": label,
        "payload": payload, "context_id": template})
    assert reply.status_code == 200, reply.text


def test_pix_ja_paguei_atendente_and_parar_through_serve_and_the_emulator(
        tmp_path: Path) -> None:
    db_path = tmp_path / "cobrador.db"
    database = open_database(sqlite_url(db_path), backup_dir=tmp_path / "backups")
    now = datetime.now(UTC)
    try:
        def seed(s: Session) -> tuple[int, int, int]:
            debtor = add_debtor(s, "Maria Souza")
            phone = add_phone(s, debtor, f"+{NUMBER}")
            debt = add_debt(s, debtor, 8990, date(2026, 11, 10))
            confirm_identity_by_hand(s, debtor_id=debtor, phone_id=phone, operator_id=None,
                                     note="confirmou na loja", now=now - timedelta(days=1))
            mark_dataset(s, "shop.pix", {"key": "11.222.333/0001-81", "name": "Loja Exemplo",
                                         "city": "Campinas"}, now - timedelta(days=1))
            return debtor, phone, debt
        debtor, phone, debt = database.run_sync(seed)
    finally:
        database.close()

    serve_port, emulator_port = free_port(), free_port()
    serve_url = f"http://127.0.0.1:{serve_port}"
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    sending_env = {"WHATSAPP_API_BASE_URL": f"{emulator_url}/v25.0",
                   "WHATSAPP_PHONE_NUMBER_ID": "1122334455667",
                   "WHATSAPP_WABA_ID": "102290129340398",
                   "WHATSAPP_ACCESS_TOKEN": "emulator-token"}
    with _process(["--data-dir", str(tmp_path / "emu"), "emulator", "--port", str(emulator_port),
                   "--webhook-url", f"{serve_url}/webhook"], f"{emulator_url}/_emulator/sent"), \
         _process(["--data-dir", str(tmp_path), "serve", "--port", str(serve_port)],
                  f"{serve_url}/healthz", extra_env=sending_env):
        # "Quero o código PIX": the copia e cola of R$ 89,90 reaches the phone
        _tap(emulator_url, "Quero o código PIX", f"PIX:d{debt}")
        _wait_for(SENT_REPLIES, db_path, 1, timeout=30)
        [pix] = _texts(emulator_url)
        assert "Valor: R$ 89,90 · vencimento 10/11/2026." in pix
        charge = decode_brcode(pix.rsplit("\n", 1)[1]).charge  # the CRC checks out
        assert (charge.amount_cents, charge.txid) == (8990, f"COB{debt}")

        # "Já paguei": the debt is payment-claimed, a task is open, the régua is refused
        _tap(emulator_url, "Já paguei", f"PAID:d{debt}")
        assert _wait_for("SELECT id FROM debts WHERE payment_claimed_at IS NOT NULL",
                         db_path, 1) == [(debt,)]
        assert _wait_for("SELECT kind FROM tasks", db_path, 1) == [("confirm_payment",)]
        _wait_for(SENT_REPLIES, db_path, 2, timeout=30)
        assert _texts(emulator_url)[1].startswith("Obrigado por avisar!")
        database = open_database(sqlite_url(db_path), backup_dir=tmp_path / "backups")
        try:
            def regua(s: Session) -> list[str]:
                later = datetime.now(UTC)
                [facts] = gather(s, [FactsTarget(debtor, phone, debt, "D+3", None)],
                                 now=later, shop_zone="America/Sao_Paulo")
                decision = evaluate(SendRequest("automated", "overdue", "text", "Olá"), facts,
                                    later)
                return [r.code for r in decision.blocking]
            assert "DEBT_PAYMENT_CLAIMED" in database.run_sync(regua)
        finally:
            database.close()

        # "Falar com atendente": nobody's, open, waiting; the hours go back
        _tap(emulator_url, "Falar com atendente", f"AGENT:d{debt}")
        assert _wait_for("SELECT status FROM conversations WHERE assigned_operator_id IS NULL "
                         "AND waiting_since IS NOT NULL AND id IN (SELECT conversation_id FROM "
                         "messages WHERE text = 'Falar com atendente')", db_path, 1) == [
            ("open",)]
        _wait_for(SENT_REPLIES, db_path, 3, timeout=30)
        assert _texts(emulator_url)[2].startswith("Certo! Um atendente vai responder em breve")

        # PARAR: one confirmation, then nothing more reaches the number
        _tap(emulator_url, "Parar mensagens", f"STOP:d{debt}")
        _wait_for(SENT_REPLIES, db_path, 4, timeout=30)
        assert _texts(emulator_url)[3].startswith("Pronto.")
        _tap(emulator_url, "Falar com atendente", f"AGENT:d{debt}", "wamid.T2")
        _tap(emulator_url, "Quero o código PIX", f"PIX:d{debt}", "wamid.T2")
        assert len(_wait_for("SELECT 1 FROM audit_log WHERE action = 'debtor.pix_requested'",
                             db_path, 2)) == 2  # applied (recorded), but no reply
        time.sleep(2)  # the sender would have picked a reply up by now
        assert len(_sent(emulator_url)) == 4
        assert _wait_for("SELECT count(*) FROM outbox", db_path, 1) == [(4,)]
