"""Bulk writing for imports: many rows into one table at the driver's speed, and the summary
columns of debtors an import creates, computed before they are inserted.

An import of 100,000 lines writes ~230,000 rows. Through SQLAlchemy's executemany each row's
parameters pass through every column's type processing (~10 µs a row); on SQLite `insert_rows`
converts each distinct value once, with the same processors, and hands plain tuples to the driver.
PostgreSQL keeps SQLAlchemy's executemany (psycopg batches it into multi-row INSERTs).

A new debtor's summary (amounts, segment, reach, search text) depends only on what the import
itself writes for them, so it is computed with `debtor_summaries`' own functions and inserted
with the row: no UPDATE afterwards, and SQLite's insert trigger indexes the search text once.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, insert

from cobrador_desktop.storage.repos.debtor_summaries import open_columns, summary_columns


def insert_rows(connection: Connection, table: Table, columns: Sequence[str],
                rows: Iterable[Sequence[Any]], *, staged: bool = False) -> None:
    """INSERT `rows` (values in `columns` order) into `table` with one executemany.

    The values are Python values, as for `connection.execute(insert(table), ...)`; the rows
    stored are the same whichever way they go in. Python-side column defaults are not applied:
    give every column that has no server default.

    Args:
        staged: on SQLite, go through a temporary table and one `INSERT … SELECT`: for `debtors`,
            whose insert trigger feeds the FTS5 search index. FTS5 writes its pending terms out
            at the end of every statement, so one statement per row (executemany) leaves tens
            of thousands of tiny index segments to merge: 5 s for 33k debtors, against 1.2 s.
    """
    rows = list(rows)
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in columns]
    converted = [row for row in zip(*(
        _convert(values, processor) for values, processor in zip(
            zip(*rows, strict=True), processors, strict=True)), strict=True)]
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    if not staged:
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                                   converted)
        return
    # a temporary table is the connection's own, and its creation rolls back with the import
    stage = f'temp."import_{table.name}"'
    connection.exec_driver_sql(f'CREATE TEMP TABLE "import_{table.name}" AS '
                               f'SELECT {names} FROM "{table.name}" WHERE 0')
    try:
        connection.exec_driver_sql(f"INSERT INTO {stage} ({names}) VALUES ({marks})", converted)
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) '
                                   f"SELECT {names} FROM {stage} ORDER BY rowid")
    finally:
        connection.exec_driver_sql(f"DROP TABLE {stage}")


def _convert(values: Sequence[Any], processor: Any) -> Sequence[Any]:
    """One column's values through its bind processor, each distinct value once."""
    if processor is None:
        return values
    first = values[0]
    if all(map(operator.is_, values, itertools.repeat(first))):  # `now`, False, "open"…
        return [processor(first)] * len(values)
    memo: dict[tuple[type, Any], Any] = {}
    out = []
    for value in values:
        try:
            key = (value.__class__, value)  # 1, 1.0 and True are equal keys otherwise
            got = memo.get(key, memo)
        except TypeError:  # unhashable (a JSON list)
            out.append(processor(value))
            continue
        if got is memo:
            got = memo[key] = processor(value)
        out.append(got)
    return out


class DebtFacts(NamedTuple):
    """What a new debtor's summary needs from one of their new debts."""

    description: str
    amount_cents: int
    due_date: date
    status: str = "open"
    paid_cents: int = 0
    last_paid_on: date | None = None


class PhoneFacts(NamedTuple):
    """What a new debtor's summary needs from one of their phones (linked by this import)."""

    e164: str
    opted_out: bool
    suppressed: bool
    whatsapp_status: str
    wrong_party: bool = False


def new_debtor_summary(name_key: str, document: str | None, debts: Sequence[DebtFacts],
                       phones: Sequence[PhoneFacts], today: date) -> dict[str, Any]:
    """Every summary column of a debtor created by an import, as `refresh_summaries` would set.

    Args:
        name_key / document: the debtor's columns.
        debts: their debts, in the order they are inserted (ids ascending).
        phones: their phones, by position.
        today: the shop's date.
    """
    by_due = sorted(debts, key=lambda d: d.due_date)  # stable: ties stay in id order
    return {**open_columns(by_due, today),
            **summary_columns(name_key=name_key, document=document, opted_out=False,
                              debts=by_due, phones=phones, chats=(), last_contact_at=None,
                              today=today)}
