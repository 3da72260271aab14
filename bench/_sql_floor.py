"""The floor of the benchmarks that time a service against its own SQL: run the service once,
keep the reads it sent (SELECT/WITH, with their parameters), then replay them raw with sqlite3."""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event

T = TypeVar("T")
Statement = tuple[str, Any]


def reads_of(engine: Engine, run: Callable[[], T]) -> tuple[T, list[Statement]]:
    """`run()`'s result and the SELECT/WITH statements it sent through `engine` (the first run
    is the warm-up, too)."""
    statements: list[Statement] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                _executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return result, statements


def replay(raw: sqlite3.Connection, statements: Sequence[Statement]) -> None:
    """Run `statements` raw, reading every row (the floor's work)."""
    for statement, parameters in statements:
        raw.execute(statement, parameters).fetchall()


def against_floor(run: Callable[[], object], raw: sqlite3.Connection,
                  statements: Sequence[Statement], reps: int) -> tuple[float, float]:
    """(service ms, floor ms): medians over `reps` runs of `run()`, each followed by the
    statements replayed raw (interleaved, so machine noise hits both alike)."""
    service_times, floor_times = [], []
    for _ in range(reps):
        started = time.perf_counter()
        run()
        service_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        replay(raw, statements)
        floor_times.append(time.perf_counter() - started)
    return statistics.median(service_times) * 1000, statistics.median(floor_times) * 1000


def data_now(path: Path) -> datetime:
    """The benchmark database's "now": 15:00 UTC of the day it was built (its data's today)."""
    built = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["built_on"]
    return datetime.combine(date.fromisoformat(built), datetime.min.time(), UTC).replace(hour=15)
