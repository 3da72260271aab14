"""Stored day totals (migration 0010, `storage.repos.results_days`): the Resultados' funnel and
the costs read from them are the very numbers the live count gives, before and after every kind
of write that changes a stored day, on both backends.

The live count is the repository's own query over the whole period (`results.funnel_rows`,
`costs.spend_by_template` without stored days), itself checked against a hand count in
`tests/unit/services/test_demo_history.py`.
"""

from __future__ import annotations

import asyncio
import importlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.results import Period, PeriodPreset, roll_up
from cobrador_desktop.services.costs import CostService
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    Debtor,
    Message,
    Payment,
    ResultsDayFunnel,
    ResultsDayMark,
)
from cobrador_desktop.storage.repos import costs, results, results_days
from tests.fixtures.db import trigger_names

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
ZONE = "America/Sao_Paulo"
PERIOD = Period.preset(PeriodPreset.LAST_90_DAYS, TODAY)
LAST_STORED = results_days.last_closed_day(TODAY)


@pytest.fixture
def seeded(database: Database) -> Database:
    seed_demo_sync(database, today=TODAY, scale=DemoScale(40, 3.0, 150), seed=3, now=NOW)
    return database


def _services(db: Database) -> tuple[ResultsService, CostService]:
    clock = FakeClock(NOW)
    return ResultsService(db, clock, ZONE), CostService(db, clock, ZONE)


def _marks(db: Database) -> set[date]:
    return set(db.run_sync(lambda s: s.scalars(select(ResultsDayMark.day)).all()))


def _check(db: Database) -> None:
    """The screen's funnel and the Custos tab's spend equal the live count of the period."""
    service, cost_service = _services(db)
    figures = asyncio.run(service.figures(PERIOD))
    overview = asyncio.run(cost_service.overview(PERIOD))
    b = service.bounds(PERIOD)

    def live(session: Session) -> tuple[Any, ...]:
        table = costs.read_table(session)
        return (roll_up(results.funnel_rows(session, b)),
                costs.spend_by_template(session, b.start_at, b.end_at, table))

    (funnel, breakdowns), spend = db.run_sync(live)
    assert (figures.funnel, figures.breakdowns) == (funnel, breakdowns)
    assert overview.by_template == spend
    # every closed day of the period is stored, no later one
    assert _marks(db) >= {PERIOD.start + timedelta(days=i)
                          for i in range((LAST_STORED - PERIOD.start).days + 1)}
    assert max(_marks(db)) == LAST_STORED


def test_stored_days_give_the_live_counts(seeded: Database) -> None:
    assert not _marks(seeded)
    _check(seeded)
    stored = seeded.run_sync(lambda s: s.scalar(select(ResultsDayFunnel.day).limit(1)))
    assert stored is not None  # the demo's history gives the stored days something to hold
    assert not seeded.run_sync(
        lambda s: results_days.missing_days(s, PERIOD.start, LAST_STORED, -180))
    rows = seeded.run_sync(lambda s: s.execute(select(ResultsDayFunnel.__table__)).all())
    _check(seeded)  # read from the stored days
    assert seeded.run_sync(lambda s: s.execute(select(ResultsDayFunnel.__table__)).all()) == rows


def test_the_figures_are_counted_live_when_storing_fails(
        seeded: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*_args: Any) -> int:
        raise OSError("disco cheio")

    monkeypatch.setattr(results_days, "store", full_disk)
    service, _ = _services(seeded)
    figures = asyncio.run(service.figures(PERIOD))
    b = service.bounds(PERIOD)
    live = seeded.run_sync(lambda s: roll_up(results.funnel_rows(s, b)))
    assert (figures.funnel, figures.breakdowns) == live
    assert not _marks(seeded)


def _old_message(session: Session, day: date) -> tuple[int, int, datetime, int | None]:
    """(id, conversation, instant, debtor) of an outbound message read on `day`."""
    start, end = results_days.day_span(day, -180)
    row = session.execute(
        select(Message.id, Message.conversation_id, Message.created_at, Message.debtor_id)
        .where(Message.direction == "out", Message.status == "read",
               Message.created_at >= start, Message.created_at < end,
               Message.debtor_id.is_not(None))
        .order_by(Message.id)).first()
    assert row is not None, day
    return row[0], row[1], row[2], row[3]


def test_a_write_to_a_stored_day_counts_it_again(seeded: Database) -> None:
    _check(seeded)
    day = LAST_STORED - timedelta(days=20)
    message, conversation, at, debtor = seeded.run_sync(lambda s: _old_message(s, day))

    def writes() -> list[tuple[str, Any, set[date]]]:
        later = at + timedelta(hours=5)
        return [
            # a late payment on that day: the messages of its 7 days before may have "paid"
            ("payment", lambda s: s.execute(insert(Payment).values(
                debt_id=s.scalar(select(Debt.id).where(Debt.debtor_id == debtor).limit(1)),
                amount_cents=5000, paid_on=day + timedelta(days=2), method="pix",
                created_at=NOW)),
             {day + timedelta(days=2 - i) for i in range(8)}),
            # an inbound reply arriving late for an old message
            ("reply", lambda s: s.execute(insert(Message).values(
                conversation_id=conversation, direction="in", type="text", text="paguei",
                status="received", created_at=later)), {day}),
            # a late status webhook
            ("status", lambda s: s.execute(update(Message).where(Message.id == message)
                                           .values(status="delivered")), {day}),
            # the debtor's segment changes (every message of theirs moves)
            ("segment", lambda s: s.execute(update(Debtor).where(Debtor.id == debtor)
                                            .values(segment="never_replied")), {day}),
            # the conversation is given another debtor
            ("debtor", lambda s: s.execute(update(Conversation).where(
                Conversation.id == conversation).values(debtor_id=None)), {day}),
            # a payment re-dated, and one deleted
            ("re-dated", lambda s: s.execute(update(Payment).where(
                Payment.paid_on == day + timedelta(days=2), Payment.amount_cents == 5000)
                .values(paid_on=day + timedelta(days=4))),
             {day + timedelta(days=4 - i) for i in range(8)}),
            ("message deleted", lambda s: s.execute(delete(Message).where(
                Message.id == message)), {day}),
        ]

    for name, write, touched in writes():
        seeded.run_sync(write)
        gone = {d for d in touched if d <= LAST_STORED and d >= PERIOD.start}
        assert not gone & _marks(seeded), name
        _check(seeded)


def test_a_span_that_is_not_whole_days_or_holds_a_price_change_is_counted_live(
        seeded: Database) -> None:
    _check(seeded)  # everything closed is stored
    service, _ = _services(seeded)
    b = service.bounds(PERIOD)
    source = results_days.spend_source(b.offset_minutes, LAST_STORED)
    change = datetime(2026, 10, 1, tzinfo=UTC)  # the shipped table's 01/10/2026 prices

    def read(session: Session) -> Any:
        half_day = source(session, b.start_at + timedelta(hours=1), b.end_at, [change])
        whole = source(session, b.start_at, b.end_at, [change])
        return half_day, whole

    (spans, kept), (whole_spans, whole_kept) = seeded.run_sync(read)
    assert spans == [(b.start_at + timedelta(hours=1), b.end_at)] and not kept
    changed_day = results_days.day_span(date(2026, 9, 30), b.offset_minutes)
    assert any(a <= changed_day[0] and changed_day[1] <= z for a, z in whole_spans)
    assert changed_day[0] not in {at for at, _ in whole_kept}
    assert whole_kept


def test_the_head_schema_keeps_every_trigger_that_takes_a_mark_away(database: Database) -> None:
    """A later migration that rebuilds `messages` or `payments` drops these triggers with the
    table: it must make them again, or this fails."""
    migration = importlib.import_module(
        "cobrador_desktop.storage.migrations.versions.0010_results_days")
    dialect, found = trigger_names(database)
    expected = (set(migration.SQLITE_TRIGGERS) if dialect == "sqlite"
                else {name for name, _ in migration.PG_TRIGGERS})
    assert expected <= found
