"""The Resultados screen on the 100k-debtor, 1M-message database: service vs raw SQLite, and the
window's loop while it counts.

- results.screen[<period>]: what the screen computes for a period — `ResultsService.figures`
  (every figure of Visão geral) and `CostService.overview` (the Custos tab: the month's spend,
  the spend by template, the payments) — each awaited through the database thread, against a
  floor measured in the same run: the very SQL they ran (captured from SQLAlchemy, same text and
  parameters) executed through a bare `sqlite3` connection and fetched. Goal ≤ 3× and < 1000 ms.
  Periods: este mês, últimos 30 dias, últimos 90 dias (--quick: últimos 30 dias). Measured as
  the screen runs every day: the closed days' totals already stored (migration 0010).
- results.first_visit[<period>]: the same with no day stored yet — the visit that counts and
  stores the closed days (after an upgrade, or for days a late write touched); no goal, shown
  so the cost is known.
- results.loop_stall: the same work for the longest period awaited from a qasync loop under a
  QApplication (offscreen), as the window awaits it (interpreter set up as `app.gui` sets it),
  while a 2 ms QTimer records the longest gap between its ticks. Goal ≤ 16 ms.

    python bench/bench_results.py            # 100k database, 5 repetitions
    python bench/bench_results.py --quick    # small database, one repetition
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _harness import parser, runs_for
from _sql_floor import against_floor, data_now, reads_of
from make_db import ensure_db

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, FakeClock
from cobrador_desktop.domain.results import Period, PeriodPreset
from cobrador_desktop.services.costs import CostService
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database, open_database, sqlite_url

GOAL_RATIO = 3.0
GOAL_MS = 1000.0
GOAL_STALL_MS = 16.0
TICK_MS = 2


def _screen(results: ResultsService, costs: CostService,
            period: Period) -> Callable[[], Awaitable[Any]]:
    async def compute() -> Any:
        return await results.figures(period), await costs.overview(period)

    return compute


def _forget_days(path: Any) -> None:
    """Take every stored day away, as if none were counted yet."""
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM results_day_marks")
    conn.close()


def _first_visit(path: Any, compute: Callable[[], Awaitable[Any]]) -> float:
    """ms of a visit that stores the closed days (none stored before)."""
    _forget_days(path)
    started = time.perf_counter()
    asyncio.run(compute())
    return (time.perf_counter() - started) * 1000


def _measure(db: Database, raw: sqlite3.Connection, compute: Callable[[], Awaitable[Any]],
             reps: int) -> tuple[float, float, int]:
    """(service ms, floor ms, statements): medians over `reps` interleaved runs, the closed
    days stored first (the capture is of a visit that reads them)."""
    asyncio.run(compute())
    _, captured = reads_of(db.engine, lambda: asyncio.run(compute()))
    ms, floor = against_floor(lambda: asyncio.run(compute()), raw, captured, reps)
    return ms, floor, len(captured)


def _loop_stall(compute: Callable[[], Awaitable[Any]]) -> tuple[float, float, int]:
    """(longest gap between ticks in ms, the computation's ms, ticks) with the window's loop."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication  # noqa: TID251 - the bench is the window here

    from cobrador_desktop.services.gc_pause import freeze_settled_heap, responsive_loop

    responsive_loop()  # as app.gui sets the interpreter up before the window
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    freeze_settled_heap()  # as the window does once its first data is on screen
    last, worst, ticks = [0.0], [0.0], [0]

    def tick() -> None:
        now = time.perf_counter()
        worst[0] = max(worst[0], now - last[0])
        last[0] = now
        ticks[0] += 1

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)

    async def run() -> float:
        timer.start()
        await asyncio.sleep(0.05)  # the timer is ticking before the work starts
        last[0] = time.perf_counter()
        worst[0] = 0.0
        started = time.perf_counter()
        await compute()
        took = time.perf_counter() - started
        await asyncio.sleep(0.01)
        timer.stop()
        return took

    try:
        with loop:
            took = loop.run_until_complete(run())
    finally:
        asyncio.set_event_loop(None)
    return worst[0] * 1000, took * 1000, ticks[0]


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    reps = runs_for(args)
    path = ensure_db(quick=args.quick)
    now = data_now(path)
    db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    print(f"# {reps} repetições, mediana; SQLite {sqlite3.sqlite_version}; "
          f"banco: {'quick' if args.quick else '100k'}")
    presets = ([PeriodPreset.LAST_30_DAYS] if args.quick else
               [PeriodPreset.THIS_MONTH, PeriodPreset.LAST_30_DAYS, PeriodPreset.LAST_90_DAYS])
    try:
        clock = FakeClock(now)
        results = ResultsService(db, clock, DEFAULT_SHOP_ZONE)
        costs = CostService(db, clock, DEFAULT_SHOP_ZONE)
        raw = sqlite3.connect(path)
        try:
            for preset in presets:
                period = results.preset(preset)
                compute = _screen(results, costs, period)
                first = _first_visit(path, compute)
                print(f"results.first_visit[{preset.value}]: {first:.1f} ms  "
                      f"[conta e guarda os dias fechados; sem meta]")
                ms, floor, count = _measure(db, raw, compute, reps)
                verdict = "met" if ms < GOAL_MS else "NOT met"
                print(f"results.screen[{preset.value}]: {ms:.1f} ms | floor: {floor:.1f} ms | "
                      f"ratio: {ms / floor:.2f} (goal ≤ {GOAL_RATIO:.2f}) | "
                      f"absolute: {ms:.0f} ms (goal < {GOAL_MS:.0f} ms: {verdict})  "
                      f"[{period.start}…{period.end}: {count} consultas]")
        finally:
            raw.close()
        longest = _screen(results, costs, results.preset(presets[-1]))
        stall, took, ticks = _loop_stall(longest)
        print(f"results.loop_stall: {stall:.1f} ms | goal ≤ {GOAL_STALL_MS:.0f} ms  "
              f"[{presets[-1].value}: {took:.0f} ms de cálculo, {ticks} ticks de {TICK_MS} ms]")
    finally:
        db.close()
    # a goal missed is a figure to report, not a failure: exit 1 is for a run that measured nothing
    return 0


if __name__ == "__main__":
    sys.exit(main())
