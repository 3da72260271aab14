"""Signals can be emitted all session long (PySide6 6.12 + CPython 3.11 reference-count bug)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import cobrador_desktop.ui  # noqa: F401 - applies the work-around on import


class _Emitter(QObject):
    happened = Signal()


def test_many_emits_do_not_exhaust_the_booleans() -> None:
    emitter = _Emitter()
    for _ in range(20_000):  # without the work-around CPython 3.11 aborts long before this
        emitter.happened.emit()
    assert sys.getrefcount(True) > 20_000
    assert sys.getrefcount(False) > 1_000
