"""The shared inbox end to end over real HTTP on 127.0.0.1: the emulator's signed webhooks reach
the engine's receiver and are stored; operators work through `InboxService`; the engine's real
`OutboxSender` sends to the emulator, whose status webhooks come back as ticks.

One FakeClock, pinned on a Monday afternoon in São Paulo, drives the emulator (timestamps, status
delays, the 24-hour window), the engine and the inbox; the test moves it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from cobrador_desktop.app.engine import ReceiverConfig, WhatsAppEngine
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbox import (
    AlreadyAssigned,
    InboxFilter,
    SendRefused,
    WindowClosed,
)
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.domain.template_pack import build_pack
from cobrador_desktop.services.inbox import InboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import DebtorPhone, Phone, Template
from cobrador_desktop.storage.repos.settings import write_shop
from cobrador_desktop.whatsapp.client import CloudApiConfig
from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig
from cobrador_desktop.whatsapp.emulator.templates import DEMO_CNPJ, DEMO_SHOP
from tests.unit.storage.factories import add_debt, add_debtor, add_operator, add_phone

#: Monday 23/11/2026, 14:00 in São Paulo: inside every zone's contact hours, no holiday
START = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
MARIA, JOAO = "5511987654321", "5521987650000"
ZONE = "America/Sao_Paulo"
R = TypeVar("R")
#: the shop as the emulator's approved pack names it (the account sync keeps those texts)
SHOP = ShopDetails(trade_name=DEMO_SHOP, legal_name=DEMO_SHOP, document="12345678000195",
                   address="Rua A, 1 - São Paulo/SP", uf="SP")


def seed(database: Database) -> tuple[int, int]:
    def work(session: Session) -> tuple[int, int]:
        write_shop(session, SHOP, operator_id=None, now=START)
        ana, bruno = add_operator(session, "Ana", "ana"), add_operator(session, "Bruno", "bruno")
        maria = add_debtor(session, "Maria Souza")
        add_phone(session, maria, f"+{MARIA}")
        add_debt(session, maria, 8990, date(2026, 11, 10))
        joao = add_debtor(session, "João Lima")
        add_phone(session, joao, f"+{JOAO}")
        session.execute(update(Phone).values(opt_in_at=START - timedelta(days=60),
                                             opt_in_source="ficha de cadastro na loja"))
        session.execute(update(DebtorPhone).values(cpc_status="confirmed"))
        for entry in build_pack(DEMO_SHOP, DEMO_CNPJ):
            session.add(Template(name=entry.name, language="pt_BR", category="UTILITY",
                                 status="APPROVED", quality="GREEN", purpose=entry.purpose,
                                 components=entry.spec["components"], synced_at=START))
        return ana, bruno
    return database.run_sync(work)


async def until(check: Callable[[], Awaitable[R]], *, seconds: float = 8.0) -> R:
    """`check()`'s first truthy answer, polled in real time."""
    for _ in range(int(seconds / 0.05)):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"still {found!r} after {seconds} s")


@pytest.mark.slow
def test_the_inbox_end_to_end_with_the_emulator(database: Database) -> None:
    ana, bruno = seed(database)
    clock = FakeClock(START)
    inbox = InboxService(database, clock, shop_zone=ZONE)

    async def scenario() -> None:
        secret = secrets.token_hex(16)
        engine = WhatsAppEngine(database, clock, cloud=None, receiver=ReceiverConfig(
            [secret.encode()], "verify", "127.0.0.1", 0))
        await engine.start()
        emulator = Emulator(EmulatorConfig(
            webhook_url=f"{engine.receiver_url}/webhook", app_secret=secret, clock=clock,
            status_delays=(1.0, 2.0, 3.0), no_whatsapp={JOAO}))
        base = await emulator.start("127.0.0.1", 0)
        config = emulator.config
        await engine.start_sending(CloudApiConfig(
            base_url=base, phone_number_id=config.phone_number_id, waba_id=config.waba_id,
            access_token=config.access_token))
        assert engine.sender is not None
        sender = engine.sender
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                async def inbound(number: str, text: str) -> None:
                    answer = await http.post(f"{emulator.control_url}/inbound",
                                             json={"from": number, "type": "text", "text": text})
                    assert answer.status_code == 200, answer.text

                async def sent_to(number: str) -> list[dict[str, Any]]:
                    body = (await http.get(f"{emulator.control_url}/sent",
                                           params={"to": number})).json()
                    found: list[dict[str, Any]] = body["messages"]
                    return found

                async def conversation(number: str) -> int:
                    rows = (await inbox.conversations(InboxFilter.ALL, None, search=number[-8:])).rows
                    return rows[0].id if rows else 0

                # a debtor writes: the webhook stores it in her conversation
                await inbound(MARIA, "Oi, quanto estou devendo?")
                cid = await until(lambda: conversation(MARIA))
                page = await inbox.messages(cid)
                assert page.messages[-1].text == "Oi, quanto estou devendo?"

                # Ana claims and answers with a filled quick reply; Bruno cannot take it
                await inbox.claim(cid, ana)
                with pytest.raises(AlreadyAssigned):
                    await inbox.claim(cid, bruno)
                text = await inbox.fill_quick_reply(
                    cid, "Olá, {nome}! Em aberto: {valor}, vencimento {vencimento}. — {loja}")
                assert text.replace("\xa0", " ") == (
                    "Olá, Maria! Em aberto: R$ 89,90, vencimento 10/11/2026. — Loja Exemplo")
                header = await inbox.header(cid)
                out = await inbox.send_text(cid, ana, text,
                                            seen_message_id=header.last_message_id)
                sender.wake()
                got = await until(lambda: sent_to(MARIA))
                assert got[0]["payload"]["text"]["body"] == text

                # ticks: sent, delivered, read as the emulator's clock passes
                for _ in range(4):
                    clock.advance(timedelta(seconds=1))
                    await asyncio.sleep(0.1)

                async def status() -> str | None:
                    rows = await inbox.messages_since(cid, out.message_id - 1, (out.message_id,))
                    mine = [m for m in rows if m.id == out.message_id]
                    return mine[0].status if mine and mine[0].status == "read" else None
                assert await until(status) == "read"

                # a failed send (Meta: 131026 for João's number) explains itself in pt-BR
                await inbound(JOAO, "Bom dia")
                joao = await until(lambda: conversation(JOAO))
                failed = await inbox.send_text(joao, bruno, "Bom dia, João!",
                                               seen_message_id=None, force=True)
                sender.wake()
                await until(lambda: sent_to(JOAO))
                clock.advance(timedelta(seconds=2))

                async def error() -> str | None:
                    rows = (await inbox.messages(joao)).messages
                    mine = [m for m in rows if m.id == failed.message_id]
                    return mine[0].error_text if mine and mine[0].status == "failed" else None
                reason = await until(error)
                assert reason is not None and "WhatsApp" in reason

                # a day later the window is closed: free text refused, a template goes
                clock.advance(timedelta(hours=25))
                with pytest.raises(WindowClosed):
                    await inbox.send_text(cid, ana, "Ainda aí?", seen_message_id=None)
                choices = {c.name: c for c in await inbox.templates(cid)}
                assert choices["lembrete_vencimento_v1"].blocked_reason is None
                await inbox.send_template(cid, ana, "lembrete_vencimento_v1", "pt_BR",
                                          seen_message_id=None)
                sender.wake()

                async def template_sent() -> list[dict[str, Any]]:
                    return [m for m in await sent_to(MARIA) if m["type"] == "template"]
                [template] = await until(template_sent)
                assert template["payload"]["template"]["name"] == "lembrete_vencimento_v1"

                # PARAR: the next template is refused and nothing more reaches the number
                await inbound(MARIA, "PARAR")

                async def opted_out() -> bool:
                    return (await inbox.header(cid)).phone_opted_out
                await until(opted_out)
                with pytest.raises(SendRefused):
                    await inbox.send_template(cid, ana, "lembrete_vencimento_v1", "pt_BR",
                                              seen_message_id=None, force=True)
                sender.wake()
                await asyncio.sleep(0.3)
                assert len(await template_sent()) == 1
        finally:
            await engine.stop()
            await emulator.stop()

    asyncio.run(scenario())

