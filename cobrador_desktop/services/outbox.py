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

The sender lives in `outbox_sender.py` (several sends in flight, paced, the error table's
follow-ups); its names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.policy import Decision, SendBlocked
from cobrador_desktop.services.outbox_parts import Pacer
from cobrador_desktop.services.outbox_sender import (
    CALLBACK_PREFIX,
    REPLY_PURPOSES,
    MessageSender,
    OutboxSender,
    SendReceipt,
    is_bulk,
)
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import outbox as repo

__all__ = ["CALLBACK_PREFIX", "REPLY_PURPOSES", "MessageSender", "OutboxSender", "OutboxService",
           "Pacer", "SendReceipt", "is_bulk"]


class OutboxService:
    """Puts messages in the outbox; refuses any the send guard did not allow."""

    def __init__(self, db: Runner, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def enqueue(self, *, conversation_id: int, payload: Mapping[str, Any], purpose: str,
                      kind: str, message_type: str, text: str, decision: Decision | None,
                      operator_id: int | None = None, send_at: datetime | None = None) -> int:
        """Store an outbound message and its outbox row in one transaction; returns the row id.

        `payload` is the Cloud API body; its `to` and `biz_opaque_callback_data` are set at send
        time (the number's wa_id may be learned meanwhile; the callback names the row).

        Raises:
            SendBlocked: there is no guard decision, or it refuses the message for good (see
                `enqueue_in`).
        """
        now = self._clock.now()
        return await self._db.run(lambda s: self.enqueue_in(
            s, conversation_id=conversation_id, payload=payload, purpose=purpose, kind=kind,
            message_type=message_type, text=text, decision=decision, operator_id=operator_id,
            send_at=send_at, now=now))

    @staticmethod
    def enqueue_in(session: Any, *, conversation_id: int, payload: Mapping[str, Any],
                   purpose: str, kind: str, message_type: str, text: str,
                   decision: Decision | None, now: datetime, operator_id: int | None = None,
                   send_at: datetime | None = None) -> int:
        """`enqueue` inside the caller's transaction (the régua records its step with the row).

        An allowed message may wait until `send_at` (pacing). A message the guard holds for a
        while (contact hours, holidays, caps: `Decision.retry_at`) may be queued for `send_at`,
        its next slot, and is judged again when the sender takes it up; one refused for good is
        never queued.

        Raises:
            SendBlocked: no decision; refused for good; or held without a `send_at`.
        """
        if decision is None or not (decision.allowed or (
                send_at is not None and decision.next_allowed_at is not None)):
            raise SendBlocked.for_decision(decision)
        request = {k: v for k, v in payload.items() if k not in ("to", "biz_opaque_callback_data")}
        return repo.add_outbound(
            session, conversation_id=conversation_id, request=request, purpose=purpose,
            kind=kind, message_type=message_type, text=text, decision=decision.to_json(),
            operator_id=operator_id, now=now, next_attempt_at=send_at)
