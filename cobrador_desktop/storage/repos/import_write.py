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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, Table, insert

from cobrador_desktop.storage.repos.debtor_summaries import open_columns, summary_columns

#: rows per executemany into a staging table, between `on_chunk` calls
STAGE_CHUNK = 10_000
#: values per `IN (…)` list of the imports' lookups
LOOKUP_CHUNK = 500


def in_chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """`values` in lists of `LOOKUP_CHUNK`, one per `IN (…)` of a lookup."""
    items = list(values)
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start:start + LOOKUP_CHUNK]


def insert_rows(connection: Connection, table: Table, columns: Sequence[str],
                rows: Iterable[Sequence[Any]], *, staged: bool = False,
                on_chunk: Callable[[int], None] | None = None) -> None:
    """INSERT `rows` (values in `columns` order) into `table`.

    The values are Python values, as for `connection.execute(insert(table), ...)`; the rows
    stored are the same whichever way they go in. Python-side column defaults are not applied:
    give every column that has no server default.

    Args:
        staged: on SQLite, go through a temporary table and one `INSERT … SELECT` (see
            `BulkInsert`).
        on_chunk: called with a count of rows each time that many went to the driver (the
            caller's progress and cancel checks); every row is counted once.
    """
    bulk = BulkInsert(connection.dialect, table, columns, rows, staged=staged)
    bulk.stage(connection, on_chunk)
    bulk.finish(connection)


class BulkInsert:
    """One table's rows on their way in, in three steps: `BulkInsert(...)` converts them (pure
    Python, no database), `stage` hands them to the driver, `finish` writes the table.

    Staged (SQLite): the rows go into a temporary table, and `finish` is one `INSERT … SELECT`,
    so the real table's work runs once, inside SQLite, for all the rows (and without Python's
    GIL: another thread may compute meanwhile). FTS5 writes its pending terms out at the end of
    every statement, and one statement a row (executemany) leaves tens of thousands of tiny index
    segments to merge (5 s for 33k debtors, against 1.2 s); a CHECK's `IN (…)` list is built
    once, not once a row (a third of an executemany into `debts`). A column holding the same
    value in every row is not staged: the value is bound once (give such columns in `same`,
    not in every row). Unstaged, `stage` inserts and `finish` does nothing.
    """

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str],
                 rows: Iterable[Sequence[Any]], *, staged: bool = True,
                 same: Mapping[str, Any] | None = None) -> None:
        rows = rows if isinstance(rows, list) else list(rows)
        same = same or {}
        self.table, self.count = table, len(rows)
        self._sqlite = dialect.name == "sqlite"
        self._staged = False
        if not rows:
            return
        if not self._sqlite:
            self._rows: list[Any] = [dict(zip(columns, row, strict=True), **same)
                                     for row in rows]
            return
        columns = [*columns, *same]
        processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in columns]
        by_column = [*zip(*rows, strict=True), *([value] * len(rows) for value in same.values())]
        by_column = [_convert(values, processor)
                     for values, processor in zip(by_column, processors, strict=True)]
        varying = [i for i, values in enumerate(by_column) if not _same(values)]
        names = ", ".join(f'"{name}"' for name in columns)
        if not staged or not varying:
            self._sql = (f'INSERT INTO "{table.name}" ({names}) '
                         f'VALUES ({", ".join("?" for _ in columns)})')
            self._rows = list(zip(*by_column, strict=True))
            return
        self._staged = True
        # a temporary table is the connection's own, and its creation rolls back with the import
        stage = f'temp."import_{table.name}"'
        staged_names = ", ".join(f'"{columns[i]}"' for i in varying)
        self._create = (f'CREATE TEMP TABLE "import_{table.name}" AS '
                        f'SELECT {staged_names} FROM "{table.name}" WHERE 0')
        self._sql = (f"INSERT INTO {stage} ({staged_names}) "
                     f'VALUES ({", ".join("?" for _ in varying)})')
        self._rows = list(zip(*(by_column[i] for i in varying), strict=True))
        picked = ", ".join(f'"{name}"' if i in varying else "?"
                           for i, name in enumerate(columns))
        self._copy = f'INSERT INTO "{table.name}" ({names}) SELECT {picked} FROM {stage} ORDER BY rowid'
        self._constants = tuple(values[0] for i, values in enumerate(by_column)
                                if i not in varying)
        self._drop = f"DROP TABLE {stage}"

    def stage(self, connection: Connection, on_chunk: Callable[[int], None] | None = None
              ) -> None:
        """Hand the rows to the driver (staged: into the temporary table)."""
        if not self.count:
            return
        if not self._sqlite:
            connection.execute(insert(self.table), self._rows)
        elif not self._staged:
            connection.exec_driver_sql(self._sql, self._rows)
        else:
            connection.exec_driver_sql(self._create)
            for start in range(0, self.count, STAGE_CHUNK):
                part = self._rows[start:start + STAGE_CHUNK]
                connection.exec_driver_sql(self._sql, part)
                if on_chunk is not None:
                    on_chunk(len(part))
            return
        if on_chunk is not None:
            on_chunk(self.count)

    def finish(self, connection: Connection) -> None:
        """Write the staged rows into the table and drop the temporary table."""
        if self._staged:
            try:
                connection.exec_driver_sql(self._copy, self._constants)
            finally:
                connection.exec_driver_sql(self._drop)


def _same(values: Sequence[Any]) -> bool:
    """Every value is the first one (`now`, False, "open"…): identical objects, or None."""
    first = values[0]
    return all(map(operator.is_, values, itertools.repeat(first)))


def _convert(values: Sequence[Any], processor: Any) -> Sequence[Any]:
    """One column's values through its bind processor, each distinct value once."""
    if processor is None:
        return values
    if _same(values):
        return [processor(values[0])] * len(values)
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
