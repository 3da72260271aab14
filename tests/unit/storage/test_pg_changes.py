"""Changes one PC commits reach the others' ChangeFeed through NOTIFY (issue 8; PostgreSQL only)."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from cobrador_desktop.services.events import ChangeFeed
from cobrador_desktop.storage.db import Database, open_database
from cobrador_desktop.storage.orm import QuickReply
from cobrador_desktop.storage.pg_changes import (
    EVERYTHING,
    ChangeListener,
    decode,
    encode,
    libpq_url,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_pcs(fresh_postgres_url: str, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two `Database`s on one server database, as two PCs have."""
    first = open_database(fresh_postgres_url, backup_dir=tmp_path / "backups")
    second = Database(fresh_postgres_url)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def _listen(db: Database, feed: ChangeFeed, states: queue.Queue[bool] | None = None,
            **options: float) -> ChangeListener:
    listener = ChangeListener(libpq_url(db), feed.publish_tables, ignore_origin=db.origin,
                              on_connection=states.put if states is not None else None,
                              application_name="test-listen", **options)
    listener.start()
    assert listener.listening.wait(10)
    return listener


def _next(items: queue.Queue[frozenset[str]], timeout: float = 5) -> frozenset[str]:
    return items.get(timeout=timeout)


def test_a_commit_on_one_pc_reaches_the_other_pcs_feed(two_pcs: tuple[Database, Database]
                                                       ) -> None:
    writer, reader = two_pcs
    feed = ChangeFeed()
    tables: queue.Queue[frozenset[str]] = queue.Queue()
    conversations: queue.Queue[frozenset[int]] = queue.Queue()
    feed.subscribe_tables(tables.put)
    feed.subscribe(conversations.put)
    listener = _listen(reader, feed)
    try:
        started = time.perf_counter()
        writer.run_sync(lambda s: s.execute(update(QuickReply).values(title="Oi")))
        assert _next(tables) == {"quick_replies"}
        latency = time.perf_counter() - started
        assert conversations.empty()  # not an inbox table: the inbox does not look again

        writer.run_sync(lambda s: s.execute(text(
            "UPDATE conversations SET labels = labels")))
        assert _next(tables) == {"conversations"}
        # the inbox hears "something changed" (which ones its poll finds)
        assert conversations.get(timeout=5) == frozenset()

        # a rolled back transaction tells nobody; a read-only one neither
        def fails(session: Session) -> None:
            session.execute(update(QuickReply).values(title="Nunca"))
            raise RuntimeError("desistiu")
        with pytest.raises(RuntimeError):
            writer.run_sync(fails)
        writer.run_sync(lambda s: s.execute(text("SELECT count(*) FROM debtors")).scalar())
        # this PC's own commits are not news to it
        reader.run_sync(lambda s: s.execute(update(QuickReply).values(title="Meu")))
        writer.run_sync(lambda s: s.execute(text("DELETE FROM quick_replies WHERE id < 0")))
        assert _next(tables) == {"quick_replies"}  # the DELETE, nothing before it
        assert tables.empty()
    finally:
        listener.stop()
    print(f"notify latency: {latency * 1000:.1f} ms")
    assert latency < 2.0


def test_the_listener_reconnects_by_itself_and_says_everything_may_have_changed(
        two_pcs: tuple[Database, Database]) -> None:
    writer, reader = two_pcs
    feed = ChangeFeed()
    tables: queue.Queue[frozenset[str]] = queue.Queue()
    feed.subscribe_tables(tables.put)
    states: queue.Queue[bool] = queue.Queue()
    listener = _listen(reader, feed, states, first_pause=0.1, max_pause=0.5)
    try:
        assert states.get(timeout=5) is True
        listener.listening.clear()
        with psycopg.connect(libpq_url(writer), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'test-listen'")
        assert states.get(timeout=5) is False
        assert states.get(timeout=10) is True
        assert listener.listening.wait(5)
        assert _next(tables) == EVERYTHING  # what was missed meanwhile is unknown
        writer.run_sync(lambda s: s.execute(update(QuickReply).values(title="De novo")))
        assert _next(tables) == {"quick_replies"}
    finally:
        listener.stop()


def test_payloads_are_tiny_and_unreadable_ones_mean_everything() -> None:
    assert encode("abc", {"messages", "conversations"}) == "abc conversations,messages"
    assert decode("abc conversations,messages") == ("abc", frozenset({"conversations", "messages"}))
    assert decode("garbage")[1] == EVERYTHING
