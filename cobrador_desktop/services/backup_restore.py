"""Restoring a backup, the parts that touch the database: only the owner may do it from the
window (`RestoreGate`, `services.authz`), and the restored database records that it came back
(`record_restore`). Kept apart from `services.backups` so the window's start does not load the
database layer for the daily copy."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner, SyncRunner
from cobrador_desktop.storage.repos import audit

#: the owner-only action, and the audit action a restore leaves in the restored database
RESTORE_ACTION = "backup.restore"


class RestoreGate:
    """Asks the database (the one about to be replaced) whether this operator may restore."""

    def __init__(self, db: Runner, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    @owner_only(RESTORE_ACTION, QT_TRANSLATE_NOOP("KnownError",
                                                  "restaurar uma cópia de segurança"))
    async def allow(self, operator_id: int | None) -> None:
        """Returns for the owner (and the system); the decorator refuses anyone else."""


def record_restore(db: SyncRunner, *, backup: Path, kept: Path | None,
                   operator_id: int | None, now: datetime) -> None:
    """Leave an audit entry in the database just restored (the replaced file keeps its own
    history): which copy came back, where the replaced file was kept, and who did it (in the
    details: an older copy may not know that operator yet)."""
    db.run_sync(lambda session: audit.append(
        session, action=RESTORE_ACTION, operator_id=None, object_type="backup", object_id=None,
        now=now, details={"backup": backup.name, "operator_id": operator_id,
                          "kept_as": kept.name if kept is not None else None}))
