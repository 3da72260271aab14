"""The sender lock (issue 8): one holder at a time, who it is, and that it goes with its holder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.pg_changes import libpq_url
from cobrador_desktop.storage.sender_lock import (
    FileSenderLock,
    computer_of,
    process_name,
    sender_lock,
)

ME = f"cobrador-desktop:{socket.gethostname()}:{os.getpid()}"


def test_one_holder_at_a_time_and_the_others_know_who(database: Database) -> None:
    first, second = sender_lock(database), sender_lock(database)
    try:
        assert first.holder() is None
        assert first.try_acquire() is True
        assert first.try_acquire() is True  # again: still ours
        assert second.try_acquire() is False
        assert second.holder() == ME == process_name()
        assert computer_of(second.holder()) == socket.gethostname()
        assert first.still_held() and not second.still_held()
        first.release()
        assert second.try_acquire() is True
        assert first.try_acquire() is False
    finally:
        first.release()
        second.release()


def test_the_lock_goes_when_its_process_dies(database: Database, tmp_path: Path) -> None:
    """A holder killed with SIGKILL runs nothing, yet the next process takes the lock."""
    script = tmp_path / "hold.py"
    script.write_text(
        "import sys, time\n"
        "from cobrador_desktop.storage.db import Database\n"
        "from cobrador_desktop.storage.sender_lock import sender_lock\n"
        "lock = sender_lock(Database(sys.argv[1]))\n"
        "assert lock.try_acquire()\n"
        "print('held', flush=True)\n"
        "time.sleep(120)\n", encoding="utf-8")
    lock = sender_lock(database)
    with subprocess.Popen([sys.executable, str(script), database.url], stdout=subprocess.PIPE,
                          text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            assert lock.try_acquire() is False
            assert lock.holder() == f"cobrador-desktop:{socket.gethostname()}:{holder.pid}"
            holder.kill()
            holder.wait()
            deadline = time.monotonic() + 10
            while not lock.try_acquire():
                assert time.monotonic() < deadline, "the dead holder's lock was never freed"
                time.sleep(0.05)
        finally:
            lock.release()
            if holder.poll() is None:
                holder.kill()


@pytest.mark.postgres
def test_a_holder_whose_session_ends_knows_it_lost_the_lock(
        fresh_postgres_url: str) -> None:
    db = Database(fresh_postgres_url)
    first, second = sender_lock(db), sender_lock(db)
    try:
        assert first.try_acquire()
        with psycopg.connect(libpq_url(db), autocommit=True) as admin:
            # the administrator (or a network failure) ends the holder's session
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = %s AND pid <> pg_backend_pid()",
                          (process_name(),))
        assert second.try_acquire()
        assert first.still_held() is False
        assert first.try_acquire() is False
    finally:
        first.release()
        second.release()
        db.close()


def test_the_file_lock_lies_beside_the_database_and_names_its_holder(
        sqlite_database: Database) -> None:
    lock = sender_lock(sqlite_database)
    assert isinstance(lock, FileSenderLock)
    assert sqlite_database.sqlite_path is not None
    assert lock.path == sqlite_database.sqlite_path.with_name("cobrador.db.sender")
    assert lock.try_acquire()
    try:
        assert FileSenderLock(lock.path).holder() == ME
    finally:
        lock.release()
    assert FileSenderLock(lock.path).holder() is None


@pytest.mark.skipif(sys.platform == "win32", reason="takes the lock with fcntl, as POSIX does")
def test_a_waiter_reads_the_name_a_holder_writes_just_after_taking_the_file_lock(
        tmp_path: Path) -> None:
    """Two processes started at once: the loser may look while the winner holds the lock but
    has not written its name yet; it waits a moment for the name instead of saying "nobody"."""
    import fcntl
    import threading

    path = tmp_path / "cobrador.db.sender"
    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # taken, nothing written
        handle.write(b" ")
        handle.flush()

        def name_it() -> None:
            time.sleep(0.06)
            handle.write(b"cobrador-desktop:outro-pc:42")
            handle.flush()

        writer = threading.Thread(target=name_it)
        writer.start()
        try:
            assert not FileSenderLock(path).try_acquire()
            assert FileSenderLock(path).holder() == "cobrador-desktop:outro-pc:42"
        finally:
            writer.join()
