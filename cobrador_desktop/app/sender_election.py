"""Which process sends (issue 8): the engine's side of the database's sender lock.

`SenderElection` tries the lock once at start. The winner becomes the sender at once (the engine
starts its outbox sender, scheduler and webhook intake) and keeps checking the lock is still its
own; should it be lost (the lock's connection dropped), it steps down and waits like the others.
A loser looks again after a short pause, then every few seconds, and learns who holds the lock to
say "Outro computador (nome) está enviando"; when the holder dies the database frees the lock and
the next look takes it over.

Even should two processes ever both believe they send for a moment (a lost lock noticed a few
seconds late), the outbox claims each row in a transaction: a message still goes at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from cobrador_desktop.domain.sharing import OTHER_SENDER
from cobrador_desktop.storage.sender_lock import SenderLock, computer_of

log = logging.getLogger("cobrador.app")

#: pauses before the loser's next looks (seconds): quick at first (a killed holder's session may
#: take a moment to end), then steady
RETRY_PAUSES: Sequence[float] = (0.2, 0.5, 1.0, 2.0, 3.0)
#: how often the sender checks the lock is still its own (seconds)
WATCH_EVERY = 2.0


@dataclass(frozen=True)
class SenderState:
    """Whether this process sends, and if not who does (a computer's name, when known)."""

    is_sender: bool
    other: str | None = None

    @property
    def note(self) -> str | None:
        """ "Outro computador (nome) está enviando" (pt-BR source text) for a waiting process."""
        if self.is_sender:
            return None
        return OTHER_SENDER.format(name=self.other or "?")


class SenderElection:
    """Runs `become` when this process gets the lock and `step_down` when it loses it."""

    def __init__(self, lock: SenderLock, *, become: Callable[[], Awaitable[None]],
                 step_down: Callable[[], Awaitable[None]],
                 on_change: Callable[[SenderState], None] | None = None,
                 retry_pauses: Sequence[float] = RETRY_PAUSES,
                 watch_every: float = WATCH_EVERY) -> None:
        self._lock = lock
        self._become = become
        self._step_down = step_down
        self._on_change = on_change
        self._pauses = tuple(retry_pauses)
        self._watch_every = watch_every
        self._stop = asyncio.Event()
        self._task: asyncio.Future[None] | None = None
        self.state = SenderState(is_sender=False)

    async def start(self) -> bool:
        """Try once (becoming the sender if free), then keep watching; True when we send."""
        won = await self._try()
        if not won:
            await self._learn_holder()
        self._task = asyncio.ensure_future(self._loop())
        return won

    async def stop(self) -> None:
        """Stop looking and give the lock up (after the engine stopped sending)."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        await asyncio.to_thread(self._lock.release)

    # ---------------------------------------------------------------- the loop

    async def _loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            if self.state.is_sender:
                if await self._pause(self._watch_every):
                    return
                if not await asyncio.to_thread(self._safe_still_held):
                    log.warning("this process lost the sender lock: it stops sending")
                    await self._step_down()
                    self._set(SenderState(is_sender=False))
                    attempt = 0
                continue
            if await self._pause(self._pauses[min(attempt, len(self._pauses) - 1)]):
                return
            attempt += 1
            if await self._try():
                attempt = 0
            else:
                await self._learn_holder()

    async def _try(self) -> bool:
        try:
            won = await asyncio.to_thread(self._lock.try_acquire)
        except Exception as exc:  # the database is unreachable: try again later
            log.warning("could not try the sender lock: %s", exc)
            return False
        if won:
            log.info("this process is the sender (webhooks, outbox, scheduler)")
            try:
                await self._become()
            except BaseException:
                await asyncio.to_thread(self._lock.release)
                raise
            self._set(SenderState(is_sender=True))
        return won

    async def _learn_holder(self) -> None:
        try:
            holder = await asyncio.to_thread(self._lock.holder)
        except Exception as exc:
            log.warning("could not learn who sends: %s", exc)
            holder = None
        state = SenderState(is_sender=False, other=computer_of(holder))
        if state != self.state:
            log.info("waiting: %s", state.note)
        self._set(state)

    def _safe_still_held(self) -> bool:
        try:
            return self._lock.still_held()
        except Exception:
            log.exception("sender lock check failed")
            return False

    async def _pause(self, seconds: float) -> bool:
        """Sleep `seconds` unless stopped; True when stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        return self._stop.is_set()

    def _set(self, state: SenderState) -> None:
        changed = state != self.state
        self.state = state
        if changed and self._on_change is not None:
            try:
                self._on_change(state)
            except Exception:
                log.exception("sender state subscriber failed")
