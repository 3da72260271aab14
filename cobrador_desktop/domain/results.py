"""The figures of the Resultados screen: the period they cover and what each one counts.

Pure rules and frozen records; `storage.repos.results` counts the facts in SQL and
`services.results.ResultsService` puts them together. Every figure is defined here, precisely
enough to count it by hand.

Words used below:

- the *period* is a range of the shop's calendar days, both ends included (`Period`); an instant
  lies in it when it falls between the shop's midnight starting `start` and the one after `end`;
- a message's *day* is its creation date in the shop's zone, taken with the zone's UTC offset at
  the period's start (Brazil has kept one offset all year since 2019);
- a message *left* when it is outbound (`direction = 'out'`, never a note) and its status is
  `sent`, `delivered` or `read` (queued, sending, failed and unknown ones did not reach anyone);
- a message's *debtor* is its conversation's debtor (a conversation with none counts for the
  funnel's messages but for no debtor);
- a *reminder* is a message that left from a template whose purpose is a régua step's
  (`domain.regua.STEP_PURPOSES`: vencimento, atraso, parcela de acordo) — not identity checks,
  not receipts;
- a *payment* is a row of `payments`; its day is `paid_on`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP


class PeriodPreset(StrEnum):
    """The period selector's ready-made choices (`Period.preset`)."""

    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"


#: how the period selector names the presets
PRESET_LABELS: Mapping[PeriodPreset, str] = {
    PeriodPreset.THIS_MONTH: QT_TRANSLATE_NOOP("Results", "Este mês"),
    PeriodPreset.LAST_MONTH: QT_TRANSLATE_NOOP("Results", "Mês passado"),
    PeriodPreset.LAST_30_DAYS: QT_TRANSLATE_NOOP("Results", "Últimos 30 dias"),
    PeriodPreset.LAST_90_DAYS: QT_TRANSLATE_NOOP("Results", "Últimos 90 dias"),
}


#: statuses of an outbound message that reached WhatsApp and did not fail
LEFT_STATUSES = ("sent", "delivered", "read")
DELIVERED_STATUSES = ("delivered", "read")
#: a reminder "worked" when a payment came on its day or within this many days after
PAYMENT_WINDOW_DAYS = 7
#: a message was "replied" when the debtor wrote in the same conversation within this many days
REPLY_WINDOW_DAYS = 7
#: (amber from, red above) as (numerator, denominator) shares of the numbers messaged
OPT_OUT_LIMITS = ((1, 100), (2, 100))
WRONG_PARTY_LIMITS = ((25, 1000), (5, 100))
#: the key of what has no template, no operator, no step or no segment
NONE_KEY = ""


@dataclass(frozen=True, slots=True)
class Period:
    """Shop calendar days from `start` to `end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends before it starts: {self.start} > {self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def preset(cls, preset: PeriodPreset, today: date) -> Period:
        """The preset's days as of `today` (the shop's date): this month runs to today."""
        if preset is PeriodPreset.THIS_MONTH:
            return cls(today.replace(day=1), today)
        if preset is PeriodPreset.LAST_MONTH:
            end = today.replace(day=1) - timedelta(days=1)
            return cls(end.replace(day=1), end)
        days = 30 if preset is PeriodPreset.LAST_30_DAYS else 90
        return cls(today - timedelta(days=days - 1), today)


def utc_span(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """Shop days `first`..`last` (both included) as UTC instants [start, end), each midnight
    taken in `zone`."""
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def offset_minutes(at: datetime, zone: tzinfo) -> int:
    """The zone's offset from UTC at an instant, in minutes (-180 for São Paulo)."""
    offset = at.astimezone(zone).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class Ratio:
    """A share as the two counts it comes from (0 of 0 is "no data", shown as a dash)."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        """For display only (figures stay counts)."""
        return None if not self.denominator else 100.0 * self.numerator / self.denominator


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


def light(ratio: Ratio, limits: tuple[tuple[int, int], tuple[int, int]]) -> Light:
    """Green up to the first limit, amber up to the second (included), red above it."""
    (a_num, a_den), (r_num, r_den) = limits
    n, d = ratio.numerator, ratio.denominator
    if d and n * r_den > r_num * d:
        return Light.RED
    if d and n * a_den > a_num * d:
        return Light.AMBER
    return Light.GREEN


@dataclass(frozen=True, slots=True)
class Funnel:
    """Messages that left in the period, and how far each got. Each stage is nested in the one
    before, so the funnel never widens:

    - `sent`: messages that left, created in the period;
    - `delivered`: of those, status `delivered` or `read`;
    - `read`: of those, status `read`;
    - `replied`: of those, the conversation got an inbound message after it and less than
      `REPLY_WINDOW_DAYS` × 24 h after it;
    - `paid`: of those, the debtor has a payment whose `paid_on` is the message's day or up to
      `PAYMENT_WINDOW_DAYS` later.
    """

    sent: int = 0
    delivered: int = 0
    read: int = 0
    replied: int = 0
    paid: int = 0

    def __add__(self, other: Funnel) -> Funnel:
        return Funnel(self.sent + other.sent, self.delivered + other.delivered,
                      self.read + other.read, self.replied + other.replied,
                      self.paid + other.paid)


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """One combination the repository counted: (step, template, operator, segment) and its funnel.

    `step` is the régua step that queued the message (`D-3`, `CPC1`…; `NONE_KEY` when none did),
    `template` the template name (`NONE_KEY`: free text), `operator` the operator id as text
    (`NONE_KEY`: sent automatically), `segment` the debtor's current segment (`NONE_KEY`: no
    debtor)."""

    step: str
    template: str
    operator: str
    segment: str
    funnel: Funnel


@dataclass(frozen=True, slots=True)
class Breakdowns:
    """The funnel by each dimension, keys as in `FunnelRow`, sorted by most messages first."""

    by_step: tuple[tuple[str, Funnel], ...]
    by_template: tuple[tuple[str, Funnel], ...]
    by_operator: tuple[tuple[str, Funnel], ...]
    by_segment: tuple[tuple[str, Funnel], ...]


def roll_up(rows: Iterable[FunnelRow]) -> tuple[Funnel, Breakdowns]:
    """The total funnel and its breakdowns from the repository's combinations."""
    total = Funnel()
    groups: dict[str, dict[str, Funnel]] = {"step": {}, "template": {}, "operator": {},
                                            "segment": {}}
    for row in rows:
        total += row.funnel
        for name, keyed in groups.items():
            key = getattr(row, name)
            keyed[key] = keyed.get(key, Funnel()) + row.funnel

    def ordered(keyed: dict[str, Funnel]) -> tuple[tuple[str, Funnel], ...]:
        return tuple(sorted(keyed.items(), key=lambda kv: (-kv[1].sent, kv[0])))

    return total, Breakdowns(*(ordered(groups[n])
                               for n in ("step", "template", "operator", "segment")))


def iso_week(day: date) -> tuple[int, int]:
    """(ISO year, ISO week number) of a day."""
    year, week, _ = day.isocalendar()
    return year, week


def by_week(per_day: Mapping[date, int]) -> tuple[tuple[tuple[int, int], int], ...]:
    """Cents per ISO week from cents per day, in week order."""
    weeks: Counter[tuple[int, int]] = Counter()
    for day, cents in per_day.items():
        weeks[iso_week(day)] += cents
    return tuple(sorted(weeks.items()))


@dataclass(frozen=True, slots=True)
class DaysToPay:
    """Days from first message to payment, over the debtors who paid in the period.

    For each debtor with a payment in the period: the days from the day of their first message
    that left (ever, not only in the period) to the `paid_on` of their first payment in the
    period; debtors never messaged, or first messaged after that payment, are left out.
    `count` is how many debtors were counted; mean and median are None when none were.
    """

    count: int
    mean: float | None
    median: float | None

    @classmethod
    def of(cls, debtors_by_days: Mapping[int, int]) -> DaysToPay:
        """From how many debtors took how many days (negative days are left out)."""
        values = sorted(d for d, n in debtors_by_days.items() if d >= 0 for _ in range(n))
        if not values:
            return cls(0, None, None)
        return cls(len(values), statistics.fmean(values), float(statistics.median(values)))


@dataclass(frozen=True, slots=True)
class ResultsFigures:
    """Everything the Resultados screen shows for one period.

    Attributes:
        period: the days covered.
        recovered_cents: the sum of the payments whose `paid_on` is in the period.
        recovered_by_week: the same per ISO week ((ISO year, week), cents), weeks with none left
            out.
        overdue_recovered: numerator = payments in the period on debts overdue at its start;
            denominator = what those debts still owed at its start. A debt counts when it is
            not cancelled, fell due before the period's first day (`due_date < start`) and
            still owed something then: `amount_cents` minus its payments with `paid_on < start`
            is above zero (that balance is its share of the denominator).
        days_to_pay: see `DaysToPay`.
        response: denominator = debtors with a message that left in the period; numerator = those
            of them with an inbound message in the period at or after their first such message.
        identity_confirmed: denominator = (debtor, phone) pairs of conversations with a message
            that left in the period; numerator = those whose `debtor_phones.cpc_status` is
            `confirmed` now.
        paid_after_reminder: denominator = debtors sent a reminder in the period; numerator =
            those with a payment whose `paid_on` is a reminder's day or up to
            `PAYMENT_WINDOW_DAYS` later (the payment itself may fall after the period).
        funnel: see `Funnel`; `breakdowns` splits it by step, template, operator and segment.
        opted_out: denominator = phones (numbers) of conversations with a message that left in
            the period; numerator = those that opted out (`phones.opted_out_at`) in the period.
        wrong_party: same denominator; numerator = those of them that some debtor marked
            "não sou eu" (`debtor_phones.wrong_party_at`) in the period.
    """

    period: Period
    recovered_cents: int
    recovered_by_week: tuple[tuple[tuple[int, int], int], ...]
    overdue_recovered: Ratio
    days_to_pay: DaysToPay
    response: Ratio
    identity_confirmed: Ratio
    paid_after_reminder: Ratio
    funnel: Funnel
    breakdowns: Breakdowns
    opted_out: Ratio
    wrong_party: Ratio

    @property
    def opt_out_light(self) -> Light:
        return light(self.opted_out, OPT_OUT_LIMITS)

    @property
    def wrong_party_light(self) -> Light:
        return light(self.wrong_party, WRONG_PARTY_LIMITS)
