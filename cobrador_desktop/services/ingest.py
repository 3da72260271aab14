"""Webhook ingest: one verified body, stored raw and applied in ONE transaction, before the 200.

Meta retries whatever was not acknowledged and offers no way to fetch a missed webhook, so the
receiver answers 200 only after `WebhookIngest.ingest` returns (the commit happened). A debtor's
answer ("Sou eu", "Não sou eu", PARAR, VOLTAR) is applied in that same transaction
(`storage.repos.inbound_answers`), so the outbox never sends on a state older than the answer. Replays and
duplicates are harmless: the storage rules make every event idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.webhook_events import AccountUpdate, WebhookError, WebhookEvent
from cobrador_desktop.services.events import ChangeFeed
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import ingest as ingest_repo
from cobrador_desktop.storage.repos.ingest import IngestSummary

if TYPE_CHECKING:
    from cobrador_desktop.whatsapp.webhook.parse import ParseResult

log = logging.getLogger("cobrador.wa")

#: account events that stop all sending until the owner looks (WHATSAPP_CLOUD_API.md §4.7)
ACCOUNT_STOPPERS = frozenset({"ACCOUNT_VIOLATION", "DISABLED_UPDATE", "ACCOUNT_RESTRICTION"})


@dataclass(frozen=True)
class WebhookHealth:
    """What `/healthz` says about webhooks."""

    last_received_at: datetime | None
    deliveries: int
    account_alert: str | None


class WebhookIngest:
    """Stores and applies webhook deliveries through the database thread."""

    def __init__(self, db: Runner, clock: Clock, *, feed: ChangeFeed | None = None) -> None:
        self._db = db
        self._clock = clock
        #: told the conversations each delivery changed, after its commit (the inbox listens)
        self._feed = feed
        self._last: datetime | None = None
        self._deliveries = 0
        self._account_alert: str | None = None

    async def ingest(self, raw: bytes, events: Sequence[WebhookEvent], *, parsed_ok: bool,
                     problem: str | None) -> IngestSummary:
        """Keep `raw` and apply `events`; returns after the commit (then the 200 may go)."""
        received_at = self._clock.now()
        summary = await self._db.run(partial(
            _store_and_apply, raw=raw, events=tuple(events), parsed_ok=parsed_ok,
            problem=problem, received_at=received_at))
        self._last = received_at
        self._deliveries += 1
        if self._feed is not None and summary.conversation_ids:
            self._feed.publish(summary.conversation_ids)
        if not parsed_ok:
            log.warning("webhook body kept raw, not understood: %s (delivery %s)", problem,
                        summary.delivery_id)
        for event in events:
            self._note(event)
        # DEBUG: at INFO the file log (with its redaction) costs about 1 ms a webhook
        log.debug("webhook %s: %d new inbound, %d statuses applied, %d kept, %d orphan",
                 summary.delivery_id, summary.inbound_new, summary.statuses_applied,
                 summary.statuses_kept, summary.orphan_statuses)
        if summary.answers_applied:  # rare, and the number's state changed: worth the INFO line
            log.info("webhook %s: %d answers applied (identity, opt-out or opt-in)",
                     summary.delivery_id, summary.answers_applied)
        return summary

    async def deliver(self, raw: bytes, result: ParseResult) -> None:
        """The webhook receiver's callback: keep and apply one parsed body (then the 200 may go)."""
        await self.ingest(raw, result.events, parsed_ok=result.ok, problem=result.problem)

    def health(self) -> WebhookHealth:
        return WebhookHealth(self._last, self._deliveries, self._account_alert)

    def _note(self, event: WebhookEvent) -> None:
        if isinstance(event, AccountUpdate):
            if event.event in ACCOUNT_STOPPERS:
                self._account_alert = event.event
                log.critical("WhatsApp account event %s: sending must stop", event.event)
            else:
                log.info("WhatsApp %s event %s", event.field, event.event)
        elif isinstance(event, WebhookError):
            log.warning("WhatsApp reported error %s: %s", event.error.code, event.error.title)


def _store_and_apply(session: Any, *, raw: bytes, events: tuple[WebhookEvent, ...],
                     parsed_ok: bool, problem: str | None,
                     received_at: datetime) -> IngestSummary:
    delivery = ingest_repo.store_delivery(session, raw, received_at=received_at,
                                          parsed_ok=parsed_ok, problem=problem,
                                          events=len(events))
    return ingest_repo.ingest_events(session, events, delivery_id=delivery,
                                     received_at=received_at)
