"""Export everything to the `cobrador-export` v1 JSON file (INTERFACES.md §5).

The file is streamed batch by batch (100k debtors and a million messages fit in little memory) into a
temporary file beside the target, which replaces the target only when complete: a failed export never
leaves half a file behind, nor damages an older export of the same name.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.services.authz import owner_only_sync
from cobrador_desktop.services.ports import SyncRunner
from cobrador_desktop.storage.repos import export as export_repo

FORMAT = "cobrador-export"
VERSION = 1
BATCH = 500


class ExportFailed(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não foi possível gravar a exportação em {path}: {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha outra pasta ou outro nome de arquivo. Nenhum arquivo foi alterado.")


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    debtors: int
    conversations: int


@owner_only_sync("export.json", QT_TRANSLATE_NOOP("Roles", "exportar todos os dados"))
def export_json(db: SyncRunner, target: Path, *, now: datetime,
                operator_id: int | None = None) -> ExportSummary:
    """Write the whole database to `target` (blocking; run it off the GUI thread).

    Args:
        operator_id: who asked (None: the command line); only the owner may (`OwnerOnly`).
    """
    target = target.expanduser().resolve()
    if not target.parent.is_dir():
        raise ExportFailed(path=str(target), detail="a pasta não existe")
    counts: list[tuple[int, int]] = []

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            counts.append(_write(db, out, now))

    write_atomically(target, write)
    debtors, conversations = counts[0]
    return ExportSummary(path=target, debtors=debtors, conversations=conversations)


def write_atomically(target: Path, write: Callable[[Path], object], *,
                     suffix: str = ".tmp") -> None:
    """Have `write` fill a temporary file beside `target`, then put it in `target`'s place.

    A failed or cancelled export leaves no half-written file and an existing `target` as it was.

    Raises:
        ExportFailed: the file could not be created, written or moved (disk full, no
            permission, the folder vanished); anything else `write` raises passes through.
    """
    try:
        handle, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=suffix, dir=target.parent)
        os.close(handle)
    except OSError as exc:
        raise ExportFailed(path=str(target), detail=exc.strerror or str(exc)) from exc
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportFailed(path=str(target), detail=exc.strerror or str(exc)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write(db: SyncRunner, out: TextIO, now: datetime) -> tuple[int, int]:
    head = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1])
    out.write(', "debtors": [')
    debtors = _write_list(db, out, export_repo.debtor_batch)
    out.write('], "conversations": [')
    conversations = _write_list(db, out, export_repo.conversation_batch)
    out.write("]}\n")
    return debtors, conversations


def _write_list(db: SyncRunner, out: TextIO,
                fetch: Callable[..., list[dict[str, Any]]]) -> int:
    after, count = 0, 0
    while True:
        batch = db.run_sync(partial(fetch, after_id=after, limit=BATCH))
        for item in batch:
            out.write(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
            count += 1
        if len(batch) < BATCH:
            return count
        after = int(batch[-1]["id"])
