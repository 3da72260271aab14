"""The Resultados figures on the 100k-debtor, 1M-message database: service vs raw SQLite.

- results.figures: `ResultsService.figures` for the last 30 days (every figure of the screen,
  through the database thread) against a floor measured in the same run: the very SQL it ran
  (captured from SQLAlchemy, same text and parameters) executed through a bare `sqlite3`
  connection and fetched. Goal ≤ 3× and < 1000 ms.

    python bench/bench_results.py            # 100k database, 5 repetitions
    python bench/bench_results.py --quick    # small database, one repetition
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import sys
import time
from datetime import UTC, date, datetime
from typing import Any

from _harness import parser, runs_for
from make_db import ensure_db
from sqlalchemy import event

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, FakeClock
from cobrador_desktop.domain.results import PeriodPreset
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import open_database, sqlite_url

GOAL_RATIO = 3.0
GOAL_MS = 1000.0


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    reps = runs_for(args)
    path = ensure_db(quick=args.quick)
    built = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["built_on"]
    # the data's "today" (it was generated as of its build day)
    now = datetime.combine(date.fromisoformat(built), datetime.min.time(), UTC).replace(hour=15)
    db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    print(f"# {reps} repetições, mediana; SQLite {sqlite3.sqlite_version}; "
          f"banco: {'quick' if args.quick else '100k'}")
    try:
        service = ResultsService(db, FakeClock(now), DEFAULT_SHOP_ZONE)
        period = service.preset(PeriodPreset.LAST_30_DAYS)
        statements: list[tuple[str, Any]] = []

        def capture(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any,
                    _many: bool) -> None:
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            figures = asyncio.run(service.figures(period))  # warm-up, and the SQL it runs
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        captured = [(s, p) for s, p in statements
                    if s.lstrip().upper().startswith(("SELECT", "WITH"))]
        raw = sqlite3.connect(path)
        service_times, floor_times = [], []
        try:
            for _ in range(reps):  # interleaved, so machine noise hits both alike
                started = time.perf_counter()
                asyncio.run(service.figures(period))
                service_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                for statement, parameters in captured:
                    raw.execute(statement, parameters).fetchall()
                floor_times.append(time.perf_counter() - started)
        finally:
            raw.close()
        ms = statistics.median(service_times) * 1000
        floor = statistics.median(floor_times) * 1000
        print(f"results.figures: {ms:.1f} ms | floor: {floor:.1f} ms | "
              f"ratio: {ms / floor:.2f} (goal ≤ {GOAL_RATIO:.2f}) (goal < {GOAL_MS:.0f} ms)  "
              f"[{period.start}…{period.end}: {len(captured)} consultas, "
              f"{figures.funnel.sent} mensagens enviadas]")
    finally:
        db.close()
    # a goal missed is a figure to report, not a failure: exit 1 is for a run that measured nothing
    return 0


if __name__ == "__main__":
    sys.exit(main())
