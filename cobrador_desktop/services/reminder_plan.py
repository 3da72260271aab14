"""What a pass of the régua planned: the messages of the day and the steps skipped (pure data).

`services.reminders` re-exports these; `services.reminder_day` builds them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cobrador_desktop.domain.policy import Decision

ALLOWED, HELD, BLOCKED = "allowed", "held", "blocked"


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """One message of the day (or one step skipped), with the guard's decision.

    A skipped step carries a decision made of its skip code (`STEP_GRACE_PASSED`, `NO_PHONE`,
    `CAPACITY_FULL`, `CPC_ATTEMPTS_EXHAUSTED`, `CPC_RETRY_WAIT`, `STEP_SUPERSEDED`).
    """

    debtor_id: int
    debtor_name: str
    debt_id: int
    phone: str | None  # E.164
    step: str
    purpose: str
    template: str | None
    text: str
    decision: Decision
    send_at: datetime | None  # when the outbox will try it (allowed: paced slot; held: retry_at)
    outbox_id: int | None  # None on a dry run or when not enqueued

    @property
    def state(self) -> str:
        """`allowed`, `held` (a time-based block: it waits for its next slot) or `blocked`."""
        if self.decision.allowed:
            return ALLOWED
        return HELD if self.decision.next_allowed_at is not None else BLOCKED

    def to_json(self) -> dict[str, Any]:
        """The `remind --json` line (INTERFACES.md §6)."""
        return {
            "debtor_id": str(self.debtor_id), "debt_id": str(self.debt_id), "phone": self.phone,
            "step": self.step, "purpose": self.purpose, "template": self.template,
            "allowed": self.decision.allowed,
            "reasons": [{"code": r.code, "severity": r.severity.name, "message": r.message}
                        for r in self.decision.reasons],
            "next_attempt": self.send_at.isoformat() if self.send_at is not None else None,
            "outbox_id": str(self.outbox_id) if self.outbox_id is not None else None}


@dataclass(frozen=True, slots=True)
class Plan:
    """The day's pass: the messages judged by the guard, and the steps skipped."""

    at: datetime
    items: tuple[PlannedMessage, ...]
    skipped: tuple[PlannedMessage, ...]  # grace passed, superseded, no phone, capacity, CPC…

    def counts_by_decision(self) -> dict[str, int]:
        """How many messages are `allowed`, `held` (time-based) and `blocked`."""
        counts = {ALLOWED: 0, HELD: 0, BLOCKED: 0}
        for item in self.items:
            counts[item.state] += 1
        return counts

    def counts_by_reason(self) -> dict[str, int]:
        """Main reason code -> how many (messages refused by the guard, and skipped steps)."""
        counts: Counter[str] = Counter()
        for item in self.items:
            reason = item.decision.main_reason
            if reason is not None and reason.stops:  # an allowed message's warnings aside
                counts[reason.code] += 1
        for item in self.skipped:
            reason = item.decision.main_reason
            if reason is not None:
                counts[reason.code] += 1
        return dict(counts.most_common())
