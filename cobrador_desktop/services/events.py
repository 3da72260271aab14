"""An in-process change feed: who changed which conversations (issue 6). No Qt.

The webhook ingest publishes the conversation ids a delivery touched after its commit; the inbox
(through the window's LazyInbox) subscribes, so a message shows at once instead of at the next
poll. Callbacks run on the publisher's thread: a subscriber hands the ids to its own loop.

On a shared PostgreSQL, what other PCs commit arrives as table names (`publish_tables`, from the
LISTEN thread, issue 8): `subscribe_tables` callbacks get them, and when an inbox table is among
them the conversation subscribers are called with an empty set ("some; look which").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

Subscriber = Callable[[frozenset[int]], None]
TablesSubscriber = Callable[[frozenset[str]], None]

#: tables whose changes the inbox shows; "*" is what a listener says after a reconnect
INBOX_TABLES = frozenset({"messages", "message_events", "conversations", "outbox", "operators",
                          "*"})


class ChangeFeed:
    """`publish(ids)` calls every `subscribe`d callback with the ids (a frozenset)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        self._table_subscribers: list[TablesSubscriber] = []

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Add `callback`; returns the function that removes it."""
        return self._add(self._subscribers, callback)

    def subscribe_tables(self, callback: TablesSubscriber) -> Callable[[], None]:
        """Add `callback` for the tables other processes changed; returns its remover."""
        return self._add(self._table_subscribers, callback)

    def _add(self, subscribers: list[Any], callback: Any) -> Callable[[], None]:
        with self._lock:
            subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in subscribers:
                    subscribers.remove(callback)
        return unsubscribe

    def publish(self, conversation_ids: Iterable[int]) -> None:
        ids = frozenset(conversation_ids)
        if ids:
            self._call(self._subscribers, ids)

    def publish_tables(self, tables: Iterable[str]) -> None:
        """Another process committed changes to `tables` ("*": unknown, maybe all)."""
        names = frozenset(tables)
        if not names:
            return
        self._call(self._table_subscribers, names)
        if names & INBOX_TABLES:
            self._call(self._subscribers, frozenset())

    def _call(self, subscribers: list[Any], value: frozenset[Any]) -> None:
        with self._lock:
            callbacks = list(subscribers)
        for callback in callbacks:
            try:
                callback(value)
            except Exception:  # one broken subscriber must not stop the ingest or the others
                log.exception("change subscriber failed")
