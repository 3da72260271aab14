"""LGPD requests about one person: hand over their data (JSON), or anonymise them.

Both are blocking (command line, or a worker thread), owner-only, and audited with who asked; the
audit keeps only the debtor's id, never their data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.services.authz import owner_only_sync
from cobrador_desktop.services.export import ExportFailed, write_atomically
from cobrador_desktop.services.ports import SyncRunner
from cobrador_desktop.storage.repos import lgpd as lgpd_repo
from cobrador_desktop.storage.repos.lgpd import AnonymiseResult

__all__ = ["FORMAT", "VERSION", "AnonymiseResult", "PersonExport", "anonymise_person",
           "export_person"]

FORMAT = "cobrador-person-export"
VERSION = 1


@dataclass(frozen=True)
class PersonExport:
    """Where one person's data was written, and how much of it."""

    path: Path
    debtor_id: int
    debts: int
    conversations: int


@owner_only_sync("lgpd.export_person",
                 QT_TRANSLATE_NOOP("Roles", "exportar os dados de uma pessoa (LGPD)"))
def export_person(db: SyncRunner, debtor_id: int, target: Path, *, now: datetime,
                  operator_id: int | None = None) -> PersonExport:
    """Write everything held about `debtor_id` to `target` (JSON, UTF-8), and audit it.

    The file appears whole or not at all (written beside it, then renamed).

    Raises:
        OwnerOnly: `operator_id` is not the owner (None, the command line, is).
        DebtorNotFound: no such debtor (nothing written).
        ExportFailed: the file could not be written.
    """
    target = target.expanduser().resolve()
    if not target.parent.is_dir():
        raise ExportFailed(path=str(target), detail="a pasta não existe")

    def read(session: Any) -> dict[str, Any]:
        data = lgpd_repo.person_data(session, debtor_id)
        lgpd_repo.record_export(session, debtor_id, now=now, operator_id=operator_id)
        return data

    data = db.run_sync(read)
    document = {"format": FORMAT, "version": VERSION,
                "exported_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **data}
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    write_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))
    return PersonExport(path=target, debtor_id=debtor_id, debts=len(data["debts"]),
                        conversations=len(data["conversations"]))


@owner_only_sync("lgpd.anonymise", QT_TRANSLATE_NOOP("Roles", "anonimizar um devedor (LGPD)"))
def anonymise_person(db: SyncRunner, debtor_id: int, *, now: datetime, today: date,
                     operator_id: int | None = None) -> AnonymiseResult:
    """Anonymise one debtor in one transaction (see `storage.repos.lgpd.anonymise`).

    Raises:
        OwnerOnly: `operator_id` is not the owner (None, the command line, is).
        DebtorNotFound: no such debtor (nothing changed).
    """
    return db.run_sync(lambda session: lgpd_repo.anonymise(
        session, debtor_id, now=now, today=today, operator_id=operator_id))
