"""Stored day totals of the Resultados' funnel and the costs' counts (migration 0010).

A closed day — one whose reply and payment windows have passed (`CLOSED_AFTER_DAYS`) — is
counted once by the same queries as a live one (`results.funnel_rows_by_day`,
`costs.spend_counts_by_day`) and stored with a mark. A period then reads its stored days' rows
and counts only the other days live. A day is read only while its mark is there: the database's
triggers take the mark away when a message or a payment it depends on changes (see 0010), and
the next `store` counts it again, so stored and live counts are the same numbers.

`store` is the only writer. It takes the writers' lock before it reads, so no write can fall
between its count and its mark: on PostgreSQL an explicit lock on the marks (every write that
invalidates takes a conflicting one), on SQLite a first statement that writes (SQLite has one
writer at a time, and a read started before another's write could not write after it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from cobrador_desktop.domain.results import (
    NONE_KEY,
    PAYMENT_WINDOW_DAYS,
    REPLY_WINDOW_DAYS,
    Funnel,
    FunnelRow,
)
from cobrador_desktop.storage.orm import ResultsDayFunnel, ResultsDayMark, ResultsDaySpend
from cobrador_desktop.storage.repos import costs
from cobrador_desktop.storage.repos.results import Bounds, funnel_rows, funnel_rows_by_day

#: a day is stored once this many days have passed after it: its messages' replies (7 days) and
#: the payments that count for them (that day and 7 more) are in by then
CLOSED_AFTER_DAYS = max(PAYMENT_WINDOW_DAYS, REPLY_WINDOW_DAYS) + 1


def last_closed_day(today: date) -> date:
    """The last day that may be stored, as of the shop's `today`."""
    return today - timedelta(days=CLOSED_AFTER_DAYS)


def day_span(day: date, offset: int) -> tuple[datetime, datetime]:
    """A shop day as UTC instants [start, end), with the zone's offset in minutes."""
    start = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(minutes=offset)
    return start, start + timedelta(days=1)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _bounds(first: date, last: date, offset: int) -> Bounds:
    return Bounds(first, last, day_span(first, offset)[0], day_span(last, offset)[1], offset)


def stored_days(session: Session, first: date, last: date, offset: int) -> set[date]:
    """The days from `first` to `last` stored with this offset."""
    if last < first:
        return set()
    return set(session.scalars(select(ResultsDayMark.day).where(
        ResultsDayMark.day.between(first, last), ResultsDayMark.offset_minutes == offset)))


def missing_days(session: Session, first: date, last: date, offset: int) -> list[date]:
    """The days from `first` to `last` not stored with this offset."""
    have = stored_days(session, first, last, offset)
    return [day for day in _days(first, last) if day not in have] if first <= last else []


def store(session: Session, first: date, last: date, offset: int, now: datetime) -> int:
    """Count and store the days from `first` to `last` that are not stored; how many it stored.

    Call with closed days only (`last_closed_day`)."""
    if last < first:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE results_day_marks IN SHARE ROW EXCLUSIVE MODE"))
    # on SQLite this first write takes the one writer's lock (and drops other offsets' marks)
    session.execute(delete(ResultsDayMark).where(ResultsDayMark.day.between(first, last),
                                                 ResultsDayMark.offset_minutes != offset))
    missing = missing_days(session, first, last, offset)
    if not missing:
        return 0
    for table in (ResultsDayFunnel, ResultsDaySpend):
        session.execute(delete(table).where(table.day.in_(missing)))
    for run_first, run_last in _runs(missing):
        b = _bounds(run_first, run_last, offset)
        funnel = [dict(zip(("day", "step", "template", "operator", "segment", "sent",
                            "delivered", "read", "replied", "paid"), row, strict=True))
                  for row in funnel_rows_by_day(session, b)]
        spend = [{"day": day, "template": template or NONE_KEY,
                  "billed_category": billed or NONE_KEY, "billed_type": billed_type or NONE_KEY,
                  "window_open": int(inside), "messages": n}
                 for day, template, billed, billed_type, inside, n
                 in costs.spend_counts_by_day(session, b.start_at, b.end_at, offset)]
        if funnel:
            session.execute(insert(ResultsDayFunnel), funnel)
        if spend:
            session.execute(insert(ResultsDaySpend), spend)
    session.execute(insert(ResultsDayMark), [
        {"day": day, "offset_minutes": offset, "start_at": day_span(day, offset)[0],
         "end_at": day_span(day, offset)[1], "counted_at": now} for day in missing])
    return len(missing)


def funnel(session: Session, b: Bounds, last_stored: date) -> list[FunnelRow]:
    """`results.funnel_rows` for the period: its stored days (up to `last_stored`) from their
    rows, every other day counted live."""
    stored = stored_days(session, b.start, min(b.end, last_stored), b.offset_minutes)
    rows: list[FunnelRow] = []
    if stored:
        f = ResultsDayFunnel
        keys = (f.step, f.template, f.operator, f.segment)
        rows += [FunnelRow(step, template, operator, segment,
                           Funnel(int(s), int(d), int(r), int(rep), int(p)))
                 for step, template, operator, segment, s, d, r, rep, p in session.execute(
                     select(*keys, func.sum(f.sent), func.sum(f.delivered), func.sum(f.read),
                            func.sum(f.replied), func.sum(f.paid))
                     .where(f.day.in_(sorted(stored))).group_by(*keys))]
    for first, last in _runs(d for d in _days(b.start, b.end) if d not in stored):
        rows += funnel_rows(session, _bounds(first, last, b.offset_minutes))
    return rows


def spend_source(offset: int, last_stored: date) -> costs.StoredSpend:
    """What `costs.spend_by_template` reads stored days through, for spans of whole shop days in
    this offset (any other span is counted live)."""

    def read(session: Session, start: datetime, end: datetime, boundaries: Sequence[datetime]
             ) -> tuple[list[tuple[datetime, datetime]], list[tuple[datetime, costs.Counts]]]:
        first = (start + timedelta(minutes=offset)).date()
        last = (end + timedelta(minutes=offset)).date() - timedelta(days=1)
        if last < first or day_span(first, offset)[0] != start or day_span(last, offset)[1] != end:
            return [(start, end)], []
        # a day a price changes in is counted live (its messages are priced either side)
        whole = {day for day in _days(first, min(last, last_stored))
                 if not any(day_span(day, offset)[0] < at < day_span(day, offset)[1]
                            for at in boundaries)}
        stored = stored_days(session, first, last, offset) & whole
        kept: list[tuple[datetime, costs.Counts]] = []
        if stored:
            s = ResultsDaySpend
            for day, template, billed, billed_type, inside, n in session.execute(
                    select(s.day, s.template, s.billed_category, s.billed_type, s.window_open,
                           s.messages).where(s.day.in_(sorted(stored)))):
                kept.append((day_span(day, offset)[0],
                             (template or None, None, billed or None, billed_type or None,
                              bool(inside), 0, int(n))))
        spans = [(day_span(a, offset)[0], day_span(z, offset)[1])
                 for a, z in _runs(d for d in _days(first, last) if d not in stored)]
        return spans, kept

    return read
