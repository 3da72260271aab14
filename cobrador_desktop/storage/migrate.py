"""Alembic, run from code: the migrations ship inside the package, no alembic.ini at run time.

`upgrade` is called at every start-up. It refuses a database from a newer version, backs up a
SQLite database that already holds data before changing it, and runs every pending migration in ONE
transaction (SQLite DDL is transactional thanks to the recipe in `db.py`), so a failure or a kill
leaves the database exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from cobrador_desktop.domain.errors import (
    NO_BACKUP,
    DatabaseCorrupt,
    DatabaseTooNew,
    DataDirNotWritable,
    KnownError,
    MigrationFailed,
)
from cobrador_desktop.storage.backup import backup_sqlite, latest_backup
from cobrador_desktop.storage.orm import Base

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from cobrador_desktop.storage.db import Database

#: the newest revision in `migrations/versions/`. Every start-up compares the database with it, and
#: only a database that differs loads Alembic (~150 ms of imports and script parsing); a test keeps
#: it equal to what Alembic computes from the scripts.
HEAD_REVISION = "0010"

#: search structures migration 0003 builds for one dialect only (SQLite's FTS5 table and its shadow
#: tables, PostgreSQL's trigram index); the ORM does not declare them, so schema comparisons skip them
DIALECT_ONLY_PREFIXES = ("debtor_search", "ix_debtors_search_text_trgm")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name` hook: compare everything but the dialect-only search objects."""
    del type_, parent_names
    return name is None or not name.startswith(DIALECT_ONLY_PREFIXES)


#: the migration scripts, found next to this file so a frozen build (which ships them as data) works
MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
BACKUP_REASON = "pre-migracao"


def alembic_config(script_location: Path | None = None) -> Config:
    """An Alembic `Config` built in code."""
    from alembic.config import Config

    config = Config()
    location = str(script_location or MIGRATIONS_DIR)
    # ConfigParser interpolates "%": a user folder may well contain one
    config.set_main_option("script_location", location.replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    return config


@cache
def _scripts(script_location: Path | None) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(script_location))


def head_revision(script_location: Path | None = None) -> str:
    """The newest revision this build knows (of `script_location`'s scripts when given)."""
    if script_location is None:
        return HEAD_REVISION
    return scripts_head(script_location)


def scripts_head(script_location: Path | None = None) -> str:
    """The head revision as Alembic computes it from the scripts (slow: loads Alembic)."""
    head = _scripts(script_location).get_current_head()
    assert head is not None, "no migrations found"
    return head


def known_revisions(script_location: Path | None = None) -> frozenset[str]:
    """Every revision this build knows."""
    return frozenset(s.revision for s in _scripts(script_location).walk_revisions())


def refuse_unknown_revision(revision: str | None, script_location: Path | None = None) -> None:
    """Raise `DatabaseTooNew` when `revision` comes from a newer build."""
    if revision is None or (script_location is None and revision == HEAD_REVISION):
        return
    if revision not in known_revisions(script_location):
        raise DatabaseTooNew(found=revision, known=head_revision(script_location))


def _current(connection: Connection) -> str | None:
    # What Alembic's MigrationContext reads, without importing Alembic on every start-up.
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise DatabaseCorrupt(path=str(connection.engine.url.render_as_string()),
                              backup=NO_BACKUP, detail="mais de uma versão registrada")
    return rows[0] if rows else None


def current_revision(db: Database) -> str | None:
    """The revision stored in the database (None for a new, empty one)."""

    def read() -> str | None:
        with db.connect() as connection:
            return _current(connection)

    return db.call_on_worker(read)


def upgrade(db: Database, backup_dir: Path, *, script_location: Path | None = None,
            now: datetime | None = None) -> Path | None:
    """Bring the database to the newest revision; returns the backup taken, if any.

    Raises:
        DatabaseTooNew: the stored revision is unknown to this build (nothing changed).
        DatabaseCorrupt: the database holds our tables but no revision.
        DataDirNotWritable: the backup could not be written (nothing changed).
        MigrationFailed: a migration step failed; everything was rolled back.
    """
    return db.call_on_worker(_upgrade_on_worker, db, backup_dir, script_location, now)


def _upgrade_on_worker(db: Database, backup_dir: Path, script_location: Path | None,
                       now: datetime | None) -> Path | None:
    head = head_revision(script_location)
    with db.connect() as probe:
        current = _current(probe)
        if current == head:
            return None
        tables = set(inspect(probe).get_table_names())
    refuse_unknown_revision(current, script_location)
    if current is None and tables & set(Base.metadata.tables):
        latest = latest_backup(backup_dir)
        raise DatabaseCorrupt(path=db.display_url, backup=str(latest) if latest else NO_BACKUP,
                              detail="sem histórico de versões")

    backup: Path | None = None
    db_path = db.sqlite_path
    if db_path is not None and current is not None:
        # Back up first: a failed migration rolls back, but a bug in one that "succeeds" does not.
        try:
            backup = backup_sqlite(db_path, backup_dir, reason=BACKUP_REASON,
                                   now=now or datetime.now(UTC))
        except OSError as exc:
            raise DataDirNotWritable(path=str(backup_dir)) from exc
    try:
        _run_alembic(db, script_location)
    except KnownError:
        raise
    except Exception as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise MigrationFailed(detail=detail[0] if detail else type(exc).__name__,
                              backup=str(backup) if backup else NO_BACKUP) from exc
    return backup


def _run_alembic(db: Database, script_location: Path | None) -> None:
    from alembic import command
    from alembic.util.exc import CommandError

    config = alembic_config(script_location)
    with db.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        sqlite = db.dialect == "sqlite"
        if sqlite:
            # Batch migrations copy and drop tables; with foreign keys on, a DROP would cascade
            # into the children. Switch them off (only possible outside a transaction) and check
            # the keys at the end instead. A batch rebuild also renames its copy to the table's
            # name while triggers on other tables name the table (0009's message facts): the
            # legacy rename leaves them as they are instead of refusing. The rebuilt table's own
            # triggers go with the old table: such a migration makes them again (see 0003, 0009).
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute("PRAGMA legacy_alter_table=ON")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise CommandError(f"chaves estrangeiras quebradas: {broken[:3]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA legacy_alter_table=OFF")
                raw.execute("PRAGMA foreign_keys=ON")
