"""The small Protocols services use to reach the layers below, wired in `app.py`.

Services decide *what*; they never import SQLAlchemy. Database work is a plain function of a session
handed to a `Runner` (in production `storage.db.Database`), which runs it on the database thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Runner(Protocol):
    """Runs `fn(session)` on the database thread, in a transaction, and returns its result."""

    async def run(self, fn: Callable[[Any], T]) -> T:
        """Commit when `fn` returns; roll back and re-raise when it raises."""
        ...


class SyncRunner(Protocol):
    """The blocking form, for command-line commands and work already off the GUI thread."""

    def run_sync(self, fn: Callable[[Any], T]) -> T:
        """Like `Runner.run`, but waits for the result."""
        ...
