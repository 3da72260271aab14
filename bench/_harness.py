"""What every benchmark shares: start a process the same way N times, read its marks, print ratios.

A benchmark never prints a bare number: it measures a *floor* in the same run (the same machine,
the same moment, the same way of starting a process) and prints its figure as a ratio to it:

    startup.first_paint: 412.3 ms | floor: 351.0 ms | ratio: 1.17 (goal ≤ 1.30)

Processes report instants with `BENCH <name> <value>` lines on stderr, where an instant is the
child's `time.monotonic()`. The harness records its own `time.monotonic()` just before `Popen`;
CLOCK_MONOTONIC (Linux) and QueryPerformanceCounter (Windows) are system-wide, so the difference
is the real time since the start, interpreter start-up included.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"

_MARK = re.compile(r"^BENCH (\w+) ([-+0-9.eE]+)\s*$")


@dataclass
class Run:
    """One process run: when it started, the marks it printed, how it ended."""

    command: list[str]
    start: float
    marks: dict[str, float] = field(default_factory=dict)
    returncode: int | None = None
    stderr_tail: list[str] = field(default_factory=list)
    timed_out: bool = False

    def since_start(self, mark: str) -> float | None:
        """Seconds from just before `Popen` to the instant the process reported for `mark`."""
        value = self.marks.get(mark)
        return None if value is None else value - self.start

    def describe(self) -> str:
        tail = "\n    ".join(self.stderr_tail[-15:]) or "(nada)"
        state = "tempo esgotado" if self.timed_out else f"saída {self.returncode}"
        return f"{' '.join(self.command)}\n  {state}; marcas: {self.marks}\n  stderr:\n    {tail}"


def bench_env(**extra: str) -> dict[str, str]:
    """The environment every measured process gets: offscreen Qt and the marks switched on.

    The app is measured as it is installed, byte-compiled: `precompile()` writes the bytecode once,
    and PYTHONDONTWRITEBYTECODE (set on some machines) is dropped so nothing differs between runs.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(QT_QPA_PLATFORM="offscreen", COBRADOR_BENCH_MARKS="1", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def precompile() -> None:
    """Byte-compile the app and the floor, as an installed (or frozen) program is."""
    import compileall

    for folder in (REPO / "cobrador_desktop", REPO / "bench"):
        compileall.compile_dir(folder, quiet=1)


def run_marked(command: Sequence[str], *, env: dict[str, str], expect: Sequence[str],
               timeout: float = 120.0, cwd: Path = REPO) -> Run:
    """Start `command`, collect its `BENCH` marks, and stop it once every expected mark is in.

    Stopping early keeps the runs short however long the process would have stayed open; the
    figures are already taken by then.
    """
    run = Run(command=list(command), start=0.0)
    done = threading.Event()
    run.start = time.monotonic()
    proc = subprocess.Popen(list(command), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace")

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            line = line.rstrip("\n")
            match = _MARK.match(line)
            if match:
                run.marks.setdefault(match[1], float(match[2]))
                if all(name in run.marks for name in expect):
                    done.set()
            else:
                run.stderr_tail.append(line)
                del run.stderr_tail[:-40]
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not done.wait(timeout):
        run.timed_out = True
    if proc.poll() is None:
        proc.terminate()
    try:
        run.returncode = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        run.returncode = proc.wait()
    reader.join(timeout=5)
    return run


def median(runs: Sequence[Run], value: Callable[[Run], float | None]) -> float | None:
    """The median over the runs that produced the value, None if none did."""
    values = [v for v in (value(r) for r in runs) if v is not None]
    return statistics.median(values) if values else None


def report_line(name: str, value: float, floor: float, unit: str, goal: float) -> str:
    """`name: value unit | floor: value unit | ratio: x.xx (goal ≤ y)`."""
    return (f"{name}: {value:.1f} {unit} | floor: {floor:.1f} {unit} | "
            f"ratio: {value / floor:.2f} (goal ≤ {goal:.2f})")


def parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true",
                   help="smoke run: one repetition on a small database")
    p.add_argument("--runs", type=int, default=None,
                   help="repetitions per process (default 5, 1 with --quick); the median counts")
    return p


def runs_for(args: argparse.Namespace) -> int:
    if args.runs is not None:
        return max(1, int(args.runs))
    return 1 if args.quick else 5


def python() -> str:
    """The interpreter running the benchmark (the project's virtualenv)."""
    return sys.executable
