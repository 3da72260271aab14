"""The floor: a bare PySide6 QMainWindow, started and measured exactly like the app.

It prints the same marks as `cobrador_desktop` does with COBRADOR_BENCH_MARKS=1:
`BENCH first_paint <time.monotonic()>` once the window's first paint event has been handled, then
`BENCH rss <bytes>`, and quits after `--exit-after` seconds. Same window size as the app's default
(1360x800), same event-filter-then-next-loop-turn timing, nothing else.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: TID251 - the floor is a bare window


def resident_bytes() -> int:
    """Resident memory of this process (the same measure the app uses)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import psutil

        return int(psutil.Process().memory_info().rss)


class _FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            _marks()  # in the filter, as the app marks it
        return False


def _marks() -> None:
    print(f"BENCH first_paint {time.monotonic()}", file=sys.stderr, flush=True)
    print(f"BENCH rss {resident_bytes()}", file=sys.stderr, flush=True)


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--exit-after", type=float, default=0.5)
    options = args.parse_args()
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setWindowTitle("Floor")
    window.resize(1360, 800)
    watcher = _FirstPaint()
    window.installEventFilter(watcher)
    QTimer.singleShot(int(options.exit_after * 1000), app.quit)
    window.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
