"""Migration 0008 (indexes for the Resultados and the costs): a real 0007 database gets them
with its data untouched, both backends have them, and SQLite's plans for the screen's queries
read them instead of scanning the messages or building a throwaway index per query."""

from __future__ import annotations

import importlib
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.results import Period
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.repos import costs, results

GOLDEN_0007 = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "schema-0007.db"
INDEXES = importlib.import_module(
    "cobrador_desktop.storage.migrations.versions.0008_results_indexes").INDEXES
TABLES = ("messages", "payments", "debts", "regua_sends", "message_events")


def _sqlite_indexes(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'")]
        found = {n: [r[2] for r in conn.execute(f"PRAGMA index_info('{n}')")] for n in names}
    conn.close()
    return found


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    conn.close()
    return counts


def test_upgrade_from_0007_adds_the_indexes_and_keeps_the_data(tmp_path: Path) -> None:
    copy = tmp_path / "cobrador.db"
    shutil.copyfile(GOLDEN_0007, copy)
    before, counts = _sqlite_indexes(copy), _counts(copy)
    assert not {name for name, _, _ in INDEXES} & set(before)
    open_database(sqlite_url(copy), backup_dir=tmp_path / "backups").close()
    after = _sqlite_indexes(copy)
    for name, _, columns in INDEXES:
        assert after[name] == columns
    assert _counts(copy) == counts


def test_both_backends_have_the_indexes(database: Database) -> None:
    def indexes(session: Any) -> dict[str, list[str | None]]:
        found = {}
        for table in {t for _, t, _ in INDEXES}:
            for index in inspect(session.connection()).get_indexes(table):
                found[str(index["name"])] = list(index["column_names"])
        return found

    found = database.run_sync(indexes)
    for name, _, columns in INDEXES:
        assert found[name] == columns


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
        # query
        assert not [line for line in lines
                    if line.startswith(("SCAN messages", "SCAN inbound"))
                    or (line.startswith("SCAN payments") and "COVERING INDEX" not in line)
                    or "AUTOMATIC" in line
                    # every outbound message ever, in time order, probed for a match
                    or "ix_messages_direction_created (direction=?)" in line], (name, lines)
    assert any("COVERING INDEX ix_messages_direction_created" in line
               for line in plans["funnel"] + plans["spend"])
    assert any("ix_messages_conversation_direction" in line
               for line in plans["contact"] + plans["reminders"] + plans["funnel"])
    assert any("ix_payments_paid_on" in line for line in plans["per_day"])
