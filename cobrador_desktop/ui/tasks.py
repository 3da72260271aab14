"""Coroutines started from the GUI: keep them alive, cancel them together, never lose an error.

asyncio only keeps weak references to tasks, so a task started from a slot and forgotten can be
garbage-collected mid-flight; and an exception in a forgotten task is only logged when the task
dies. `TaskRunner` holds the tasks and hands every unexpected exception to the loop's exception
handler, which `ui.errors.install_loop_exception_handler` turns into the crash dialog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("cobrador.ui")

T = TypeVar("T")


def current_loop() -> asyncio.AbstractEventLoop:
    """The qasync loop: the running one, else the one `app.py` set as current."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        # Before `run_forever()` starts (window built, loop not yet running) the loop is only
        # "current"; tasks created now run as soon as Qt's event loop does.
        return asyncio.get_event_loop()


class TaskRunner:
    """A set of tasks owned by one object (a view-model); cancel them all when it goes away."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], name: str | None = None) -> asyncio.Task[T]:
        """Start `coro` on the GUI loop and keep it alive until it finishes."""
        task = current_loop().create_task(coro, name=f"{self._owner}:{name or 'task'}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def cancel_all(self) -> None:
        """Cancel every task still running (the owner is closing)."""
        for task in list(self._tasks):
            task.cancel()

    @property
    def running(self) -> int:
        """How many tasks have not finished yet."""
        return len(self._tasks)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        task.get_loop().call_exception_handler({
            "message": f"Erro inesperado em {task.get_name()}",
            "exception": error,
            "task": task,
        })


class BusyTasks(TaskRunner):
    """A `TaskRunner` that also says when it has work under way: `changed(True)` when the first
    `spawn_busy` task starts, `changed(False)` when the last one ends (a view model's
    `busy_changed`)."""

    def __init__(self, owner: str, changed: Callable[[bool], None]) -> None:
        super().__init__(owner)
        self._changed = changed
        self._count = 0

    @property
    def busy(self) -> bool:
        """Whether a `spawn_busy` task is under way."""
        return self._count > 0

    def spawn_busy(self, coro: Coroutine[Any, Any, T], name: str | None = None
                   ) -> asyncio.Task[T]:
        """`spawn(coro)`, counted as work under way while it runs."""
        async def counted() -> T:
            self._count += 1
            if self._count == 1:
                self._changed(True)
            try:
                return await coro
            finally:
                self._count -= 1
                if self._count == 0:
                    self._changed(False)

        return self.spawn(counted(), name)
