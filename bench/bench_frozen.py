"""The packaged (PyInstaller onedir) build: its size and how fast it starts next to the source.

Two figures:

- frozen.size: the one-folder bundle's bytes (every regular file, symlinks counted as links), in
  MB of 2^20 bytes, against the goal of 150 MB (issue 8); the largest parts are listed to see
  what grew;
- frozen.start / frozen.first_data: process start to the main window's first paint / first page
  of debtors, of the built executable, over the same start from source (`python -m
  cobrador_desktop`, byte-compiled) measured in the same run, same database, runs interleaved
  (goal ≤ 1.5×).

    python bench/bench_frozen.py                      # build into a temporary folder, 5 runs each
    python bench/bench_frozen.py --dist dist          # measure an existing build (CI passes its own)
    python bench/bench_frozen.py --dist dist --quick  # one run each (CI)
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _harness import REPO, Run, bench_env, median, parser, precompile, python, run_marked, runs_for

APP = "CobradorDesktop"
SPEC = REPO / "packaging" / "cobrador_desktop.spec"
MARKS = ("first_paint", "first_data")
SIZE_GOAL_MB = 150.0
START_GOAL = 1.5
MB = 1024 * 1024


def app_folder(dist: Path) -> Path:
    """The onedir folder: `dist` itself or `dist/CobradorDesktop` (PyInstaller's --distpath)."""
    return dist / APP if (dist / APP).is_dir() else dist


def executable(folder: Path) -> Path:
    return folder / (f"{APP}.exe" if sys.platform == "win32" else APP)


def build(target: Path) -> Path:
    """Build the spec into `target` (dist and work folders) and return the dist folder."""
    dist, work = target / "dist", target / "build"
    subprocess.run([python(), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
                   cwd=REPO, check=True)
    return dist


def folder_sizes(folder: Path) -> tuple[int, dict[str, int]]:
    """Total bytes of the regular files under `folder`, and the bytes of each top-level part
    (`_internal/PySide6`, `_internal/libpython3.11.so.1.0`, the executable, …)."""
    total = 0
    parts: dict[str, int] = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            size = path.lstat().st_size
            total += size
            rel = path.relative_to(folder).parts
            key = "/".join(rel[:2]) if rel[0] == "_internal" and len(rel) > 1 else rel[0]
            parts[key] = parts.get(key, 0) + size
    return total, parts


def _source_command(data_dir: Path, db: Path) -> list[str]:
    return [python(), "-m", "cobrador_desktop", *_app_args(data_dir, db)]


def _app_args(data_dir: Path, db: Path) -> list[str]:
    return ["--data-dir", str(data_dir), "--database-url", f"sqlite:///{db.resolve().as_posix()}",
            "gui", "--exit-after", "60"]


def _ms(mark: str) -> Callable[[Run], float | None]:
    def value(run: Run) -> float | None:
        seconds = run.since_start(mark)
        return None if seconds is None else seconds * 1000
    return value


def _complete(runs: list[Run], who: str) -> bool:
    bad = [r for r in runs if not all(m in r.marks for m in MARKS)]
    for run in bad[:2]:
        print(f"{who}: faltam marcas:\n{run.describe()}", file=sys.stderr)
    return not bad


def _line(name: str, value: float, floor: float) -> str:
    return (f"{name}: {value:.1f} ms | floor: {floor:.1f} ms (from source) | "
            f"ratio: {value / floor:.2f} (goal ≤ {START_GOAL:.2f})")


def measure_start(exe: Path, runs: int) -> tuple[list[Run], list[Run]]:
    """Interleaved start-ups of the source and the frozen build on copies of one database."""
    from make_db import ensure_db

    cached = ensure_db(quick=True, verbose=False)
    precompile()
    env = bench_env()
    workdir = Path(tempfile.mkdtemp(prefix="cobrador-bench-frozen-"))
    try:
        commands = []
        for who in ("source", "frozen"):
            db = workdir / f"{who}.db"  # one copy each: nothing one writes changes the other
            shutil.copyfile(cached, db)
            data = workdir / f"{who}-data"
            commands.append(_source_command(data, db) if who == "source"
                            else [str(exe), *_app_args(data, db)])
        source_cmd, frozen_cmd = commands
        # one untimed run each: byte-compiles, migrates the copies, warms the disk cache
        for command in commands:
            run_marked(command, env=env, expect=MARKS, timeout=90)
        source_runs: list[Run] = []
        frozen_runs: list[Run] = []
        for _ in range(runs):
            source_runs.append(run_marked(source_cmd, env=env, expect=MARKS, timeout=90))
            frozen_runs.append(run_marked(frozen_cmd, env=env, expect=MARKS, timeout=90))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return source_runs, frozen_runs


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--dist", type=Path, default=None,
                   help="an existing build (PyInstaller's --distpath, or the CobradorDesktop "
                        "folder itself); without it the spec is built into a temporary folder")
    args = p.parse_args()
    runs = runs_for(args)

    scratch: Path | None = None
    try:
        if args.dist is None:
            scratch = Path(tempfile.mkdtemp(prefix="cobrador-frozen-build-"))
            dist = build(scratch)
        else:
            dist = args.dist
        folder = app_folder(dist)
        exe = executable(folder)
        if not exe.is_file():
            print(f"executável não encontrado: {exe} (construa com pyinstaller "
                  f"packaging/cobrador_desktop.spec ou indique --dist)", file=sys.stderr)
            return 1
        total, parts = folder_sizes(folder)
        source_runs, frozen_runs = measure_start(exe, runs)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    print(f"# {runs} execução(ões), mediana; Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}; {folder}")
    largest = sorted(parts.items(), key=lambda item: -item[1])[:6]
    print("# maiores partes: " + ", ".join(f"{name} {size / MB:.1f}" for name, size in largest))
    size = total / MB
    print(f"frozen.size: {size:.1f} MB | goal: {SIZE_GOAL_MB:.1f} MB | "
          f"ratio: {size / SIZE_GOAL_MB:.2f} (goal ≤ 1.00)")
    if not (_complete(source_runs, "source") and _complete(frozen_runs, "frozen")):
        return 1
    for name, mark in (("frozen.start", "first_paint"), ("frozen.first_data", "first_data")):
        frozen = median(frozen_runs, _ms(mark))
        source = median(source_runs, _ms(mark))
        assert frozen is not None and source is not None
        print(_line(name, frozen, source))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
