"""The database: engine, SQLite pragmas, and the one worker thread all database work runs on.

SQLite has one writer, and repositories are plain synchronous functions, so every query runs on a
single dedicated thread (`await db.run(fn)`), inside a transaction. ORM objects stay on that thread;
`fn` returns frozen records (`domain/records.py`).

Heavy read-only reports may also read beside that thread (`await db.run_reads([fn, ...])`): each
function on a reader thread of its own, with its own connection and read transaction (SQLite's WAL
lets readers run beside the writer), so a report takes the time of its longest part and the other
screens' work does not queue behind it. Never for writes.

`open_database` is the start-up path: it checks the SQLite file without touching it, refuses a
database from a newer version, backs up and migrates (`migrate.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cobrador_desktop.domain.errors import (
    NO_BACKUP,
    DatabaseCorrupt,
    DatabaseUnavailable,
    DataDirNotWritable,
    InvalidDatabaseUrl,
)

T = TypeVar("T")
#: reader threads for `Database.run_reads` (the machines have two cores)
READERS = 2

SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file (absolute, forward slashes on every OS)."""
    return f"sqlite:///{path.resolve().as_posix()}"


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidDatabaseUrl(value=_masked(url)) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        # psycopg 3 is the driver we ship; accept the short "postgresql://" form too.
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        return parsed
    raise InvalidDatabaseUrl(value=parsed.render_as_string(hide_password=True))


def _masked(url: str) -> str:
    """An unparsable URL, fit for a message: whatever sits between "://" and "@" is hidden."""
    head, sep, tail = url.partition("://")
    if sep and "@" in tail:
        return f"{head}://***@{tail.split('@', 1)[1]}"
    return url


def _describe(exc: BaseException) -> str:
    """One line about a driver error, without SQLAlchemy's boilerplate."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented pysqlite recipe: stop the driver from managing BEGIN itself (it skips
    # BEGIN before DDL), so we emit BEGIN in `_sqlite_on_begin` and DDL is really transactional —
    # a migration killed half-way rolls back.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


class Database:
    """An engine plus the single worker thread that runs every database call."""

    def __init__(self, url: str) -> None:
        #: names this Database in its change notifications (PostgreSQL), to skip its own
        self.origin = uuid.uuid4().hex[:12]
        self._url = _parse_url(url)
        self._dialect = self._url.get_backend_name()
        if self._dialect == "sqlite":
            self._engine = create_engine(self._url)
            event.listen(self._engine, "connect", _sqlite_on_connect)
            event.listen(self._engine, "begin", _sqlite_on_begin)
        else:
            from cobrador_desktop.storage.pg_changes import install_notify

            # pre_ping: a shared server may restart while the app stays open for days
            self._engine = create_engine(self._url, pool_pre_ping=True, pool_size=2)
            # other PCs' screens hear what this one commits (LISTEN cobrador_changes)
            install_notify(self._engine, self.origin)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cobrador-db")
        #: the reports' readers (`run_reads`), started on first use
        self._readers = ThreadPoolExecutor(max_workers=READERS,
                                           thread_name_prefix="cobrador-db-read")
        self._worker: threading.Thread | None = None
        self._closed = False

    # ---------------------------------------------------------------- properties

    @property
    def url(self) -> str:
        """The full URL (may hold a password: never log it, use `display_url`)."""
        return self._url.render_as_string(hide_password=False)

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        if self._dialect == "sqlite":
            return str(self.sqlite_path)
        return self._url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._dialect

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for SQLite, else None."""
        if self._dialect != "sqlite" or not self._url.database:
            return None
        return Path(self._url.database)

    @property
    def engine(self) -> Engine:
        """The engine (storage-internal: migrations and backups)."""
        return self._engine

    def connect(self) -> Connection:
        """A raw connection (storage-internal: migrations); connection failures are known errors."""
        try:
            return self._engine.connect()
        except (OperationalError, InterfaceError) as exc:
            raise DatabaseUnavailable(detail=_describe(exc)) from exc

    # ---------------------------------------------------------------- running work

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run `fn(session)` on the database thread in a transaction and return its result.

        Commits when `fn` returns, rolls back and re-raises when it raises.
        """
        future: Future[T] = self._submit(self._in_transaction, fn)
        return await asyncio.wrap_future(future)

    async def run_reads(self, fns: Sequence[Callable[[Session], T]]) -> list[T]:
        """Run each read-only `fn(session)` on a reader thread, each in its own transaction
        (rolled back: nothing it does is kept), and return their results in order.

        The parts may see the database a moment apart: for reports whose figures are read
        together, not for work that must agree row for row."""
        if self._closed:
            raise RuntimeError("database is closed")
        futures = [self._readers.submit(self._in_read, fn) for fn in fns]
        return [await asyncio.wrap_future(future) for future in futures]

    def _in_read(self, fn: Callable[[Session], T]) -> T:
        with self._session() as session:
            try:
                return fn(session)
            finally:
                _safe_rollback(session)

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """Like `run`, but blocks the caller (command line, tests, benchmarks)."""
        result: T = self.call_on_worker(self._in_transaction, fn)
        return result

    def call_on_worker(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a plain callable on the database thread and wait (migrations, maintenance)."""
        if threading.current_thread() is self._worker:
            raise RuntimeError("nested database call from the database thread would deadlock")
        return self._submit(fn, *args).result()

    def _submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        if self._closed:
            raise RuntimeError("database is closed")
        return self._executor.submit(self._on_worker, fn, *args)

    def _on_worker(self, fn: Callable[..., T], *args: Any) -> T:
        self._worker = threading.current_thread()
        return fn(*args)

    def _in_transaction(self, fn: Callable[[Session], T]) -> T:
        with self._session() as session:
            result = fn(session)
            session.commit()
            return result

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        """A connected session, rolled back if the work raises and closed after; connection
        failures raised as `DatabaseUnavailable`."""
        session = self._sessions()
        try:
            try:
                session.connection()
            except (OperationalError, InterfaceError) as exc:
                raise DatabaseUnavailable(detail=_describe(exc)) from exc
            yield session
        except DBAPIError as exc:
            _safe_rollback(session)
            if exc.connection_invalidated:
                raise DatabaseUnavailable(detail=_describe(exc)) from exc
            raise
        except BaseException:
            _safe_rollback(session)
            raise
        finally:
            session.close()

    def close(self) -> None:
        """Finish queued work, close every connection and stop the worker thread."""
        if self._closed:
            return
        self._readers.shutdown(wait=True)
        try:
            self._executor.submit(self._engine.dispose).result()
        finally:
            self._closed = True
            self._executor.shutdown(wait=True)

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"


def _safe_rollback(session: Session) -> None:
    # if the connection is already gone, the original error is the one worth reporting
    with contextlib.suppress(DBAPIError):
        session.rollback()


# -------------------------------------------------------------------- the SQLite file


@dataclass(frozen=True, slots=True)
class SqliteFileState:
    """What a read-only look at a SQLite file found."""

    exists: bool
    #: the Alembic revision stored in the file, None when it has none
    revision: str | None
    #: names of the tables in the file
    tables: frozenset[str]


def inspect_sqlite_file(path: Path, *, thorough: bool = False) -> SqliteFileState:
    """Look at a SQLite file without changing it.

    Args:
        path: the database file.
        thorough: also run `PRAGMA quick_check` (reads every page; for `check` and restores).

    Raises:
        sqlite3.DatabaseError: the file is not a readable SQLite database.
        OSError: the file cannot be read.
    """
    if not path.exists():
        return SqliteFileState(exists=False, revision=None, tables=frozenset())
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if not header:
        # SQLite treats an empty file as an empty database
        return SqliteFileState(exists=True, revision=None, tables=frozenset())
    if header != SQLITE_HEADER:
        raise sqlite3.DatabaseError("file is not a database (bad header)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = frozenset(row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        if thorough:
            result = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(str(r) for r in result[:3]))
    finally:
        conn.close()
    return SqliteFileState(exists=True, revision=revision, tables=tables)


def _ensure_writable_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # os.access lies on network shares and for administrators: really try to write
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise DataDirNotWritable(path=str(directory)) from exc


def _latest_backup_text(backup_dir: Path) -> str:
    from cobrador_desktop.storage.backup import latest_backup

    latest = latest_backup(backup_dir)
    return str(latest) if latest is not None else NO_BACKUP


def open_database(url: str, *, backup_dir: Path, thorough_check: bool = False) -> Database:
    """Open, check, back up if needed and migrate the database; the start-up path.

    Args:
        url: SQLAlchemy URL (`sqlite_url(path)` or `postgresql+psycopg://…`).
        backup_dir: where SQLite backups go (and where a corrupt file's last backup is looked up).
        thorough_check: also read every page of an existing SQLite file before opening it
            (always done before a migration).

    Raises:
        DataDirNotWritable: the SQLite file's folder cannot be written.
        DatabaseCorrupt: the file is not a readable Cobrador Desktop database (left untouched).
        DatabaseTooNew: the database comes from a newer version; nothing was changed.
        MigrationFailed: the upgrade failed and was rolled back.
        DatabaseUnavailable: the server cannot be reached.
    """
    from cobrador_desktop.storage import migrate

    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        path = Path(parsed.database)
        _ensure_writable_dir(path.parent)
        try:
            state = inspect_sqlite_file(path, thorough=thorough_check)
            if not thorough_check and state.revision not in (None, migrate.head_revision()):
                # about to migrate: never build on (or back up) a damaged file
                inspect_sqlite_file(path, thorough=True)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise DatabaseCorrupt(path=str(path), backup=_latest_backup_text(backup_dir),
                                  detail=str(exc)) from exc
        if state.exists and not os.access(path, os.W_OK):
            raise DataDirNotWritable(path=str(path))
        if state.revision is None and state.tables - {"sqlite_sequence"}:
            # tables but no migration history: some other program's database
            raise DatabaseCorrupt(path=str(path), backup=_latest_backup_text(backup_dir),
                                  detail="sem histórico de versões")
        migrate.refuse_unknown_revision(state.revision)
    db = Database(url)
    try:
        migrate.upgrade(db, backup_dir)
    except BaseException:
        db.close()
        raise
    return db
