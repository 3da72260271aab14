"""Migration 0008 (indexes for the Resultados and the costs): a real 0007 database gets them
with its data untouched, and both backends have them (but the one 0009 replaced; SQLite's plans
for the screen's queries are checked in `test_migration_0009`)."""

from __future__ import annotations

import importlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from cobrador_desktop.storage.db import Database, open_database, sqlite_url

GOLDEN_0007 = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "schema-0007.db"
INDEXES = importlib.import_module(
    "cobrador_desktop.storage.migrations.versions.0008_results_indexes").INDEXES
TABLES = ("messages", "payments", "debts", "regua_sends", "message_events")
#: 0009 replaced this one with `ix_messages_out_facts` (the same order, with the message facts)
REPLACED = importlib.import_module(
    "cobrador_desktop.storage.migrations.versions.0009_message_facts").REPLACED_INDEX[0]
KEPT = tuple(index for index in INDEXES if index[0] != REPLACED)


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
    assert REPLACED not in after
    for name, _, columns in KEPT:
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
    for name, _, columns in KEPT:
        assert found[name] == columns
