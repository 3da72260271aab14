"""The debtor list: keyset pages in four orders, narrowed by a search, a quick filter and a segment.

Pages never use OFFSET: each order walks one index of `debtors` (name_key,id / open_cents,id /
oldest_open_due,id / next_due,id) from the last row seen, so page 500 costs what page 1 costs.
What narrows the list is in `debtor_search`; the summary columns it reads are kept by
`refresh_summaries` (`debtor_summaries`), re-exported here.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Integer, Select, bindparam, func, select, tuple_
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import (
    Cursor,
    DebtorCounts,
    DebtorPage,
    DebtorQuery,
    DebtorRow,
    DebtorSort,
)
from cobrador_desktop.storage.orm import Debtor, DebtorPhone, Operator, Phone
from cobrador_desktop.storage.repos.debtor_search import (
    Shape,
    conditions,
    count_filters,
    count_matching,
    criteria,
)
from cobrador_desktop.storage.repos.debtor_summaries import OPEN_STATUSES, refresh_summaries

__all__ = ["OPEN_STATUSES", "DebtorCounts", "count_all", "count_filters", "count_matching",
           "list_page", "refresh_summaries"]


#: the debtors column each order walks (with id as the tie-breaker)
_SORT_COLUMN: dict[DebtorSort, Any] = {
    DebtorSort.NAME: Debtor.name_key,
    DebtorSort.OPEN_AMOUNT: Debtor.open_cents,
    DebtorSort.OLDEST_DUE: Debtor.oldest_open_due,
    DebtorSort.NEXT_DUE: Debtor.next_due,
}


def _primary_phone() -> Any:
    """The debtor's first own phone, preferring numbers not marked wrong party."""
    return (
        select(Phone.e164)
        .join(DebtorPhone, DebtorPhone.phone_id == Phone.id)
        .where(DebtorPhone.debtor_id == Debtor.id, DebtorPhone.role == "own")
        .order_by(DebtorPhone.wrong_party, DebtorPhone.position, DebtorPhone.id)
        .limit(1)
        .correlate(Debtor)
        .scalar_subquery()
    )


def _base() -> Select[Any]:
    return (
        select(
            Debtor.id, Debtor.name, Debtor.document, Debtor.document_type,
            _primary_phone().label("phone_e164"),
            Debtor.open_cents, Debtor.open_debts, Debtor.oldest_open_due, Debtor.next_due,
            Debtor.last_contact_at, Operator.name.label("operator_name"), Debtor.opted_out,
            Debtor.name_key, Debtor.segment, Debtor.reach, Debtor.in_agreement,
        )
        .outerjoin(Operator, Operator.id == Debtor.assigned_operator_id)
    )


def _row(r: Any) -> DebtorRow:
    return DebtorRow(
        id=r.id, name=r.name, document=r.document, document_type=r.document_type,
        phone_e164=r.phone_e164, open_cents=r.open_cents, open_debts=r.open_debts,
        oldest_open_due=r.oldest_open_due, next_due=r.next_due,
        last_contact_at=r.last_contact_at, operator_name=r.operator_name,
        opted_out=bool(r.opted_out), segment=r.segment, reach=r.reach,
        in_agreement=bool(r.in_agreement),
    )


def list_page(session: Session, *, sort: DebtorSort, after: Cursor | None, limit: int,
              query: DebtorQuery | None = None, today: date | None = None) -> DebtorPage:
    """One page of the debtor list in `sort` order, starting after the cursor `after`.

    This is also the search: `query.text` finds debtors by any part of the name (accents and
    case ignored), CPF/CNPJ digits (masked or not), phone in any writing, or debt description.

    Args:
        session: the worker thread's session.
        sort: the order.
        after: `next_after` of the previous page, or None for the first page.
        limit: at most this many rows.
        query: search text, quick filter and segment (None: everyone).
        today: the shop's date, needed by the date filters.

    Returns:
        The rows, and the cursor for the next page (None when this page reached the end).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    sort = DebtorSort(sort)
    found = criteria(session, query, today)
    # Core execution of statements built once per shape: the ORM layer and building a SELECT
    # anew cost more than the query itself on a narrow search
    connection = session.connection()
    params = dict(found.params, limit=limit + 1)
    if sort in (DebtorSort.NAME, DebtorSort.OPEN_AMOUNT):
        if after is not None:
            params.update(after_value=after[0], after_id=after[1])
        stmt = _page_statement(found.shape, sort, "all", after is not None)
        rows = list(connection.execute(stmt, params))
    else:
        rows = _dates_then_nulls(connection, found.shape, sort, after, params)
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = (getattr(rows[-1], _SORT_COLUMN[sort].key), rows[-1].id) if more else None
    return DebtorPage(rows=tuple(_row(r) for r in rows), next_after=next_after)


def _dates_then_nulls(connection: Connection, shape: Shape, sort: DebtorSort,
                      after: Cursor | None, params: dict[str, Any]) -> list[Any]:
    """Keyset over a nullable date: dated rows by (date, id), then undated rows by id.

    SQLite sorts NULL first and PostgreSQL last, so the two parts are read separately, each
    walking the same (column, id) index, and the order is the same on both.
    """
    rows: list[Any] = []
    limit = params["limit"]
    if after is None or after[0] is not None:
        if after is not None:
            params = dict(params, after_value=after[0], after_id=after[1])
        stmt = _page_statement(shape, sort, "dated", after is not None)
        rows = list(connection.execute(stmt, params))
        if len(rows) == limit:
            return rows
        after = None
    params = dict(params, limit=limit - len(rows))
    if after is not None:
        params["after_id"] = after[1]
    stmt = _page_statement(shape, sort, "undated", after is not None)
    rows.extend(connection.execute(stmt, params))
    return rows


@lru_cache(maxsize=512)
def _page_statement(shape: Shape, sort: DebtorSort, part: str, has_after: bool) -> Select[Any]:
    """The page query of one shape, order and part ("all", or a date order's "dated" and
    "undated" rows), with the cursor and the limit as bind parameters."""
    column = _SORT_COLUMN[sort]
    stmt = _base().where(*conditions(shape))
    after_value = bindparam("after_value", type_=column.type)
    after_id = bindparam("after_id", type_=Integer)
    if part == "all":
        ascending = sort is DebtorSort.NAME
        if has_after:
            stmt = stmt.where(tuple_(column, Debtor.id) > tuple_(after_value, after_id)
                              if ascending else
                              tuple_(column, Debtor.id) < tuple_(after_value, after_id))
        order = (column, Debtor.id) if ascending else (column.desc(), Debtor.id.desc())
    elif part == "dated":
        stmt = stmt.where(column.is_not(None))
        if has_after:
            stmt = stmt.where(tuple_(column, Debtor.id) > tuple_(after_value, after_id))
        order = (column, Debtor.id)
    else:
        stmt = stmt.where(column.is_(None))
        if has_after:
            stmt = stmt.where(Debtor.id > after_id)
        order = (column, Debtor.id)
    return stmt.order_by(*order).limit(bindparam("limit", type_=Integer))


def count_all(session: Session) -> int:
    """How many debtors there are."""
    return int(session.execute(select(func.count()).select_from(Debtor)).scalar_one())
