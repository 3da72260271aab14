"""Recording a payment: what is a valid payment, and which debts it pays.

Pure rules, shared by the payment dialog (to answer at once) and the repository (to decide for
sure, inside the transaction that writes the payment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from cobrador_desktop.domain.errors import (
    DebtNotPayable,
    NothingOpen,
    Overpayment,
    PaymentAmountNotPositive,
    PaymentDateInFuture,
    PaymentTooOld,
)
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.money import MAX_CENTS, format_brl
from cobrador_desktop.domain.records import DebtRecord, PaymentMethod, PaymentRequest

#: statuses that may receive a payment (a disputed debt may still be paid)
PAYABLE_STATUSES = ("open", "disputed")
#: a payment older than this is a typo in the year, not a late entry
MAX_AGE = timedelta(days=366 * 10)
#: longest note kept with a payment
MAX_NOTE = 500

#: how a status reads inside "ela está …" (DebtNotPayable)
_STATUS_WORDS = {
    "paid": QT_TRANSLATE_NOOP("KnownError", "paga"),
    "cancelled": QT_TRANSLATE_NOOP("KnownError", "cancelada"),
    "agreement": QT_TRANSLATE_NOOP("KnownError", "num acordo"),
}


def validate_payment(request: PaymentRequest, today: date) -> PaymentRequest:
    """Check what does not need the database and return the request tidied (note stripped).

    Raises:
        PaymentAmountNotPositive: zero or a negative amount.
        Overpayment: an amount beyond anything storable.
        PaymentDateInFuture: a date after `today`.
        PaymentTooOld: a date more than ten years back.
    """
    if isinstance(request.amount_cents, bool) or not isinstance(request.amount_cents, int):
        raise TypeError("amount must be int centavos")
    if request.amount_cents <= 0:
        raise PaymentAmountNotPositive()
    if request.amount_cents > MAX_CENTS:
        raise Overpayment(amount=format_brl(request.amount_cents), balance="-")
    if request.paid_on > today:
        raise PaymentDateInFuture(date=request.paid_on.strftime("%d/%m/%Y"))
    if request.paid_on < today - MAX_AGE:
        raise PaymentTooOld(date=request.paid_on.strftime("%d/%m/%Y"))
    note = (request.note or "").strip()[:MAX_NOTE] or None
    return replace(request, method=PaymentMethod(request.method), note=note)


def allocate(amount_cents: int, debts: Sequence[DebtRecord],
             debt_id: int | None) -> list[tuple[int, int]]:
    """Which debts a payment pays, and how much of each.

    Args:
        amount_cents: the payment, positive.
        debts: the debtor's debts (any status, any order).
        debt_id: the debt chosen, or None to pay the open debts oldest due date first.

    Returns:
        (debt id, centavos) pairs, in the order paid; their sum is `amount_cents`.

    Raises:
        DebtNotPayable: the chosen debt is paid, cancelled or under an agreement.
        NothingOpen: nothing is owed (or the chosen debt is not the debtor's).
        Overpayment: the amount is more than is owed (on that debt, or in all).
    """
    if debt_id is not None:
        chosen = [d for d in debts if d.id == debt_id]
        if not chosen:
            raise NothingOpen()
        debt = chosen[0]
        if debt.status not in PAYABLE_STATUSES:
            raise DebtNotPayable(status=_STATUS_WORDS.get(debt.status, debt.status))
        payable = [debt]
    else:
        payable = sorted((d for d in debts if d.status in PAYABLE_STATUSES and d.balance_cents),
                         key=lambda d: (d.due_date, d.id))
    balance = sum(d.balance_cents for d in payable)
    if balance == 0:
        raise NothingOpen()
    if amount_cents > balance:
        raise Overpayment(amount=format_brl(amount_cents), balance=format_brl(balance))
    parts: list[tuple[int, int]] = []
    left = amount_cents
    for debt in payable:
        if left == 0:
            break
        part = min(left, debt.balance_cents)
        if part:
            parts.append((debt.id, part))
            left -= part
    return parts
