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


#: A keyset cursor: the sort key of the last row of a page (opaque to callers).
Cursor = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class DebtorPage:
    """One page of the debtor list and the cursor for the next (None on the last page)."""

    rows: tuple[DebtorRow, ...]
    next_after: Cursor | None
