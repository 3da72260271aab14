"""The post-payment survey's answers over time (Resultados › Satisfação).

The survey (`services.reminder_receipts`, setting `PAYMENT_SURVEY`) asks one question with three
reply buttons; a tap comes back as an inbound message whose payload keeps `answer.intent`
`survey` and `answer.score` `OTIMO`, `REGULAR` or `RUIM` (`domain.inbound_answers`). Pure rules;
`storage.repos.satisfaction` reads the rows and `services.satisfaction` puts them together.

Words used below:

- a *survey sent* is an outbound message that left (`domain.results.LEFT_STATUSES`) and is the
  survey: queued by the régua as step `PESQUISA`, or the pack's survey template
  (`SURVEY_TEMPLATE`, sent by hand); its day is its creation day in the shop's zone;
- an *answer* is an inbound survey tap; when the same conversation taps again about the same
  debt, only its last tap in the period counts (a tap without a debt counts on its own); its day
  is its creation day in the shop's zone;
- a survey sent is *answered* when its conversation got an answer after it and less than
  `ANSWER_WINDOW_DAYS` × 24 h after it (the answer may fall after the period).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from cobrador_desktop.domain.results import Period, Ratio
from cobrador_desktop.domain.templates import SURVEY_SCORES

#: the scores, best first (the survey's buttons)
OTIMO, REGULAR, RUIM = tuple(SURVEY_SCORES)
SCORES = (OTIMO, REGULAR, RUIM)
#: the template pack's survey (`domain.template_pack`), for a survey sent by hand
SURVEY_TEMPLATE = "pesquisa_satisfacao_v1"
#: the answers' `intent` in the inbound message's payload (`domain.inbound_answers.Intent`)
SURVEY_INTENT = "survey"
#: an answer this long after the survey still answers it
ANSWER_WINDOW_DAYS = 7
#: periods of up to this many days are split by ISO week, longer ones by calendar month
WEEKS_UP_TO_DAYS = 62
#: the index's points per score (Ótimo 2, Regular 1, Ruim 0; out of 2 per answer)
POINTS = {OTIMO: 2, REGULAR: 1, RUIM: 0}


class Grain(StrEnum):
    WEEK = "week"
    MONTH = "month"


def grain_for(period: Period) -> Grain:
    """By week up to `WEEKS_UP_TO_DAYS` days (this month, 30 days), by month above (90 days)."""
    return Grain.WEEK if period.days <= WEEKS_UP_TO_DAYS else Grain.MONTH


def bucket_start(day: date, grain: Grain) -> date:
    """The Monday of the day's ISO week, or the first of its month."""
    if grain is Grain.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_start(start: date, grain: Grain) -> date:
    if grain is Grain.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket_spans(period: Period, grain: Grain) -> tuple[tuple[date, date], ...]:
    """Every bucket of the period as (first, last) day, cut to the period's days."""
    spans = []
    start = bucket_start(period.start, grain)
    while start <= period.end:
        following = _next_start(start, grain)
        spans.append((max(start, period.start), min(following - timedelta(days=1), period.end)))
        start = following
    return tuple(spans)


@dataclass(frozen=True, slots=True)
class ScoreCounts:
    """How many answers gave each score."""

    otimo: int = 0
    regular: int = 0
    ruim: int = 0

    @property
    def answers(self) -> int:
        return self.otimo + self.regular + self.ruim

    def of(self, score: str) -> int:
        return {OTIMO: self.otimo, REGULAR: self.regular, RUIM: self.ruim}[score]

    @property
    def index(self) -> Ratio:
        """The score index: Ótimo 2 points, Regular 1, Ruim 0, over 2 points per answer; its
        `percent` is 100 when every answer is Ótimo, 50 when all are Regular, 0 when all Ruim."""
        return Ratio(2 * self.otimo + self.regular, 2 * self.answers)

    def plus(self, score: str) -> ScoreCounts:
        return ScoreCounts(self.otimo + (score == OTIMO), self.regular + (score == REGULAR),
                           self.ruim + (score == RUIM))

    def __add__(self, other: ScoreCounts) -> ScoreCounts:
        return ScoreCounts(self.otimo + other.otimo, self.regular + other.regular,
                           self.ruim + other.ruim)


@dataclass(frozen=True, slots=True)
class SurveyBucket:
    """One week or month of the period (`first`..`last`, cut to the period)."""

    first: date
    last: date
    scores: ScoreCounts
    #: surveys sent on its days
    sent: int
    #: of those, answered (see the module's words)
    answered: int


@dataclass(frozen=True, slots=True)
class SatisfactionOverTime:
    """The survey over a period.

    Attributes:
        period: the days covered.
        enabled: the setting `PAYMENT_SURVEY` is on now (the figures count what happened anyway).
        grain: week or month (`grain_for`).
        buckets: every week or month of the period in order, empty ones included.
        scores: the answers of the whole period by score.
        sent: surveys sent in the period.
        answered: answered surveys over surveys sent in the period.
    """

    period: Period
    enabled: bool
    grain: Grain
    buckets: tuple[SurveyBucket, ...]
    scores: ScoreCounts
    sent: int
    answered: Ratio

    @property
    def index(self) -> Ratio:
        return self.scores.index

    @property
    def empty(self) -> bool:
        """Nothing sent and nothing answered in the period."""
        return not self.sent and not self.scores.answers


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One survey tap as the repository reads it."""

    at: datetime
    conversation_id: int
    debt_id: int | None
    score: str | None


@dataclass(frozen=True, slots=True)
class SentRow:
    """One survey that left, as the repository reads it."""

    at: datetime
    conversation_id: int


def latest_answers(rows: Iterable[AnswerRow]) -> list[AnswerRow]:
    """Each (conversation, debt)'s last tap with a known score; taps without a debt all count."""
    kept: dict[object, AnswerRow] = {}
    for n, row in enumerate(sorted(rows, key=lambda r: r.at)):
        if row.score not in POINTS:
            continue
        key: object = (row.conversation_id, row.debt_id) if row.debt_id is not None else n
        kept.pop(key, None)  # re-inserted last: the dict keeps the taps in time order
        kept[key] = row
    return list(kept.values())


def is_answered(sent: SentRow, answers: Iterable[AnswerRow]) -> bool:
    """An answer in the survey's conversation after it, within `ANSWER_WINDOW_DAYS`."""
    until = sent.at + timedelta(days=ANSWER_WINDOW_DAYS)
    return any(a.conversation_id == sent.conversation_id and sent.at < a.at < until
               for a in answers)


def over_time(period: Period, zone: tzinfo, *, enabled: bool, answers: Iterable[AnswerRow],
              sent: Iterable[SentRow], later_answers: Iterable[AnswerRow] = ()
              ) -> SatisfactionOverTime:
    """Put the period together.

    Args:
        answers: every survey tap created in the period (any order).
        sent: every survey that left in the period.
        later_answers: taps after the period that may still answer a survey of it.
    """
    grain = grain_for(period)
    spans = bucket_spans(period, grain)
    starts = {first: i for i, (first, _) in enumerate(spans)}

    def slot(at: datetime) -> int | None:
        day = at.astimezone(zone).date()
        if not period.start <= day <= period.end:
            return None
        return starts[max(bucket_start(day, grain), period.start)]

    in_period = list(answers)
    scores = [ScoreCounts() for _ in spans]
    for row in latest_answers(in_period):
        i = slot(row.at)
        if i is not None and row.score is not None:
            scores[i] = scores[i].plus(row.score)
    by_conversation: dict[int, list[AnswerRow]] = {}
    for row in (*in_period, *later_answers):
        by_conversation.setdefault(row.conversation_id, []).append(row)
    sent_counts = [0] * len(spans)
    answered_counts = [0] * len(spans)
    for survey in sent:
        i = slot(survey.at)
        if i is None:
            continue
        sent_counts[i] += 1
        answered_counts[i] += is_answered(survey, by_conversation.get(survey.conversation_id, ()))
    buckets = tuple(SurveyBucket(first, last, scores[i], sent_counts[i], answered_counts[i])
                    for i, (first, last) in enumerate(spans))
    total = sum(scores, ScoreCounts())
    return SatisfactionOverTime(period, enabled, grain, buckets, total, sum(sent_counts),
                                Ratio(sum(answered_counts), sum(sent_counts)))
