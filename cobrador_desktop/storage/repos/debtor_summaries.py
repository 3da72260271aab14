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
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, case, func, or_, select, text, update
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
        ids = sorted(set(debtor_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            _refresh_open(session, today, chunk)
            _refresh_facts(session, today, fts, Debtor.id.in_(chunk),
                           lambda column, c=chunk: column.in_(c))
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


def _refresh_open(session: Session, today: date, ids: list[int] | None) -> None:
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


# --------------------------------------------------------------------------- facts


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
        own_debts, own_phones, chats = debts[d.id], phones[d.id], conversations[d.id]
        last_message = max((c.last_message_at for c in chats if c.last_message_at), default=None)
        # never moves back: a contact recorded some other way must not be erased
        last_contact = d.last_contact_at
        if last_message is not None and (last_contact is None or last_message > last_contact):
            last_contact = last_message
        new = {
            "segment": str(segment_for(
                own_debts, messaged=bool(chats),
                replied=any(c.last_inbound_at is not None for c in chats), today=today)),
            "reach": str(reach_for(bool(d.opted_out), own_phones)),
            "in_agreement": any(debt.status == "agreement" for debt in own_debts),
            "last_contact_at": last_contact,
            "search_text": build_search_text(d.name_key, d.document,
                                             (p.e164 for p in own_phones),
                                             (debt.description for debt in own_debts)),
        }
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
