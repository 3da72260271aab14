"""What the reminder scheduler (régua) reads and writes for one day, in bulk.

Reads are a few statements for the whole day, whatever the number of debts: the open debts
whose due date lies in the régua's window (one range scan of `ix_debts_status_due`) and what the
régua already did to them (the same range, joined); then, for the debtors the day may message
(in chunks of `import_write.LOOKUP_CHUNK`), their phones and their identity-check log.
Writes are executemany INSERTs of `regua_sends` rows, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, func, insert, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.regua import IDENTITY_CHECK
from cobrador_desktop.storage.orm import (
    Agreement,
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    OutboxItem,
    Phone,
    ReguaSend,
    Task,
)
from cobrador_desktop.storage.repos.bulk import dataset_marker, mark_dataset
from cobrador_desktop.storage.repos.import_write import in_chunks

#: the settings row holding the last day the scheduler ran and how many it queued that day
RUN_MARKER = "regua.last_run"
#: the `regua_sends` step of a paid debt's thank-you (and of its survey): once per debt, ever
RECEIPT_STEP, SURVEY_STEP = "RECIBO", "PESQUISA"
NO_CONTACT = "no_contact"


class DueDebt(NamedTuple):
    """An open debt the régua may message about today, with what its message needs."""

    debt_id: int
    debtor_id: int
    debtor_name: str
    is_company: bool
    segment: str
    due_date: date
    amount_cents: int
    paid_cents: int
    installment_number: int | None
    installment_count: int | None
    is_agreement: bool
    agreement_made_at: datetime | None


class PhoneChoice(NamedTuple):
    """The debtor's phone the day's message goes to."""

    phone_id: int
    e164: str
    cpc_status: str
    #: False: no phone may be messaged; this one is still evaluated so the guard says why
    usable: bool


@dataclass(frozen=True)
class IdentityLog:
    """The identity checks the régua recorded for one debtor (any state)."""

    #: every identity check of the debtor, on any phone (numbers the next `CPC<n>`)
    total: int
    #: per phone: how many, and the day of the last one
    per_phone: Mapping[int, tuple[int, date]]


class SendRow(NamedTuple):
    """One `regua_sends` row to insert."""

    debt_id: int
    debtor_id: int
    phone_id: int | None
    step: str
    purpose: str
    template: str | None
    planned_for: date
    state: str  # queued | blocked | skipped
    reason_code: str | None
    outbox_id: int | None
    decision: dict[str, Any] | None


#: rows fetched at a time by the day's big reads
ROWS_PER_FETCH = 2_000


def _window(first: date, last: date) -> Any:
    return and_(Debt.status == "open", Debt.due_date >= first, Debt.due_date <= last)


def due_debts(session: Session, first: date, last: date,
              keep: Callable[[date, str, bool], bool] | None = None) -> list[DueDebt]:
    """Open debts (an agreement's own instalments included) due from `first` to `last` with
    something left to pay, of debtors neither anonymised nor opted out as a person.

    Args:
        keep: `keep(due_date, segment, is_agreement)` says which rows to return (most debts of
            the window have no step today: they are never turned into objects).
    """
    query = (select(Debt.id, Debt.debtor_id, Debtor.name, Debtor.document_type, Debtor.segment,
                    Debt.due_date, Debt.amount_cents, Debt.paid_cents, Debt.installment_number,
                    Debt.installment_count, Debt.agreement_id, Agreement.created_at)
             .join(Debtor, Debtor.id == Debt.debtor_id)
             .outerjoin(Agreement, Agreement.id == Debt.agreement_id)
             .where(_window(first, last), Debt.amount_cents > Debt.paid_cents,
                    Debtor.anonymised_at.is_(None), Debtor.opted_out.is_(False))
             # rows in batches: one 100,000-row buffer is freed in a single GIL-holding sweep
             # that stalls the window's loop for ~20 ms
             .execution_options(yield_per=ROWS_PER_FETCH))
    return [DueDebt(r[0], r[1], r[2], r[3] == "cnpj", r[4], r[5], r[6], r[7], r[8], r[9],
                    r[10] is not None, r[11]) for r in session.execute(query)
            if keep is None or keep(r[5], r[4], r[10] is not None)]


def paid_to_thank(session: Session, since: datetime) -> list[tuple[DueDebt, datetime]]:
    """Debts paid since `since` that got no thank-you yet (`thanked_at` empty, no `RECIBO` step
    recorded), of debtors neither anonymised nor opted out as a person, with when each was paid;
    most recently paid first."""
    done = select(ReguaSend.id).where(ReguaSend.debt_id == Debt.id,
                                      ReguaSend.step == RECEIPT_STEP).exists()
    query = (select(Debt.id, Debt.debtor_id, Debtor.name, Debtor.document_type, Debtor.segment,
                    Debt.due_date, Debt.amount_cents, Debt.paid_cents, Debt.installment_number,
                    Debt.installment_count, Debt.agreement_id, Agreement.created_at,
                    Debt.status_at)
             .join(Debtor, Debtor.id == Debt.debtor_id)
             .outerjoin(Agreement, Agreement.id == Debt.agreement_id)
             .where(Debt.status == "paid", Debt.status_at >= since, Debt.thanked_at.is_(None),
                    Debtor.anonymised_at.is_(None), Debtor.opted_out.is_(False), ~done)
             .order_by(Debt.status_at.desc(), Debt.id))
    return [(DueDebt(r[0], r[1], r[2], r[3] == "cnpj", r[4], r[5], r[6], r[7], r[8], r[9],
                     r[10] is not None, r[11]), r[12]) for r in session.execute(query)]


def done_steps(session: Session, first: date, last: date) -> dict[int, set[str]]:
    """The step codes already recorded (queued, blocked or skipped) per debt of the window."""
    done: dict[int, set[str]] = {}
    query = (select(ReguaSend.debt_id, ReguaSend.step)
             .join(Debt, Debt.id == ReguaSend.debt_id).where(_window(first, last)))
    for debt_id, step in session.execute(query):
        done.setdefault(debt_id, set()).add(step)
    return done


#: the order phones are preferred in: known to have WhatsApp, identity confirmed, position
_WHATSAPP_RANK = {"yes": 0, "unknown": 1}


def phones(session: Session, debtor_ids: Collection[int]) -> dict[int, PhoneChoice]:
    """The phone each debtor is messaged on.

    Their own numbers that may be messaged (not a reference contact, not wrong party, not opted
    out nor suppressed, not known to lack WhatsApp), preferring WhatsApp `yes`, then a confirmed
    identity, then the owner's order. A debtor with none gets their first own number marked not
    `usable` (the guard then names the block: opted out, wrong party…); one with only reference
    contacts gets nothing.
    """
    d, p = DebtorPhone, Phone
    best: dict[int, tuple[tuple[int, ...], PhoneChoice]] = {}
    for chunk in in_chunks(debtor_ids):
        query = (select(d.debtor_id, p.id, p.e164, d.cpc_status, d.position, d.wrong_party,
                        p.opted_out, p.suppressed, p.whatsapp_status)
                 .join(p, p.id == d.phone_id)
                 .where(d.debtor_id.in_(chunk), d.role == "own", d.never_message.is_(False)))
        for (debtor_id, phone_id, e164, cpc, position, wrong, opted_out, suppressed,
             whatsapp) in session.execute(query):
            usable = (not (wrong or opted_out or suppressed) and whatsapp in _WHATSAPP_RANK
                      and cpc != "denied")
            rank = ((0, _WHATSAPP_RANK[whatsapp], cpc != "confirmed", position, phone_id)
                    if usable else (1, 0, 0, position, phone_id))
            current = best.get(debtor_id)
            if current is None or rank < current[0]:
                best[debtor_id] = (rank, PhoneChoice(phone_id, e164, cpc, usable))
    return {debtor_id: choice for debtor_id, (_, choice) in best.items()}


def identity_log(session: Session, debtor_ids: Collection[int]) -> dict[int, IdentityLog]:
    """The identity checks recorded for each of the debtors."""
    r = ReguaSend
    totals: dict[int, int] = {}
    per_phone: dict[int, dict[int, tuple[int, date]]] = {}
    for chunk in in_chunks(debtor_ids):
        query = (select(r.debtor_id, r.phone_id, func.count(), func.max(r.planned_for))
                 .where(r.purpose == IDENTITY_CHECK, r.debtor_id.in_(chunk))
                 .group_by(r.debtor_id, r.phone_id))
        for debtor_id, phone_id, count, last_day in session.execute(query):
            totals[debtor_id] = totals.get(debtor_id, 0) + count
            if phone_id is not None:
                per_phone.setdefault(debtor_id, {})[phone_id] = (count, last_day)
    return {debtor_id: IdentityLog(total, per_phone.get(debtor_id, {}))
            for debtor_id, total in totals.items()}


def still_waiting(session: Session, debtor_ids: Collection[int]) -> set[int]:
    """The debtors with a régua message still waiting in the outbox (held for the night, a
    holiday or a cap): a new step would only pile up behind it."""
    waiting: set[int] = set()
    for chunk in in_chunks(debtor_ids):
        waiting.update(session.scalars(
            select(ReguaSend.debtor_id).join(OutboxItem, OutboxItem.id == ReguaSend.outbox_id)
            .where(ReguaSend.debtor_id.in_(chunk), OutboxItem.state == "queued")))
    return waiting


# ----------------------------------------------------------------------------- writes


def conversation_for(session: Session, *, phone_id: int, debtor_id: int, now: datetime) -> int:
    """The conversation with the phone (one per number), started for the debtor if none yet."""
    found = session.scalar(select(Conversation.id).where(Conversation.phone_id == phone_id))
    if found is not None:
        return int(found)
    conversation = Conversation(phone_id=phone_id, debtor_id=debtor_id, status="open",
                                created_at=now)
    session.add(conversation)
    session.flush()
    return conversation.id


_SENDS = cast(Table, ReguaSend.__table__)


def record_sends(session: Session, rows: Sequence[SendRow], now: datetime) -> None:
    """Insert the rows (one executemany per chunk)."""
    for chunk in in_chunks(rows):
        session.execute(insert(_SENDS), [{**row._asdict(), "created_at": now} for row in chunk])


def add_no_contact_tasks(session: Session, pairs: Iterable[tuple[int, int | None]], note: str,
                         now: datetime) -> int:
    """A `no_contact` task for each (debtor, phone) that has none yet; returns how many new."""
    wanted = dict(pairs)
    have: set[int] = set()
    for chunk in in_chunks(wanted):
        have.update(session.scalars(select(Task.debtor_id).where(
            Task.kind == NO_CONTACT, Task.debtor_id.in_(chunk))))
    new = [Task(debtor_id=debtor_id, phone_id=phone_id, kind=NO_CONTACT, note=note,
                created_at=now) for debtor_id, phone_id in wanted.items() if debtor_id not in have]
    session.add_all(new)
    session.flush()
    return len(new)


def mark_thanked(session: Session, debt_ids: Collection[int], now: datetime) -> None:
    """The thank-you of these paid debts is queued: they get no other."""
    for chunk in in_chunks(debt_ids):
        session.execute(update(Debt).where(Debt.id.in_(chunk)).values(thanked_at=now)
                        .execution_options(synchronize_session=False))


def last_run(session: Session) -> tuple[date | None, int]:
    """The last day the scheduler ran (None: never) and how many it queued that day."""
    marker = dataset_marker(session, RUN_MARKER)
    if not marker or not marker.get("day"):
        return None, 0
    return date.fromisoformat(str(marker["day"])), int(marker.get("queued") or 0)


def mark_run(session: Session, day: date, queued: int, now: datetime) -> None:
    """Remember that the scheduler ran on `day`, having queued `queued` messages that day."""
    mark_dataset(session, RUN_MARKER, {"day": day.isoformat(), "queued": queued}, now)
