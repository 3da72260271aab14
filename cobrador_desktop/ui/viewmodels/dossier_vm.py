"""A debtor's dossier from the debtor screen: gather it (database thread), write the PDF (a worker
thread: laying out thousands of messages takes seconds), say where it went or why it did not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.dossier import Dossier
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.tasks import TaskRunner

log = logging.getLogger("cobrador.ui")


class DossierSource(Protocol):
    """What the dossier needs from the services layer (`services.dossier.DossierService`)."""

    async def gather(self, debtor_id: int, operator_id: int | None) -> Dossier:
        """Everything about the debtor, audited; `OwnerOnly` for an operator."""
        ...


class DossierViewModel(QObject):
    """Writes one dossier at a time."""

    #: the PDF was written (its `Path`)
    saved = Signal(object)
    #: it was not (`KnownError`: not the owner, the folder, the debtor gone)
    failed = Signal(object)
    #: writing started (True) or ended (False)
    busy_changed = Signal(bool)

    def __init__(self, source: DossierSource, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 parent: QObject | None = None) -> None:
        """Args:
            source: the dossier service.
            operator_id: who asks (the service lets only the owner, and audits it).
        """
        super().__init__(parent)
        self._source = source
        self._operator_id = operator_id
        self._tasks = TaskRunner("dossier")
        self._busy = False

    @property
    def busy(self) -> bool:
        """True while a dossier is being written."""
        return self._busy

    def generate(self, debtor_id: int, target: Path) -> None:
        """Write `debtor_id`'s dossier to `target` (`saved` or `failed`); ignored while busy."""
        if self.busy:
            return
        self._set_busy(True)
        self._tasks.spawn(self._generate(debtor_id, target), "generate")

    async def _generate(self, debtor_id: int, target: Path) -> None:
        from cobrador_desktop.ui.reports.dossier_pdf import save_dossier

        try:
            dossier = await self._source.gather(debtor_id, self._operator_id())
            await asyncio.to_thread(save_dossier, target, dossier)
        except KnownError as error:
            log.warning("dossier not written: %s", type(error).__name__)
            self._set_busy(False)
            self.failed.emit(error)
            return
        except BaseException:
            self._set_busy(False)
            raise
        self._set_busy(False)
        self.saved.emit(target)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_changed.emit(busy)

    def close(self) -> None:
        """Stop (the window is closing); a file being written is finished or not at all."""
        self._tasks.cancel_all()
