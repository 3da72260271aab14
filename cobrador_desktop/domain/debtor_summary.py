"""What the debtor list shows about a debtor beyond the amounts: segment and reach.

Pure rules over plain facts (the storage layer reads the facts and stores the results as summary
columns, so the list filters and counts them without touching debts, payments or phones).

Segments, from the payment history as of `today`:

- a debt *counts* for the history when it is not cancelled and either fell due before today or is
  already fully paid (`paid_cents >= amount_cents`, or status "paid");
- a counted debt was *late* when it is fully paid and its last payment came after its due date,
  or when it is not fully paid (open, disputed or under agreement) and its due date has passed;
  a paid debt without recorded payments counts as paid on time (nobody wrote down when);
- `NEW` (novo): no debt counts yet (nothing has fallen due, nothing paid);
- `ON_TIME` (em dia): nothing counted was late;
- `NEVER_REPLIED` (nunca respondeu): something was late, the shop messaged them (a conversation
  exists) and they never sent a message back in any conversation;
- `ALWAYS_LATE` (atrasa sempre): at least two debts count and at least 3 in 4 of them were late;
- `SOMETIMES_LATE` (atrasa às vezes): any other late history (one late debt is "às vezes").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import IntEnum
from typing import Protocol

from cobrador_desktop.domain.records import DebtorRow, Reach, Segment

#: below this many counted debts nobody "always" pays late
ALWAYS_LATE_MIN_DEBTS = 2
#: the share of late debts (numerator, denominator) from which a debtor "always" pays late
ALWAYS_LATE_SHARE = (3, 4)


class DebtFacts(Protocol):
    """What the segment needs from one debt."""

    @property
    def status(self) -> str: ...
    @property
    def amount_cents(self) -> int: ...
    @property
    def paid_cents(self) -> int: ...
    @property
    def due_date(self) -> date: ...
    @property
    def last_paid_on(self) -> date | None: ...


class PhoneFacts(Protocol):
    """What the reach needs from one of the debtor's own phones."""

    @property
    def wrong_party(self) -> bool: ...
    @property
    def opted_out(self) -> bool: ...
    @property
    def suppressed(self) -> bool: ...
    @property
    def whatsapp_status(self) -> str: ...


def late_history(debts: Iterable[DebtFacts], today: date) -> tuple[int, int]:
    """(counted, late) debts of a payment history, as the module docstring defines them."""
    counted = late = 0
    for debt in debts:
        if debt.status == "cancelled":
            continue
        settled = debt.status == "paid" or debt.paid_cents >= debt.amount_cents
        if settled:
            counted += 1
            if debt.last_paid_on is not None and debt.last_paid_on > debt.due_date:
                late += 1
        elif debt.due_date < today:
            counted += 1
            late += 1
    return counted, late


def segment_for(debts: Iterable[DebtFacts], *, messaged: bool, replied: bool,
                today: date) -> Segment:
    """The debtor's segment (see the module docstring).

    Args:
        debts: all the debtor's debts, any status.
        messaged: the shop has a conversation with them.
        replied: they sent at least one message.
        today: the shop's current date.
    """
    counted, late = late_history(debts, today)
    if counted == 0:
        return Segment.NEW
    if late == 0:
        return Segment.ON_TIME
    if messaged and not replied:
        return Segment.NEVER_REPLIED
    share, of = ALWAYS_LATE_SHARE
    if counted >= ALWAYS_LATE_MIN_DEBTS and late * of >= counted * share:
        return Segment.ALWAYS_LATE
    return Segment.SOMETIMES_LATE


def reach_for(debtor_opted_out: bool, own_phones: Iterable[PhoneFacts]) -> Reach:
    """Whether the debtor can be messaged (`Reach`), from their flag and their own phones.

    A phone is *usable* unless it is marked "não sou eu" for this debtor, opted out or suppressed.
    Blocked: the debtor opted out, or has own phones and none is usable. No WhatsApp: no usable
    phone whose WhatsApp status is "yes" or still unknown (including having no phone at all).
    """
    if debtor_opted_out:
        return Reach.BLOCKED
    phones = 0
    usable = 0
    whatsapp = 0
    for phone in own_phones:
        phones += 1
        if phone.wrong_party or phone.opted_out or phone.suppressed:
            continue
        usable += 1
        if phone.whatsapp_status != "no":
            whatsapp += 1
    if phones and not usable:
        return Reach.BLOCKED
    return Reach.OK if whatsapp else Reach.NO_WHATSAPP


class DebtorStatus(IntEnum):
    """The "Situação" of a debtor, most important first (one per row)."""

    DO_NOT_CONTACT = 0
    AGREEMENT = 1
    OVERDUE = 2
    CURRENT = 3
    SETTLED = 4


def debtor_status(row: DebtorRow, today: date) -> DebtorStatus:
    """The row's "Situação" (the list and its exports): do not contact, then agreement,
    overdue, current, settled."""
    if row.opted_out or row.reach == Reach.BLOCKED:
        return DebtorStatus.DO_NOT_CONTACT
    if row.in_agreement:
        return DebtorStatus.AGREEMENT
    if row.oldest_open_due is not None and row.oldest_open_due < today:
        return DebtorStatus.OVERDUE
    return DebtorStatus.CURRENT if row.open_debts else DebtorStatus.SETTLED
