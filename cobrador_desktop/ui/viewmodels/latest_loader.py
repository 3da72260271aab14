"""A view model that loads one thing at a time and keeps only the newest answer: a request made
while an older one is still on its way drops the older answer, so a screen never shows one
period's numbers under another's name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.tasks import TaskRunner


class LatestLoader(QObject):
    """Loads one thing at a time; only the newest request's answer is emitted."""

    #: the newest answer arrived
    loaded = Signal(object)
    #: the newest request failed (`KnownError`)
    failed = Signal(object)
    #: an answer is on its way (True) or not (False)
    busy_changed = Signal(bool)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner(name)
        self._request = 0
        self._busy = False
        self.value: Any = None

    @property
    def busy(self) -> bool:
        return self._busy

    def _start(self, call: Callable[[], Awaitable[Any]]) -> None:
        self._request += 1
        self._set_busy(True)
        self._tasks.spawn(self._load(self._request, call), "load")

    async def _load(self, request: int, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            value = await call()
        except KnownError as error:
            if request == self._request:
                self._set_busy(False)
                self.failed.emit(error)
            return
        if request != self._request:  # a newer request is on its way: this answer is stale
            return
        shown = self._accept(value)
        self._set_busy(False)
        self.loaded.emit(shown)

    def _accept(self, value: Any) -> Any:
        """Keep the newest answer; returns what `loaded` carries (the answer itself here)."""
        self.value = value
        return value

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def close(self) -> None:
        """Cancel whatever is under way (the window is closing)."""
        self._tasks.cancel_all()
