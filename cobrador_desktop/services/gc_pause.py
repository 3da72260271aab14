"""Keep the window's loop responsive while big jobs run on the database thread.

`responsive_loop()` (the window calls it at start) shortens the interpreter's thread switch
interval from 5 ms to 1 ms: the database thread running pure Python (a day of the régua builds
tens of thousands of objects) otherwise keeps the loop waiting for the lock two or three
intervals in a row — 17–34 ms measured at 100,000 debts, over a frame.

`no_full_collection()`, below:
A full (generation 2) collection stops every thread — the GUI's event loop too — while it walks
every tracked object: tens of milliseconds on the heap a day of the régua builds for 100,000
debts, several times during the job as the heap grows. Inside `no_full_collection()` only the
young generations are collected; the objects the job leaves behind are freed by reference counting
as usual, and the next full collection after the job finds a heap back to its usual size.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: the thread switch interval for a process with a window (CPython's default is 5 ms)
SWITCH_INTERVAL = 0.001


def responsive_loop() -> None:
    """Let the GUI thread take the interpreter back within about a millisecond."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def freeze_settled_heap() -> None:
    """Move every object alive now out of the garbage collector's reach (`gc.freeze`).

    Called once the window shows its first data: the modules, Qt wrappers and caches loaded so far
    live as long as the program, yet each full collection walked them all again — 70–80 ms during
    which the window froze (bench/bench_inbox.py saw them as the longest loop stalls while a long
    conversation scrolled). Frozen, later full collections only walk what came after.
    """
    gc.collect()
    gc.freeze()


#: a generation-2 threshold no job reaches (the count of young collections between full ones)
_NEVER = 1_000_000_000
_lock = threading.Lock()
_depth = 0
_saved = 10


@contextmanager
def no_full_collection() -> Iterator[None]:
    """No full collection while the block runs (nested and concurrent uses are counted)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            first, second, _saved = gc.get_threshold()
            gc.set_threshold(first, second, _NEVER)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                first, second, _ = gc.get_threshold()
                gc.set_threshold(first, second, _saved)
