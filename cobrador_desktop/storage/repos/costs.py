"""What the messages sent cost, priced by `domain.pricing`, and what came in meanwhile.

The database counts, Python prices: one grouped query counts the delivered outbound messages of a
span by template, what Meta's status webhooks said they billed (`message_events.pricing_category`
/ `pricing_type`), whether the conversation's 24 h window was open when each was sent (an inbound
message in the 24 h up to it), and which price period of the table each falls in (a CASE over the
days a price changes); the template's category is read once per template. The billed prices and
the window are facts the database keeps on each message (migration 0009), so the query is one
pass over `ix_messages_out_facts`. Each group is then priced once.
Meta charges delivered messages, so a message counts when its status is `delivered` or `read`;
its instant is `messages.created_at`, when it was written to the outbox.

The owner's table lives in the `settings` row `domain.pricing.PRICE_TABLE` (audited on change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    case,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from cobrador_desktop.domain.pricing import (
    PRICE_TABLE,
    Category,
    PriceTable,
    charge_for,
    message_category,
    micros_to_cents,
)
from cobrador_desktop.storage.orm import Message, Payment, Template
from cobrador_desktop.storage.repos.results import shop_day
from cobrador_desktop.storage.repos.settings import read_json_setting, write_json_setting

#: the outbound statuses Meta charges (a read message was delivered)
CHARGED_STATUSES = ("delivered", "read")


@dataclass(frozen=True, slots=True)
class TemplateSpend:
    """What one template (None: free-form messages) cost over a span, in micros of reais."""

    template: str | None
    category: Category
    messages: int
    brl_micros: int

    @property
    def cents(self) -> int:
        return micros_to_cents(self.brl_micros)


def read_table(session: Session) -> PriceTable:
    """The owner's price table, or the shipped one when never edited."""
    return read_json_setting(session, PRICE_TABLE)


def write_table(session: Session, table: object, *, operator_id: int | None,
                now: datetime) -> PriceTable:
    """Save the price table (checked by `domain.pricing.check_table`), audited.

    Raises:
        InvalidInput: a row or the rate is refused (in pt-BR); nothing is stored.
    """
    return write_json_setting(session, PRICE_TABLE, table, operator_id=operator_id, now=now)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


#: one group of delivered messages: (template, its category, billed category, billed type,
#: window open, price period index, count)
Counts = tuple[str | None, str | None, str | None, str | None, bool, int, int]


def _categories(session: Session) -> dict[str | None, str | None]:
    """Each template's category, read once per template rather than once per message."""
    return {name: category for name, category in session.execute(
        select(Template.name, func.max(Template.category)).group_by(Template.name))}


def _grouped(session: Session, start: datetime, end: datetime, changes: Sequence[datetime],
             day_offset: int | None) -> list[tuple[Any, ...]]:
    """(shop day when `day_offset` is given, template, billed, billed type, inside, period,
    count) of the delivered outbound messages from `start` to before `end`."""
    period = case(*[(Message.created_at < at, i) for i, at in enumerate(changes)],
                  else_=len(changes)) if changes else literal(0)
    inside = case((Message.window_open.is_(True), 1), else_=0)
    day = (() if day_offset is None
           else (shop_day(session, Message.created_at, day_offset),))
    columns = (*day, Message.template_name, Message.billed_category, Message.billed_type,
               inside, period)
    return [tuple(row) for row in session.execute(
        select(*columns, func.count())
        .where(Message.direction == "out", Message.status.in_(CHARGED_STATUSES),
               Message.created_at >= start, Message.created_at < end)
        .group_by(*columns))]


def spend_counts_by_day(session: Session, start: datetime, end: datetime, offset: int
                        ) -> list[tuple[date, str | None, str | None, str | None, bool, int]]:
    """(shop day, template, billed category, billed type, window open, count) of the delivered
    outbound messages from `start` to before `end`, for `results_days` to store."""
    return [(day if isinstance(day, date) else date.fromisoformat(str(day)), t, b, bt,
             bool(inside), int(n))
            for day, t, b, bt, inside, _, n in _grouped(session, start, end, (), offset)]


def _priced(counts: Iterable[Counts], starts: Sequence[datetime], table: PriceTable
            ) -> tuple[TemplateSpend, ...]:
    found: dict[tuple[str | None, Category], list[int]] = {}
    for template, category_name, billed, billed_type, inside, period, count in counts:
        category = message_category(template, category_name, billed)
        price = charge_for(category, starts[period], inside, billed_type, table)
        totals = found.setdefault((template, category), [0, 0])
        totals[0] += count
        totals[1] += count * price.brl_micros(table.usd_brl_e4)
    spent = (TemplateSpend(template, category, n, micros)
             for (template, category), (n, micros) in found.items())
    return tuple(sorted(spent, key=lambda s: (-s.brl_micros, s.template or "", s.category)))


#: reads stored days (`results_days.spend_source`): (session, start, end, the instants prices
#: change) -> (the spans still to count live, [(a stored day's start, its counts)])
StoredSpend = Callable[[Session, datetime, datetime, Sequence[datetime]],
                       tuple[list[tuple[datetime, datetime]], list[tuple[datetime, Counts]]]]


def spend_by_template(session: Session, start: datetime, end: datetime,
                      table: PriceTable | None = None, stored: StoredSpend | None = None,
                      ) -> tuple[TemplateSpend, ...]:
    """What each template cost for messages sent from `start` to before `end` (aware instants),
    at `table`'s prices (the saved table when None), most expensive first.

    `stored`, when given, supplies the counts of the days it has stored (`results_days`) as
    (the spans still to count, [(a stored day's start, its counts)])."""
    table = table if table is not None else read_table(session)
    boundaries = list(map(_day_start, table.boundaries()))
    spans, kept = (stored(session, start, end, boundaries) if stored is not None
                   else ([(start, end)], []))
    categories = _categories(session)
    # each group's price period is an index into `starts_all`: a live span's own periods, or a
    # stored day's start (no price changes inside a stored day)
    counts: list[Counts] = []
    starts_all: list[datetime] = []
    for span_start, span_end in spans:
        changes = [at for at in boundaries if span_start < at < span_end]
        first = len(starts_all)
        starts_all += [span_start, *changes]
        counts += [(t, categories.get(t), b, bt, bool(inside), first + p, n)
                   for t, b, bt, inside, p, n in _grouped(session, span_start, span_end,
                                                          changes, None)]
    for day_start, (t, _, b, bt, inside, _, n) in kept:
        counts.append((t, categories.get(t), b, bt, inside, len(starts_all), n))
        starts_all.append(day_start)
    return _priced(counts, starts_all, table)


def recovered_cents(session: Session, first: date, last: date) -> int:
    """The payments recorded as paid from `first` to `last` (days, both included)."""
    total = session.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.paid_on >= first, Payment.paid_on <= last))
    return int(total or 0)
