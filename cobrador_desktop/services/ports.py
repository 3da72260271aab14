"""The small Protocols services use to reach the layers below, wired in `app.py`.

Services decide *what*; they never import SQLAlchemy. Database work is a plain function of a session
handed to a `Runner` (in production `storage.db.Database`), which runs it on the database thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Runner(Protocol):
    """Runs `fn(session)` on the database thread, in a transaction, and returns its result."""

    async def run(self, fn: Callable[[Any], T]) -> T:
        """Commit when `fn` returns; roll back and re-raise when it raises."""
        ...


class ReadingRunner(Runner, Protocol):
    """A `Runner` that can also read in parallel, for heavy reports."""

    async def run_reads(self, fns: Sequence[Callable[[Any], T]]) -> list[T]:
        """Each read-only `fn(session)` in its own transaction beside the database thread; the
        results in order."""
        ...


class SyncRunner(Protocol):
    """The blocking form, for command-line commands and work already off the GUI thread."""

    def run_sync(self, fn: Callable[[Any], T]) -> T:
        """Like `Runner.run`, but waits for the result."""
        ...
