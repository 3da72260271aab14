"""An in-process change feed: who changed which conversations (issue 6). No Qt.

The webhook ingest publishes the conversation ids a delivery touched after its commit; the inbox
(through the window's LazyInbox) subscribes, so a message shows at once instead of at the next
poll. Callbacks run on the publisher's thread: a subscriber hands the ids to its own loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

Subscriber = Callable[[frozenset[int]], None]


class ChangeFeed:
    """`publish(ids)` calls every `subscribe`d callback with the ids (a frozenset)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Add `callback`; returns the function that removes it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
        return unsubscribe

    def publish(self, conversation_ids: Iterable[int]) -> None:
        ids = frozenset(conversation_ids)
        if not ids:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(ids)
            except Exception:  # one broken subscriber must not stop the ingest or the others
                log.exception("inbox change subscriber failed")
