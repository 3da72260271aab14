"""The WhatsApp engine the window runs on the shop's own profile: what the environment turns on."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
from sqlalchemy import select

from cobrador_desktop.app.config import webhook_port
from cobrador_desktop.app.engine import engine_from_environment
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Message
from cobrador_desktop.whatsapp.webhook.verify import sign
from tests.e2e.ports import free_port


def _inbound_body(wamid: str) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5511999990000",
                         "phone_number_id": "1122334455667"},
            "contacts": [{"profile": {"name": "Maria"}, "wa_id": "551187654321"}],
            "messages": [{"from": "551187654321", "id": wamid, "timestamp": "1795000000",
                          "type": "text", "text": {"body": "Já paguei"}}]}}]}]}).encode()


def test_nothing_configured_runs_nothing(sqlite_database: Database, clock: FakeClock) -> None:
    assert engine_from_environment(sqlite_database, clock) is None


def test_a_bad_port_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRADOR_WEBHOOK_PORT", "oitenta")
    assert webhook_port() == 8080
    monkeypatch.setenv("COBRADOR_WEBHOOK_PORT", "9123")
    assert webhook_port() == 9123


def test_the_secrets_alone_receive_webhooks_without_sending(
        sqlite_database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "segredo")
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "verifica")
    monkeypatch.setenv("COBRADOR_WEBHOOK_PORT", str(port))
    engine = engine_from_environment(sqlite_database, clock)
    assert engine is not None

    async def scenario() -> None:
        assert engine is not None
        await engine.start()
        try:
            assert engine.receiver_url == f"http://127.0.0.1:{port}" and engine.sender is None
            raw = _inbound_body("wamid.ENGINE1")
            async with httpx.AsyncClient(timeout=5) as http:
                stored = await http.post(f"{engine.receiver_url}/webhook", content=raw, headers={
                    "X-Hub-Signature-256": sign(raw, b"segredo")})
                health = (await http.get(f"{engine.receiver_url}/healthz")).json()
            assert stored.status_code == 200
            assert health["sending"] is False and health["last_webhook_received"]
        finally:
            await engine.stop()
    asyncio.run(scenario())
    texts = sqlite_database.run_sync(lambda s: s.scalars(select(Message.text)).all())
    assert texts == ["Já paguei"]


def test_a_taken_port_raises_and_leaves_nothing_running(
        sqlite_database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "segredo")
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "verifica")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("COBRADOR_WEBHOOK_PORT", str(taken.getsockname()[1]))
        engine = engine_from_environment(sqlite_database, clock)
        assert engine is not None

        async def scenario() -> None:
            assert engine is not None
            with pytest.raises(OSError):
                await engine.start()
            await engine.stop()
            assert engine.sender is None and engine.receiver_url is None
        asyncio.run(scenario())


def test_a_connected_number_syncs_its_templates_and_health(
        sqlite_database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sending engine reads the templates and the number's quality from the Cloud API at
    once (the régua and the send guard need both), without holding up the start."""
    from cobrador_desktop.domain.settings import NUMBER_QUALITY, NumberQuality
    from cobrador_desktop.storage.orm import Template
    from cobrador_desktop.storage.repos.settings import read_json_setting
    from cobrador_desktop.whatsapp.emulator.server import Emulator
    from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig

    async def scenario() -> None:
        emulator = Emulator(EmulatorConfig(access_token="token-do-teste", clock=clock))
        base_url = await emulator.start()
        monkeypatch.setenv("WHATSAPP_API_BASE_URL", base_url)
        monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "token-do-teste")
        monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", emulator.config.phone_number_id)
        monkeypatch.setenv("WHATSAPP_WABA_ID", emulator.config.waba_id)
        engine = engine_from_environment(sqlite_database, clock)
        assert engine is not None
        await engine.start()
        try:
            for _ in range(100):
                quality = await sqlite_database.run(
                    lambda s: read_json_setting(s, NUMBER_QUALITY))
                if quality.quality is not None:
                    break
                await asyncio.sleep(0.05)
        finally:
            await engine.stop()
            await emulator.stop()

    asyncio.run(scenario())
    assert sqlite_database.run_sync(lambda s: read_json_setting(s, NUMBER_QUALITY)) == (
        NumberQuality("GREEN", "TIER_250"))
    names = sqlite_database.run_sync(lambda s: set(s.scalars(select(Template.name))))
    assert {"confirmacao_identidade_v1", "parcela_em_atraso_v1"} <= names


def test_the_sending_engine_runs_the_regua_after_the_first_sync(
        sqlite_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the shop's zone, the engine that sends also runs the day's régua — only once the
    templates and the number's quality are known — and the reminder reaches the emulator."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from cobrador_desktop.storage.orm import OutboxItem, ReguaSend, Template
    from cobrador_desktop.whatsapp.emulator.server import Emulator
    from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig
    from tests.unit.services.test_reminders import MONDAY, person, seed_shop

    seed_shop(sqlite_database)
    # the shop's templates come from the emulator's sync here, not from the seed
    sqlite_database.run_sync(lambda s: s.query(Template).delete())
    due_today = person(sqlite_database, "Bia Rocha", "+5511987650002", (date(2026, 12, 7),))
    clock = FakeClock(MONDAY)  # 12:00 in São Paulo, after the régua's 09:05

    async def scenario() -> list[dict[str, object]]:
        emulator = Emulator(EmulatorConfig(access_token="token-do-teste", clock=clock))
        base_url = await emulator.start()
        monkeypatch.setenv("WHATSAPP_API_BASE_URL", base_url)
        monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "token-do-teste")
        monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", emulator.config.phone_number_id)
        monkeypatch.setenv("WHATSAPP_WABA_ID", emulator.config.waba_id)
        engine = engine_from_environment(sqlite_database, clock, ZoneInfo("America/Sao_Paulo"))
        assert engine is not None
        engine._upkeep_delay = 0
        await engine.start()
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                for _ in range(200):
                    sent = (await http.get(f"{emulator.control_url}/sent")).json()["messages"]
                    if sent:
                        return list(sent)
                    await asyncio.sleep(0.05)
            return []
        finally:
            await engine.stop()
            await emulator.stop()

    sent = asyncio.run(scenario())
    steps = sqlite_database.run_sync(lambda s: s.execute(
        select(ReguaSend.debt_id, ReguaSend.step, ReguaSend.state)).all())
    assert [tuple(r) for r in steps] == [(due_today.debt_ids[0], "D0", "queued")]
    assert [m["to"] for m in sent] == ["+5511987650002"]
    assert sent[0]["type"] == "template"
    states = sqlite_database.run_sync(lambda s: s.scalars(select(OutboxItem.state)).all())
    assert states == ["sent"]
