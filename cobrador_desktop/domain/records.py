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
    #: a promise to pay is pending (no promises are recorded yet: always empty)
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
