"""What narrows the debtor list: the search box, the quick filters and the segments, and their counts.

One search, two engines behind the same conditions on `debtors`:

- SQLite: `debtors.id IN (SELECT rowid FROM debtor_search WHERE debtor_search MATCH …)` over the
  FTS5 `trigram` index of `search_text` (migration 0003), every term a quoted phrase;
- PostgreSQL: `search_text LIKE '%term%'` for every term, answered by the `pg_trgm` GIN index.

Terms shorter than 3 characters cannot be looked up in a trigram index: they only filter what the
longer terms found (`LIKE` on `search_text`), and a query made of short terms only matches names
that start with it (`name_key`), on the name index.

SQLite plans the FTS lookup first and sorts what it found. That is right for a narrow search and
slow for a broad one (a 3-letter fragment of a common name finds 15% of 100k debtors). So a search
first counts its matches up to `_NARROW`; a broader one walks the sort order's index instead,
testing each debtor against the FTS result, and stops at the end of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    distinct,
    func,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import (
    DebtorCounts,
    DebtorFilter,
    DebtorQuery,
    Reach,
    Segment,
)
from cobrador_desktop.domain.search import fts5_phrase, like_pattern, parse_query
from cobrador_desktop.storage.orm import Debtor, Promise
from cobrador_desktop.storage.repos.debtor_summaries import FTS_TABLE

#: "vence em 7 dias": the next due date is today or within this many days
DUE_SOON_DAYS = 7
#: up to this many FTS matches the search drives the query; beyond it the sort index does
_NARROW = 500
_ESCAPE = "\\"
#: debtors with a promise to pay still open
_OPEN_PROMISE_DEBTORS = select(Promise.debtor_id).where(Promise.status == "open")


@dataclass(frozen=True)
class Shape:
    """What a query's SQL looks like, without its values: statements are built once per shape.

    Attributes:
        filter: the quick filter, if any.
        segment: a segment is chosen.
        text: how the search runs: "" (no search), "prefix" (short query: start of the name),
            "fts" (SQLite FTS5) or "like" (PostgreSQL pg_trgm).
        terms: "fts": how many short terms narrow the FTS matches; "like": how many terms.
        sqlite: the database is SQLite.
        walk_sort_index: SQLite should walk the sort order's index (a broad search).
    """

    filter: DebtorFilter | None = None
    segment: bool = False
    text: str = ""
    terms: int = 0
    sqlite: bool = True
    walk_sort_index: bool = False

    @property
    def fts_only(self) -> bool:
        """The query is only an FTS search (its count can be read off the FTS table)."""
        return self.text == "fts" and not self.terms and not self.segment and self.filter is None


@dataclass
class Criteria:
    """A `DebtorQuery` ready to run: its shape, and the values of the shape's parameters."""

    shape: Shape
    params: dict[str, Any] = field(default_factory=dict)


_NARROW_CHECK = text(f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
                     f"WHERE {FTS_TABLE} MATCH :fts_match LIMIT :narrow_limit)")
_FTS_COUNT = text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_match")


def criteria(session: Session, query: DebtorQuery | None, today: date | None) -> Criteria:
    """Turn a `DebtorQuery` into a shape and its parameter values (see the module docstring).

    Args:
        session: the worker thread's session (the search may look at the FTS table first).
        query: what to show; None for everyone.
        today: the shop's date; needed by the date filters.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    if query is None:
        return Criteria(Shape(sqlite=sqlite))
    params: dict[str, Any] = {}
    which = None if query.filter is None else DebtorFilter(query.filter)
    if which in (DebtorFilter.OVERDUE, DebtorFilter.DUE_SOON):
        if today is None:
            raise ValueError(f"the {which} filter needs today's date")
        params["f_today"] = today
        params["f_soon"] = today + timedelta(days=DUE_SOON_DAYS)
    if query.segment is not None:
        params["f_segment"] = Segment(query.segment).value
    parsed = parse_query(query.text)
    mode, terms, walk = "", 0, False
    if parsed.name_prefix:
        mode = "prefix"
        prefix = parsed.name_prefix
        params["prefix_like"] = like_pattern(prefix, prefix=True)
        params["prefix_low"] = prefix
        params["prefix_high"] = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    elif not parsed.is_empty and not sqlite:
        mode, terms = "like", len(parsed.terms)
        params.update({f"term_{i}": like_pattern(t) for i, t in enumerate(parsed.terms)})
    elif not parsed.is_empty:
        mode, terms = "fts", len(parsed.short_terms)
        params["fts_match"] = " AND ".join(fts5_phrase(t) for t in parsed.indexed_terms)
        params.update({f"term_{i}": like_pattern(t) for i, t in enumerate(parsed.short_terms)})
        narrow = session.execute(_NARROW_CHECK, {"fts_match": params["fts_match"],
                                                 "narrow_limit": _NARROW + 1}).scalar_one()
        walk = narrow > _NARROW
    shape = Shape(filter=which, segment=query.segment is not None, text=mode, terms=terms,
                  sqlite=sqlite, walk_sort_index=walk)
    return Criteria(shape, params)


@lru_cache(maxsize=256)
def conditions(shape: Shape) -> tuple[ColumnElement[bool], ...]:
    """The WHERE conditions of a shape, with bind parameters named as `criteria` fills them."""
    where: list[ColumnElement[bool]] = []
    if shape.filter is not None:
        where.append(_filter_condition(shape.filter))
    if shape.segment:
        where.append(Debtor.segment == bindparam("f_segment"))
    if shape.text == "prefix":
        where.append(Debtor.name_key.like(bindparam("prefix_like"), escape=_ESCAPE))
        if shape.sqlite:
            # the same as the LIKE, but as a range SQLite can read off the name index
            where.append(and_(Debtor.name_key >= bindparam("prefix_low"),
                              Debtor.name_key < bindparam("prefix_high")))
    elif shape.text == "fts":
        matches = select(column("rowid", Integer)).select_from(text(FTS_TABLE)).where(
            text(f"{FTS_TABLE} MATCH :fts_match"))
        # a broad search must not drive the plan: `id + 0` keeps SQLite off the rowid lookups
        # and on the sort order's index, which it then walks to the end of the page
        where.append((Debtor.id + 0 if shape.walk_sort_index else Debtor.id).in_(matches))
    if shape.text in ("fts", "like"):
        where.extend(Debtor.search_text.like(bindparam(f"term_{i}"), escape=_ESCAPE)
                     for i in range(shape.terms))
    return tuple(where)


def _filter_condition(which: DebtorFilter) -> ColumnElement[bool]:
    if which is DebtorFilter.OVERDUE:
        return Debtor.oldest_open_due < bindparam("f_today", type_=Date)
    if which is DebtorFilter.DUE_SOON:
        return Debtor.next_due.between(bindparam("f_today", type_=Date),
                                       bindparam("f_soon", type_=Date))
    if which is DebtorFilter.AGREEMENT:
        return Debtor.in_agreement == true()
    if which is DebtorFilter.PROMISE:
        # open promises are few next to debtors: read off the (status, due_date) index
        return Debtor.id.in_(_OPEN_PROMISE_DEBTORS)
    if which is DebtorFilter.NO_WHATSAPP:
        return Debtor.reach == Reach.NO_WHATSAPP.value
    return Debtor.reach == Reach.BLOCKED.value


@lru_cache(maxsize=256)
def _count_statement(shape: Shape) -> Select[Any]:
    return select(func.count()).select_from(Debtor).where(*conditions(shape))


def count_matching(session: Session, query: DebtorQuery | None, today: date | None) -> int:
    """How many debtors the list shows for `query` (all of them for None)."""
    found = criteria(session, query, today)
    if found.shape.fts_only:
        return int(session.execute(_FTS_COUNT, found.params).scalar_one())
    # a count visits every match: the FTS result drives it (walking a filter's index instead,
    # as a broad page does, reads most of the list: 11 ms instead of 2 ms at 100k debtors)
    shape = replace(found.shape, walk_sort_index=False)
    return int(session.execute(_count_statement(shape), found.params).scalar_one())


def count_filters(session: Session, today: date) -> DebtorCounts:
    """How many debtors each quick filter and each segment holds, over the whole list.

    Four index-only reads (about 30 ms at 100k debtors): the flags index grouped, two date
    ranges, and the open promises. Counts ignore the search box and each other.
    """
    segments = dict.fromkeys(Segment, 0)
    filters = dict.fromkeys(DebtorFilter, 0)
    total = 0
    for segment, reach, in_agreement, n in session.execute(
            select(Debtor.segment, Debtor.reach, Debtor.in_agreement, func.count())
            .group_by(Debtor.segment, Debtor.reach, Debtor.in_agreement)):
        total += n
        if segment in Segment.__members__.values():
            segments[Segment(segment)] += n
        if reach == Reach.NO_WHATSAPP:
            filters[DebtorFilter.NO_WHATSAPP] += n
        elif reach == Reach.BLOCKED:
            filters[DebtorFilter.DO_NOT_CONTACT] += n
        if in_agreement:
            filters[DebtorFilter.AGREEMENT] += n
    dates = {"f_today": today, "f_soon": today + timedelta(days=DUE_SOON_DAYS)}
    for which in (DebtorFilter.OVERDUE, DebtorFilter.DUE_SOON):
        filters[which] = int(session.execute(
            _count_statement(Shape(filter=which)), dates).scalar_one())
    filters[DebtorFilter.PROMISE] = int(session.execute(
        select(func.count(distinct(Promise.debtor_id))).where(Promise.status == "open"))
        .scalar_one())
    return DebtorCounts(total=total, filters=filters, segments=segments)


