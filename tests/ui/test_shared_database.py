"""The window on a shared PostgreSQL (issue 8): when the database's connections are cut, the status
bar says "Sem conexão com o banco de dados — tentando de novo" and, once the server takes
connections again, the message goes and the database works again, by itself. Another computer
sending shows there too."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cobrador_desktop.app.sharing import listen_for_changes
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import DatabaseUnavailable
from cobrador_desktop.services.events import ChangeFeed
from cobrador_desktop.storage.db import Database, open_database
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow
from tests.fixtures.db import postgres_server_url
from tests.ui.fakes import FakeDebtorSource

LOST = "Sem conexão com o banco de dados — tentando de novo"


@pytest.fixture
def window(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, tmp_path: Path,
           clock: FakeClock) -> MainWindow:
    context = UiContext(debtors=FakeDebtorSource(count=5), profile="normal",
                        data_dir=tmp_path / "dados", database_label="postgresql://…",
                        version="0.1.0", clock=clock)
    shown = MainWindow(context)
    qtbot.addWidget(shown)
    shown.show()
    return shown


@pytest.fixture
def shared_db(fresh_postgres_url: str, tmp_path: Path) -> Iterator[Database]:
    db = open_database(fresh_postgres_url, backup_dir=tmp_path / "backups")
    try:
        yield db
    finally:
        db.close()


def _server_admin() -> psycopg.Connection[tuple[object, ...]]:
    """A connection to the test server's own database (not the one under test)."""
    server = postgres_server_url()
    assert server is not None
    libpq = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(libpq, autocommit=True)


@pytest.mark.postgres
def test_lost_connection_says_so_then_recovers_by_itself(
        qtbot: QtBot, window: MainWindow, shared_db: Database,
        qasync_loop: asyncio.AbstractEventLoop) -> None:
    label = window.status.sharing_label
    listener = listen_for_changes(shared_db, ChangeFeed(), qasync_loop,
                                  window.set_database_connected)
    assert listener is not None
    name = make_url(shared_db.url).database
    try:
        assert listener.listening.wait(10)
        shared_db.run_sync(lambda s: s.execute(text("SELECT 1")))  # the pool has a connection
        assert not label.isVisible()
        with _server_admin() as admin:
            # the server goes away for this database: its sessions end, new ones are refused
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            try:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
                qtbot.waitUntil(lambda: label.isVisible() and label.text() == LOST,
                                timeout=10_000)
                with pytest.raises(DatabaseUnavailable):
                    shared_db.run_sync(lambda s: s.execute(text("SELECT 1")))
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        qtbot.waitUntil(lambda: not label.isVisible(), timeout=15_000)
        # the pool checks its connections before use (pre_ping): work goes on, no restart
        assert shared_db.run_sync(lambda s: s.execute(text("SELECT 41 + 1")).scalar()) == 42
    finally:
        listener.stop()


def test_the_status_bar_names_the_computer_that_sends(window: MainWindow) -> None:
    label = window.status.sharing_label
    window.set_other_sender("caixa-2")
    assert label.isVisible() and label.text() == "Outro computador (caixa-2) está enviando"
    window.set_database_connected(False)
    assert label.text() == LOST  # the bigger problem first
    window.set_database_connected(True)
    window.set_other_sender(None)
    assert not label.isVisible()


def test_a_sqlite_database_needs_no_listener(
        sqlite_database: Database, qasync_loop: asyncio.AbstractEventLoop) -> None:
    assert listen_for_changes(sqlite_database, ChangeFeed(), qasync_loop, print) is None
