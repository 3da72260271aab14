"""The outbox sender's parts: the pacer, the bound on calls in flight, results recorded together."""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cobrador_desktop.services.ports import Runner

log = logging.getLogger("cobrador.outbox")

SECOND = timedelta(seconds=1)
#: database work recording one result, run with others in one transaction
Work = Callable[[Any], object]


class Pacer:
    """A token bucket at the number's rate plus a minimum spacing per recipient.

    Slots keep their schedule when sends leave a little late (up to `catch_up_seconds`), so timer
    lateness and short loop stalls do not eat into the rate; after a longer gap the schedule
    restarts from now and nothing saved up is spent in a burst.

    Meta counts messages over a sliding second, so besides the schedule no more than the rate's
    worth of sends ever start within any second (catching up never overshoots it).

    A throughput refusal (130429) slows the bucket rather than stopping it: the rate drops by a
    fifth and climbs back a little with every send (additive increase, multiplicative decrease),
    so a refusal caused by jitter costs a few slots, and a number whose real limit is lower than
    configured settles near that limit. The first sends start at half the rate and ramp up: the
    first requests open connections (and load code) and arrive late, bunching the ones after them.
    """

    SLOW_DOWN = 0.8
    #: the first sends start at this share of the rate
    SLOW_START = 0.5
    #: share of the configured rate regained per send after a slow start or slow-down
    RECOVERY = 0.02

    def __init__(self, rate_per_second: float, per_recipient_seconds: float,
                 catch_up_seconds: float = 0.1) -> None:
        self.rate = rate_per_second
        self.current = max(rate_per_second * self.SLOW_START, min(rate_per_second, 1.0))
        self.per_second = max(1, math.ceil(rate_per_second))
        self.per_recipient = timedelta(seconds=per_recipient_seconds)
        self.catch_up = timedelta(seconds=catch_up_seconds)
        self.next_slot: datetime | None = None
        self.recipient_ready: dict[int, datetime] = {}
        self._recent: deque[datetime] = deque()  # starts within the last second

    @property
    def interval(self) -> timedelta:
        """Time between two slots at the current rate."""
        return timedelta(seconds=1.0 / self.current)

    def ready_at(self, to: int) -> datetime | None:
        """When recipient `to` may receive its next message (None: now)."""
        return self.recipient_ready.get(to)

    def waiting(self, now: datetime) -> list[int]:
        """Recipients still in their spacing wait (and forget those whose wait is over)."""
        done = [to for to, ready in self.recipient_ready.items() if ready <= now]
        for to in done:
            del self.recipient_ready[to]
        return list(self.recipient_ready)

    def take(self, to: int, now: datetime) -> float:
        """Reserve the next slot for `to`; returns seconds to wait before sending."""
        slot = self.next_slot
        if slot is None or now - slot > max(self.catch_up, self.interval):
            slot = now  # idle (or very late): start the schedule again from now
        start = max(now, slot)
        recent = self._recent
        while recent and recent[0] <= start - SECOND:
            recent.popleft()
        if len(recent) >= self.per_second:  # a full second already: the schedule moves on
            slot = start = recent[-self.per_second] + SECOND
        recent.append(start)
        self.next_slot = slot + self.interval
        self.current = min(self.rate, self.current + self.rate * self.RECOVERY)
        self.recipient_ready[to] = start + self.per_recipient
        return (start - now).total_seconds()

    def release(self, to: int) -> None:
        """Nothing left for `to` after all (cancelled, or refused before sending)."""
        self.recipient_ready.pop(to, None)

    def hold(self, until: datetime, to: int) -> None:
        """Recipient `to` may receive nothing before `until` (a pair rate-limit answer)."""
        self.recipient_ready[to] = max(until, self.recipient_ready.get(to, until))

    def slow_down(self, now: datetime) -> None:
        """The number's throughput was exceeded: a fifth slower, and skip the next slot."""
        self.current = self._slower(self.current)
        self.next_slot = max(now, self.next_slot or now) + self.interval

    def _slower(self, rate: float) -> float:
        return max(rate * self.SLOW_DOWN, min(self.rate, 1.0))


class Permits:
    """At most `limit` HTTP calls in flight; waiters are served in order.

    Plain futures of the running loop rather than an `asyncio.Semaphore`, so one sender may be
    driven by successive event loops (tests call `asyncio.run` more than once).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        """Wait for a free call."""
        while self.in_use >= self.limit:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter
        self.in_use += 1

    def release(self) -> None:
        """A call ended: wake the next waiter."""
        self.in_use -= 1
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break


class BatchRecorder:
    """Runs results' database work together: while one transaction runs, the next ones pile up.

    So the busier the sender, the bigger each batch, and one commit serves many sends.
    """

    def __init__(self, db: Runner) -> None:
        self._db = db
        self._queue: list[tuple[Work, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    def add(self, work: Work) -> asyncio.Future[bool]:
        """Queue `work`; the future says whether it was committed."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((work, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        return done

    async def settle(self) -> None:
        """Wait until everything queued is committed (or given up)."""
        while self._flusher is not None and not self._flusher.done():
            await self._flusher

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._db.run(_all([work for work, _ in batch]))
                outcomes = [True] * len(batch)
            except Exception:  # one bad row must not lose the others' results
                log.warning("recording %d outbox results together failed; one at a time",
                            len(batch))
                outcomes = [await self._alone(work) for work, _ in batch]
            for (_, done), ok in zip(batch, outcomes, strict=True):
                if not done.done():
                    done.set_result(ok)

    async def _alone(self, work: Work) -> bool:
        try:
            await self._db.run(work)
        except Exception:  # the row stays `sending`: the next start makes it `unknown`
            log.exception("could not record an outbox result")
            return False
        return True


def _all(works: list[Work]) -> Callable[[Any], None]:
    def run(session: Any) -> None:
        for work in works:
            work(session)
    return run
