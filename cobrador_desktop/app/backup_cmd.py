"""`backup [--to PASTA]` and `restore ARQUIVO [--yes]` (INTERFACES.md §1), and what `check` and
the window need to know about backups: the service for a profile and where pg_dump files live.

On PostgreSQL both commands refuse (exit 2) and say how pg_dump / pg_restore do it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from cobrador_desktop.app.config import Profile
from cobrador_desktop.domain.backups import (
    PG_DUMP_DIR_ENV,
    REASON_LABELS,
    NoDatabaseYet,
    PostgresBackupTools,
)
from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.services.backups import BackupService

#: answers to the restore question that mean yes
_YES = {"s", "sim", "y", "yes"}


def backup_service(profile: Profile) -> BackupService:
    """The backups of this profile's SQLite database.

    Raises:
        PostgresBackupTools: the profile's database is PostgreSQL (pg_dump does it).
    """
    path = profile.sqlite_path
    if path is None:
        raise PostgresBackupTools()
    return BackupService(path, profile.backup_dir, SystemClock(), ZoneInfo(profile.timezone))


def pg_dump_dirs(profile: Profile) -> tuple[Path, ...]:
    """Where pg_dump files are looked for: `COBRADOR_PG_DUMP_DIR` (several folders separated by
    the system's path separator), then `<data-dir>/backups`."""
    extra = os.environ.get(PG_DUMP_DIR_ENV, "")
    folders = [Path(part).expanduser() for part in extra.split(os.pathsep) if part.strip()]
    return (*folders, profile.backup_dir)


def run_backup(profile: Profile, args: argparse.Namespace) -> int:
    """`backup [--to PASTA]`: the file written on stdout."""
    service = backup_service(profile)
    if not service.db_path.exists():
        raise NoDatabaseYet(path=str(service.db_path))
    dest = Path(args.to).expanduser().resolve() if args.to else None
    path = service.take(dest=dest)
    print(path, flush=True)
    return 0


def run_restore(profile: Profile, args: argparse.Namespace) -> int:
    """`restore ARQUIVO [--yes]`: checks the file, asks (unless --yes), keeps the current
    database aside renamed and puts the copy in its place."""
    from cobrador_desktop.services.backup_restore import record_restore
    from cobrador_desktop.storage.backup import backup_stamp, restore_sqlite
    from cobrador_desktop.storage.db import open_database

    service = backup_service(profile)
    backup = Path(args.file).expanduser().resolve()
    service.check_restorable(backup)
    stamp = backup_stamp(backup)
    if stamp is not None:
        zone = ZoneInfo(profile.timezone)
        label = REASON_LABELS.get(stamp[1], stamp[1])
        when = (f"a cópia de {stamp[0].astimezone(zone):%d/%m/%Y às %H:%M} "
                f"({label.lower()})")
    else:
        when = "esta cópia"
    print(f"Restaurar {backup.name}: o banco de dados volta a ser {when}; o que foi feito "
          f"depois dela deixa de aparecer. O banco atual ({service.db_path}) fica guardado ao "
          "lado, com outro nome. Feche a janela do Cobrador Desktop e pare o serve antes.",
          file=sys.stderr)
    if not args.yes:
        print("Digite “sim” para restaurar: ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in _YES:
            print("Nada foi alterado.", file=sys.stderr)
            return 2
    now = SystemClock().now()
    kept = restore_sqlite(backup, service.db_path, now=now)
    # opening brings an older copy up to this version's schema (after its own backup)
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        record_restore(db, backup=backup, kept=kept, operator_id=None, now=now)
    finally:
        db.close()
    kept_text = (f" O banco anterior foi guardado como {kept}." if kept is not None else "")
    print(f"Banco de dados restaurado de {backup.name}.{kept_text}", file=sys.stderr)
    return 0

