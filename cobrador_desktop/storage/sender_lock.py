"""Which process sends: a lock in the database, so two PCs can never both send (issue 8).

Exactly one process runs the webhook receiver, the outbox sender and the scheduler at a time. It is
the one holding the sender lock:

- PostgreSQL: `pg_try_advisory_lock` on a connection of its own, opened for this and held for as
  long as the process sends. When the process dies (or its network does) the server ends the
  session and the lock goes with it. The connection's `application_name` is
  "cobrador-desktop:<computer>:<pid>", so the others can say who sends (`pg_locks` joined to
  `pg_stat_activity`).
- SQLite: an OS file lock on a small file beside the database (`<database>.sender`), `flock` on
  POSIX and `msvcrt.locking` on Windows; the OS drops it when the process dies. The file also
  names the holder.

All calls block (a connect may wait on the network): call them off the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO, Any, Protocol

from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.pg_changes import libpq_url

log = logging.getLogger("cobrador.storage")

#: the advisory lock key of the sender ("cobs"); the audit log's is 0x636F6272
SENDER_LOCK_KEY = 0x636F6273
#: prefix of every connection's application_name the sender lock opens
APP_NAME_PREFIX = "cobrador-desktop"


def process_name() -> str:
    """This process as the others see it: "cobrador-desktop:<computer>:<pid>"."""
    return f"{APP_NAME_PREFIX}:{socket.gethostname()}:{os.getpid()}"


def computer_of(name: str | None) -> str | None:
    """The computer's name in a holder's "cobrador-desktop:<computer>:<pid>" (or the raw text)."""
    if not name:
        return None
    parts = name.split(":")
    if len(parts) >= 3 and parts[0] == APP_NAME_PREFIX:
        return ":".join(parts[1:-1]) or None
    return name


class SenderLock(Protocol):
    """The lock that makes a process the sender."""

    def try_acquire(self) -> bool:
        """Take the lock if free; True when this process holds it (again) now."""

    def still_held(self) -> bool:
        """Whether the lock is still ours (False once its connection is gone)."""

    def holder(self) -> str | None:
        """Who holds it ("cobrador-desktop:<computer>:<pid>"), None if nobody or unknown."""

    def release(self) -> None:
        """Give it up (idempotent)."""


def sender_lock(db: Database) -> SenderLock:
    """The sender lock of `db`'s shop: advisory on PostgreSQL, a file lock on SQLite."""
    if db.dialect == "postgresql":
        return PostgresSenderLock(libpq_url(db))
    path = db.sqlite_path
    assert path is not None
    return FileSenderLock(path.with_name(path.name + ".sender"))


# -------------------------------------------------------------------- PostgreSQL

_HOLDER_SQL = """
SELECT a.application_name, a.client_hostname, a.pid
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %(key)s
  AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1
"""


class PostgresSenderLock:
    """`pg_try_advisory_lock` held on a dedicated connection (see the module docstring)."""

    def __init__(self, conninfo: str, *, key: int = SENDER_LOCK_KEY,
                 connect_timeout: int = 5) -> None:
        self._conninfo = conninfo
        self._key = key
        self._timeout = connect_timeout
        self._conn: Any = None  # psycopg.Connection while we hold the lock

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self._conninfo, autocommit=True, connect_timeout=self._timeout,
                               application_name=process_name())

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return self.still_held()
        conn = self._connect()
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
        except BaseException:
            conn.close()
            raise
        if row is not None and row[0]:
            self._conn = conn
            return True
        conn.close()
        return False

    def still_held(self) -> bool:
        conn = self._conn
        if conn is None:
            return False
        try:
            # the session alive means its advisory lock is too
            conn.execute("SELECT 1").fetchone()
        except Exception as exc:  # any driver error: the session (and the lock) may be gone
            log.warning("sender lock connection lost: %s", exc)
            self.release()
            return False
        return True

    def holder(self) -> str | None:
        with self._connect() as conn:
            row = conn.execute(_HOLDER_SQL, {"key": self._key}).fetchone()
        if row is None:
            return None
        name, host, pid = row
        if name:
            return str(name)
        return f"{APP_NAME_PREFIX}:{host or '?'}:{pid}"

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()  # ending the session releases the lock


# -------------------------------------------------------------------- SQLite


class FileSenderLock:
    """An exclusive OS lock on `path` (created beside the database), naming its holder inside.

    The first byte is the one locked (Windows locks byte ranges and refuses reading them); the
    holder's name follows it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        handle = self.path.open("a+b")
        try:
            if not _lock(handle):
                handle.close()
                return False
            handle.seek(1)
            handle.truncate()
            handle.write(process_name().encode("utf-8"))
            handle.flush()
        except BaseException:
            handle.close()
            raise
        self._handle = handle
        return True

    def still_held(self) -> bool:
        return self._handle is not None

    def holder(self) -> str | None:
        if self._handle is not None:
            return process_name()
        # Asked after a failed try: someone holds the lock, and may be between taking it and
        # writing its name (two processes started at once). Give it a moment to write it.
        for attempt in range(10):
            try:
                raw = self.path.read_bytes()[1:]
            except OSError:
                return None
            name = raw.decode("utf-8", errors="replace").strip()
            if name:
                return name
            time.sleep(0.02 * (attempt + 1) / 2)
        return None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.seek(1)
                handle.truncate()
                handle.flush()
            _unlock(handle)
            handle.close()


def _lock(handle: IO[bytes]) -> bool:
    handle.seek(0)
    if sys.platform == "win32":
        import msvcrt

        if handle.seek(0, os.SEEK_END) == 0:
            handle.write(b" ")  # a byte to lock
            handle.flush()
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        # flock: per open file, so two locks in one process exclude each other too (tests)
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    if handle.seek(0, os.SEEK_END) == 0:
        handle.write(b" ")
        handle.flush()
    return True


def _unlock(handle: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
