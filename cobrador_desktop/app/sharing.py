"""The window on a database shared by several PCs (issue 8): what others commit shows here, and
the status bar says when the database is unreachable or another computer sends.

PostgreSQL only (a SQLite file has one PC): a `ChangeListener` thread LISTENs for the other
processes' commits and publishes the tables into the window's `ChangeFeed` (the inbox polls at
once); its connection state drives the status bar's "Sem conexão com o banco de dados — tentando
de novo", which goes away by itself when the connection is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cobrador_desktop.services.events import ChangeFeed
    from cobrador_desktop.storage.db import Database
    from cobrador_desktop.storage.pg_changes import ChangeListener

log = logging.getLogger("cobrador.app")

#: the inbox's poll on a shared PostgreSQL, where NOTIFY brings the changes at once: only a
#: safety net (ms); SQLite keeps the view-model's own 250 ms
SHARED_INBOX_POLL_MS = 2_000


def listen_for_changes(db: Database, feed: ChangeFeed, loop: asyncio.AbstractEventLoop,
                       on_connection: Callable[[bool], None]) -> ChangeListener | None:
    """Start the listener for `db` (None on SQLite); stop it with `.stop()` when closing.

    `on_connection(connected)` runs on `loop` (the window's), when the connection is lost or back.
    """
    if db.dialect != "postgresql":
        return None
    from cobrador_desktop.storage.pg_changes import ChangeListener, libpq_url
    from cobrador_desktop.storage.sender_lock import process_name

    def connection(connected: bool) -> None:
        log.log(logging.INFO if connected else logging.WARNING,
                "database connection %s",
                "up (listening for other PCs' changes)" if connected else "lost: trying again")
        with contextlib.suppress(RuntimeError):  # the window's loop already closed
            loop.call_soon_threadsafe(on_connection, connected)

    listener = ChangeListener(libpq_url(db), feed.publish_tables, ignore_origin=db.origin,
                              on_connection=connection,
                              application_name=f"{process_name()}:listen")
    listener.start()
    return listener
