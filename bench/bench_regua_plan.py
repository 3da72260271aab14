"""Planning a day of the régua for 100,000 open debts vs one raw SQL pass over the same due rows.

Figures (median of N repetitions, after a warm-up):

- regua.plan_day: `ReminderService.plan(at)` (the dry run: régua window read in bulk, each debt's
  step, one message per debtor, identity first, templates rendered, the send guard's facts
  gathered in bulk and the guard evaluated for every planned message), against a floor measured
  in the same run: one raw `sqlite3` pass that selects the same due rows (the open debts with a
  balance, due in the régua's window, of debtors not anonymised nor opted out, with the debtor's
  name and segment) and fetches them. Goal ≤ 5×.
- regua.loop_stall: the longest the asyncio loop (the GUI's, in the app) waited between 1 ms
  ticks while the plan ran on the database thread. Goal < 16 ms.

The data: a copy of the benchmark database (`make_db.py`: 100,000 debtors, 300,000 debts) in
which one debt per debtor is open and due somewhere in the default régua's window, the others
before it; the shop's identity and a green number are set so the guard weighs every rule.

    python bench/bench_regua_plan.py            # 100k database, 5 repetitions
    python bench/bench_regua_plan.py --quick    # 3,000 debtors, 1 repetition
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _harness import parser, report_line, runs_for
from make_db import ensure_db

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.regua import DEFAULT_REGUA
from cobrador_desktop.domain.settings import NumberQuality, ShopDetails
from cobrador_desktop.services.demo_data import SHOP
from cobrador_desktop.services.gc_pause import responsive_loop
from cobrador_desktop.services.reminders import Plan, ReminderService
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.repos.settings import write_number_quality, write_shop

GOAL_RATIO = 5.0
GOAL_STALL_MS = 16.0
ZONE = "America/Sao_Paulo"
#: a Monday afternoon (12:00 in São Paulo): the guard allows, the pacing spreads
AT = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)

FLOOR_SQL = """
SELECT d.id, d.debtor_id, p.name, p.document_type, p.segment, d.due_date, d.amount_cents,
       d.paid_cents, d.installment_number, d.installment_count, d.agreement_id
FROM debts d JOIN debtors p ON p.id = d.debtor_id
WHERE d.status = 'open' AND d.due_date >= ? AND d.due_date <= ?
  AND d.amount_cents > d.paid_cents AND p.anonymised_at IS NULL AND p.opted_out = 0
"""


def prepare(source: Path, work: Path) -> tuple[Path, int]:
    """A copy of the benchmark database with one open debt per debtor in the régua's window."""
    target = work / "regua.db"
    shutil.copyfile(source, target)
    window = DEFAULT_REGUA.due_window(TODAY)
    assert window is not None
    first, last = window
    span = (last - first).days + 1
    with sqlite3.connect(target) as conn:
        # every debt before the window, then each debtor's first debt open and inside it
        conn.execute("UPDATE debts SET due_date = ?", ((first - timedelta(days=30)).isoformat(),))
        conn.execute(f"""
            UPDATE debts SET status = 'open', paid_cents = 0, agreement_id = NULL,
                   due_date = date(?, '+' || (id % {span}) || ' days')
            WHERE id IN (SELECT min(id) FROM debts GROUP BY debtor_id)""", (first.isoformat(),))
        conn.execute("UPDATE debtors SET anonymised_at = NULL, opted_out = 0")
        in_window = conn.execute(
            "SELECT count(*) FROM debts WHERE status = 'open' AND due_date BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat())).fetchone()[0]
    conn.close()
    db = open_database(sqlite_url(target), backup_dir=work / "backups")
    try:
        def settings(session: object) -> None:
            write_shop(session, ShopDetails(  # type: ignore[arg-type]
                trade_name=SHOP.name, legal_name=SHOP.name, document=SHOP.cnpj,
                address="Rua das Flores, 10, Campinas", uf="SP"), operator_id=None, now=AT)
            write_number_quality(session, NumberQuality("GREEN", "TIER_10K"),  # type: ignore[arg-type]
                                 operator_id=None, now=AT)
        db.run_sync(settings)
    finally:
        db.close()
    return target, int(in_window)


def floor_once(path: Path) -> tuple[float, int]:
    window = DEFAULT_REGUA.due_window(TODAY)
    assert window is not None
    with sqlite3.connect(path) as conn:
        started = time.perf_counter()
        rows = conn.execute(FLOOR_SQL, (window[0].isoformat(), window[1].isoformat())).fetchall()
        seconds = time.perf_counter() - started
    conn.close()
    return seconds, len(rows)


async def plan_once(db: Database) -> tuple[float, float, Plan]:
    """Seconds for the plan, and the longest gap between the loop's 1 ms ticks meanwhile."""
    service = ReminderService(db, FakeClock(AT), shop_zone=ZONE)
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last)
            last = now

    tick = asyncio.ensure_future(ticker())
    started = time.perf_counter()
    plan = await service.plan(AT)
    seconds = time.perf_counter() - started
    done = True
    await tick
    return seconds, worst, plan


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    runs = runs_for(args)
    responsive_loop()  # as the window does at start (app.gui.run_window)
    source = ensure_db(quick=args.quick)
    with tempfile.TemporaryDirectory(prefix="bench-regua-") as tmp:
        path, in_window = prepare(source, Path(tmp))
        print(f"# {runs} repetição(ões), mediana; Python {sys.version.split()[0]}; SQLite "
              f"{sqlite3.sqlite_version}; {in_window} dívidas em aberto na janela da régua")
        db = open_database(sqlite_url(path), backup_dir=Path(tmp) / "backups")
        try:
            floor_once(path)  # warm-up: the pages in the cache, the statement compiled
            plan: Plan | None = None
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(plan_once(db))
                floors, plans, stalls = [], [], []
                for _ in range(runs):
                    seconds, rows = floor_once(path)
                    floors.append(seconds)
                    seconds, stall, plan = loop.run_until_complete(plan_once(db))
                    plans.append(seconds)
                    stalls.append(stall)
            finally:
                loop.close()
        finally:
            db.close()
    assert plan is not None
    floor_ms, plan_ms = statistics.median(floors) * 1000, statistics.median(plans) * 1000
    print(report_line("regua.plan_day", plan_ms, floor_ms, "ms", GOAL_RATIO)
          + f"  [{rows} linhas na passada de SQL]")
    print(f"regua.loop_stall: {max(stalls) * 1000:.1f} ms (goal < {GOAL_STALL_MS:.0f} ms)")
    print(f"# plano: {len(plan.items)} mensagens avaliadas {plan.counts_by_decision()}, "
          f"{len(plan.skipped)} puladas; motivos: {dict(list(plan.counts_by_reason().items())[:6])}")
    # a goal missed is a figure to report, not a failure: exit 1 is for a run that measured nothing
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
