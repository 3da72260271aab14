"""The post-payment survey's answers over a period (`domain.satisfaction` defines each count)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.results import Period, utc_span
from cobrador_desktop.domain.satisfaction import (
    ANSWER_WINDOW_DAYS,
    SatisfactionOverTime,
    over_time,
)
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import satisfaction as repo


class SatisfactionService:
    """Reads the survey's rows on the database thread, in one read transaction."""

    def __init__(self, db: Runner, clock: Clock, shop_zone: str) -> None:
        self._db = db
        self._clock = clock
        self._zone = ZoneInfo(shop_zone)

    async def over_time(self, period: Period) -> SatisfactionOverTime:
        """The answers per week or month of `period`, the surveys sent and answered."""
        start_at, end_at = utc_span(period.start, period.end, self._zone)
        zone = self._zone

        def work(session: Any) -> SatisfactionOverTime:
            # one pass up to the last day an answer may still answer a survey of the period
            answers, sent = repo.survey_rows(session, start_at,
                                             end_at + timedelta(days=ANSWER_WINDOW_DAYS))
            return over_time(
                period, zone, enabled=repo.survey_enabled(session),
                answers=[a for a in answers if a.at < end_at],
                sent=[s for s in sent if s.at < end_at],
                later_answers=[a for a in answers if a.at >= end_at])

        return await self._db.run(work)

    @owner_only("settings.payment_survey",
                QT_TRANSLATE_NOOP("Roles", "ligar ou desligar a pesquisa de satisfação"))
    async def set_enabled(self, on: bool, operator_id: int | None) -> bool:
        """Switch the post-payment survey on or off for every PC (audited); returns it."""
        now = self._clock.now()
        return bool(await self._db.run(
            lambda session: repo.set_survey_enabled(session, on, operator_id=operator_id,
                                                    now=now)))
