"""Backups while the program runs: the daily copy (the window and `serve`) and the Configurações
section's port (`ui.viewmodels.backups_vm.BackupsSource`): the list, a copy now, and a restore
in the running window (services stopped, database closed, file swapped, reopened).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from cobrador_desktop.app.backup_cmd import backup_service, pg_dump_dirs
from cobrador_desktop.app.config import Profile
from cobrador_desktop.domain.backups import BackupInfo, DumpInfo
from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.scheduler.daily import DailyJob
from cobrador_desktop.services.backups import BackupService, BackupStatus, find_pg_dumps
from cobrador_desktop.services.ports import Runner

log = logging.getLogger("cobrador.backup")

#: the shop's local time the daily copy is due from: the first minutes of the day (the shop is
#: closed; the copy holds the whole of yesterday, before the upkeep at 00:05). A program started
#: later without today's copy makes it `FIRST_DELAY` seconds after it starts.
BACKUP_AT = time(0, 0)
#: seconds after start before the first look (the window's first data comes first)
FIRST_DELAY = 20.0


def start_daily_backups(service: BackupService, timezone: ZoneInfo, stop: asyncio.Event, *,
                        first_delay: float = FIRST_DELAY) -> asyncio.Future[None]:
    """Run `service.run_daily` once per shop day until `stop` (a failure is logged, recorded in
    `service.status` and tried again 15 minutes later; it never ends the program)."""
    job = DailyJob("daily backup", service.run_daily, SystemClock(), timezone, at=BACKUP_AT)
    return asyncio.ensure_future(job.run_forever(stop, first_delay=first_delay))


def sqlite_backups(profile: Profile) -> BackupService | None:
    """This profile's SQLite backups (None on PostgreSQL: pg_dump does it on the server)."""
    return backup_service(profile) if profile.sqlite_path is not None else None


class WindowBackups:
    """What the Configurações section calls (`BackupsSource`), for one profile.

    `restore` is handed the window's way to swap the database (`reopen`: stop what uses the
    database, restore the file, open it again, start them again, refresh the pages).
    """

    def __init__(self, profile: Profile, service: BackupService | None, *,
                 ready: Callable[[], Awaitable[Runner]],
                 reopen: Callable[[Path, int | None], Awaitable[None]]) -> None:
        """Args:
            profile: the data in use.
            service: its SQLite backups (None on PostgreSQL).
            ready: the database open now (the owner check reads it before it is replaced).
            reopen: swaps the database for a copy in the running window.
        """
        self._profile = profile
        self._service = service
        self._ready = ready
        self._reopen = reopen

    @property
    def is_sqlite(self) -> bool:
        return self._service is not None

    @property
    def backup_dir(self) -> Path:
        return self._profile.backup_dir

    @property
    def database_label(self) -> str:
        return self._profile.database_label

    def status(self) -> BackupStatus:
        return self._service.status if self._service is not None else BackupStatus()

    def subscribe(self, listener: Callable[[BackupStatus], None]) -> Callable[[], None]:
        if self._service is None:
            return lambda: None
        return self._service.subscribe(listener)

    async def backups(self) -> tuple[BackupInfo, ...]:
        if self._service is None:
            return ()
        return await asyncio.to_thread(self._service.backups)

    async def backup_now(self) -> Path:
        assert self._service is not None
        return await asyncio.to_thread(self._service.take)

    async def check(self, path: Path) -> str:
        """The file's schema revision after the checks a restore makes first (raises a
        `KnownError` for a file this version must not restore)."""
        assert self._service is not None
        return await asyncio.to_thread(self._service.check_restorable, path)

    async def restore(self, path: Path, operator_id: int | None) -> None:
        """Only the owner (`RestoreGate`, audited when refused), only a file this version opens;
        then the window swaps the database."""
        from cobrador_desktop.services.backup_restore import RestoreGate

        await RestoreGate(await self._ready(), SystemClock()).allow(operator_id)
        await self.check(path)
        await self._reopen(path, operator_id)

    async def pg_dumps(self) -> tuple[tuple[Path, ...], tuple[DumpInfo, ...]]:
        """Where pg_dump files are looked for, and those found there (newest first)."""
        folders = pg_dump_dirs(self._profile)
        return folders, await asyncio.to_thread(find_pg_dumps, folders)
