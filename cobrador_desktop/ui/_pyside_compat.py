"""Work around a PySide6 6.12 reference-count bug that crashes CPython 3.11.

`SignalInstance.emit()` returns `True` (and a failed `disconnect()` returns `False`) without
taking a new reference. On Python 3.12+ booleans are immortal and nothing happens; on 3.11 every
emit steals one reference from `True`, and after a few hundred emits the interpreter aborts with
"Fatal Python error: bool_dealloc" (seen with PySide6 6.12.0 on CPython 3.11.7). We give the two
booleans the effectively infinite reference count that 3.12 gives them, once, at import.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40  # far more emits than any session performs


def make_booleans_immortal() -> bool:
    """Raise the reference counts of True/False on CPython < 3.12; True if it did so."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    for value in (True, False):
        # ob_refcnt is the first field of every CPython object header.
        refcount = ctypes.c_ssize_t.from_address(id(value))
        if refcount.value < _HEADROOM:
            refcount.value += _HEADROOM
    return True
