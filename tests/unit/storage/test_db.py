"""The Database: pragmas, the one worker thread, transactions, and connection errors."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import (
    DatabaseUnavailable,
    DataDirNotWritable,
    InvalidDatabaseUrl,
)
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.orm import Operator
from tests.unit.storage.factories import add_operator


def _pragma(db: Database, name: str) -> object:
    return db.run_sync(lambda s: s.execute(text(f"PRAGMA {name}")).scalar())


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(sqlite_database: Database) -> None:
    assert _pragma(sqlite_database, "journal_mode") == "wal"
    assert _pragma(sqlite_database, "foreign_keys") == 1
    assert _pragma(sqlite_database, "synchronous") == 1  # NORMAL
    assert _pragma(sqlite_database, "busy_timeout") == 5000


def test_properties(sqlite_database: Database, sqlite_db_path: Path) -> None:
    assert sqlite_database.dialect == "sqlite"
    assert sqlite_database.sqlite_path == sqlite_db_path.resolve()
    assert sqlite_database.url == sqlite_url(sqlite_db_path)


def test_properties_postgresql_hide_the_password() -> None:
    db = Database("postgresql://someone:s3cret@127.0.0.1:1/x")
    try:
        assert db.dialect == "postgresql"
        assert db.sqlite_path is None
        assert db.url.startswith("postgresql+psycopg://")
        assert "s3cret" not in db.display_url
        assert "s3cret" not in repr(db)
    finally:
        db.close()


def test_run_uses_one_worker_thread_that_is_not_the_caller(database: Database) -> None:
    def whoami(_session: Session) -> threading.Thread:
        return threading.current_thread()

    async def go() -> list[threading.Thread]:
        return [await database.run(whoami) for _ in range(3)]

    threads = asyncio.run(go())
    threads.append(database.run_sync(whoami))
    assert len(set(threads)) == 1
    assert threads[0] is not threading.main_thread()


def test_run_reads_reads_side_by_side_and_keeps_nothing(database: Database) -> None:
    asyncio.run(database.run(lambda s: add_operator(s, "Ana", "ana")))
    # each part waits for the other: run one after the other, they would time out
    both = threading.Barrier(2, timeout=10)
    worker = database.run_sync(lambda _s: threading.current_thread())

    def part(name: str) -> Any:
        def read(session: Session) -> tuple[str, int, threading.Thread]:
            both.wait()
            count = session.scalar(select(func.count()).select_from(Operator))
            return name, int(count or 0), threading.current_thread()
        return read

    results = asyncio.run(database.run_reads([part("a"), part("b")]))
    assert [(name, count) for name, count, _ in results] == [("a", 1), ("b", 1)]
    threads = {thread for _, _, thread in results}
    assert len(threads) == 2 and worker not in threads
    # what a part writes by mistake is rolled back
    asyncio.run(database.run_reads([lambda s: add_operator(s, "Nunca", "nunca")]))
    assert database.run_sync(lambda s: s.scalar(select(func.count()).select_from(Operator))) == 1


def test_run_reads_reraises_in_the_caller(database: Database) -> None:
    def fail(_session: Session) -> None:
        raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        asyncio.run(database.run_reads([lambda s: 1, fail]))


def test_run_commits_on_return(database: Database) -> None:
    asyncio.run(database.run(lambda s: add_operator(s, "Ana", "ana")))
    count = database.run_sync(lambda s: s.scalar(select(func.count()).select_from(Operator)))
    assert count == 1


def test_run_rolls_back_and_reraises_in_the_caller(database: Database) -> None:
    def insert_then_fail(session: Session) -> None:
        add_operator(session, "Ana", "ana")
        raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        asyncio.run(database.run(insert_then_fail))
    with pytest.raises(LookupError):
        database.run_sync(insert_then_fail)
    count = database.run_sync(lambda s: s.scalar(select(func.count()).select_from(Operator)))
    assert count == 0


def test_sqlite_ddl_is_transactional(sqlite_database: Database) -> None:
    # Without the BEGIN recipe the driver autocommits DDL and the table would survive.
    def create_then_fail(session: Session) -> None:
        session.execute(text("CREATE TABLE scratch (x INTEGER)"))
        raise LookupError("boom")

    with pytest.raises(LookupError):
        sqlite_database.run_sync(create_then_fail)
    names = sqlite_database.run_sync(lambda s: s.scalars(
        text("SELECT name FROM sqlite_master WHERE name = 'scratch'")).all())
    assert names == []


def test_nested_call_from_the_worker_is_refused(sqlite_database: Database) -> None:
    with pytest.raises(RuntimeError, match="deadlock"):
        sqlite_database.run_sync(lambda s: sqlite_database.run_sync(lambda s2: 1))


def test_closed_database_refuses_work(sqlite_db_path: Path, backup_dir: Path) -> None:
    db = open_database(sqlite_url(sqlite_db_path), backup_dir=backup_dir)
    db.close()
    db.close()  # twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        db.run_sync(lambda s: 1)


def test_unreachable_server_is_a_known_error() -> None:
    db = Database("postgresql+psycopg://nobody:x@127.0.0.1:1/nothing?connect_timeout=2")
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            db.run_sync(lambda s: s.execute(text("SELECT 1")).scalar())
        assert "127.0.0.1" in info.value.params["detail"]
    finally:
        db.close()


def test_open_database_on_unreachable_server_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable):
        open_database("postgresql+psycopg://nobody:x@127.0.0.1:1/nothing?connect_timeout=2",
                      backup_dir=tmp_path)


@pytest.mark.parametrize("url", ["mysql://x@localhost/y", "sqlite://", "not a url"])
def test_unsupported_urls_are_refused(url: str) -> None:
    """A URL we cannot use is bad usage (exit 2), not a server that is down."""
    with pytest.raises(InvalidDatabaseUrl) as info:
        Database(url)
    assert info.value.exit_code == 2


def test_data_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(DataDirNotWritable) as info:
        open_database(sqlite_url(blocker / "cobrador.db"), backup_dir=tmp_path / "b")
    assert info.value.params["path"] == str(blocker)
    assert "Não é possível gravar" in info.value.message
