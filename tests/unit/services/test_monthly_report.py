"""The monthly report's record: the month of `test_results`'s hand count, the shop, the names."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.results import Funnel, Period, Ratio
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.services.monthly_report import MonthlyReportService, month_period
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.repos.settings import write_shop
from tests.unit.services.test_results import ZONE, _hand_made

NOW = datetime(2026, 12, 3, 15, tzinfo=UTC)


def test_a_month_gathers_figures_costs_shop_and_names(database: Database) -> None:
    ids = database.run_sync(_hand_made)
    shop = ShopDetails(trade_name="Ótica Boa Vista", legal_name="Boa Vista Ltda",
                       document="11222333000181", address="Rua A, 1", uf="SP")
    database.run_sync(lambda s: write_shop(s, shop, operator_id=None, now=NOW))
    service = MonthlyReportService(database, FakeClock(NOW), ZONE)
    assert asyncio.run(service.default_month()) == date(2026, 11, 1)
    record = asyncio.run(service.report(date(2026, 11, 20)))
    assert record.month == date(2026, 11, 1) and record.period == Period(date(2026, 11, 1),
                                                                          date(2026, 11, 30))
    assert not record.partial and record.generated_at == NOW and record.zone == ZONE
    assert record.shop == shop
    # the hand count of tests/unit/services/test_results.py
    assert record.figures.recovered_cents == 80_00
    assert record.figures.paid_after_reminder == Ratio(2, 3)
    assert record.figures.funnel == Funnel(sent=4, delivered=3, read=2, replied=1, paid=1)
    assert record.operator_names == {ids["op"]: "Ana"}
    # the costs are the cost service's for the same days
    assert record.spend.messages == sum(s.messages for s in record.by_template)
    assert record.cost_per_real.recovered_cents == 80_00
    assert record.satisfaction is not None and record.satisfaction.period == record.period


def test_the_current_month_runs_to_today_and_a_future_one_is_refused(database: Database) -> None:
    service = MonthlyReportService(database, FakeClock(NOW), ZONE)
    record = asyncio.run(service.report(date(2026, 12, 1)))
    assert record.partial and record.period == Period(date(2026, 12, 1), date(2026, 12, 3))
    assert record.shop is None and record.figures.funnel == Funnel()
    with pytest.raises(ValueError, match="has not started"):
        asyncio.run(service.report(date(2027, 1, 1)))
    assert month_period(date(2028, 2, 10)) == Period(date(2028, 2, 1), date(2028, 2, 29))
