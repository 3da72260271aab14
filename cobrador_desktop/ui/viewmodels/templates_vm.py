"""The Modelos screen as the view sees it: the templates, submitting the pack, syncing, previews.

Every call goes through `TemplatesSource` (`services.templates.TemplateService` in the app) on
the qasync loop; a `KnownError` becomes `failed` with its pt-BR text, the screen kept as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.template_records import (
    PreviewDebtor,
    SubmitResult,
    TemplateInfo,
    TemplatePreview,
)
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.tasks import BusyTasks

log = logging.getLogger("cobrador.ui")


class TemplatesSource(Protocol):
    """What the Modelos screen needs from the services layer."""

    def number_configured(self) -> bool:
        """Whether a WhatsApp number is configured (submit and sync need one)."""
        ...

    async def templates(self) -> tuple[TemplateInfo, ...]: ...

    async def submit_pack(self, operator_id: int | None) -> tuple[SubmitResult, ...]: ...

    async def sync(self) -> object: ...

    async def find_debtors(self, text: str) -> tuple[PreviewDebtor, ...]: ...

    async def preview(self, name: str, debtor_id: int | None) -> TemplatePreview: ...


class TemplatesViewModel(QObject):
    """Loads the templates and runs the screen's actions."""

    #: the templates (a tuple of `TemplateInfo`)
    loaded = Signal(tuple)
    #: the pack was submitted (a tuple of `SubmitResult`); `loaded` follows
    submitted = Signal(tuple)
    #: the status was read from Meta; `loaded` follows
    synced = Signal()
    #: an action failed: its pt-BR text (what happened and what to do)
    failed = Signal(str)
    #: a preview is ready (`TemplatePreview`)
    preview_ready = Signal(object)
    #: the debtors matching the preview's search (a tuple of `PreviewDebtor`)
    debtors_found = Signal(tuple)
    #: an action started (True) or all finished (False)
    busy_changed = Signal(bool)

    def __init__(self, source: TemplatesSource, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._operator_id = operator_id
        self._tasks = BusyTasks("templates", self.busy_changed.emit)
        self._search_serial = 0
        self.templates: tuple[TemplateInfo, ...] = ()

    @property
    def busy(self) -> bool:
        return self._tasks.busy

    @property
    def number_configured(self) -> bool:
        return self._source.number_configured()

    # ------------------------------------------------------------------ actions
    def load(self) -> None:
        self._run(self._load())

    async def _load(self) -> None:
        self.templates = tuple(await self._source.templates())
        self.loaded.emit(self.templates)

    def submit_pack(self) -> None:
        async def work() -> None:
            results = await self._source.submit_pack(self._operator_id())
            self.submitted.emit(tuple(results))
            await self._load()
        self._run(work())

    def sync(self) -> None:
        async def work() -> None:
            await self._source.sync()
            self.synced.emit()
            await self._load()
        self._run(work())

    def find_debtors(self, text: str) -> None:
        """Search debtors for the preview; an older search's answer is dropped."""
        self._search_serial += 1
        serial = self._search_serial

        async def work() -> None:
            found = await self._source.find_debtors(text)
            if serial == self._search_serial:
                self.debtors_found.emit(tuple(found))
        self._tasks.spawn(self._guarded(work()), "search")

    def preview(self, name: str, debtor_id: int | None) -> None:
        async def work() -> None:
            self.preview_ready.emit(await self._source.preview(name, debtor_id))
        self._tasks.spawn(self._guarded(work()), "preview")

    def close(self) -> None:
        self._tasks.cancel_all()

    # ------------------------------------------------------------------ internals
    async def _guarded(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except KnownError as error:
            log.info("templates: %s", error.message_source)
            self.failed.emit(known_text(error))

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn_busy(self._guarded(coro), "templates")
