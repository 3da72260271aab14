"""The demo's living inbox: demo debtors write on their own, and their messages reach the database
through the emulator and a signed webhook, as a real debtor's would."""

from __future__ import annotations

import asyncio
import random
from datetime import date
from typing import Any

from sqlalchemy import select

from cobrador_desktop.app.demo_platform import LocalPlatform
from cobrador_desktop.services.demo_live import LiveDebtors, compose
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message, Phone
from cobrador_desktop.storage.repos.demo_live import Talker, talkers
from cobrador_desktop.whatsapp.emulator import outcomes
from tests.unit.storage.factories import add_debt, add_debtor, add_phone


def _seed(session: Any) -> tuple[int, int]:
    debtor = add_debtor(session, "Joana Prado")
    phone = add_phone(session, debtor, "+5511987650001")
    session.add(Conversation(phone_id=phone, debtor_id=debtor))
    debt = add_debt(session, debtor, 15_000, date(2026, 11, 10))
    # an opted-out number never writes in the demo
    other = add_debtor(session, "Rui Calado")
    quiet = add_phone(session, other, "+5511987650002")
    session.get(Phone, quiet).opted_out = True
    session.add(Conversation(phone_id=quiet, debtor_id=other))
    session.flush()
    return debtor, debt


def test_talkers_are_debtors_with_a_conversation_on_a_number_that_may_be_messaged(
        database: Database) -> None:
    _, debt = database.run_sync(_seed)
    found = database.run_sync(talkers)
    assert found == [Talker("+5511987650001", "Joana", debt)]


def test_a_button_tap_names_the_debt_and_texts_fill_the_day() -> None:
    rng = random.Random(7)
    specs = [compose(rng, Talker("+5511987650001", "Joana", 42)) for _ in range(200)]
    taps = [s for s in specs if s["type"] == "button"]
    assert taps and all(s["payload"].endswith(":d42") for s in taps)
    texts = [s["text"] for s in specs if s["type"] == "text"]
    assert texts and not any("{dia}" in t for t in texts)
    # without an open debt nobody taps a button (it would name no debt)
    assert all(compose(rng, Talker("+5511987650001", "Joana", None))["type"] == "text"
               for _ in range(50))


def test_demo_debtors_write_and_their_messages_reach_the_database(database: Database) -> None:
    database.run_sync(_seed)

    async def scenario() -> list[str]:
        platform = LocalPlatform()
        await platform.start(database)
        emulator = platform._emulator
        assert emulator is not None
        live = LiveDebtors(database, lambda spec: outcomes.inbound(emulator, spec), seed=3,
                           first_after=0.01, every=(0.01, 0.02))
        task = asyncio.ensure_future(live.run())
        try:
            for _ in range(200):
                texts = database.run_sync(lambda s: list(s.scalars(
                    select(Message.text).where(Message.direction == "in"))))
                if len(texts) >= 3:
                    return texts
                await asyncio.sleep(0.05)
            return texts
        finally:
            live.stop()
            await task
            await platform.stop()

    texts = asyncio.run(scenario())
    assert len(texts) >= 3
