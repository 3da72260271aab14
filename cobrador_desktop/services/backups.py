"""Backups of the SQLite database: the daily copy with its rotation, a copy by hand, the list the
restore screen shows, the checks before a restore, and PostgreSQL's pg_dump files.

The daily copy (`take_daily`) is made once per shop day by whichever process runs (the window or
`serve`; both at once only ever make a spare copy: names never collide and the backup API copies a
consistent snapshot). The first copy of an ISO week is a "semanal", kept 4 weeks; the others are
"diaria", the 7 newest kept (`domain.backups.KEEP`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from cobrador_desktop.domain.backups import (
    DAILY,
    KEEP,
    MANUAL,
    STALE_AFTER_DAYS,
    WEEKLY,
    BackupFailed,
    BackupInfo,
    DumpInfo,
)
from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.storage.backup import (
    BACKUP_ERRORS,
    DEFAULT_KEEP,
    backup_sqlite,
    backup_stamp,
    check_backup_file,
    list_backups,
)

log = logging.getLogger("cobrador.backup")

#: names pg_dump's output usually gets (custom, plain SQL, tar, compressed)
PG_DUMP_SUFFIXES = (".dump", ".backup", ".pgdump", ".sql", ".sql.gz", ".tar")


@dataclass(frozen=True)
class BackupStatus:
    """How the automatic copies are going, for the window (None: nothing known yet)."""

    last_ok: datetime | None = None
    last_error: str | None = None


class BackupService:
    """Backups of one SQLite database file into its backup folder."""

    def __init__(self, db_path: Path, backup_dir: Path, clock: Clock, timezone: tzinfo) -> None:
        """Args:
            db_path: the live database file.
            backup_dir: where the copies go (`<data-dir>/backups`).
            clock: the current instant.
            timezone: the shop's zone (its days and weeks).
        """
        self.db_path = db_path
        self.backup_dir = backup_dir
        self._clock = clock
        self._timezone = timezone
        self.status = BackupStatus()
        self._listeners: list[Callable[[BackupStatus], None]] = []

    # ------------------------------------------------------------------ reading
    def backups(self) -> tuple[BackupInfo, ...]:
        """Every backup in the folder, newest first."""
        found = []
        for path in list_backups(self.backup_dir):
            stamp = backup_stamp(path)
            try:
                size = path.stat().st_size
            except OSError:  # rotated away by another process meanwhile
                continue
            if stamp is not None:
                found.append(BackupInfo(path=path, taken_at=stamp[0], reason=stamp[1],
                                        size=size))
        return tuple(found)

    def latest(self) -> BackupInfo | None:
        """The newest backup of any reason."""
        backups = self.backups()
        return backups[0] if backups else None

    def is_stale(self, latest: BackupInfo | None) -> bool:
        """No backup, or the newest is older than `STALE_AFTER_DAYS`."""
        return latest is None or \
            self._clock.now() - latest.taken_at > timedelta(days=STALE_AFTER_DAYS)

    # ------------------------------------------------------------------ writing
    def take(self, *, reason: str = MANUAL, dest: Path | None = None) -> Path:
        """Copy the database now (`dest`: a folder of the user's; nothing there is rotated).

        Raises:
            BackupFailed: the copy could not be written or the database read.
        """
        folder = dest or self.backup_dir
        try:
            path = backup_sqlite(self.db_path, folder, reason=reason, now=self._clock.now(),
                                 keep=None if dest is not None else KEEP.get(reason, DEFAULT_KEEP))
        except BACKUP_ERRORS as exc:
            raise BackupFailed(detail=str(exc) or type(exc).__name__, folder=str(folder)) from exc
        log.info("backup (%s) written to %s", reason, path)
        return path

    def take_daily(self) -> Path | None:
        """Today's automatic copy, unless the shop's today already has one (None then)."""
        today = self._today()
        week = today.isocalendar()[:2]
        has_week = False
        for backup in self.backups():
            if backup.reason not in (DAILY, WEEKLY):
                continue
            local = backup.taken_at.astimezone(self._timezone).date()
            if local == today:
                return None
            has_week = has_week or (backup.reason == WEEKLY and local.isocalendar()[:2] == week)
        return self.take(reason=DAILY if has_week else WEEKLY)

    async def run_daily(self) -> Path | None:
        """`take_daily` off the event loop; the outcome goes to `status` and its listeners.

        Raises:
            BackupFailed: after recording it (the daily job tries again later).
        """
        try:
            path = await asyncio.to_thread(self.take_daily)
        except BackupFailed as err:
            log.error("automatic backup failed: %s", err)
            self._set_status(BackupStatus(self.status.last_ok, err.message))
            raise
        if path is not None:
            self._set_status(BackupStatus(self._clock.now(), None))
        elif self.status.last_ok is None:
            latest = self.latest()
            self._set_status(BackupStatus(latest.taken_at if latest else None, None))
        return path

    def subscribe(self, listener: Callable[[BackupStatus], None]) -> Callable[[], None]:
        """Call `listener(status)` on every change (on the event loop's thread)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _set_status(self, status: BackupStatus) -> None:
        self.status = status
        for listener in list(self._listeners):
            listener(status)

    # ------------------------------------------------------------------ restoring
    def check_restorable(self, path: Path) -> str:
        """The backup's schema revision, after making sure this version can open it.

        Raises:
            BackupFileMissing, BackupNotDatabase, BackupTooNew: nothing was changed.
        """
        return check_backup_file(path, self.backup_dir)

    def _today(self) -> date:
        return self._clock.now().astimezone(self._timezone).date()


def find_pg_dumps(folders: Iterable[Path]) -> tuple[DumpInfo, ...]:
    """pg_dump output found in `folders` (files with a dump's usual name, or a directory-format
    dump: a folder with a `toc.dat`), newest first."""
    found: dict[Path, DumpInfo] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            name = entry.name.lower()
            try:
                if entry.is_file() and name.endswith(PG_DUMP_SUFFIXES):
                    stat = entry.stat()
                elif entry.is_dir() and (entry / "toc.dat").is_file():
                    stat = (entry / "toc.dat").stat()
                else:
                    continue
            except OSError:
                continue
            found[entry.resolve()] = DumpInfo(
                path=entry, size=stat.st_size,
                modified_at=datetime.fromtimestamp(stat.st_mtime, UTC))
    return tuple(sorted(found.values(), key=lambda d: d.modified_at, reverse=True))


def recent_pg_dump(folders: Iterable[Path], now: datetime) -> DumpInfo | None:
    """The newest pg_dump file of the last `STALE_AFTER_DAYS` days, or None."""
    dumps = find_pg_dumps(folders)
    if dumps and now - dumps[0].modified_at <= timedelta(days=STALE_AFTER_DAYS):
        return dumps[0]
    return None

