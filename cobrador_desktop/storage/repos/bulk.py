"""Fast loading of a generated data set (the demo and the 100k-debtor benchmark database).

Rows arrive as `(table name, [row dict, ...])` chunks with explicit ids, in foreign-key order,
and go in through SQLAlchemy Core `insert()` executemany: no ORM objects, no identity map, so a
few million rows load in about a minute. The caller's transaction holds everything: a failure
leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from cobrador_desktop.storage.orm import Base, Setting
from cobrador_desktop.storage.repos.debtors import refresh_summaries

#: one chunk of a data set: a table name and complete rows for it
RowChunk = tuple[str, Sequence[Mapping[str, Any]]]

#: tables whose rows mean "this database is in use" (settings alone do not)
DATA_TABLES = ("operators", "debtors", "phones", "debts", "conversations", "messages", "templates")


def insert_dataset(session: Session, chunks: Iterable[RowChunk], *, today: date) -> dict[str, int]:
    """Insert every chunk, fix the id sequences and recompute the debtor summaries.

    Args:
        session: the worker thread's session (its transaction is the caller's).
        chunks: `(table, rows)` pairs in foreign-key order; every row of a table has the same
            keys, ids included.
        today: the shop's date, for the summaries' "next due" column.

    Returns:
        Rows inserted per table.
    """
    connection = session.connection()
    tables = Base.metadata.tables
    counts: dict[str, int] = {}
    for name, rows in chunks:
        if not rows:
            continue
        connection.execute(insert(tables[name]), list(rows))
        counts[name] = counts.get(name, 0) + len(rows)
    reset_id_sequences(session, [tables[name] for name in counts])
    refresh_summaries(session, None, today)
    return counts


def reset_id_sequences(session: Session, tables: Iterable[Table]) -> None:
    """After inserts with explicit ids, move PostgreSQL's id sequences past the largest id.

    SQLite needs nothing: an INTEGER PRIMARY KEY takes max(id) + 1 by itself. PostgreSQL's
    sequence does not see explicit ids, and the next plain insert would collide with row 1.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


def has_data(session: Session) -> bool:
    """Whether any data table holds a row (a database someone already uses)."""
    tables = Base.metadata.tables
    return any(session.execute(select(tables[name].c.id).limit(1)).first() is not None
               for name in DATA_TABLES)


def table_counts(session: Session, names: Iterable[str]) -> dict[str, int]:
    """Rows per table, for reports and tests."""
    tables = Base.metadata.tables
    return {name: session.execute(select(func.count()).select_from(tables[name])).scalar_one()
            for name in names}


def dataset_marker(session: Session, key: str) -> dict[str, Any] | None:
    """The JSON a loaded data set left under `key` in the settings, or None."""
    setting = session.get(Setting, key)
    return dict(setting.value) if setting is not None else None


def mark_dataset(session: Session, key: str, value: Mapping[str, Any], now: datetime) -> None:
    """Record (or replace) what was loaded, so the next start knows the data set is there."""
    setting = session.get(Setting, key)
    if setting is None:
        session.add(Setting(key=key, value=dict(value), updated_at=now))
    else:
        setting.value = dict(value)
        setting.updated_at = now
    session.flush()
