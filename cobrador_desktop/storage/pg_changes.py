"""Changes made on one PC reach the others' screens: NOTIFY on commit, LISTEN on a thread (issue 8).

PostgreSQL only. Every transaction that wrote sends, as it commits,
`pg_notify('cobrador_changes', '<origin> <table>,<table>')`: the tables its INSERT/UPDATE/DELETE
statements named (seen on the engine's cursor events, so bulk statements and raw SQL count too)
and the writing `Database`'s origin (so a process can skip its own). A transaction that rolls
back notifies nothing (PostgreSQL delivers a NOTIFY only on commit anyway).

`ChangeListener` is a thread with its own psycopg connection that LISTENs and hands each
notification's tables to a callback. It reconnects with a growing pause when the connection is
lost; after a reconnect it reports `EVERYTHING` (what changed meanwhile is unknown). Its
`on_connection(bool)` callback is how the window learns the database is unreachable, and back.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, make_url

if TYPE_CHECKING:
    from cobrador_desktop.storage.db import Database

log = logging.getLogger("cobrador.storage")

CHANNEL = "cobrador_changes"
#: what a listener reports after a reconnect: anything may have changed
EVERYTHING = frozenset({"*"})
#: a NOTIFY payload must stay under 8000 bytes; ours are a few dozen
_MAX_PAYLOAD = 7900
_WRITES = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
_INFO_KEY = "cobrador_changed_tables"


def libpq_url(db: Database) -> str:
    """`db`'s PostgreSQL URL as libpq (psycopg.connect) takes it, password included."""
    return make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)


def encode(origin: str, tables: frozenset[str] | set[str]) -> str:
    """The payload: "<origin> <table>,<table>" (sorted)."""
    return f"{origin} {','.join(sorted(tables))}"[:_MAX_PAYLOAD]


def decode(payload: str) -> tuple[str, frozenset[str]]:
    """(origin, tables) of a payload; an unreadable one means everything."""
    origin, sep, tables = payload.partition(" ")
    names = frozenset(t for t in tables.split(",") if t)
    return origin, (names if sep and names else EVERYTHING)


def install_notify(engine: Engine, origin: str) -> None:
    """Make every committing transaction on `engine` that wrote NOTIFY which tables it wrote."""

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        match = _WRITES.match(statement)
        if match is not None:
            conn.info.setdefault(_INFO_KEY, set()).add(match.group(1).lower())

    @event.listens_for(engine, "commit")
    def _commit(conn: Connection) -> None:
        # runs just before the DBAPI commit: the NOTIFY is part of the transaction
        tables = conn.info.pop(_INFO_KEY, None)
        if not tables:
            return
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, encode(origin, tables)))
        finally:
            cursor.close()

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Connection) -> None:
        conn.info.pop(_INFO_KEY, None)


class ChangeListener:
    """LISTENs on its own connection in a thread; see the module docstring.

    Args:
        conninfo: the libpq URL (`libpq_url(db)`).
        on_change: called (on the listener's thread) with the tables another process changed.
        ignore_origin: skip notifications from this origin (the process's own `Database`).
        on_connection: called (on the listener's thread) with False when the connection is
            lost or cannot be made, True when it is (back) up; only on a change.
        application_name: how the connection shows in `pg_stat_activity`.
    """

    def __init__(self, conninfo: str, on_change: Callable[[frozenset[str]], None], *,
                 ignore_origin: str | None = None,
                 on_connection: Callable[[bool], None] | None = None,
                 application_name: str = "cobrador-desktop:listen",
                 first_pause: float = 0.5, max_pause: float = 5.0,
                 ping_every: float = 5.0) -> None:
        self._conninfo = conninfo
        self._on_change = on_change
        self._ignore = ignore_origin
        self._on_connection = on_connection
        self._app_name = application_name
        self._first_pause, self._max_pause = first_pause, max_pause
        self._ping_every = ping_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected: bool | None = None
        #: set each time the LISTEN is in place (tests wait for it)
        self.listening = threading.Event()

    @property
    def connected(self) -> bool | None:
        """True while listening, False while the connection is lost, None before the first try."""
        return self._connected

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="cobrador-listen", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread (it notices within a second)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    # ---------------------------------------------------------------- the thread

    def _run(self) -> None:
        pause = self._first_pause
        first = True
        while not self._stop.is_set():
            try:
                self._listen(missed_some=not first)
                first = False
                pause = self._first_pause
            except Exception as exc:  # psycopg errors, and anything else: never die silently
                self.listening.clear()
                self._report(False)
                if self._stop.is_set():
                    return
                log.warning("database change listener: %s; trying again in %.1f s",
                            str(exc).strip().splitlines()[0] if str(exc).strip() else
                            type(exc).__name__, pause)
                first = False
                self._stop.wait(pause)
                pause = min(pause * 2, self._max_pause)

    def _listen(self, *, missed_some: bool) -> None:
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                             application_name=self._app_name) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            self._report(True)
            if missed_some:
                self._deliver(EVERYTHING)
            quiet_since = time.monotonic()
            while not self._stop.is_set():
                got = False
                for notify in conn.notifies(timeout=0.5):
                    got = True
                    origin, tables = decode(notify.payload)
                    if origin != self._ignore:
                        self._deliver(tables)
                    if self._stop.is_set():
                        break
                now = time.monotonic()
                if got:
                    quiet_since = now
                elif now - quiet_since >= self._ping_every:
                    conn.execute("SELECT 1")  # a silent network failure shows here
                    quiet_since = now

    def _deliver(self, tables: frozenset[str]) -> None:
        try:
            self._on_change(tables)
        except Exception:
            log.exception("database change subscriber failed")

    def _report(self, connected: bool) -> None:
        if self._connected == connected:
            return
        self._connected = connected
        if self._on_connection is not None:
            try:
                self._on_connection(connected)
            except Exception:
                log.exception("database connection subscriber failed")
