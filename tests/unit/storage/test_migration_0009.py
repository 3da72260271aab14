"""Migration 0009 (message facts): the facts the database keeps on each message — debtor, segment,
régua step, first reply, 24 h window, billed prices — and each payment's debtor always equal
what the raw rows say.

Checked by recounting them in plain Python from the rows they come from: after the upgrade of a
real 0008 database, and on both backends after writes in every order the triggers follow
(inbound before or after the outbound, an inbound deleted, an outbox and a régua send linked
either way, a conversation given another debtor, a segment changed, prices reported before and
after the message has its wamid). SQLite's plans for the screen's queries read the new indexes.
"""

from __future__ import annotations

import importlib
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, event, insert, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.results import Period
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    Debtor,
    Message,
    MessageEvent,
    OutboxItem,
    Payment,
    ReguaSend,
)
from cobrador_desktop.storage.repos import costs, results
from tests.fixtures.db import trigger_names

GOLDEN_0008 = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "schema-0008.db"
MIGRATION = importlib.import_module(
    "cobrador_desktop.storage.migrations.versions.0009_message_facts")
FACTS = ("debtor_id", "segment", "step", "replied_at", "window_open", "billed_category",
         "billed_type")
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _stored(session: Session) -> dict[int, tuple[Any, ...]]:
    rows = session.execute(select(Message.id, *(getattr(Message, f) for f in FACTS)))
    return {row[0]: (row[1], row[2], row[3], _utc(row[4]),
                     None if row[5] is None else bool(row[5]), row[6], row[7]) for row in rows}


def _recounted(session: Session) -> dict[int, tuple[Any, ...]]:
    """Every message's facts, from the rows they come from (no SQL beyond reading them)."""
    debtor_of = dict(session.execute(select(Conversation.id, Conversation.debtor_id)).all())
    segment_of = dict(session.execute(select(Debtor.id, Debtor.segment)).all())
    message_of = dict(session.execute(select(OutboxItem.id, OutboxItem.message_id)).all())
    step_of: dict[int, str] = {}
    for outbox_id, step in session.execute(
            select(ReguaSend.outbox_id, ReguaSend.step).order_by(ReguaSend.id.desc())):
        if outbox_id is not None and outbox_id in message_of:
            step_of[message_of[outbox_id]] = step  # the first send (lowest id) wins
    billed: dict[str, tuple[str | None, str | None]] = {}
    for wamid, category, kind in session.execute(
            select(MessageEvent.wamid, MessageEvent.pricing_category, MessageEvent.pricing_type)):
        old = billed.get(wamid, (None, None))
        billed[wamid] = (max((v for v in (old[0], category) if v is not None), default=None),
                         max((v for v in (old[1], kind) if v is not None), default=None))
    messages = session.execute(select(Message.id, Message.conversation_id, Message.direction,
                                      Message.created_at, Message.wamid)).all()
    inbound: dict[int, list[datetime]] = {}
    for _, conversation, direction, created, _ in messages:
        if direction == "in":
            inbound.setdefault(conversation, []).append(created.astimezone(UTC))
    facts = {}
    for message_id, conversation, direction, created, message_wamid in messages:
        at = created.astimezone(UTC)
        debtor = debtor_of[conversation]
        replied: datetime | None = None
        window: bool | None = None
        if direction == "out":
            ins = inbound.get(conversation, [])
            replied = min((i for i in ins if at < i < at + timedelta(days=7)), default=None)
            window = any(at - timedelta(hours=24) < i <= at for i in ins)
        category, kind = (billed.get(message_wamid, (None, None)) if message_wamid
                          else (None, None))
        facts[message_id] = (debtor, segment_of.get(debtor) if debtor is not None else None,
                             step_of.get(message_id), replied, window, category, kind)
    return facts


def _payment_debtors(session: Session) -> tuple[dict[int, int | None], dict[int, int | None]]:
    """(stored, recounted) debtor of every payment."""
    debtor_of = dict(session.execute(select(Debt.id, Debt.debtor_id)).all())
    rows = session.execute(select(Payment.id, Payment.debt_id, Payment.debtor_id)).all()
    return ({i: stored for i, _, stored in rows}, {i: debtor_of[debt] for i, debt, _ in rows})


def _assert_facts_hold(db: Database) -> dict[int, tuple[Any, ...]]:
    stored, recounted = db.run_sync(_stored), db.run_sync(_recounted)
    wrong = {k: (stored[k], recounted[k]) for k in recounted if stored.get(k) != recounted[k]}
    assert not wrong, list(wrong.items())[:5]
    paid_stored, paid_recounted = db.run_sync(_payment_debtors)
    assert paid_stored == paid_recounted
    return stored


def test_upgrade_from_0008_fills_the_facts_of_every_message(tmp_path: Path) -> None:
    copy = tmp_path / "cobrador.db"
    shutil.copyfile(GOLDEN_0008, copy)
    with sqlite3.connect(copy) as conn:
        count = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    conn.close()
    db = open_database(sqlite_url(copy), backup_dir=tmp_path / "backups")
    try:
        stored = _assert_facts_hold(db)
        assert len(stored) == count
        # the demo's history gives each fact something to hold
        for i, name in enumerate(FACTS[:5]):
            assert any(v[i] for v in stored.values()), name
    finally:
        db.close()


def _seed(db: Database) -> None:
    seed_demo_sync(db, today=date(2026, 11, 23), scale=DemoScale(25, 3.0, 120), seed=1, now=NOW)


def _pick(session: Session) -> dict[str, Any]:
    """A conversation with outbound messages, another debtor, and an outbox with a régua send."""
    row = session.execute(
        select(Message.conversation_id, Message.created_at)
        .where(Message.direction == "out").order_by(Message.id)).first()
    assert row is not None
    conversation, at = row
    debtor = session.scalar(select(Conversation.debtor_id).where(Conversation.id == conversation))
    other = session.scalar(select(Debtor.id).where(Debtor.id != debtor).order_by(Debtor.id))
    send = session.execute(select(ReguaSend.id, ReguaSend.outbox_id)
                           .where(ReguaSend.outbox_id.is_not(None)).order_by(ReguaSend.id)).first()
    assert send is not None
    message = session.scalar(select(OutboxItem.message_id).where(OutboxItem.id == send[1]))
    wamid = session.scalar(select(Message.wamid).where(Message.id == message))
    return {"conversation": conversation, "at": _utc(at), "debtor": debtor, "other": other,
            "send": send[0], "outbox": send[1], "message": message, "wamid": wamid}


def test_the_facts_follow_every_write_on_both_backends(database: Database) -> None:
    _seed(database)
    _assert_facts_hold(database)
    p = database.run_sync(_pick)

    def inbound(at: datetime, wamid: str) -> Any:
        return insert(Message).values(conversation_id=p["conversation"], wamid=wamid,
                                      direction="in", type="text", text="oi", status="received",
                                      created_at=at)

    def writes(session: Session) -> None:
        # an inbound message written after the outbound ones it answers (an import, a late
        # webhook): it replies to those of the 7 days before it and opens the window after it
        session.execute(inbound(p["at"] + timedelta(hours=2), "wamid.late-in"))
        session.execute(inbound(p["at"] - timedelta(hours=3), "wamid.early-in"))
        # an outbound message written after the inbound one before it
        session.execute(insert(Message).values(
            conversation_id=p["conversation"], wamid="wamid.new-out", direction="out",
            type="template", text="", template_name="lembrete", status="read",
            created_at=p["at"] + timedelta(hours=1)))
        # prices reported before the message has its wamid, and for one that has it
        session.execute(insert(MessageEvent).values(
            wamid="wamid.not-yet", status="delivered", at=NOW, pricing_category="utility",
            pricing_type="regular", received_at=NOW))
        session.execute(update(Message).where(Message.wamid == "wamid.new-out")
                        .values(wamid="wamid.not-yet"))
        if p["wamid"]:
            for status, category in (("sent", "marketing"), ("delivered", "utility")):
                session.execute(insert(MessageEvent).values(
                    wamid=p["wamid"], status=status, at=NOW, pricing_category=category,
                    pricing_type="regular", received_at=NOW))
        # the régua send's step changes; the segment changes; the conversation changes debtor
        session.execute(update(ReguaSend).where(ReguaSend.id == p["send"]).values(step="D+99"))
        session.execute(update(Debtor).where(Debtor.id == p["debtor"])
                        .values(segment="never_replied"))
        session.execute(update(Conversation).where(Conversation.id == p["conversation"])
                        .values(debtor_id=p["other"]))
        # a payment written, one moved to another debt, a debt given another debtor
        debts = session.scalars(select(Debt.id).order_by(Debt.id).limit(2)).all()
        session.execute(insert(Payment).values(debt_id=debts[0], amount_cents=1234,
                                               paid_on=date(2026, 11, 20), method="pix",
                                               created_at=NOW))
        first = session.scalar(select(Payment.id).order_by(Payment.id))
        session.execute(update(Payment).where(Payment.id == first).values(debt_id=debts[1]))
        owner = session.scalar(select(Debt.debtor_id).where(Debt.id == debts[1]))
        heir = session.scalar(select(Debtor.id).where(Debtor.id != owner)
                              .order_by(Debtor.id.desc()))
        session.execute(update(Debt).where(Debt.id == debts[1]).values(debtor_id=heir))

    database.run_sync(writes)
    stored = _assert_facts_hold(database)
    assert stored[p["message"]][2] == "D+99"
    late = database.run_sync(lambda s: s.scalar(
        select(Message.id).where(Message.wamid == "wamid.not-yet")))
    assert late is not None
    assert stored[late][5:] == ("utility", "regular")
    assert stored[late][3] == p["at"] + timedelta(hours=2)  # replied by the late inbound one
    assert stored[late][4] is True  # the early inbound one opened its window

    # an inbound message deleted takes its reply and its window away
    database.run_sync(lambda s: s.execute(
        delete(Message).where(Message.wamid.in_(("wamid.late-in", "wamid.early-in")))))
    _assert_facts_hold(database)
    # the conversation loses its debtor
    database.run_sync(lambda s: s.execute(update(Conversation).where(
        Conversation.id == p["conversation"]).values(debtor_id=None)))
    _assert_facts_hold(database)


def _plans(db: Database, work: Any) -> list[str]:
    """SQLite's query plan lines of every SELECT `work` runs."""
    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any,
                _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        db.run_sync(work)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    path = db.sqlite_path
    assert path is not None and statements
    with sqlite3.connect(path) as conn:
        lines = [row[3] for statement, parameters in statements
                 for row in conn.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
    conn.close()
    return lines


def test_the_screens_queries_read_the_indexes(sqlite_database: Database) -> None:
    service = ResultsService(sqlite_database, FakeClock(datetime(2026, 12, 3, 15, tzinfo=UTC)),
                             "America/Sao_Paulo")
    b = service.bounds(Period(date(2026, 9, 5), date(2026, 12, 3)))
    works = {
        "funnel": lambda s: results.funnel_rows(s, b),
        "contact": lambda s: results.contact_counts(s, b),
        "reminders": lambda s: results.paid_after_reminder(s, b),
        "days": lambda s: results.days_to_pay(s, b),
        "overdue": lambda s: results.overdue_recovered(s, b),
        "per_day": lambda s: results.recovered_per_day(s, b),
        "spend": lambda s: costs.spend_by_template(s, b.start_at, b.end_at),
    }
    plans = {name: _plans(sqlite_database, work) for name, work in works.items()}
    for name, lines in plans.items():
        # never a pass over every message, nor over the payments' rows (their narrow index in
        # debt order is fine: what was paid before a period counts), never an index built per
        # query, never a lookup per message in another table
        assert not [line for line in lines
                    if line.startswith(("SCAN messages", "SCAN inbound"))
                    or (line.startswith("SCAN payments") and "COVERING INDEX" not in line)
                    or "AUTOMATIC" in line
                    or "ix_messages_out_facts (direction=?)" in line], (name, lines)
    for name in ("funnel", "spend"):
        assert any("COVERING INDEX ix_messages_out_facts" in line for line in plans[name])
        assert not [line for line in plans[name]
                    if "conversations" in line or "outbox" in line or "regua_sends" in line
                    or "message_events" in line or "debtors" in line], plans[name]
    assert any("ix_messages_debtor_direction" in line for line in plans["days"])
    assert any("ix_messages_conversation_direction" in line
               for line in plans["contact"] + plans["reminders"])
    assert any("ix_payments_paid_on" in line for line in plans["per_day"])


def test_downgrade_to_0008_takes_the_facts_away(tmp_path: Path) -> None:
    from alembic import command

    from cobrador_desktop.storage.migrate import alembic_config

    copy = tmp_path / "cobrador.db"
    shutil.copyfile(GOLDEN_0008, copy)
    open_database(sqlite_url(copy), backup_dir=tmp_path / "backups").close()
    engine = create_engine(sqlite_url(copy))
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
    finally:
        engine.dispose()
    with sqlite3.connect(copy) as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info('messages')")}
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        indexes = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()
    assert not set(FACTS) & columns
    with sqlite3.connect(copy) as conn:
        assert "debtor_id" not in {r[1] for r in conn.execute("PRAGMA table_info('payments')")}
    conn.close()
    assert not set(MIGRATION.SQLITE_TRIGGERS) & triggers
    assert MIGRATION.REPLACED_INDEX[0] in indexes


def test_the_head_schema_keeps_every_facts_trigger(database: Database) -> None:
    """A later migration that rebuilds one of these tables drops its triggers with it: it must
    make them again, or this fails."""
    dialect, found = trigger_names(database)
    expected = (set(MIGRATION.SQLITE_TRIGGERS) if dialect == "sqlite"
                else {name for name, _ in MIGRATION.PG_TRIGGERS})
    assert expected <= found
