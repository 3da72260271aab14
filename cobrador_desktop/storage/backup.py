"""Online backups of the SQLite database (the sqlite3 backup API) and restoring one.

A backup is one self-contained file named after the UTC instant and the reason, e.g.
`cobrador-20261123T130000Z-pre-migracao.db`; the newest `keep` per reason are kept.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing, suppress
from datetime import UTC, datetime
from pathlib import Path

from cobrador_desktop.domain.backups import (
    BackupFileMissing,
    BackupNotDatabase,
    BackupTooNew,
    DatabaseInUse,
)
from cobrador_desktop.domain.errors import NO_BACKUP, DatabaseCorrupt, DatabaseTooNew
from cobrador_desktop.domain.text import fold

_NAME = re.compile(
    r"^cobrador-(?P<ts>\d{8}T\d{6}Z)-(?P<reason>[a-z0-9]+(?:-[a-z0-9]+)*)(?:_(?P<seq>\d+))?\.db$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_STAMP = "%Y%m%dT%H%M%SZ"
DEFAULT_KEEP = 10
#: what `backup_sqlite` raises when a copy cannot be made (folder not writable, source unreadable)
BACKUP_ERRORS: tuple[type[Exception], ...] = (OSError, sqlite3.Error)


def _slug(reason: str) -> str:
    slug = _NOT_SLUG.sub("-", fold(reason)).strip("-")
    if not slug:
        raise ValueError(f"backup reason {reason!r} has no letters or digits")
    return slug


def _parse(path: Path) -> tuple[str, int, str] | None:
    """(UTC stamp, sequence, reason) of a backup file name; None for any other file."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    return match["ts"], int(match["seq"] or 0), match["reason"]


def _copy(source: Path, target: Path) -> None:
    """Copy a live database into `target` with the backup API, as one self-contained file."""
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        # The copied header says WAL; a backup must be a single file that needs no -wal next to it.
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.commit()


def backup_sqlite(db_path: Path, dest_dir: Path, *, reason: str, now: datetime,
                  keep: int | None = DEFAULT_KEEP) -> Path:
    """Take an online backup of `db_path` into `dest_dir` and rotate old ones of the same reason.

    Safe while the database is open (here or in another process): the backup API copies a
    consistent snapshot, and two copies in the same second get different names. `keep=None`
    deletes nothing (a folder the user chose).

    Raises:
        OSError: the backup folder cannot be written.
        sqlite3.DatabaseError: the source cannot be read.
    """
    if now.tzinfo is None:
        raise ValueError("backup_sqlite needs an aware datetime")
    slug = _slug(reason)
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(UTC).strftime(_STAMP)
    target = dest_dir / f"cobrador-{stamp}-{slug}.db"
    seq = 1
    while target.exists():
        seq += 1
        target = dest_dir / f"cobrador-{stamp}-{slug}_{seq}.db"
    # Written under a name list_backups ignores, then renamed: a half-written backup never
    # looks like a real one.
    partial = dest_dir / f".{target.name}.partial"
    partial.unlink(missing_ok=True)
    try:
        _copy(db_path, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    if keep is not None:
        _rotate(dest_dir, slug, keep)
    return target


def _rotate(dest_dir: Path, slug: str, keep: int) -> None:
    same_reason = [p for p in list_backups(dest_dir) if (_parse(p) or ("", 0, ""))[2] == slug]
    for old in same_reason[keep:]:
        old.unlink(missing_ok=True)


def list_backups(dest_dir: Path) -> list[Path]:
    """Every backup in `dest_dir`, newest first."""
    if not dest_dir.is_dir():
        return []
    found = [(key[:2], p) for p in dest_dir.iterdir()
             if (key := _parse(p)) is not None and p.is_file()]
    found.sort(key=lambda item: item[0], reverse=True)
    return [p for _key, p in found]


def backup_stamp(path: Path) -> tuple[datetime, str] | None:
    """(UTC instant, reason slug) of a backup file's name; None for any other file."""
    key = _parse(path)
    if key is None:
        return None
    return datetime.strptime(key[0], _STAMP).replace(tzinfo=UTC), key[2]


def latest_backup(dest_dir: Path) -> Path | None:
    """The newest backup in `dest_dir`, or None."""
    backups = list_backups(dest_dir)
    return backups[0] if backups else None


def validate_sqlite(path: Path) -> None:
    """Raise `sqlite3.DatabaseError` unless `path` is a SQLite file whose pages all read back."""
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise sqlite3.DatabaseError("file is not a database (bad header)")
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        result = [row[0] for row in conn.execute("PRAGMA quick_check")]
    if result != ["ok"]:
        raise sqlite3.DatabaseError("; ".join(str(r) for r in result[:3]))


def check_backup_file(path: Path, backup_dir: Path) -> str:
    """Make sure `path` is a Cobrador Desktop database this version can open; its revision.

    Args:
        path: the file offered for a restore.
        backup_dir: where the program keeps its copies (named in the messages).

    Raises (nothing is changed in any case):
        BackupFileMissing: there is no such file.
        BackupNotDatabase: not SQLite, damaged, or some other program's database.
        BackupTooNew: made by a newer version (a schema this version does not know).
    """
    from cobrador_desktop.storage.db import SQLITE_HEADER, inspect_sqlite_file
    from cobrador_desktop.storage.migrate import refuse_unknown_revision

    folder = str(backup_dir)
    if not path.is_file():
        raise BackupFileMissing(path=str(path), folder=folder)
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise BackupNotDatabase(path=str(path), folder=folder,
                                        detail="não é um arquivo de banco de dados SQLite")
        state = inspect_sqlite_file(path, thorough=True)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise BackupNotDatabase(path=str(path), folder=folder, detail=str(exc)) from exc
    if state.revision is None:
        raise BackupNotDatabase(path=str(path), folder=folder,
                                detail="não tem o histórico de versões do Cobrador Desktop")
    try:
        refuse_unknown_revision(state.revision)
    except DatabaseTooNew as exc:
        raise BackupTooNew(path=str(path), **exc.params) from exc
    return state.revision


def _refuse_if_open_elsewhere(db_path: Path) -> None:
    """Raise `DatabaseInUse` when another connection (another process) has `db_path` open.

    Leaving WAL mode needs every other connection closed, so the attempt tells; when it works,
    the WAL is folded into the file, which is then one self-contained file (it is about to be
    kept aside anyway, and the program turns WAL back on when it opens a database).
    """
    if not db_path.with_name(db_path.name + "-shm").exists():
        return  # the program opens its database in WAL mode: every connection has a -shm
    with db_path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return  # damaged: left exactly as it is (its -wal may help recover it)
    try:
        with closing(sqlite3.connect(db_path, timeout=0.5)) as conn:
            conn.execute("PRAGMA journal_mode=DELETE").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseInUse(path=str(db_path)) from exc
        raise


def restore_sqlite(backup: Path, db_path: Path, *, now: datetime | None = None) -> Path | None:
    """Replace the (closed) database at `db_path` with `backup`.

    The current file, if any, is kept beside it (`<name>-substituido-<UTC>.db`, with its -wal/-shm)
    rather than deleted. Returns that path, or None when there was no file.

    Raises:
        DatabaseCorrupt: the backup itself is not a sound SQLite database (nothing changed).
        DatabaseInUse: another program still has the database open (nothing changed).
    """
    try:
        validate_sqlite(backup)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise DatabaseCorrupt(path=str(backup), backup=NO_BACKUP, detail=str(exc)) from exc
    # a damaged current file cannot say whether it is open: it is replaced (and kept) anyway
    with suppress(sqlite3.DatabaseError):
        _refuse_if_open_elsewhere(db_path)
    staging = db_path.with_name(f".{db_path.name}.restoring")
    staging.unlink(missing_ok=True)
    try:
        _copy(backup, staging)
        kept: Path | None = None
        if db_path.exists():
            stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(_STAMP)
            kept = db_path.with_name(f"{db_path.stem}-substituido-{stamp}{db_path.suffix}")
            db_path.replace(kept)
        # A -wal left from the old file would be replayed onto the restored one: move it too.
        for suffix in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                if kept is not None:
                    side.replace(kept.with_name(kept.name + suffix))
                else:
                    side.unlink()
        staging.replace(db_path)
    finally:
        staging.unlink(missing_ok=True)
    return kept
