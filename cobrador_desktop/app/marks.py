"""Start-up marks for bench/bench_startup.py: `BENCH <name> <value>` lines on stderr.

Printed only when the environment says `COBRADOR_BENCH_MARKS=1`; times are `time.monotonic()`, which
on Linux is one clock for every process, so the benchmark can subtract its own start time.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject


class BenchMarks:
    """Prints `BENCH <name> <value>` lines for bench/bench_startup.py (env COBRADOR_BENCH_MARKS=1)."""

    def __init__(self) -> None:
        self.enabled = os.environ.get("COBRADOR_BENCH_MARKS") == "1"
        self._seen: set[str] = set()

    def mark(self, name: str, value: float | None = None) -> None:
        if not self.enabled or name in self._seen:
            return
        self._seen.add(name)
        print(f"BENCH {name} {time.monotonic() if value is None else value}", file=sys.stderr,
              flush=True)

    def rss(self) -> None:
        if self.enabled:
            self.mark("rss", float(resident_bytes()))


def resident_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import psutil

        return int(psutil.Process().memory_info().rss)


class FirstPaint(QObject):
    """Calls `callback` once, when the watched widget first paints."""

    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__()
        self._callback: Callable[[], None] | None = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._callback is not None:
            callback, self._callback = self._callback, None
            callback()
        return False
