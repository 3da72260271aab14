"""The per-debtor summary columns the debtor list reads instead of debts, payments and phones.

`refresh_summaries` recomputes them for the debtors whose data changed (or for everyone):

- amounts and dates of what is open (`open_cents`, `open_debts`, `oldest_open_due`, `next_due`),
  set-based in SQL;
- `segment`, `reach`, `in_agreement`, `last_contact_at` and `search_text`, in batches of debtors
  read once each (debts with their last payment date, own phones, conversations) and decided by
  the pure rules of `domain.debtor_summary` and `domain.search`.

Only rows whose values changed are written, and `updated_at` is left alone (a recomputed summary is
not an edit). On SQLite, triggers from migration 0003 copy `search_text` into the FTS5 index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, func, or_, select, text, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.debtor_summary import reach_for, segment_for
from cobrador_desktop.domain.search import build_search_text
from cobrador_desktop.storage.orm import (
    Base,
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Payment,
    Phone,
)

#: debt statuses that still count as owed
OPEN_STATUSES = ("open", "disputed")
#: how many ids go into one `IN (...)` list (SQLite's old variable limit is 999)
_CHUNK = 500
#: debtors per batch when refreshing everyone (walked by id ranges, no IN lists)
_RANGE = 4000
#: from this many debtors on, the SQLite search index is rebuilt instead of updated row by row
_REBUILD_FROM = 20_000
#: SQLite's FTS5 table over `debtors.search_text` (made by migration 0003, with triggers for
#: inserted and deleted debtors; changed texts are re-indexed here)
FTS_TABLE = "debtor_search"


def refresh_summaries(session: Session, debtor_ids: Sequence[int] | None, today: date) -> None:
    """Recompute every summary column of the given debtors (see the module docstring).

    Call it after changing a debtor's name, document, phones, debts, payments or conversations,
    with the ids of the debtors touched, in the same transaction: the debtor list, its filters,
    counts and search see the change at once. Open and disputed debts count as owed, minus what
    was already paid on them; `next_due` is the nearest open due date on or after `today`.

    Args:
        session: the worker thread's session.
        debtor_ids: the debtors whose data changed, or None for everyone (about 10 s at 100k).
        today: the shop's current date.
    """
    session.flush()  # the batches below read with Core: pending ORM changes must be in first
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Many changes at once: one rebuild of the FTS index is cheaper than updating it row by row
    # (about 4 s for 100k debtors, against 0.1 ms per changed row).
    rebuild = sqlite and (debtor_ids is None or len(debtor_ids) > _REBUILD_FROM)
    fts = _FtsWriter(session) if sqlite and not rebuild else None
    if debtor_ids is None:
        _refresh_open(session, today, None)
        for low, high in _id_ranges(session):
            _refresh_facts(session, today, fts, Debtor.id.between(low, high),
                           lambda column, lo=low, hi=high: column.between(lo, hi))
    else:
        for batch in _batches(sorted(set(debtor_ids))):
            _refresh_open(session, today, batch)
            _refresh_facts(session, today, fts, batch(Debtor.id), batch)
    if rebuild:
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))


class _FtsWriter:
    """Keeps SQLite's external-content FTS5 index in step with changed `search_text` values.

    FTS5 needs the old text to remove a row. Removals go first and additions after, each in id
    order, because FTS5 flushes its pending changes whenever a row id goes backwards: a trigger
    doing both per row (remove 7, add 7, remove 8…) costs three times as much.
    """

    def __init__(self, session: Session) -> None:
        self._connection = session.connection()

    def replace(self, changes: list[tuple[int, str, str]]) -> None:
        """Re-index `(id, old text, new text)` rows (ascending ids) whose text already changed."""
        self._connection.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', ?, ?)",
            [(debtor_id, old) for debtor_id, old, _new in changes])
        self._connection.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (?, ?)",
            [(debtor_id, new) for debtor_id, _old, new in changes])


class _Batch:
    """Some debtors, selected on any `debtor_id` column: an id range or an `IN` list."""

    def __init__(self, ids: list[int], as_range: bool) -> None:
        self.ids, self.as_range = ids, as_range

    def __call__(self, column: Any) -> Any:
        if self.as_range:
            return column.between(self.ids[0], self.ids[-1])
        return column.in_(self.ids)


#: a run of at least this many consecutive ids is selected as a range (an import's new debtors)
_RUN = 64


def _batches(ids: list[int]) -> Iterator[_Batch]:
    """Sorted ids as range batches (runs of consecutive ids, up to `_RANGE` each) and `IN` lists
    of the scattered rest (up to `_CHUNK` each)."""
    scattered: list[int] = []
    start = 0
    while start < len(ids):
        end = start + 1
        while end < len(ids) and ids[end] == ids[end - 1] + 1 and end - start < _RANGE:
            end += 1
        if end - start >= _RUN:
            yield _Batch(ids[start:end], True)
        else:
            scattered.extend(ids[start:end])
        start = end
    for part in range(0, len(scattered), _CHUNK):
        yield _Batch(scattered[part:part + _CHUNK], False)


def _id_ranges(session: Session) -> Iterator[tuple[int, int]]:
    """Consecutive id ranges of about `_RANGE` debtors each, walking the primary key."""
    low: int | None = 0
    while low is not None:
        ids = list(session.scalars(
            select(Debtor.id).where(Debtor.id > low).order_by(Debtor.id).limit(_RANGE)))
        if not ids:
            return
        yield ids[0], ids[-1]
        low = ids[-1] if len(ids) == _RANGE else None


# --------------------------------------------------------------------------- open amounts


def _refresh_open(session: Session, today: date, batch: _Batch | None) -> None:
    owed = Debt.status.in_(OPEN_STATUSES)
    remaining = case((Debt.amount_cents > Debt.paid_cents, Debt.amount_cents - Debt.paid_cents),
                     else_=0)
    if batch is None:
        agg = select(
            Debt.debtor_id.label("debtor_id"),
            func.sum(remaining).label("open_cents"),
            func.count().label("open_debts"),
            func.min(Debt.due_date).label("oldest_open_due"),
            func.min(case((Debt.due_date >= today, Debt.due_date))).label("next_due"),
        ).where(owed).group_by(Debt.debtor_id)
    else:
        # Some debtors: the open-status test stays out of WHERE, or SQLite walks the whole
        # (status, due_date) index for every batch (0.2 s a batch at 100k debts) instead of the
        # batch's debts by debtor.
        agg = select(
            Debt.debtor_id.label("debtor_id"),
            func.sum(case((owed, remaining), else_=0)).label("open_cents"),
            func.sum(case((owed, 1), else_=0)).label("open_debts"),
            func.min(case((owed, Debt.due_date))).label("oldest_open_due"),
            func.min(case((and_(owed, Debt.due_date >= today), Debt.due_date))).label("next_due"),
        ).where(batch(Debt.debtor_id)).group_by(Debt.debtor_id).having(
            func.sum(case((owed, 1), else_=0)) > 0)
    totals = agg.subquery("totals")
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
    if batch is not None:
        clear = clear.where(batch(Debtor.id))
    session.execute(clear)


# --------------------------------------------------------------------------- facts


def summary_columns(*, name_key: str, document: str | None, opted_out: bool,
                    debts: Sequence[Any], phones: Sequence[Any], chats: Sequence[Any],
                    last_contact_at: datetime | None, today: date) -> dict[str, Any]:
    """`segment`, `reach`, `in_agreement`, `last_contact_at` and `search_text` of one debtor.

    Args:
        name_key / document / opted_out / last_contact_at: the debtor's columns.
        debts: all their debts (`DebtFacts` plus `description`), by due date then id.
        phones: their own phones (`PhoneFacts` plus `e164`), by position then id.
        chats: their conversations (`last_inbound_at`, `last_message_at`).
        today: the shop's current date.
    """
    # never moves back: a contact recorded some other way must not be erased
    last_contact = last_contact_at
    replied = False
    for chat in chats:
        message = chat.last_message_at
        if message and (last_contact is None or message > last_contact):
            last_contact = message
        replied = replied or chat.last_inbound_at is not None
    return {
        "segment": str(segment_for(
            debts, messaged=bool(chats), replied=replied, today=today)),
        "reach": str(reach_for(opted_out, phones)),
        "in_agreement": any(debt.status == "agreement" for debt in debts),
        "last_contact_at": last_contact,
        "search_text": build_search_text(name_key, document, (p.e164 for p in phones),
                                         (debt.description for debt in debts)),
    }


def open_columns(debts: Sequence[Any], today: date) -> dict[str, Any]:
    """`open_cents`, `open_debts`, `oldest_open_due` and `next_due` of one debtor's debts, as
    `refresh_summaries` computes them in SQL (for rows written with their summary already)."""
    cents = count = 0
    oldest = upcoming = None
    for debt in debts:  # one pass: an import sums 100,000 debts this way
        if debt.status not in OPEN_STATUSES:
            continue
        count += 1
        if debt.amount_cents > debt.paid_cents:
            cents += debt.amount_cents - debt.paid_cents
        due = debt.due_date
        if oldest is None or due < oldest:
            oldest = due
        if due >= today and (upcoming is None or due < upcoming):
            upcoming = due
    return {"open_cents": cents, "open_debts": count, "oldest_open_due": oldest,
            "next_due": upcoming}


def _refresh_facts(session: Session, today: date, fts: _FtsWriter | None, debtors_where: Any,
                   by_debtor: Any) -> None:
    """Segment, reach, agreement, last contact and search text of one batch of debtors.

    `debtors_where` selects the batch on `Debtor.id`; `by_debtor(column)` selects it on a
    `debtor_id` column of another table.
    """
    debtors = session.execute(select(
        Debtor.id, Debtor.name_key, Debtor.document, Debtor.opted_out, Debtor.segment,
        Debtor.reach, Debtor.in_agreement, Debtor.last_contact_at, Debtor.search_text,
    ).where(debtors_where)).all()
    if not debtors:
        return
    last_paid = (select(func.max(Payment.paid_on)).where(Payment.debt_id == Debt.id)
                 .correlate(Debt).scalar_subquery())
    debts: dict[int, list[Any]] = defaultdict(list)
    for debt in session.execute(select(
            Debt.debtor_id, Debt.description, Debt.status, Debt.amount_cents, Debt.paid_cents,
            Debt.due_date, last_paid.label("last_paid_on"),
    ).where(by_debtor(Debt.debtor_id)).order_by(Debt.debtor_id, Debt.due_date, Debt.id)):
        debts[debt.debtor_id].append(debt)
    phones: dict[int, list[Any]] = defaultdict(list)
    for phone in session.execute(select(
            DebtorPhone.debtor_id, Phone.e164, DebtorPhone.wrong_party, Phone.opted_out,
            Phone.suppressed, Phone.whatsapp_status,
    ).join(Phone, Phone.id == DebtorPhone.phone_id)
            .where(DebtorPhone.role == "own", by_debtor(DebtorPhone.debtor_id))
            .order_by(DebtorPhone.debtor_id, DebtorPhone.position, DebtorPhone.id)):
        phones[phone.debtor_id].append(phone)
    conversations: dict[int, list[Any]] = defaultdict(list)
    for chat in session.execute(select(
            Conversation.debtor_id, Conversation.last_inbound_at, Conversation.last_message_at,
    ).where(by_debtor(Conversation.debtor_id))):
        if chat.debtor_id is not None:
            conversations[chat.debtor_id].append(chat)

    changes = []
    reindex: list[tuple[int, str, str]] = []
    for d in debtors:
        new = summary_columns(
            name_key=d.name_key, document=d.document, opted_out=bool(d.opted_out),
            debts=debts[d.id], phones=phones[d.id], chats=conversations[d.id],
            last_contact_at=d.last_contact_at, today=today)
        if any(getattr(d, key) != value for key, value in new.items()):
            changes.append({"b_id": d.id, **new})
            if new["search_text"] != d.search_text:
                reindex.append((d.id, d.search_text, new["search_text"]))
    if changes:
        table: Table = Base.metadata.tables["debtors"]
        session.connection().execute(
            table.update().where(table.c.id == bindparam("b_id")).values(
                segment=bindparam("segment"), reach=bindparam("reach"),
                in_agreement=bindparam("in_agreement"),
                last_contact_at=bindparam("last_contact_at", type_=table.c.last_contact_at.type),
                search_text=bindparam("search_text"),
                updated_at=table.c.updated_at),
            changes)
    if fts is not None and reindex:
        reindex.sort()
        fts.replace(reindex)
