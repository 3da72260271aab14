"""Configurações › Cópias de segurança as the section sees it: the list, a copy now, a restore in
the running window (SQLite), or where PostgreSQL's pg_dump files are (and which were found).

Everything runs on the qasync loop; a refusal (not the owner, a file of a newer version, the
database open in another program) comes back as its pt-BR text and nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.backups import BackupInfo, DumpInfo
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.services.backups import BackupStatus
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.tasks import TaskRunner

log = logging.getLogger("cobrador.ui")


class BackupsSource(Protocol):
    """What the section needs (the app's `WindowBackups`)."""

    @property
    def is_sqlite(self) -> bool: ...

    @property
    def backup_dir(self) -> Path: ...

    @property
    def database_label(self) -> str: ...

    def status(self) -> BackupStatus: ...

    def subscribe(self, listener: Callable[[BackupStatus], None]) -> Callable[[], None]: ...

    async def backups(self) -> tuple[BackupInfo, ...]: ...

    async def backup_now(self) -> Path: ...

    async def restore(self, path: Path, operator_id: int | None) -> None: ...

    async def pg_dumps(self) -> tuple[tuple[Path, ...], tuple[DumpInfo, ...]]: ...


class BackupsViewModel(QObject):
    """Loads the list and runs a copy or a restore, one thing at a time."""

    #: the backups, newest first (a tuple of `BackupInfo`)
    listed = Signal(object)
    #: PostgreSQL: the folders looked in and the dumps found there (tuple, tuple of `DumpInfo`)
    dumps_listed = Signal(object, object)
    #: the automatic copies' state changed (a `BackupStatus`)
    status_changed = Signal(object)
    #: a copy or a restore started (True) or ended (False)
    busy_changed = Signal(bool)
    #: a copy was written (its path)
    backed_up = Signal(object)
    #: the database was restored from this copy (its path) and reopened
    restored = Signal(object)
    #: something failed or was refused (pt-BR); nothing was changed
    failed = Signal(str)

    def __init__(self, source: BackupsSource, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 parent: QObject | None = None) -> None:
        """Args:
            source: the backups port.
            operator_id: who is signed in (the restore is the owner's).
        """
        super().__init__(parent)
        self.source = source
        self._operator_id = operator_id
        self._tasks = TaskRunner("backups")
        self.busy = False
        self._unsubscribe = source.subscribe(self.status_changed.emit)

    @property
    def is_sqlite(self) -> bool:
        return self.source.is_sqlite

    def status(self) -> BackupStatus:
        return self.source.status()

    def load(self) -> None:
        """Read the list (`listed`) or, on PostgreSQL, the dumps (`dumps_listed`)."""
        self._tasks.spawn(self._load(), "load")

    async def _load(self) -> None:
        try:
            if self.source.is_sqlite:
                self.listed.emit(await self.source.backups())
            else:
                folders, dumps = await self.source.pg_dumps()
                self.dumps_listed.emit(folders, dumps)
        except (KnownError, OSError) as error:
            self.failed.emit(_text(error))

    def backup_now(self) -> None:
        """Copy the database now (`backed_up`, then `listed`)."""
        self._run(self._backup_now(), "backup")

    async def _backup_now(self) -> None:
        path = await self.source.backup_now()
        self.backed_up.emit(path)

    def restore(self, path: Path) -> None:
        """Put this copy in place of the database (the owner's; `restored` or `failed`)."""
        self._run(self._restore(path), "restore")

    async def _restore(self, path: Path) -> None:
        await self.source.restore(path, self._operator_id())
        self.restored.emit(path)

    def close(self) -> None:
        """Cancel what is under way and stop listening (the window is closing)."""
        self._unsubscribe()
        self._tasks.cancel_all()

    def _run(self, work: Coroutine[Any, Any, None], name: str) -> None:
        if self.busy:
            work.close()
            return

        async def run() -> None:
            self._set_busy(True)
            try:
                await work
            except (KnownError, OSError) as error:
                log.warning("backups: %s failed: %s", name, error)
                self.failed.emit(_text(error))
            finally:
                self._set_busy(False)
            await self._load()

        self._tasks.spawn(run(), name)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)


def _text(error: Exception) -> str:
    if isinstance(error, KnownError):
        return known_text(error)
    return str(error)
