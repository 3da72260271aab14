"""Frozen records that cross from the database worker thread to the rest of the program.

ORM objects never leave the database thread; repositories turn rows into these plain, immutable
values, which are safe to hand to services, the UI and other threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class DebtorSort(StrEnum):
    """The orders the debtor list offers (each backed by an index)."""

    #: by folded name (accents and case ignored), A to Z
    NAME = "name"
    #: largest open amount first
    OPEN_AMOUNT = "open_amount"
    #: oldest open due date first; debtors with nothing open come last
    OLDEST_DUE = "oldest_due"
    #: nearest upcoming due date first; debtors with nothing upcoming come last
    NEXT_DUE = "next_due"


class DebtorFilter(StrEnum):
    """The quick filters of the debtor list (one at a time)."""

    #: some open debt is past due
    OVERDUE = "overdue"
    #: the next open due date is within 7 days (today included)
    DUE_SOON = "due_soon"
    #: some debt is under an agreement (acordo)
    AGREEMENT = "agreement"
    #: a promise to pay is pending (status open)
    PROMISE = "promise"
    #: nobody to message on WhatsApp (see `Reach.NO_WHATSAPP`)
    NO_WHATSAPP = "no_whatsapp"
    #: must not be contacted (see `Reach.BLOCKED`)
    DO_NOT_CONTACT = "do_not_contact"


class Segment(StrEnum):
    """How a debtor pays, from their payment history (defined in `domain.debtor_summary`)."""

    ON_TIME = "on_time"
    SOMETIMES_LATE = "sometimes_late"
    ALWAYS_LATE = "always_late"
    NEVER_REPLIED = "never_replied"
    NEW = "new"


class Reach(StrEnum):
    """Whether a debtor can be messaged at all, summarised from their own phones."""

    #: some own phone may be messaged and may have WhatsApp
    OK = "ok"
    #: no own phone that may have WhatsApp (none at all, or every usable one is known not to)
    NO_WHATSAPP = "no_whatsapp"
    #: do not contact: the person opted out, or every own phone opted out, is suppressed or is
    #: marked "não sou eu"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class DebtorQuery:
    """What the debtor list shows: a search, a quick filter and a segment, all optional (AND)."""

    #: what the user typed in the search box (see `domain.search.parse_query`)
    text: str = ""
    filter: DebtorFilter | None = None
    segment: Segment | None = None

    @property
    def is_everything(self) -> bool:
        """True when nothing narrows the list."""
        return not self.text.strip() and self.filter is None and self.segment is None


@dataclass(frozen=True, slots=True)
class DebtorCounts:
    """How many debtors each quick filter and segment holds (over the whole list)."""

    total: int
    filters: dict[DebtorFilter, int]
    segments: dict[Segment, int]


@dataclass(frozen=True, slots=True)
class DebtorRow:
    """One line of the debtor list: the debtor and the summary of what they owe."""

    id: int
    name: str
    document: str | None
    document_type: str | None
    #: the debtor's first own phone (E.164), preferring numbers not marked "não sou eu"
    phone_e164: str | None
    open_cents: int
    open_debts: int
    oldest_open_due: date | None
    next_due: date | None
    last_contact_at: datetime | None
    operator_name: str | None
    #: the person asked not to be contacted at all
    opted_out: bool = False
    #: payment-history segment (`Segment` value), kept by `refresh_summaries`
    segment: str = "new"
    #: whom we can message (`Reach` value), kept by `refresh_summaries`
    reach: str = "ok"
    #: some of their debts were renegotiated into an agreement (status "agreement")
    in_agreement: bool = False


#: A keyset cursor: the sort key of the last row of a page (opaque to callers).
Cursor = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class DebtorPage:
    """One page of the debtor list and the cursor for the next (None on the last page)."""

    rows: tuple[DebtorRow, ...]
    next_after: Cursor | None


# --------------------------------------------------------------------------- debtor detail


class PaymentMethod(StrEnum):
    """How a payment was made (the values the `payments.method` column accepts)."""

    PIX = "pix"
    CASH = "dinheiro"
    CARD = "cartao"
    BOLETO = "boleto"
    TRANSFER = "transferencia"
    OTHER = "outro"


@dataclass(frozen=True, slots=True)
class PhoneState:
    """One of a debtor's phones with everything that decides whether it may be messaged."""

    phone_id: int
    e164: str
    #: "mobile", "landline" or "unknown"
    kind: str
    #: "own", or "reference" (a relative, friend or employer line: never messaged)
    role: str
    label: str | None
    #: has WhatsApp: "yes", "no" or "unknown"
    whatsapp: str
    whatsapp_checked_at: datetime | None
    opted_out: bool
    opted_out_at: datetime | None
    opt_out_source: str | None
    #: opt-in evidence (COMPLIANCE.md §5): where and when
    opt_in_source: str | None
    opt_in_at: datetime | None
    suppressed: bool
    suppression_source: str | None
    never_message: bool
    #: "não sou eu": never messaged again for this debtor
    wrong_party: bool
    wrong_party_at: datetime | None
    #: right-party contact state: "unverified", "pending", "confirmed" or "denied"
    cpc_status: str
    #: the number also belongs to other debtors (warn before any debt detail)
    shared: bool

    @property
    def may_message(self) -> bool:
        """True when nothing forbids messaging this number for this debtor (WhatsApp "no" aside)."""
        return (self.role == "own" and not self.never_message and not self.wrong_party
                and not self.opted_out and not self.suppressed)


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """Money received for one debt."""

    id: int
    debt_id: int
    amount_cents: int
    paid_on: date
    #: a `PaymentMethod` value
    method: str
    note: str | None
    recorded_by: int | None
    recorded_by_name: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DebtRecord:
    """One debt (usually an instalment) with its payments, oldest first."""

    id: int
    description: str
    amount_cents: int
    paid_cents: int
    due_date: date
    #: "open", "paid", "cancelled", "disputed" or "agreement"
    status: str
    installment_number: int | None
    installment_count: int | None
    external_id: str | None
    created_at: datetime
    payments: tuple[PaymentRecord, ...] = ()

    @property
    def balance_cents(self) -> int:
        """What is still owed on it (0 once paid, cancelled or under an agreement)."""
        if self.status not in ("open", "disputed"):
            return 0
        return max(self.amount_cents - self.paid_cents, 0)

    def days_late(self, today: date) -> int | None:
        """Days past the due date while something is owed; None when not late."""
        if self.balance_cents == 0 or self.due_date >= today:
            return None
        return (today - self.due_date).days


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """A note about a debtor: when and by whom (unknown for notes that came with an import)."""

    text: str
    at: datetime | None
    author: str | None


class TimelineKind(StrEnum):
    """What a line of a debtor's timeline is about."""

    DEBT = "debt"
    PAYMENT = "payment"
    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"
    NOTE = "note"
    AUDIT = "audit"


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One thing that happened to a debtor, for the timeline (newest first)."""

    at: datetime
    kind: TimelineKind
    #: the debt, payment, message or audit entry id (None for notes)
    ref_id: int | None = None
    #: a debt's description, a message's text, a note; for audit entries, the action code
    text: str = ""
    amount_cents: int | None = None
    #: a message's status, a payment's method, a debt's status
    status: str | None = None
    #: who did it (an operator's name), when known
    actor: str | None = None
    #: the instant is a calendar day (payments): show the date without a time
    date_only: bool = False
    #: a failed message's reason, an audit entry's details as text
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class DebtorDetail:
    """Everything the debtor screen shows, read in one go."""

    id: int
    name: str
    document: str | None
    document_type: str | None
    email: str | None
    address: str | None
    city: str | None
    uf: str | None
    tags: tuple[str, ...]
    opted_out: bool
    operator_name: str | None
    created_at: datetime
    anonymised_at: datetime | None
    #: summary columns, as the list shows them
    open_cents: int
    segment: str
    reach: str
    in_agreement: bool
    phones: tuple[PhoneState, ...]
    #: by due date, oldest first
    debts: tuple[DebtRecord, ...]
    #: oldest first
    notes: tuple[NoteRecord, ...]
    #: newest first
    timeline: tuple[TimelineEvent, ...]
    #: older messages or audit entries were left out of the timeline
    timeline_truncated: bool = False
    #: promises to pay, newest first
    promises: tuple[PromiseRecord, ...] = ()
    #: agreements (acordos), newest first
    agreements: tuple[AgreementRecord, ...] = ()

    @property
    def payments(self) -> tuple[PaymentRecord, ...]:
        """Every payment of every debt, newest first."""
        found = [p for debt in self.debts for p in debt.payments]
        return tuple(sorted(found, key=lambda p: (p.paid_on, p.id), reverse=True))

    @property
    def balance_cents(self) -> int:
        """What is still owed over all debts (from the debts themselves)."""
        return sum(debt.balance_cents for debt in self.debts)


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A payment an operator records for a debtor."""

    debtor_id: int
    #: the debt it pays; None: spread over the open debts, oldest due date first
    debt_id: int | None
    amount_cents: int
    paid_on: date
    method: PaymentMethod
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """A promise to pay: this much by this date, and what became of it."""

    id: int
    debtor_id: int
    debt_id: int | None
    amount_cents: int
    due_date: date
    #: "open", "kept", "broken" or "cancelled"
    status: str
    channel: str | None
    note: str | None
    created_by_name: str | None
    created_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class PromiseRequest:
    """A promise an operator records for a debtor."""

    debtor_id: int
    amount_cents: int
    due_date: date
    #: the debt it is about; None: the debtor's debts in general
    debt_id: int | None = None
    #: how it was made: "whatsapp", "telefone", "balcao", "outro"
    channel: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AgreementRecord:
    """An acordo as stored: the itemised amounts, the debts it renegotiated and its state."""

    id: int
    debtor_id: int
    #: "active", "completed", "broken" or "cancelled"
    status: str
    principal_cents: int
    fine_cents: int
    interest_cents: int
    discount_cents: int
    total_cents: int
    down_payment_cents: int
    installments: int
    first_due: date
    note: str | None
    created_by_name: str | None
    created_at: datetime
    ended_at: datetime | None
    #: the renegotiated debts' ids
    original_debt_ids: tuple[int, ...] = ()
    #: the new debts (down payment first, then the instalments)
    new_debt_ids: tuple[int, ...] = ()
