"""Start-up time and memory of the app on the 100k-debtor database, against a bare QMainWindow.

Three figures, each over the floor measured in the same run (median of N runs, floor and app
interleaved so machine noise hits both alike):

- startup.first_paint: process start to the main window's first paint (goal ≤ 1.3× floor);
- startup.first_data: process start to the first page of real debtors on screen (goal ≤ 3× the
  floor's first paint);
- memory.rss: resident memory right after that first page (goal ≤ floor + 150 MB).

    python bench/bench_startup.py              # 5 runs each on the 100k database
    python bench/bench_startup.py --quick      # 1 run on a small database (smoke test)
    python bench/bench_startup.py --floor-only # only the floor process
"""

from __future__ import annotations

import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _harness import (
    REPO,
    Run,
    bench_env,
    median,
    parser,
    precompile,
    python,
    report_line,
    run_marked,
    runs_for,
)

FLOOR = REPO / "bench" / "floor_window.py"
APP_MARKS = ("first_paint", "first_data", "rss")
FLOOR_MARKS = ("first_paint", "rss")
#: resident memory the app may add on top of the bare window (issue 3 §9)
RSS_BUDGET_MB = 150.0
MB = 1024 * 1024


def _floor_command(exit_after: float) -> list[str]:
    return [python(), str(FLOOR), "--exit-after", str(exit_after)]


def _app_command(data_dir: Path, db: Path, exit_after: float) -> list[str]:
    return [python(), "-m", "cobrador_desktop", "--data-dir", str(data_dir),
            "--database-url", f"sqlite:///{db.resolve().as_posix()}",
            "gui", "--exit-after", str(exit_after)]


def _require(runs: list[Run], marks: tuple[str, ...], who: str) -> bool:
    bad = [r for r in runs if not all(m in r.marks for m in marks)]
    for run in bad[:2]:
        print(f"{who}: faltam marcas {[m for m in marks if m not in run.marks]}:\n"
              f"{run.describe()}", file=sys.stderr)
    return not bad


def _ms(mark: str) -> Callable[[Run], float | None]:
    def value(run: Run) -> float | None:
        seconds = run.since_start(mark)
        return None if seconds is None else seconds * 1000
    return value


def _mb(run: Run) -> float | None:
    rss = run.marks.get("rss")
    return None if rss is None else rss / MB


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--floor-only", action="store_true", help="measure only the bare window")
    p.add_argument("--exit-after", type=float, default=60.0,
                   help="upper bound passed to the processes; they are stopped as soon as "
                        "their marks are in (default 60)")
    args = p.parse_args()
    runs = runs_for(args)
    precompile()
    env = bench_env()
    floor_cmd = _floor_command(args.exit_after)
    timeout = args.exit_after + 30

    app_cmd: list[str] | None = None
    workdir = Path(tempfile.mkdtemp(prefix="cobrador-bench-"))
    try:
        label = "floor"
        if not args.floor_only:
            from make_db import ensure_db

            cached = ensure_db(quick=args.quick)
            label = "quick" if args.quick else "100k"
            # a copy, so whatever the app writes never changes the cached database
            db = workdir / "bench.db"
            shutil.copyfile(cached, db)
            app_cmd = _app_command(workdir / "data", db, args.exit_after)

        # one untimed run each: byte-compiles and warms the disk cache, so every timed run is a
        # cold *process* start on a warm machine, as when a user opens the app a second time
        run_marked(floor_cmd, env=env, expect=FLOOR_MARKS, timeout=timeout)
        if app_cmd:
            run_marked(app_cmd, env=env, expect=APP_MARKS, timeout=timeout)
        floor_runs: list[Run] = []
        app_runs: list[Run] = []
        for _ in range(runs):
            floor_runs.append(run_marked(floor_cmd, env=env, expect=FLOOR_MARKS, timeout=timeout))
            if app_cmd:
                app_runs.append(run_marked(app_cmd, env=env, expect=APP_MARKS, timeout=timeout))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    if not _require(floor_runs, FLOOR_MARKS, "floor"):
        return 1
    floor_paint = median(floor_runs, _ms("first_paint"))
    floor_rss = median(floor_runs, _mb)
    assert floor_paint is not None and floor_rss is not None
    print(f"# {runs} execução(ões), mediana; Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}; banco: {label}")
    if not app_cmd:
        print(f"floor.first_paint: {floor_paint:.1f} ms")
        print(f"floor.rss: {floor_rss:.1f} MB")
        return 0
    if not _require(app_runs, APP_MARKS, "app"):
        return 1
    paint = median(app_runs, _ms("first_paint"))
    data = median(app_runs, _ms("first_data"))
    rss = median(app_runs, _mb)
    assert paint is not None and data is not None and rss is not None
    print(report_line("startup.first_paint", paint, floor_paint, "ms", 1.3))
    print(report_line(f"startup.first_data_{label}", data, floor_paint, "ms", 3.0))
    print(report_line(f"memory.rss_{label}", rss, floor_rss, "MB",
                      (floor_rss + RSS_BUDGET_MB) / floor_rss))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
