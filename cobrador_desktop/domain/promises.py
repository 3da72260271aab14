"""Promises to pay: what is a valid promise, and when one is kept or broken.

Rules (the dialog shows them):
- the amount is positive and at most what the debtor owes (on the chosen debt, or in all);
- the date is today or up to `MAX_DAYS_AHEAD` days ahead: a longer plan is an agreement;
- a promise is *kept* once the payments recorded since it was made, dated up to its date, add up
  to its amount (on its debt when it names one); it is *broken* when its date has passed without
  that; an operator may cancel an open one, saying why.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from cobrador_desktop.domain.errors import (
    CancelReasonMissing,
    PromiseAmountNotPositive,
    PromiseDateOutOfRange,
    PromiseTooLarge,
)
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.records import PromiseRequest

#: a promise is for today up to this many days ahead
MAX_DAYS_AHEAD = 90
#: longest note or cancel reason kept
MAX_NOTE = 500
#: how a promise can be made (stored codes; the screen words them)
CHANNELS = ("whatsapp", "telefone", "balcao", "outro")
#: statuses a promise ends in
OPEN, KEPT, BROKEN, CANCELLED = "open", "kept", "broken", "cancelled"


def latest_date(today: date) -> date:
    """The last date a promise made today may name."""
    return today + timedelta(days=MAX_DAYS_AHEAD)


def validate_promise(request: PromiseRequest, today: date,
                     balance_cents: int | None = None) -> PromiseRequest:
    """Check a promise and return it tidied (note stripped, channel known).

    Args:
        request: the promise as typed.
        today: the shop's date.
        balance_cents: what is open on the promise's debt (or in all); None: not checked here.

    Raises:
        PromiseAmountNotPositive: zero or a negative amount.
        PromiseTooLarge: more than is open.
        PromiseDateOutOfRange: a date before today or beyond `MAX_DAYS_AHEAD` days.
    """
    if isinstance(request.amount_cents, bool) or not isinstance(request.amount_cents, int):
        raise TypeError("amount must be int centavos")
    if request.amount_cents <= 0:
        raise PromiseAmountNotPositive()
    if balance_cents is not None and request.amount_cents > balance_cents:
        raise PromiseTooLarge(amount=format_brl(request.amount_cents),
                              balance=format_brl(balance_cents))
    latest = latest_date(today)
    if not today <= request.due_date <= latest:
        raise PromiseDateOutOfRange(date=request.due_date.strftime("%d/%m/%Y"),
                                    latest=latest.strftime("%d/%m/%Y"), days=MAX_DAYS_AHEAD)
    channel = request.channel if request.channel in CHANNELS else None
    note = (request.note or "").strip()[:MAX_NOTE] or None
    return replace(request, channel=channel, note=note)


def clean_reason(reason: str) -> str:
    """A cancel reason, stripped.

    Raises:
        CancelReasonMissing: nothing but spaces.
    """
    cleaned = " ".join(reason.split())[:MAX_NOTE]
    if not cleaned:
        raise CancelReasonMissing()
    return cleaned


def is_kept(amount_cents: int, paid_since_cents: int) -> bool:
    """True when the payments since the promise (dated up to its date) reach its amount."""
    return paid_since_cents >= amount_cents


def is_broken(due_date: date, today: date) -> bool:
    """True when an open promise's date has passed (the day itself still counts)."""
    return due_date < today
