"""The outbox sender: sends due rows through the Cloud API, paced, several at once, never twice.

Throughput (80 msg/s per number, §8): one HTTP call at a time cannot keep that pace, so several
are in flight. A single dispatcher hands out the pacer's slots in order, each row's call runs in
its own task (at most `concurrency` at once), rows are claimed a few per transaction (the guard
still judges each on fresh facts) and results are recorded together in one transaction as they
come back. A claimed row waits at most a few slots (`claim_batch`) before its call leaves.

Follow-ups of the error table (WHATSAPP_CLOUD_API.md §7): 131048/131064 pause the bulk (every
purpose but the operator's replies, `REPLY_PURPOSES`) until `resume()`, the refused rows staying
`queued`; 131026 marks the number as without WhatsApp; 132000/132001 mark the template for the
next sync. Both of the last fail the row with Meta's code and the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, Clock
from cobrador_desktop.domain.policy import (
    Decision,
    SendFacts,
    SendRequest,
    evaluate,
)
from cobrador_desktop.services.outbox_parts import BatchRecorder, Pacer, Permits, Work
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import outbox as repo
from cobrador_desktop.storage.repos.outbox import Claimed, Due, OutboxRow
from cobrador_desktop.whatsapp.errors import (
    CloudApiError,
    ErrorKind,
    FollowUp,
    SendOutcomeUnknown,
)
from cobrador_desktop.whatsapp.payloads import recipient

log = logging.getLogger("cobrador.outbox")

CALLBACK_PREFIX = "ob:"
#: the part of a retry delay added at random, so retries of many rows do not arrive together
JITTER_FRACTION = 0.25
#: rows read per round
BATCH = 200
#: Meta allows 80 msg/s per number, sent *and* received; pacing a little under it keeps network
#: jitter and inbound traffic from tripping 130429 (which would hold the whole queue a second)
DEFAULT_RATE = 78.0
#: HTTP calls in flight at once (the client's pool holds 20 connections)
DEFAULT_CONCURRENCY = 16
#: the shortest wait between rounds (a retry due "now" is picked up after it)
MIN_IDLE_SECONDS = 0.01
#: rows claimed per transaction (the next ones are claimed while these wait for their slots).
#: Small on purpose: a claimed row that has not left yet still becomes `unknown` if the program
#: dies, and an operator must then check it; 2 keeps that to a few rows per crash.
DEFAULT_CLAIM_BATCH = 2
#: purposes that are a person answering a debtor, not a campaign: a bulk pause lets them go
REPLY_PURPOSES = frozenset({"free_reply", "system_reply"})


class SendReceipt(Protocol):
    """What the client answers to an accepted send (`whatsapp.client.SendResult`)."""

    @property
    def wamid(self) -> str: ...


class MessageSender(Protocol):
    """The part of `whatsapp.client.CloudApiClient` the sender uses."""

    async def send(self, payload: Mapping[str, Any]) -> SendReceipt:
        """POST one message; raises `CloudApiError` or `SendOutcomeUnknown`."""
        ...


Sleep = Callable[[float], Awaitable[None]]


def is_bulk(purpose: str) -> bool:
    """Whether a row belongs to campaigns (paused by a bulk-only stop) rather than a reply."""
    return purpose not in REPLY_PURPOSES


class OutboxSender:
    """Sends due outbox rows through the Cloud API, paced, several at once, retried, never twice."""

    def __init__(self, db: Runner, client: MessageSender, clock: Clock, *,
                 rate_per_second: float = DEFAULT_RATE, per_recipient_seconds: float = 6.0,
                 max_attempts: int = 5, rng: random.Random | None = None,
                 sleep: Sleep = asyncio.sleep, poll_seconds: float = 1.0,
                 concurrency: int = DEFAULT_CONCURRENCY,
                 claim_batch: int = DEFAULT_CLAIM_BATCH,
                 shop_zone: str = DEFAULT_SHOP_ZONE) -> None:
        if concurrency < 1 or claim_batch < 1:
            raise ValueError("concurrency and claim_batch must be at least 1")
        self._db = db
        self._client = client
        self._clock = clock
        self._pacer = Pacer(rate_per_second, per_recipient_seconds)
        self._max_attempts = max_attempts
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._poll_seconds = poll_seconds
        self._claim_batch = claim_batch
        #: the shop's IANA zone (COBRADOR_TIMEZONE): foreign numbers are judged in it
        self._shop_zone = shop_zone
        self._wake = asyncio.Event()
        self._started = False
        self._more = False
        self._permits = Permits(concurrency)
        self._recorder = BatchRecorder(db)
        self._tasks: set[asyncio.Task[int]] = set()
        #: set by an auth/account error (STOP): sending halts until `resume()`
        self.alert_error: CloudApiError | None = None
        #: set by a bulk-only stop (131048 spam rate limit): campaigns halt until `resume()`
        self.bulk_alert_error: CloudApiError | None = None
        #: when Meta last accepted a message from this sender (for `/healthz`)
        self.last_sent_at: datetime | None = None

    @property
    def alert(self) -> str | None:
        """Why sending stopped, in Portuguese, with the next step (for the UI and `/healthz`)."""
        error = self.alert_error or self.bulk_alert_error
        return None if error is None else str(error)

    @property
    def stopped(self) -> bool:
        """Nothing is sent until `resume()` (an auth/account error)."""
        return self.alert_error is not None

    @property
    def bulk_paused(self) -> bool:
        """Campaigns wait until `resume()`; operator replies still go (131048)."""
        return self.bulk_alert_error is not None

    @property
    def in_flight(self) -> int:
        """HTTP calls under way right now."""
        return self._permits.in_use

    def resume(self) -> None:
        """The owner fixed the cause (a new token, campaigns reviewed): send again."""
        self.alert_error = None
        self.bulk_alert_error = None
        self.wake()

    def wake(self) -> None:
        """Something was enqueued: look at the queue now instead of at the next poll."""
        self._wake.set()

    async def start(self) -> int:
        """Rows left `sending` by a previous run become `unknown`; returns how many."""
        now = self._clock.now()
        count = await self._db.run(lambda s: repo.interrupted_to_unknown(s, now))
        if count:
            log.warning("%d message(s) were being sent when the program stopped: marked unknown",
                        count)
        self._started = True
        return count

    async def run_once(self) -> int:
        """Send what is due now (recipients still in their spacing wait are left for later).

        Returns once every send it started is answered and recorded; returns how many were sent.
        """
        if not self._started:
            await self.start()
        if self.stopped:
            return 0
        try:
            _, tasks = await self._round(None)
            results = await asyncio.gather(*tasks)
        finally:
            await self._settle()
        return sum(results)

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Send until `stop_event` is set; idle (not sending) while stopped by an alert.

        On the way out the sends under way finish and are recorded; rows claimed but not yet
        sent go back to the queue untouched.
        """
        if not self._started:
            await self.start()
        try:
            while not stop_event.is_set():
                progressed = 0
                if not self.stopped:
                    try:
                        progressed, _ = await self._round(stop_event)
                    except Exception:  # a database hiccup must not end the sender for good
                        log.exception("outbox round failed; trying again shortly")
                    if self._more and progressed and not self.stopped:
                        await asyncio.sleep(0)
                        continue
                timeout = await self._idle_seconds(progressed)
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stop_event.wait())
                await asyncio.wait({waiter, stopper}, timeout=timeout,
                                   return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                stopper.cancel()
        finally:
            await self._settle()

    async def _idle_seconds(self, progressed: int) -> float:
        """How long to wait for more work: until the next retry is due, at most one poll."""
        if self.stopped:
            return self._poll_seconds
        purposes = REPLY_PURPOSES if self.bulk_paused else None
        try:
            at = await self._db.run(lambda s: repo.next_due_at(s, purposes=purposes))
        except Exception:  # the round's own error is logged already
            return self._poll_seconds
        now = self._clock.now()
        if at is not None and at <= now and not progressed:
            # due but held back by a recipient's spacing: until the first spacing ends
            at = min(self._pacer.recipient_ready.values(), default=None)
        if at is None:
            return self._poll_seconds
        seconds = (at - now).total_seconds()
        return min(self._poll_seconds, max(seconds, MIN_IDLE_SECONDS))

    # ------------------------------------------------------------ the dispatcher

    async def _round(self, halt: asyncio.Event | None) -> tuple[int, list[asyncio.Task[int]]]:
        """Claim and dispatch the rows due now.

        Returns how many rows were claimed or cancelled, and the sends started (each task gives
        1 when its message was accepted and recorded).

        The next few rows are claimed while the current ones wait for their slots, so a claim's
        round trip to the database never delays a slot.
        """
        now = self._clock.now()
        purposes = REPLY_PURPOSES if self.bulk_paused else None
        waiting = self._pacer.waiting(now)
        due = await self._db.run(lambda s: repo.due(s, now, BATCH, purposes=purposes,
                                                    exclude=waiting))
        self._more = len(due) == BATCH
        pending = deque(due)
        progressed = 0
        started: list[asyncio.Task[int]] = []
        claiming = self._claim_next(pending, (), halt)
        try:
            while claiming is not None:
                group = await claiming
                progressed += len(group)
                ahead = {c.row.conversation_id for c in group if c.to is not None}
                claiming = self._claim_next(pending, ahead, halt)
                for claimed in group:
                    if claimed.to is not None:
                        task = await self._dispatch(claimed, halt)
                        if task is not None:
                            started.append(task)
                if claiming is None and pending:  # what is left waited behind this group
                    claiming = self._claim_next(pending, (), halt)
        except Exception:
            # rows claimed ahead must not wait `sending` for the next start
            if claiming is not None:
                with contextlib.suppress(Exception):
                    for claimed in await claiming:
                        if claimed.to is not None:
                            self._give_back(claimed.row)
            raise
        return progressed, started

    def _claim_next(self, pending: deque[Due], ahead: Collection[int],
                    halt: asyncio.Event | None) -> asyncio.Future[list[Claimed]] | None:
        """Start claiming the next few rows (one per recipient); None when nothing is left."""
        if self._halted(halt):
            return None
        now = self._clock.now()
        chosen: list[int] = []
        recipients: set[int] = set()
        later: list[Due] = []
        while pending and len(chosen) < self._claim_batch:
            item = pending.popleft()
            ready = self._pacer.ready_at(item.conversation_id)
            if ready is not None and ready > now:
                continue  # this recipient's spacing: a later round picks it up
            if self.bulk_paused and is_bulk(item.purpose):
                continue
            if item.conversation_id in ahead or item.conversation_id in recipients:
                later.append(item)  # after the one already on its way
                continue
            chosen.append(item.id)
            recipients.add(item.conversation_id)
        pending.extendleft(reversed(later))
        if not chosen:
            return None
        return asyncio.ensure_future(self._db.run(
            lambda s: repo.claim(s, chosen, now, self._judge, shop_zone=self._shop_zone)))

    def _judge(self, row: OutboxRow, facts: SendFacts) -> Decision:
        """The send guard, again, at send time (the window may have closed, an opt-out arrived,
        the debt was paid: a régua row's facts are complete, see `repo.claim`)."""
        request = SendRequest(row.kind, row.purpose, _message_type(row.message_type), row.text,
                              step=row.step)
        return evaluate(request, facts, self._clock.now())

    async def _dispatch(self, claimed: Claimed,
                        halt: asyncio.Event | None) -> asyncio.Task[int] | None:
        """Wait for a free call and the row's slot, then start its send in a task (None: not now)."""
        row = claimed.row
        await self._permits.acquire()
        now = self._clock.now()
        ready = self._pacer.ready_at(row.conversation_id)
        if self._halted_for(row, halt) or (ready is not None and ready > now):
            self._permits.release()
            self._give_back(row)
            return None
        wait = self._pacer.take(row.conversation_id, now)
        if wait > 0:
            await self._sleep(wait)
            if self._halted_for(row, halt):
                self._pacer.release(row.conversation_id)
                self._permits.release()
                self._give_back(row)
                return None
        task = asyncio.ensure_future(self._send(claimed))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _halted(self, halt: asyncio.Event | None) -> bool:
        return self.stopped or (halt is not None and halt.is_set())

    def _halted_for(self, row: OutboxRow, halt: asyncio.Event | None) -> bool:
        return self._halted(halt) or (self.bulk_paused and is_bulk(row.purpose))

    def _give_back(self, row: OutboxRow) -> None:
        """A claimed row that will not be tried now goes back to the queue as it was."""
        self._record(_not_tried(row.id, self._clock.now()))

    # ------------------------------------------------------------ one send

    async def _send(self, claimed: Claimed) -> int:
        try:
            work, sent = await self._call(claimed)
        finally:
            self._permits.release()
        if await self._record(work) and sent:
            self.last_sent_at = self._clock.now()
            return 1
        return 0

    async def _call(self, claimed: Claimed) -> tuple[Work, bool]:
        """The HTTP call; returns the database work that records its outcome."""
        row = claimed.row
        if self._halted_for(row, None):  # a stop arrived before this call left
            self._pacer.release(row.conversation_id)
            return _not_tried(row.id, self._clock.now()), False
        payload = {**row.request, "to": recipient(claimed.to or row.to),
                   "biz_opaque_callback_data": f"{CALLBACK_PREFIX}{row.id}"}
        payload.setdefault("messaging_product", "whatsapp")
        try:
            result = await self._client.send(payload)
        except SendOutcomeUnknown as exc:
            log.warning("outbox %d: outcome unknown (%s); not resent", row.id, exc.reason)
            return _unknown(row.id, self._clock.now()), False
        except CloudApiError as exc:
            return self._after_error(row, exc), False
        except Exception:  # a bug must not leave the row `sending`; it may have left: unknown
            log.exception("outbox %d: the send failed unexpectedly; marked unknown", row.id)
            return _unknown(row.id, self._clock.now()), False
        now = self._clock.now()
        wamid = result.wamid
        return (lambda s: repo.record_sent(s, row.id, wamid, now, message_id=row.message_id)), True

    def _after_error(self, row: OutboxRow, exc: CloudApiError) -> Work:
        """Decide what an error answer means for the row and the queue (the error table, §7)."""
        now = self._clock.now()
        rule = exc.rule
        # Refused: nothing reached the person, so their spacing does not hold the retry back.
        self._pacer.release(row.conversation_id)
        if exc.kind is ErrorKind.STOP:
            # Refused before anything was sent: the row goes back to the queue as it was.
            if FollowUp.BULK_ONLY not in rule.follow_up:
                if self.alert_error is None:
                    log.error("outbox stopped: code %s (%s)", exc.code, exc.title)
                self.alert_error = exc
                return _not_tried(row.id, now)
            if is_bulk(row.purpose):
                if self.bulk_alert_error is None:
                    log.error("outbox campaigns paused: code %s (%s)", exc.code, exc.title)
                self.bulk_alert_error = exc
                return _not_tried(row.id, now)
            # a person's reply refused by a bulk limit: the operator sees why, nothing repeats it
        attempts = row.attempts + 1
        if exc.kind in (ErrorKind.RETRY, ErrorKind.PACE, ErrorKind.WAIT):
            delay = rule.delay_seconds(attempts)
            if delay is not None and attempts < self._max_attempts:
                delay += self._rng.uniform(0.0, delay * JITTER_FRACTION)
                at = now + timedelta(seconds=delay)
                if exc.kind is ErrorKind.PACE:
                    if FollowUp.RECIPIENT in rule.follow_up:
                        self._pacer.hold(at, row.conversation_id)
                    else:
                        self._pacer.slow_down(now)
                return lambda s: repo.record_retry(s, row.id, exc.code, at, now)
        flag_phone = FollowUp.FLAG_PHONE in rule.follow_up
        template = _template(row.request) if FollowUp.RESYNC_TEMPLATES in rule.follow_up else None

        def failed(session: Any) -> None:
            repo.record_failed(session, row.id, exc.code, exc.message, now)
            if flag_phone:
                repo.flag_no_whatsapp(session, row.conversation_id, now)
            if template is not None:
                repo.flag_template_stale(session, *template)
        return failed

    def _record(self, work: Work) -> asyncio.Future[bool]:
        return self._recorder.add(work)

    async def _settle(self) -> None:
        """Wait for the sends under way and for their results to be committed."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._recorder.settle()


def _not_tried(outbox_id: int, now: datetime) -> Work:
    return lambda s: repo.record_not_tried(s, outbox_id, now)


def _unknown(outbox_id: int, now: datetime) -> Work:
    return lambda s: repo.record_unknown(s, outbox_id, now)


def _template(request: Mapping[str, Any]) -> tuple[str, str] | None:
    """(name, language) of a template request, None for other messages."""
    template = request.get("template")
    if not isinstance(template, Mapping) or not isinstance(template.get("name"), str):
        return None
    language = template.get("language")
    code = language.get("code") if isinstance(language, Mapping) else None
    return str(template["name"]), str(code or "pt_BR")


def _message_type(value: str) -> Any:
    """The guard's message type for a stored message type (buttons and lists are interactive)."""
    return value if value in ("text", "template") else "interactive"
