"""Seeding the sample data into a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import DatabaseNotEmpty
from cobrador_desktop.services.demo import is_seeded, is_seeded_async, seed_demo, seed_demo_sync
from cobrador_desktop.services.demo_data import TABLE_ORDER, DemoScale, generate
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Debtor, Operator
from cobrador_desktop.storage.repos.bulk import table_counts

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
SCALE = DemoScale(debtors=40, debts_per_debtor_avg=2.5, messages_total=300)


def _expected_summaries() -> dict[int, dict[str, Any]]:
    """Each debtor's summary counted by hand from the generated debts."""
    summaries: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"open_cents": 0, "open_debts": 0, "oldest_open_due": None, "next_due": None})
    for chunk in generate(SCALE, today=TODAY, now=NOW):
        if chunk.table != "debts":
            continue
        for debt in chunk.rows:
            if debt["status"] not in ("open", "disputed"):
                continue
            s = summaries[debt["debtor_id"]]
            s["open_cents"] += debt["amount_cents"] - debt["paid_cents"]
            s["open_debts"] += 1
            due = debt["due_date"]
            s["oldest_open_due"] = min(filter(None, (s["oldest_open_due"], due)))
            if due >= TODAY:
                s["next_due"] = min(filter(None, (s["next_due"], due)))
    return summaries


def test_seed_loads_the_promised_rows_and_summaries(database: Database) -> None:
    assert not is_seeded(database)
    summary = seed_demo_sync(database, today=TODAY, scale=SCALE, now=NOW)

    assert summary.created and summary.seconds > 0
    assert (summary.debtors, summary.debts, summary.messages) == (40, 100, 300)
    stored = database.run_sync(lambda s: table_counts(s, TABLE_ORDER))
    # the shop, its identity and number for the guard, the survey on, its PIX receiver, the marker
    assert stored["settings"] == 6
    assert {k: v for k, v in stored.items() if k != "settings"} == \
        {k: v for k, v in summary.counts.items() if k != "settings"}
    assert is_seeded(database)

    expected = _expected_summaries()
    owing = [i for i in sorted(expected) if expected[i]["open_debts"]][:5]
    assert len(owing) == 5

    def read(session: Session) -> dict[int, dict[str, Any]]:
        rows = session.scalars(select(Debtor).where(Debtor.id.in_([*owing, 1, 2, 3])))
        return {d.id: {"open_cents": d.open_cents, "open_debts": d.open_debts,
                       "oldest_open_due": d.oldest_open_due, "next_due": d.next_due}
                for d in rows}

    for debtor_id, got in database.run_sync(read).items():
        assert got == expected[debtor_id], debtor_id


def test_seeding_again_is_a_no_op(database: Database) -> None:
    first = seed_demo_sync(database, today=TODAY, scale=SCALE, now=NOW)
    again = seed_demo_sync(database, today=date(2027, 1, 1), scale=SCALE, seed=9)

    assert not again.created
    assert again.counts == first.counts and again.seed == first.seed and again.today == TODAY
    assert database.run_sync(lambda s: table_counts(s, ["debtors"])) == {"debtors": 40}


def test_a_database_with_real_data_is_refused_and_left_alone(database: Database) -> None:
    database.run_sync(lambda s: s.add(Operator(name="Dona Real", login="real", role="owner")))

    with pytest.raises(DatabaseNotEmpty):
        seed_demo_sync(database, today=TODAY, scale=SCALE)

    counts = database.run_sync(lambda s: table_counts(s, ["operators", "debtors", "settings"]))
    assert counts == {"operators": 1, "debtors": 0, "settings": 0}
    assert not is_seeded(database)


def test_async_seed_runs_on_the_database_thread(database: Database) -> None:
    async def scenario() -> tuple[bool, bool, int]:
        before = await is_seeded_async(database)
        summary = await seed_demo(database, today=TODAY, scale=SCALE, now=NOW)
        return before, await is_seeded_async(database), summary.debtors

    assert asyncio.run(scenario()) == (False, True, 40)


def test_new_rows_after_seeding_get_fresh_ids(database: Database) -> None:
    seed_demo_sync(database, today=TODAY, scale=SCALE, now=NOW)

    def add(session: Session) -> int:
        debtor = Debtor(name="Cliente Novo", name_key="cliente novo")
        session.add(debtor)
        session.flush()
        return debtor.id

    assert database.run_sync(add) == 41


def test_the_demo_shop_has_a_pix_receiver_and_a_phone_for_the_inbox_actions(
        database: Database) -> None:
    """The inbox's Enviar PIX / link wa.me / Oferecer ligação and the debtors' "Quero o código
    PIX" work in the demo: its shop has a valid PIX receiver and a phone."""
    from cobrador_desktop.domain.pix import build_charge
    from cobrador_desktop.domain.settings import SHOP
    from cobrador_desktop.services.pix import check_shop_pix, read_shop_pix
    from cobrador_desktop.storage.repos.settings import read_json_setting

    seed_demo_sync(database, today=TODAY, scale=SCALE, now=NOW)
    pix = read_shop_pix(database)
    assert pix.key and pix.name and pix.city
    receiver = check_shop_pix(pix.key, pix.name, pix.city)  # raises on a bad key
    assert receiver.key and receiver.name and receiver.city
    assert build_charge(receiver.key, receiver.name, receiver.city, amount_cents=15_000)
    shop = database.run_sync(lambda s: read_json_setting(s, SHOP))
    assert shop is not None and shop.phone == "+5511999990000"
