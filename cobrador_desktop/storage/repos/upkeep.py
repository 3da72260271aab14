"""The daily upkeep in one transaction: promises and agreements the calendar settles (agreements
by the shop's setting `domain.settings.AGREEMENT_BREAK_AFTER_DAYS`), then every debtor's summary
columns (next due date, overdue, segment…) recomputed for the new day.

Several PCs (or the window and `serve`) may try it on the same day: the day it ran is kept in
the `settings` row `upkeep_day`, read and written in the same transaction with the row locked
(PostgreSQL `SELECT … FOR UPDATE`; SQLite has one writer at a time), so it runs once per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobrador_desktop.domain.settings import AGREEMENT_BREAK_AFTER_DAYS
from cobrador_desktop.storage.orm import Debtor, Setting
from cobrador_desktop.storage.repos.agreements import settle_agreements
from cobrador_desktop.storage.repos.debtor_summaries import refresh_summaries
from cobrador_desktop.storage.repos.promises import settle_promises
from cobrador_desktop.storage.repos.settings import read_setting

UPKEEP_KEY = "upkeep_day"


@dataclass(frozen=True)
class UpkeepResult:
    """What one daily upkeep did."""

    #: the shop's date it ran for
    day: date
    promises_broken: int
    agreements_broken: int
    #: True: it had already run for `day` (here or on another PC), nothing was done
    already_ran: bool = False
    #: the shop's setting it broke agreements by: an instalment unpaid more days than this
    break_after_days: int | None = None


def daily_upkeep(session: Session, today: date, now: datetime, *,
                 refresh: bool = True) -> UpkeepResult:
    """Settle everyone's promises and agreements and refresh every debtor's summaries, once a day.

    Args:
        session: the worker thread's session (one transaction: all or nothing).
        today: the shop's date.
        now: when (audit entries, the setting's `updated_at`).
        refresh: also refresh every summary here; False when the caller refreshes in chunks
            (`refresh_chunk`), so the window's own queries get the database thread in between.

    Returns:
        What was done; `already_ran` when the stored day is `today` or later.
    """
    row = _locked_row(session, now)
    done = row.value.get("day")
    if isinstance(done, str) and date.fromisoformat(done) >= today:
        return UpkeepResult(today, 0, 0, already_ran=True)
    promises = settle_promises(session, today, now=now)
    days = read_setting(session, AGREEMENT_BREAK_AFTER_DAYS)
    agreements = settle_agreements(session, today, now=now, days=days)
    if refresh:
        refresh_summaries(session, None, today)
    # a new dict, not an in-place change: the JSON column only notices assignments
    row.value = {"day": today.isoformat()}
    row.updated_at = now
    session.flush()
    return UpkeepResult(today, len(promises), len(agreements), break_after_days=days)


def last_upkeep_day(session: Session) -> date | None:
    """The shop's date the upkeep last ran for, or None when it never ran."""
    row = session.get(Setting, UPKEEP_KEY)
    done = row.value.get("day") if row is not None else None
    return date.fromisoformat(done) if isinstance(done, str) else None


def _locked_row(session: Session, now: datetime) -> Setting:
    """The `upkeep_day` row, created when missing, locked until the transaction ends."""
    stmt = (select(Setting).where(Setting.key == UPKEEP_KEY).with_for_update()
            .execution_options(populate_existing=True))
    row = session.scalars(stmt).one_or_none()
    if row is not None:
        return row
    try:
        # a savepoint: another PC may create it at the same moment; its insert then waits for
        # that transaction, fails here, and the locked read below sees the day it wrote
        with session.begin_nested():
            session.add(Setting(key=UPKEEP_KEY, value={"day": None}, updated_at=now))
    except IntegrityError:
        pass
    return session.scalars(stmt).one()


def debtor_id_bounds(session: Session) -> tuple[int, int] | None:
    """The lowest and highest debtor id, or None without debtors (for refreshing in chunks)."""
    low, high = session.execute(select(func.min(Debtor.id), func.max(Debtor.id))).one()
    return None if low is None else (int(low), int(high))


def refresh_chunk(session: Session, first_id: int, last_id: int, today: date) -> None:
    """Refresh the summaries of debtors `first_id`…`last_id` (one short transaction)."""
    refresh_summaries(session, range(first_id, last_id + 1), today)
