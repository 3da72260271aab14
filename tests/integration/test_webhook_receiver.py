"""The webhook receiver over real HTTP on 127.0.0.1, storing into a real database (both kinds)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.services.ingest import WebhookIngest
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message, WebhookDelivery
from cobrador_desktop.whatsapp.webhook.parse import ParseResult
from cobrador_desktop.whatsapp.webhook.server import WebhookServer
from cobrador_desktop.whatsapp.webhook.verify import sign
from tests.unit.storage.factories import add_debtor, add_phone

SECRET = b"segredo-do-app"
OLD_SECRET = b"segredo-anterior"
VERIFY = "token-de-verificacao"
T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def _body(wamid: str = "wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhggQTk2RjE0RkI4NTk3QUUA") -> bytes:
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
        "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5511999990000",
                         "phone_number_id": "1122334455667"},
            "contacts": [{"profile": {"name": "João Souza"}, "wa_id": "551187654321"}],
            "messages": [{"from": "551187654321", "id": wamid, "timestamp": "1767225600",
                          "type": "text", "text": {"body": "Já paguei, segue o comprovante"}}],
        }}]}]}
    # Meta signs the escaped-unicode form: the receiver must verify these exact bytes
    return json.dumps(payload, ensure_ascii=True).encode()


def _serve(database: Database,
           test: Callable[[httpx.AsyncClient, WebhookIngest], Awaitable[None]], *,
           failing: bool = False) -> None:
    ingest = WebhookIngest(database, FakeClock(T))

    async def deliver(raw: bytes, result: ParseResult) -> None:
        if failing:
            raise RuntimeError("disco cheio")
        await ingest.deliver(raw, result)

    async def health() -> dict[str, Any]:
        last = ingest.health().last_received_at
        return {"last_webhook": last.isoformat() if last else None}

    async def main() -> None:
        server = WebhookServer(app_secrets=[SECRET, OLD_SECRET], verify_token=VERIFY,
                               deliver=deliver, health=health)
        url = await server.start("127.0.0.1", 0)
        try:
            async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                await test(client, ingest)
        finally:
            await server.stop()

    asyncio.run(main())


def _count(database: Database, model: Any) -> int:
    return int(database.run_sync(lambda s: s.scalar(select(func.count()).select_from(model))))


def test_a_signed_inbound_lands_in_the_debtors_conversation(database: Database) -> None:
    debtor = database.run_sync(lambda s: add_debtor(s, "João Souza"))
    database.run_sync(lambda s: add_phone(s, debtor, "+5511987654321"))

    async def test(client: httpx.AsyncClient, ingest: WebhookIngest) -> None:
        raw = _body()
        response = await client.post("/webhook", content=raw,
                                     headers={"X-Hub-Signature-256": sign(raw, SECRET)})
        assert response.status_code == 200
        # committed before the 200: it is there the moment the answer arrives
        assert _count(database, Message) == 1
        again = await client.post("/webhook", content=raw,  # Meta retries: still one message
                                  headers={"X-Hub-Signature-256": sign(raw, OLD_SECRET)})
        assert again.status_code == 200
        health = (await client.get("/healthz")).json()
        assert health["status"] == "ok" and health["last_webhook"] == T.isoformat()

    _serve(database, test)

    def check(session: Session) -> None:
        message = session.scalar(select(Message))
        assert message is not None and message.text == "Já paguei, segue o comprovante"
        conversation = session.get(Conversation, message.conversation_id)
        assert conversation is not None and conversation.debtor_id == debtor
    database.run_sync(check)
    assert _count(database, Message) == 1


def test_bad_signatures_store_nothing(database: Database) -> None:
    async def test(client: httpx.AsyncClient, ingest: WebhookIngest) -> None:
        raw = _body()
        missing = await client.post("/webhook", content=raw)
        forged = await client.post("/webhook", content=raw,
                                   headers={"X-Hub-Signature-256": sign(raw, b"outro")})
        changed = raw.replace(b"paguei", b"pagou!")
        replayed = await client.post("/webhook", content=changed,
                                     headers={"X-Hub-Signature-256": sign(raw, SECRET)})
        assert (missing.status_code, forged.status_code, replayed.status_code) == (401, 403, 403)

    _serve(database, test)
    assert _count(database, WebhookDelivery) == 0 and _count(database, Message) == 0


def test_too_large_is_refused(database: Database) -> None:
    async def test(client: httpx.AsyncClient, ingest: WebhookIngest) -> None:
        raw = b"{" + b" " * (1 << 20) + b"}"
        response = await client.post("/webhook", content=raw,
                                     headers={"X-Hub-Signature-256": sign(raw, SECRET)})
        assert response.status_code == 413

    _serve(database, test)
    assert _count(database, WebhookDelivery) == 0


def test_a_signed_body_nobody_understands_is_kept_and_acknowledged(database: Database) -> None:
    async def test(client: httpx.AsyncClient, ingest: WebhookIngest) -> None:
        raw = b"\x00\x01 isto n\xe3o \xe9 json"
        response = await client.post("/webhook", content=raw,
                                     headers={"X-Hub-Signature-256": sign(raw, SECRET)})
        assert response.status_code == 200

    _serve(database, test)
    kept = database.run_sync(lambda s: s.execute(
        select(WebhookDelivery.body, WebhookDelivery.parsed_ok)).one())
    assert bytes(kept[0]) == b"\x00\x01 isto n\xe3o \xe9 json" and kept[1] is False


def test_not_stored_means_not_acknowledged(database: Database) -> None:
    async def test(client: httpx.AsyncClient, ingest: WebhookIngest) -> None:
        raw = _body()
        response = await client.post("/webhook", content=raw,
                                     headers={"X-Hub-Signature-256": sign(raw, SECRET)})
        assert response.status_code == 500  # Meta will deliver it again

    _serve(database, test, failing=True)


def test_verify_token_handshake(database: Database) -> None:
    async def test(client: httpx.AsyncClient, ingest: WebhookIngest) -> None:
        good = await client.get("/webhook", params={
            "hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"})
        assert good.status_code == 200 and good.text == "1158201444"
        assert good.headers["content-type"].startswith("text/plain")
        bad = await client.get("/webhook", params={
            "hub.mode": "subscribe", "hub.verify_token": "errado", "hub.challenge": "1"})
        assert bad.status_code == 403

    _serve(database, test)
