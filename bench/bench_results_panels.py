"""Resultados › Satisfação and Saúde do número on the 100k-debtor, 1M-message database: each
service against the very SQL it runs, executed raw.

- results.satisfaction: `SatisfactionService.over_time` for the last 30 and 90 days;
- results.health: `NumberHealthService.snapshot` (failures of the last 30 days);

each through the database thread, against a floor measured in the same run: the SQL it ran
(captured from SQLAlchemy, same text and parameters) executed through a bare `sqlite3` connection
and fetched. Goal ≤ 3× and < 1000 ms, as the Resultados screen's.

    python bench/bench_results_panels.py            # 100k database, 5 repetitions
    python bench/bench_results_panels.py --quick    # small database, one repetition
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from _harness import parser, runs_for
from _sql_floor import against_floor, data_now, reads_of
from make_db import ensure_db

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, FakeClock
from cobrador_desktop.domain.results import Period, PeriodPreset
from cobrador_desktop.services.number_health import NumberHealthService
from cobrador_desktop.services.satisfaction import SatisfactionService
from cobrador_desktop.storage.db import Database, open_database, sqlite_url

GOAL_RATIO = 3.0
GOAL_MS = 1000.0


def _measure(name: str, db: Database, raw: sqlite3.Connection, reps: int,
             call: Callable[[], Coroutine[Any, Any, Any]], note: Callable[[Any], str]) -> None:
    result, captured = reads_of(db.engine, lambda: asyncio.run(call()))
    ms, floor = against_floor(lambda: asyncio.run(call()), raw, captured, reps)
    print(f"{name}: {ms:.1f} ms | floor: {floor:.1f} ms | ratio: {ms / floor:.2f} "
          f"(goal ≤ {GOAL_RATIO:.2f}) (goal < {GOAL_MS:.0f} ms)  "
          f"[{len(captured)} consultas; {note(result)}]")


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    reps = runs_for(args)
    path = ensure_db(quick=args.quick)
    now = data_now(path)
    db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    print(f"# {reps} repetições, mediana; SQLite {sqlite3.sqlite_version}; "
          f"banco: {'quick' if args.quick else '100k'}")
    raw = sqlite3.connect(path)
    try:
        clock = FakeClock(now)
        survey = SatisfactionService(db, clock, DEFAULT_SHOP_ZONE)
        today = now.astimezone(ZoneInfo(DEFAULT_SHOP_ZONE)).date()
        for preset in (PeriodPreset.LAST_30_DAYS, PeriodPreset.LAST_90_DAYS):
            period = Period.preset(preset, today)
            _measure(f"results.satisfaction[{period.days}d]", db, raw, reps,
                     lambda period=period: survey.over_time(period),  # type: ignore[misc]
                     lambda s: f"{s.scores.answers} respostas, {s.sent} pesquisas enviadas")
        health = NumberHealthService(db, clock)
        _measure("results.health", db, raw, reps, lambda: health.snapshot(now),
                 lambda h: f"{h.failed} falhas, {len(h.templates)} modelos")
    finally:
        raw.close()
        db.close()
    # a goal missed is a figure to report, not a failure: exit 1 is for a run that measured nothing
    return 0


if __name__ == "__main__":
    sys.exit(main())
