"""The Resultados screen's counts: a few grouped SQL aggregates (SQLite and PostgreSQL).

What each figure counts is defined in `domain.results`; this module only counts it. Instants are
compared as UTC bounds of the period; a message's shop day is its UTC instant shifted by the
zone's offset (`offset_minutes`), the same arithmetic on both backends. What a message is
counted by (its debtor and segment, step, first reply) and a payment's debtor are facts the
database keeps on their rows (migration 0009), so the per-message figures are one pass over an
index rather than a lookup per message in other tables.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, DateTime, and_, case, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session, aliased

from cobrador_desktop.domain.regua import STEP_PURPOSES
from cobrador_desktop.domain.results import (
    DELIVERED_STATUSES,
    LEFT_STATUSES,
    NONE_KEY,
    PAYMENT_WINDOW_DAYS,
    Funnel,
    FunnelRow,
)
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    DebtorPhone,
    Message,
    Payment,
    Phone,
    Template,
)

#: how `funnel_rows` packs two counts in one sum (a count never reaches it)
_PAID = 1 << 32


@dataclass(frozen=True, slots=True)
class Bounds:
    """The period as the queries need it."""

    start: date
    end: date
    #: the shop's midnight starting `start` and the one after `end`, in UTC
    start_at: datetime
    end_at: datetime
    #: the shop zone's offset from UTC at `start_at`, in minutes (-180 for São Paulo)
    offset_minutes: int


@dataclass(frozen=True, slots=True)
class ContactCounts:
    """Counts over the conversations with a message that left in the period."""

    messaged_debtors: int
    replied_debtors: int
    pairs: int
    confirmed_pairs: int
    phones: int
    opted_out_phones: int
    wrong_party_phones: int


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def shop_day(session: Session, instant: Any, offset: int, plus_days: int = 0) -> Any:
    """The shop day of a UTC instant column (plus some days), as a date expression."""
    if _sqlite(session):
        modifiers = [f"{offset:+d} minutes"] + ([f"+{plus_days} days"] if plus_days else [])
        return type_coerce(func.date(instant, *modifiers), Date)
    shifted = func.timezone("UTC", instant) + literal_column(f"INTERVAL '{int(offset)} minutes'")
    day = cast(shifted, Date)
    return day + literal_column(str(int(plus_days))) if plus_days else day


def _after(session: Session, instant: Any, days: int) -> Any:
    """A UTC instant column plus whole days, comparable with other instants."""
    if _sqlite(session):
        return func.datetime(instant, f"+{int(days)} days")
    return instant + literal_column(f"INTERVAL '{int(days)} days'")


def _left(m: Any = Message) -> Any:
    return and_(m.direction == "out", m.status.in_(LEFT_STATUSES))


def _in_period(column: Any, b: Bounds) -> Any:
    return and_(column >= b.start_at, column < b.end_at)


def recovered_per_day(session: Session, b: Bounds) -> dict[date, int]:
    """Cents paid per `paid_on` day of the period (days without payments left out)."""
    rows = session.execute(
        select(Payment.paid_on, func.sum(Payment.amount_cents))
        .where(Payment.paid_on.between(b.start, b.end)).group_by(Payment.paid_on))
    return {day: int(cents) for day, cents in rows}


def overdue_recovered(session: Session, b: Bounds) -> tuple[int, int]:
    """(recovered, owed) cents of the debts overdue at the period's start (`domain.results`).

    owed = what the overdue debts amount to, less what was paid on them before the start (never
    more than a debt's amount); recovered = the period's payments on them, up to each balance.
    Only the debts with payments are joined (the payments grouped in `ix_payments_debt_paid`
    order, no sort); the rest is one range sum over `ix_debts_due_status_amount`.
    """
    before = func.sum(case((Payment.paid_on < b.start, Payment.amount_cents), else_=0))
    during = func.sum(case((Payment.paid_on >= b.start, Payment.amount_cents), else_=0))
    paid = (select(Payment.debt_id.label("debt_id"), before.label("before"),
                   during.label("during"))
            .where(Payment.paid_on <= b.end).group_by(Payment.debt_id).subquery())
    overdue = and_(Debt.status != "cancelled", Debt.due_date < b.start)
    taken = case((paid.c.before < Debt.amount_cents, paid.c.before), else_=Debt.amount_cents)
    balance = Debt.amount_cents - paid.c.before
    got = case((paid.c.during < balance, paid.c.during), else_=balance)
    amounts = select(func.coalesce(func.sum(Debt.amount_cents), 0)).where(overdue)
    row = session.execute(
        select(func.coalesce(func.sum(case((balance > 0, got), else_=0)), 0),
               func.coalesce(func.sum(taken), 0))
        .select_from(paid).join(Debt, Debt.id == paid.c.debt_id).where(overdue)).one()
    owed = int(session.scalar(amounts) or 0) - int(row[1])
    return int(row[0]), owed


def days_to_pay(session: Session, b: Bounds) -> Counter[int]:
    """How many debtors took how many days from first message to first payment in the period
    (negative days: first messaged after paying; the domain leaves them out).

    Per debtor who paid: their first message that left is one probe of
    `ix_messages_debtor_direction` (the debtor is a fact on the message, migration 0009)."""
    first_paid = (select(Payment.debtor_id, func.min(Payment.paid_on).label("paid_on"))
                  .where(Payment.paid_on.between(b.start, b.end))
                  .group_by(Payment.debtor_id).subquery())
    out = aliased(Message)
    first_at = (select(func.min(out.created_at))
                .where(out.debtor_id == first_paid.c.debtor_id, _left(out)).scalar_subquery())
    first_day = shop_day(session, first_at, b.offset_minutes)
    # one row per debtor, counted here: grouped in SQL, the probe would run twice per debtor
    counts: Counter[int] = Counter()
    for paid_on, day in session.execute(select(first_paid.c.paid_on, first_day)):
        if day is not None:  # never messaged
            counts[(paid_on - _as_date(day)).days] += 1
    return counts


def contact_counts(session: Session, b: Bounds) -> ContactCounts:
    """Response, identity and number-health counts, per conversation: its first message that
    left in the period and its last inbound one there are probes of
    `ix_messages_conversation_direction` (no pass over the period's messages)."""
    out, inbound = aliased(Message), aliased(Message)
    first_out = (select(func.min(out.created_at))
                 .where(out.conversation_id == Conversation.id, _left(out),
                        _in_period(out.created_at, b)).scalar_subquery())
    last_in = (select(func.max(inbound.created_at))
               .where(inbound.conversation_id == Conversation.id, inbound.direction == "in",
                      _in_period(inbound.created_at, b)).scalar_subquery())
    # one row per conversation with its debtor and phone (grouped, so SQLite materializes it),
    # so the query around it does not look each conversation up again
    per_conv = (select(Conversation.id.label("cid"), Conversation.debtor_id.label("debtor_id"),
                       Conversation.phone_id.label("phone_id"), first_out.label("first_out"),
                       last_in.label("last_in"))
                .group_by(Conversation.id).subquery())
    c = per_conv.c
    confirmed = (select(DebtorPhone.id).where(DebtorPhone.debtor_id == c.debtor_id,
                                              DebtorPhone.phone_id == c.phone_id,
                                              DebtorPhone.cpc_status == "confirmed").exists())
    wrong = (select(DebtorPhone.id).where(DebtorPhone.phone_id == c.phone_id,
                                          DebtorPhone.wrong_party.is_(True),
                                          _in_period(DebtorPhone.wrong_party_at, b)).exists())
    opted = and_(Phone.opted_out.is_(True), _in_period(Phone.opted_out_at, b))

    def flag(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    per_debtor = (
        select(c.debtor_id.label("debtor_id"),
               func.min(c.first_out).label("first_out"),
               func.max(c.last_in).label("last_in"),
               func.count().label("phones"),
               flag(and_(c.debtor_id.is_not(None), confirmed)).label("confirmed"),
               flag(opted).label("opted"), flag(wrong).label("wrong"))
        .select_from(per_conv)
        .join(Phone, Phone.id == c.phone_id)
        .where(c.first_out.is_not(None))
        .group_by(c.debtor_id).subquery())
    d = per_debtor.c
    has_debtor = d.debtor_id.is_not(None)
    row = session.execute(select(
        flag(has_debtor), flag(and_(has_debtor, d.last_in >= d.first_out)),
        func.sum(case((has_debtor, d.phones), else_=0)), func.sum(d.confirmed),
        func.sum(d.phones), func.sum(d.opted), func.sum(d.wrong))).one()
    return ContactCounts(*(int(v or 0) for v in row))


def _reminder_templates() -> Any:
    return select(Template.name).where(Template.purpose.in_(STEP_PURPOSES))


def _paid_within(session: Session, debtor_id: Any, instant: Any, offset: int) -> Any:
    """A payment of the debtor on the instant's shop day or up to the window's end: one probe of
    `ix_payments_debtor_paid` (the debtor is a fact on the payment, migration 0009)."""
    # correlated with every enclosing query, however deep it sits (only its own table)
    return (select(Payment.id).where(
        Payment.debtor_id == debtor_id, Payment.paid_on >= shop_day(session, instant, offset),
        Payment.paid_on <= shop_day(session, instant, offset, PAYMENT_WINDOW_DAYS))
        .correlate_except(Payment).exists())


def _midnight(session: Session, day: Any, offset: int, plus_days: int = 0) -> Any:
    """The UTC instant of the shop's midnight starting a date column (plus some days),
    comparable with stored instants."""
    minutes = -int(offset)
    if _sqlite(session):
        return func.datetime(day, f"{int(plus_days):+d} days", f"{minutes:+d} minutes")
    local = cast(day, DateTime()) + literal_column(
        f"INTERVAL '{int(plus_days)} days {minutes} minutes'")
    return func.timezone("UTC", local)


def paid_after_reminder(session: Session, b: Bounds) -> tuple[int, int]:
    """(debtors who paid within the window of a reminder, debtors reminded) in the period.

    Per conversation: whether a reminder left in it in the period and, from the debtor's few
    payments on the period's days or the window after, whether one came within the window of
    such a reminder (a reminder on day d counts a payment on d…d+7, so a payment on p looks for
    one from p-7 to p)."""
    r = aliased(Message)
    is_reminder = and_(r.conversation_id == Conversation.id, _left(r),
                       _in_period(r.created_at, b), r.template_name.in_(_reminder_templates()))
    # EXISTS of an id, so each probe reads its index alone
    reminded = select(r.id).where(is_reminder).exists()
    answered = select(r.id).where(
        is_reminder, r.created_at >= _midnight(session, Payment.paid_on, b.offset_minutes,
                                               -PAYMENT_WINDOW_DAYS),
        r.created_at < _midnight(session, Payment.paid_on, b.offset_minutes, 1)
    ).correlate_except(r).exists()
    paid = (select(Payment.id).where(
        Payment.debtor_id == Conversation.debtor_id,
        Payment.paid_on.between(b.start, b.end + timedelta(days=PAYMENT_WINDOW_DAYS)), answered)
        .correlate_except(Payment).exists())
    per_debtor = (select(Conversation.debtor_id,
                         func.max(case((paid, 1), else_=0)).label("paid"))
                  .where(Conversation.debtor_id.is_not(None), reminded)
                  .group_by(Conversation.debtor_id).subquery())
    row = session.execute(select(func.coalesce(func.sum(per_debtor.c.paid), 0),
                                 func.count())).one()
    return int(row[0]), int(row[1])


def _funnel(session: Session, b: Bounds, by_day: bool) -> list[tuple[Any, ...]]:
    """(day when `by_day`, step, template, operator, segment, sent, delivered, read, replied,
    paid) per combination of the period's messages that left."""
    paid = _paid_within(session, Message.debtor_id, Message.created_at, b.offset_minutes)
    # replied and paid in one column, so the payment probe runs once per message: 1 for a
    # replied message, 1 + _PAID for a replied and paid one; its sum holds both counts
    reached = case((and_(Message.status == "read", Message.replied_at.is_not(None)),
                    case((paid, 1 + _PAID), else_=1)), else_=0)
    keys = ((shop_day(session, Message.created_at, b.offset_minutes),) if by_day else ()) + (
        func.coalesce(Message.step, NONE_KEY), func.coalesce(Message.template_name, NONE_KEY),
        Message.operator_id, func.coalesce(Message.segment, NONE_KEY))
    rows = session.execute(
        select(*keys, func.count(),
               func.sum(case((Message.status.in_(DELIVERED_STATUSES), 1), else_=0)),
               func.sum(case((Message.status == "read", 1), else_=0)), func.sum(reached))
        .where(_left(), _in_period(Message.created_at, b)).group_by(*keys))
    found = []
    for row in rows:
        *head, operator, segment, sent, delivered, read, reached_sum = row
        found.append((*head, NONE_KEY if operator is None else str(operator), segment,
                      int(sent), int(delivered), int(read), int(reached_sum) % _PAID,
                      int(reached_sum) // _PAID))
    return found


def funnel_rows(session: Session, b: Bounds) -> list[FunnelRow]:
    """The funnel per (régua step, template, operator, segment) combination (`domain.results`).

    One pass over `ix_messages_out_facts`: each message carries its step, segment and first reply
    (migration 0009); only a read and replied message probes its debtor's payments."""
    return [FunnelRow(step, template, operator, segment, Funnel(*counts))
            for step, template, operator, segment, *counts in _funnel(session, b, False)]


def funnel_rows_by_day(session: Session, b: Bounds) -> list[tuple[Any, ...]]:
    """`funnel_rows` split by the messages' shop day: (day, step, template, operator, segment,
    sent, delivered, read, replied, paid), for `results_days` to store."""
    return [(_as_date(day), *rest) for day, *rest in _funnel(session, b, True)]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
