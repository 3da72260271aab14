"""The debtor list: keyset pages in four orders, and the per-debtor summary of open debts.

Pages never use OFFSET: each order walks one index of `debtors` (name_key,id / open_cents,id /
oldest_open_due,id / next_due,id) from the last row seen, so page 500 costs what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import Cursor, DebtorPage, DebtorRow, DebtorSort
from cobrador_desktop.storage.orm import Debt, Debtor, DebtorPhone, Operator, Phone

#: debt statuses that still count as owed
OPEN_STATUSES = ("open", "disputed")
#: how many ids go into one `IN (...)` list (SQLite's old variable limit is 999)
_CHUNK = 500


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
            Debtor.name_key,
        )
        .outerjoin(Operator, Operator.id == Debtor.assigned_operator_id)
    )


def _row(r: Any) -> DebtorRow:
    return DebtorRow(
        id=r.id, name=r.name, document=r.document, document_type=r.document_type,
        phone_e164=r.phone_e164, open_cents=r.open_cents, open_debts=r.open_debts,
        oldest_open_due=r.oldest_open_due, next_due=r.next_due,
        last_contact_at=r.last_contact_at, operator_name=r.operator_name,
        opted_out=bool(r.opted_out),
    )


def list_page(session: Session, *, sort: DebtorSort, after: Cursor | None,
              limit: int) -> DebtorPage:
    """One page of the debtor list in `sort` order, starting after the cursor `after`.

    Args:
        session: the worker thread's session.
        sort: the order.
        after: `next_after` of the previous page, or None for the first page.
        limit: at most this many rows.

    Returns:
        The rows, and the cursor for the next page (None when this page reached the end).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    sort = DebtorSort(sort)
    if sort is DebtorSort.NAME:
        rows = _simple(session, _SORT_COLUMN[sort], ascending=True, after=after, limit=limit + 1)
    elif sort is DebtorSort.OPEN_AMOUNT:
        rows = _simple(session, _SORT_COLUMN[sort], ascending=False, after=after, limit=limit + 1)
    else:
        rows = _dates_then_nulls(session, _SORT_COLUMN[sort], after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = (getattr(rows[-1], _SORT_COLUMN[sort].key), rows[-1].id) if more else None
    return DebtorPage(rows=tuple(_row(r) for r in rows), next_after=next_after)


def _simple(session: Session, column: Any, *, ascending: bool, after: Cursor | None,
            limit: int) -> list[Any]:
    """Keyset over a NOT NULL column and id, both ascending or both descending."""
    stmt = _base()
    if after is not None:
        value, last_id = after
        cursor_cmp = (tuple_(column, Debtor.id) > tuple_(value, last_id) if ascending
                      else tuple_(column, Debtor.id) < tuple_(value, last_id))
        stmt = stmt.where(cursor_cmp)
    order = (column, Debtor.id) if ascending else (column.desc(), Debtor.id.desc())
    return list(session.execute(stmt.order_by(*order).limit(limit)).all())


def _dates_then_nulls(session: Session, column: Any, *, after: Cursor | None,
                      limit: int) -> list[Any]:
    """Keyset over a nullable date: dated rows by (date, id), then undated rows by id.

    SQLite sorts NULL first and PostgreSQL last, so the two parts are read separately, each
    walking the same (column, id) index, and the order is the same on both.
    """
    rows: list[Any] = []
    if after is None or after[0] is not None:
        stmt = _base().where(column.is_not(None))
        if after is not None:
            stmt = stmt.where(tuple_(column, Debtor.id) > tuple_(after[0], after[1]))
        rows = list(session.execute(stmt.order_by(column, Debtor.id).limit(limit)).all())
        if len(rows) == limit:
            return rows
        after = None
    stmt = _base().where(column.is_(None))
    if after is not None:
        stmt = stmt.where(Debtor.id > after[1])
    stmt = stmt.order_by(column, Debtor.id).limit(limit - len(rows))
    rows.extend(session.execute(stmt).all())
    return rows


def count_all(session: Session) -> int:
    """How many debtors there are."""
    return int(session.execute(select(func.count()).select_from(Debtor)).scalar_one())


def refresh_summaries(session: Session, debtor_ids: Sequence[int] | None, today: date) -> None:
    """Recompute open_cents, open_debts, oldest_open_due and next_due from the debts.

    Open and disputed debts count as owed, minus what was already paid on them. `next_due` is the
    nearest open due date on or after `today`. Set-based: one pass over the debts aggregates every
    debtor, and only rows whose summary changed are written, so all 100k debtors take seconds.

    Args:
        session: the worker thread's session.
        debtor_ids: the debtors whose debts changed, or None for everyone.
        today: the shop's current date.
    """
    if debtor_ids is None:
        _refresh(session, today, None)
        return
    ids = sorted(set(debtor_ids))
    for start in range(0, len(ids), _CHUNK):
        _refresh(session, today, ids[start:start + _CHUNK])


def _refresh(session: Session, today: date, ids: list[int] | None) -> None:
    owed = Debt.status.in_(OPEN_STATUSES)
    remaining = case((Debt.amount_cents > Debt.paid_cents, Debt.amount_cents - Debt.paid_cents),
                     else_=0)
    agg = select(
        Debt.debtor_id.label("debtor_id"),
        func.sum(remaining).label("open_cents"),
        func.count().label("open_debts"),
        func.min(Debt.due_date).label("oldest_open_due"),
        func.min(case((Debt.due_date >= today, Debt.due_date))).label("next_due"),
    ).where(owed).group_by(Debt.debtor_id)
    if ids is not None:
        agg = agg.where(Debt.debtor_id.in_(ids))
    totals = agg.subquery("totals")
    # a recomputed summary is not an edit of the debtor: keep updated_at as it was
    keep = {"updated_at": Debtor.updated_at}

    # 1. debtors that owe something: UPDATE … FROM the aggregate, only where a value changed
    session.execute(
        update(Debtor)
        .where(Debtor.id == totals.c.debtor_id)
        .where(or_(
            Debtor.open_cents != totals.c.open_cents,
            Debtor.open_debts != totals.c.open_debts,
            Debtor.oldest_open_due.is_distinct_from(totals.c.oldest_open_due),
            Debtor.next_due.is_distinct_from(totals.c.next_due),
        ))
        .values(open_cents=totals.c.open_cents, open_debts=totals.c.open_debts,
                oldest_open_due=totals.c.oldest_open_due, next_due=totals.c.next_due, **keep)
        .execution_options(synchronize_session=False))

    # 2. debtors that owe nothing (any more) but still show a summary
    owes = select(Debt.id).where(Debt.debtor_id == Debtor.id, owed).correlate(Debtor).exists()
    clear = (
        update(Debtor)
        .where(~owes)
        .where(or_(Debtor.open_cents != 0, Debtor.open_debts != 0,
                   Debtor.oldest_open_due.is_not(None), Debtor.next_due.is_not(None)))
        .values(open_cents=0, open_debts=0, oldest_open_due=None, next_due=None, **keep)
        .execution_options(synchronize_session=False))
    if ids is not None:
        clear = clear.where(Debtor.id.in_(ids))
    session.execute(clear)
