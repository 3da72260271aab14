"""The durable outbox: every outbound message is a row before it is an HTTP call (issue 4, item 4).

`OutboxService.enqueue` stores a message the send guard allowed; `OutboxSender` sends due rows.

States of a row: `queued → sending → sent` (delivered/read arrive by webhook on the message),
`failed` (Meta's code and a pt-BR reason on the message), `unknown` (the answer was lost: never
resent automatically, an operator decides; a later status webhook naming `ob:<id>` reconciles it),
`cancelled` (the guard refused it at send time: never tried; the message is `failed` with the
guard's reason, because a message has no "cancelled" status).

Why `cancelled` rather than `failed` when the guard refuses at send time (e.g. the 24-hour window
closed while the row waited): nothing reached Meta, so there is no Meta code, and COMPLIANCE.md §2.1
says state-based blocks cancel the row with its reason. The reason is kept in `decision`.

Crash safety: a row is marked `sending` and committed *before* the HTTP call; at `start()` rows
still `sending` become `unknown`. So a crash at any point sends a message at most once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.policy import (
    Decision,
    SendBlocked,
    SendFacts,
    SendRequest,
    evaluate,
)
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import outbox as repo
from cobrador_desktop.storage.repos.outbox import OutboxRow
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
#: rows read per `run_once`
BATCH = 200


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


class OutboxService:
    """Puts messages in the outbox; refuses any the send guard did not allow."""

    def __init__(self, db: Runner, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def enqueue(self, *, conversation_id: int, payload: Mapping[str, Any], purpose: str,
                      kind: str, message_type: str, text: str, decision: Decision | None,
                      operator_id: int | None = None) -> int:
        """Store an outbound message and its outbox row in one transaction; returns the row id.

        `payload` is the Cloud API body; its `to` and `biz_opaque_callback_data` are set at send
        time (the number's wa_id may be learned meanwhile; the callback names the row).

        Raises:
            SendBlocked: there is no guard decision, or it does not allow the message.
        """
        if decision is None or not decision.allowed:
            raise SendBlocked.for_decision(decision)
        request = {k: v for k, v in payload.items() if k not in ("to", "biz_opaque_callback_data")}
        now = self._clock.now()
        return await self._db.run(lambda s: repo.add_outbound(
            s, conversation_id=conversation_id, request=request, purpose=purpose, kind=kind,
            message_type=message_type, text=text, decision=decision.to_json(),
            operator_id=operator_id, now=now))


class Pacer:
    """A token bucket of one token (never a burst) plus a minimum spacing per recipient."""

    def __init__(self, rate_per_second: float, per_recipient_seconds: float) -> None:
        self.interval = timedelta(seconds=1.0 / rate_per_second)
        self.per_recipient = timedelta(seconds=per_recipient_seconds)
        self.next_slot: datetime | None = None
        self.recipient_ready: dict[int, datetime] = {}

    def ready_at(self, to: int) -> datetime | None:
        """When recipient `to` may receive its next message (None: now)."""
        return self.recipient_ready.get(to)

    def take(self, to: int, now: datetime) -> float:
        """Reserve the next slot for `to`; returns seconds to wait before sending."""
        start = max(now, self.next_slot or now)
        self.next_slot = start + self.interval
        self.recipient_ready[to] = start + self.per_recipient
        return (start - now).total_seconds()

    def release(self, to: int) -> None:
        """Nothing left for `to` after all (cancelled, or refused before sending)."""
        self.recipient_ready.pop(to, None)

    def hold(self, until: datetime, to: int | None = None) -> None:
        """Slow down after a rate-limit answer: one recipient, or everyone."""
        if to is not None:
            self.recipient_ready[to] = max(until, self.recipient_ready.get(to, until))
        else:
            self.next_slot = max(until, self.next_slot or until)


@dataclass(frozen=True)
class _Claim:
    row: OutboxRow
    to: str | None  # None: the guard cancelled it


class OutboxSender:
    """Sends due outbox rows through the Cloud API, paced, retried, never twice."""

    def __init__(self, db: Runner, client: MessageSender, clock: Clock, *,
                 rate_per_second: float = 80.0, per_recipient_seconds: float = 6.0,
                 max_attempts: int = 5, rng: random.Random | None = None,
                 sleep: Sleep = asyncio.sleep, poll_seconds: float = 1.0) -> None:
        self._db = db
        self._client = client
        self._clock = clock
        self._pacer = Pacer(rate_per_second, per_recipient_seconds)
        self._max_attempts = max_attempts
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._started = False
        self._more = False
        #: set by an auth/account error (STOP): sending halts until `resume()`
        self.alert_error: CloudApiError | None = None
        #: when Meta last accepted a message from this sender (for `/healthz`)
        self.last_sent_at: datetime | None = None

    @property
    def alert(self) -> str | None:
        """Why sending stopped, in Portuguese, with the next step (for the UI and `/healthz`)."""
        error = self.alert_error
        return None if error is None else str(error)

    @property
    def stopped(self) -> bool:
        return self.alert_error is not None

    def resume(self) -> None:
        """The owner fixed the cause (a new token): send again."""
        self.alert_error = None
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
        """Send what is due now (recipients still in their spacing wait); returns how many sent."""
        if not self._started:
            await self.start()
        now = self._clock.now()
        due = await self._db.run(lambda s: repo.due(s, now, BATCH))
        self._more = len(due) == BATCH
        sent = 0
        for outbox_id, conversation_id in due:
            if self.stopped:
                break
            sent += await self._process(outbox_id, conversation_id)
        return sent

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Send until `stop_event` is set; idle (not sending) while stopped by an alert."""
        if not self._started:
            await self.start()
        while not stop_event.is_set():
            if not self.stopped:
                try:
                    await self.run_once()
                except Exception:  # a database hiccup must not end the sender for good
                    log.exception("outbox round failed; trying again shortly")
                if self._more and not self.stopped:
                    await asyncio.sleep(0)
                    continue
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop_event.wait())
            await asyncio.wait({waiter, stopper}, timeout=self._poll_seconds,
                               return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()

    # ------------------------------------------------------------ one row

    async def _process(self, outbox_id: int, conversation_id: int) -> int:
        # Pacing is per conversation: one conversation per number, whatever form `to` takes.
        now = self._clock.now()
        ready_at = self._pacer.ready_at(conversation_id)
        if ready_at is not None and ready_at > now:
            return 0  # this recipient's spacing: a later round picks it up
        wait = self._pacer.take(conversation_id, now)
        if wait > 0:
            await self._sleep(wait)
        claim = await self._db.run(lambda s: self._claim(s, outbox_id, self._clock.now()))
        if claim is None or claim.to is None:
            self._pacer.release(conversation_id)
            return 0
        payload = {**claim.row.request, "to": recipient(claim.to),
                   "biz_opaque_callback_data": f"{CALLBACK_PREFIX}{outbox_id}"}
        payload.setdefault("messaging_product", "whatsapp")
        try:
            result = await self._client.send(payload)
        except SendOutcomeUnknown as exc:
            log.warning("outbox %d: outcome unknown (%s); not resent", outbox_id, exc.reason)
            await self._db.run(lambda s: repo.record_unknown(s, outbox_id, self._clock.now()))
            return 0
        except CloudApiError as exc:
            await self._failed(claim.row, exc)
            return 0
        await self._db.run(lambda s: repo.record_sent(s, outbox_id, result.wamid,
                                                      self._clock.now()))
        self.last_sent_at = self._clock.now()
        return 1

    def _claim(self, session: Any, outbox_id: int, now: datetime) -> _Claim | None:
        """In one transaction: re-check the guard with fresh facts, then claim or cancel."""
        row = repo.lock_queued(session, outbox_id)
        if row is None:
            return None  # someone else took it, or it changed meanwhile
        facts: SendFacts = repo.send_facts(session, row.conversation_id)
        decision = evaluate(SendRequest(row.kind, row.purpose, _message_type(row.message_type),
                                        row.text), facts, now)
        if not decision.allowed:
            reason = decision.main_reason
            repo.cancel(session, outbox_id, decision.to_json(),
                        reason.message if reason else "", now)
            return _Claim(row, None)
        return _Claim(row, repo.mark_sending(session, outbox_id, now))

    async def _failed(self, row: OutboxRow, exc: CloudApiError) -> None:
        now = self._clock.now()
        kind = exc.kind
        if kind is ErrorKind.STOP:
            # Refused before anything was sent (auth/account): the row goes back as it was.
            self.alert_error = exc
            self._pacer.release(row.conversation_id)
            log.error("outbox stopped: code %s (%s)", exc.code, exc.title)
            await self._db.run(lambda s: repo.record_not_tried(s, row.id, now))
            return
        attempts = row.attempts + 1
        if kind in (ErrorKind.RETRY, ErrorKind.PACE, ErrorKind.WAIT):
            delay = exc.rule.delay_seconds(attempts)
            if delay is not None and attempts < self._max_attempts:
                delay += self._rng.uniform(0.0, delay * JITTER_FRACTION)
                at = now + timedelta(seconds=delay)
                if kind is ErrorKind.PACE:
                    per_recipient = FollowUp.RECIPIENT in exc.rule.follow_up
                    self._pacer.hold(at, row.conversation_id if per_recipient else None)
                await self._db.run(lambda s: repo.record_retry(s, row.id, exc.code, at, now))
                return
        await self._db.run(lambda s: repo.record_failed(s, row.id, exc.code, exc.message, now))


def _message_type(value: str) -> Any:
    """The guard's message type for a stored message type (buttons and lists are interactive)."""
    return value if value in ("text", "template") else "interactive"
