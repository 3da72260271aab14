"""The WhatsApp number's health for the Resultados screen (`domain.number_health`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.number_health import (
    FAILURE_DAYS,
    NO_CODE_HINT,
    NO_CODE_REASON,
    FailureReason,
    NumberHealth,
    ordered_templates,
)
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import number_health as repo
from cobrador_desktop.whatsapp.errors import CONTEXT, classify


def explained(failure: FailureReason) -> FailureReason:
    """The failure with the error table's pt-BR reason and next step (the operator's own words
    for Meta's code, `whatsapp.errors.RULES`)."""
    if failure.code is None:
        return replace(failure, reason=NO_CODE_REASON, hint=NO_CODE_HINT,
                       reason_context="NumberHealth")
    rule = classify(failure.code, None)
    return replace(failure, reason=rule.message_pt, hint=rule.hint_pt, reason_context=CONTEXT)


class NumberHealthService:
    """Reads the number's health on the database thread, in one read transaction."""

    def __init__(self, db: Runner, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def snapshot(self, now: datetime | None = None) -> NumberHealth:
        """Quality, tier, templates and the failures of the `FAILURE_DAYS` days before `now`
        (the clock's now by default)."""
        at = now or self._clock.now()
        since = at - timedelta(days=FAILURE_DAYS)

        def work(session: Any) -> NumberHealth:
            quality, changed_at = repo.quality(session)
            return NumberHealth(
                now=at, quality=quality, changed_at=changed_at, synced_at=repo.last_sync(session),
                templates=ordered_templates(repo.templates(session)),
                failures=tuple(explained(f) for f in repo.failures(session, since, at)),
                failures_since=since)

        return await self._db.run(work)
