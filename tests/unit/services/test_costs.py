"""CostService on SQLite and PostgreSQL: the shipped table until the owner edits it, edits
checked and audited, an operator refused, and a month's spend in the shop's calendar."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.pricing import SHIPPED, PriceOverlap, dump_row
from cobrador_desktop.domain.roles import OwnerOnly
from cobrador_desktop.services.costs import CostPerReal, CostService, Spend
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Operator
from tests.unit.storage.test_costs_repo import _june


@dataclass(frozen=True)
class Days:
    start: date
    end: date


def _people(database: Database) -> tuple[int, int]:
    def work(session: Any) -> tuple[int, int]:
        owner = Operator(name="Rita", login="rita", role="owner")
        operator = Operator(name="Ana", login="ana", role="operator")
        session.add_all([owner, operator])
        session.flush()
        return owner.id, operator.id
    return database.run_sync(work)


def _changes(database: Database) -> list[tuple[str, int | None, dict[str, Any]]]:
    return database.run_sync(lambda s: [
        (e.action, e.operator_id, e.details) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.object_id == "costs.price_table")
            .order_by(AuditEntry.id))])


def test_the_owner_edits_the_table_checked_and_audited(database: Database,
                                                       clock: FakeClock) -> None:
    owner, operator = _people(database)
    service = CostService(database, clock)
    assert asyncio.run(service.table()) == SHIPPED

    rows = [dump_row(row) for row in SHIPPED.rows]
    rows[1] = {k: v for k, v in rows[1].items() if k != "micros"} | {"price": "0,0070"}
    saved = asyncio.run(service.save_table(rows, owner))
    assert saved.rows[1].micros == 7_000 and saved.usd_brl_e4 == SHIPPED.usd_brl_e4
    assert asyncio.run(service.table()) == saved
    [(action, who, details)] = _changes(database)
    assert (action, who) == ("setting.change", owner)
    assert details["from"]["rows"][1]["micros"] == 6_800
    assert details["to"]["rows"][1]["micros"] == 7_000

    # a bad edit says why and changes nothing
    with pytest.raises(PriceOverlap, match="Há dois preços para utilidade"):
        asyncio.run(service.save_table([*rows, {**rows[-1], "category": "utility",
                                                "window": "inside"}], owner))
    assert asyncio.run(service.table()) == saved

    # an operator is refused, the refusal audited, the table unchanged
    with pytest.raises(OwnerOnly, match="mudar a tabela de preços do WhatsApp"):
        asyncio.run(service.save_table({"usd_brl": "6,00", "rows": rows}, operator))
    assert asyncio.run(service.table()) == saved
    denied = database.run_sync(lambda s: s.scalars(select(AuditEntry.details).where(
        AuditEntry.action == "access.denied")).all())
    assert denied == [{"action": "costs.price_table", "operator_id": operator}]


def test_a_months_spend_against_what_came_in(database: Database, clock: FakeClock) -> None:
    database.run_sync(_june)
    service = CostService(database, clock, shop_zone="America/Sao_Paulo")
    june = Days(date(2026, 6, 1), date(2026, 6, 30))
    assert asyncio.run(service.month_spend(date(2026, 6, 17))) == Spend(858_600, 10)
    assert asyncio.run(service.month_spend(date(2026, 6, 17))).cents == 86
    assert [s.template for s in asyncio.run(service.by_template(june))] == [
        "lembrete_v1", "oferta_v1", "lembrete_v1", None]
    per_real = asyncio.run(service.cost_per_real_recovered(june))
    assert per_real == CostPerReal(858_600, 8_000)
    assert per_real.micros_per_real == 10_733  # R$ 0,8586 for R$ 80,00: 10 732.5 half up
    assert per_real.cents_per_hundred_reais == 107
    # in UTC the month would lose June 30 evening's message and gain May 31's
    assert asyncio.run(CostService(database, clock, shop_zone="UTC").month_spend(
        date(2026, 6, 1))) == Spend(858_600 - 36_720 + 337_500, 10)
    assert CostPerReal(100, 0).micros_per_real is None
