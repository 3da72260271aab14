"""Promises to pay: recorded, kept by payments, broken by the calendar, cancelled with a reason.

Every change is audited on the debtor (so the debtor's timeline shows it). `keep_promises` runs
inside the payment's transaction; `settle_promises` is what the daily job (and opening a debtor)
runs: it reads only open promises whose date has passed, through the (status, due_date) index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import (
    DebtorAnonymised,
    DebtorNotFound,
    NothingOpen,
    PromiseNotOpen,
)
from cobrador_desktop.domain.promises import (
    BROKEN,
    CANCELLED,
    KEPT,
    OPEN,
    is_kept,
    validate_promise,
)
from cobrador_desktop.domain.records import PromiseRecord, PromiseRequest
from cobrador_desktop.storage.orm import Debt, Debtor, Operator, Payment, Promise
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.agreements import is_agreement_credit

CREATE_ACTION = "promise.create"
KEPT_ACTION = "promise.kept"
BROKEN_ACTION = "promise.broken"
CANCEL_ACTION = "promise.cancel"
ACTIONS = (CREATE_ACTION, KEPT_ACTION, BROKEN_ACTION, CANCEL_ACTION)
#: debt statuses whose balance a promise may cover
_OPEN_DEBTS = ("open", "disputed")

_LIST = (
    select(Promise.id, Promise.debtor_id, Promise.debt_id, Promise.amount_cents,
           Promise.due_date, Promise.status, Promise.channel, Promise.note,
           Promise.created_at, Promise.resolved_at, Operator.name.label("creator"))
    .outerjoin(Operator, Operator.id == Promise.created_by)
    .where(Promise.debtor_id == bindparam("debtor_id"))
    .order_by(Promise.created_at.desc(), Promise.id.desc())
)


def list_promises(session: Session, debtor_id: int) -> tuple[PromiseRecord, ...]:
    """The debtor's promises, newest first."""
    rows = session.connection().execute(_LIST, {"debtor_id": debtor_id}).all()
    return tuple(PromiseRecord(
        id=r.id, debtor_id=r.debtor_id, debt_id=r.debt_id, amount_cents=r.amount_cents,
        due_date=r.due_date, status=r.status, channel=r.channel, note=r.note,
        created_by_name=r.creator, created_at=r.created_at, resolved_at=r.resolved_at)
        for r in rows)


def create_promise(session: Session, request: PromiseRequest, *, operator_id: int | None,
                   now: datetime, today: date) -> int:
    """Record a promise (checked again against what is open now) and return its id.

    Raises:
        DebtorNotFound, DebtorAnonymised: no such debtor, or their data is gone.
        NothingOpen: the chosen debt is not the debtor's or has nothing open.
        PromiseAmountNotPositive, PromiseTooLarge, PromiseDateOutOfRange: see
            `domain.promises.validate_promise`.
    """
    row = session.execute(select(Debtor.anonymised_at).where(Debtor.id == request.debtor_id)
                          .with_for_update()).first()
    if row is None:
        raise DebtorNotFound(debtor_id=request.debtor_id)
    if row.anonymised_at is not None:
        raise DebtorAnonymised()
    balance_stmt = select(func.coalesce(func.sum(Debt.amount_cents - Debt.paid_cents), 0)).where(
        Debt.debtor_id == request.debtor_id, Debt.status.in_(_OPEN_DEBTS))
    if request.debt_id is not None:
        balance_stmt = balance_stmt.where(Debt.id == request.debt_id)
    balance = int(session.execute(balance_stmt).scalar_one())
    if balance <= 0:
        raise NothingOpen()
    request = validate_promise(request, today, balance)
    promise = Promise(debtor_id=request.debtor_id, debt_id=request.debt_id,
                      amount_cents=request.amount_cents, due_date=request.due_date,
                      status=OPEN, channel=request.channel, note=request.note,
                      created_by=operator_id, created_at=now)
    session.add(promise)
    session.flush()
    audit.append(session, action=CREATE_ACTION, operator_id=operator_id, object_type="debtor",
                 object_id=request.debtor_id, now=now, details={
                     "promise_id": promise.id, "amount_cents": request.amount_cents,
                     "due_date": request.due_date.isoformat(), "debt_id": request.debt_id,
                     "channel": request.channel, "with_note": request.note is not None})
    return promise.id


def cancel_promise(session: Session, promise_id: int, reason: str, *, operator_id: int | None,
                   now: datetime) -> int:
    """Cancel an open promise; the reason joins its note. Returns the debtor's id.

    Raises:
        PromiseNotOpen: no such promise, or it is no longer open.
    """
    row = session.execute(select(Promise.debtor_id, Promise.status, Promise.note,
                                 Promise.amount_cents, Promise.due_date)
                          .where(Promise.id == promise_id).with_for_update()).first()
    if row is None or row.status != OPEN:
        raise PromiseNotOpen()
    note = f"{row.note}\n" if row.note else ""
    session.execute(update(Promise).where(Promise.id == promise_id).values(
        status=CANCELLED, resolved_at=now, note=f"{note}Cancelada: {reason}"))
    # the reason's words may be personal data: the audit log (never edited) keeps no copy
    audit.append(session, action=CANCEL_ACTION, operator_id=operator_id, object_type="debtor",
                 object_id=row.debtor_id, now=now, details={
                     "promise_id": promise_id, "amount_cents": row.amount_cents,
                     "due_date": row.due_date.isoformat()})
    return int(row.debtor_id)


def _paid_since(session: Session, promise: Any) -> int:
    """What was paid toward `promise` since it was made, dated up to its date.

    An undone agreement's receipts moved to the debts it replaced are no new money: the
    instalments' own payments already count them.
    """
    stmt = (select(func.coalesce(func.sum(Payment.amount_cents), 0))
            .join(Debt, Debt.id == Payment.debt_id)
            .where(Debt.debtor_id == promise.debtor_id,
                   Payment.created_at >= promise.created_at,
                   Payment.paid_on <= promise.due_date, ~is_agreement_credit()))
    if promise.debt_id is not None:
        stmt = stmt.where(Payment.debt_id == promise.debt_id)
    return int(session.execute(stmt).scalar_one())


def _resolve(session: Session, promises: Sequence[Any], status: str, now: datetime,
             action: str) -> None:
    for p in promises:
        session.execute(update(Promise).where(Promise.id == p.id, Promise.status == OPEN)
                        .values(status=status, resolved_at=now))
        audit.append(session, action=action, operator_id=None, object_type="debtor",
                     object_id=p.debtor_id, now=now, details={
                         "promise_id": p.id, "amount_cents": p.amount_cents,
                         "due_date": p.due_date.isoformat()})


_OPEN_COLUMNS = (Promise.id, Promise.debtor_id, Promise.debt_id, Promise.amount_cents,
                 Promise.due_date, Promise.created_at)


def keep_promises(session: Session, debtor_id: int, *, now: datetime) -> tuple[int, ...]:
    """Mark kept the debtor's open promises that the payments so far fulfil (after a payment).

    Returns:
        The ids of the promises now kept.
    """
    open_ones = session.execute(select(*_OPEN_COLUMNS).where(
        Promise.debtor_id == debtor_id, Promise.status == OPEN)).all()
    kept = [p for p in open_ones if is_kept(p.amount_cents, _paid_since(session, p))]
    _resolve(session, kept, KEPT, now, KEPT_ACTION)
    return tuple(p.id for p in kept)


def settle_promises(session: Session, today: date, *, now: datetime | None = None,
                    debtor_id: int | None = None) -> tuple[int, ...]:
    """Close the open promises whose date has passed: kept if paid in time, else broken.

    Cheap when nothing is due: it reads the (status, due_date) index for open promises dated
    before `today` (only one debtor's when `debtor_id` is given).

    Args:
        session: the worker thread's session.
        today: the shop's date; a promise for today is still open.
        now: when (audit entries); the system clock when None.
        debtor_id: only this debtor's promises (opening the debtor's screen).

    Returns:
        The ids of the promises marked broken.
    """
    now = now or datetime.now(UTC)
    stmt = select(*_OPEN_COLUMNS).where(Promise.status == OPEN, Promise.due_date < today)
    if debtor_id is not None:
        stmt = stmt.where(Promise.debtor_id == debtor_id)
    due = session.execute(stmt.order_by(Promise.id)).all()
    if not due:
        return ()
    kept = [p for p in due if is_kept(p.amount_cents, _paid_since(session, p))]
    kept_ids = {p.id for p in kept}
    broken = [p for p in due if p.id not in kept_ids]
    _resolve(session, kept, KEPT, now, KEPT_ACTION)
    _resolve(session, broken, BROKEN, now, BROKEN_ACTION)
    return tuple(p.id for p in broken)


__all__ = ["ACTIONS", "BROKEN", "cancel_promise", "create_promise", "keep_promises",
           "list_promises", "settle_promises"]
