"""Guard against the PySide6 6.12.0 bug that made Python 3.11 abort after a few hundred emits.

Every `Signal.emit()` dropped a reference to `True`; pyproject.toml pins PySide6 below 6.12. This
test fails (or crashes) on a version with the bug.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    bare = Signal()
    with_int = Signal(int)


def test_emitting_signals_does_not_leak_references_to_true() -> None:
    emitter = _Emitter()
    emitter.bare.connect(lambda: None)
    emitter.with_int.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for i in range(200):
        emitter.bare.emit()
        emitter.with_int.emit(i)
    # other threads may touch True meanwhile; a leak would show hundreds
    assert abs(sys.getrefcount(True) - before) < 50
