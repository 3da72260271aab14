"""Acordos: several open debts renegotiated into a down payment and monthly instalments.

All amounts are integer centavos; rates are integer basis points (1 % = 100). The plan is
itemised as the CDC asks (art. 52): what was owed (principal), the late fine, the interest, any
discount, the total, and each instalment.

- fine: at most 2 % of the principal (CDC art. 52 §1º); more is refused;
- interest: monthly, compound, on what is financed (principal + fine − discount − down
  payment), as the Price table (equal instalments) charges it, counting the days to the first
  instalment (see `price_interest`);
- the instalments add up exactly to the total minus the down payment: each is the same, and the
  rounding remainder goes on the last one.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

from cobrador_desktop.domain.errors import (
    AgreementBadDiscount,
    AgreementBadDownPayment,
    AgreementBadFirstDue,
    AgreementBadInstallments,
    AgreementNoDebts,
    FineAboveCap,
    InterestOutOfRange,
)
from cobrador_desktop.domain.money import format_brl

#: CDC art. 52 §1º: the late fine is at most 2 % of what is owed
MAX_FINE_BP = 200
#: a monthly rate above this is a typo (10 % a month)
MAX_INTEREST_BP = 1000
MAX_INSTALLMENTS = 60
#: the first instalment falls due within this many days
MAX_FIRST_DUE_DAYS = 90
#: longest note kept with an agreement
MAX_NOTE = 500
#: the commercial month the interest counts days in
DAYS_PER_MONTH = 30


@dataclass(frozen=True, slots=True)
class AgreementRequest:
    """An agreement an operator proposes for a debtor."""

    debtor_id: int
    #: the open debts it renegotiates
    debt_ids: tuple[int, ...]
    installments: int
    first_due: date
    #: late fine in basis points of the principal (200 = 2 %)
    fine_bp: int = 0
    #: monthly interest in basis points (100 = 1 % a month)
    interest_bp: int = 0
    discount_cents: int = 0
    down_payment_cents: int = 0
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Instalment:
    """One instalment of a plan."""

    number: int
    due_date: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class AgreementPlan:
    """The itemised plan: total = principal + fine + interest − discount."""

    principal_cents: int
    fine_cents: int
    interest_cents: int
    discount_cents: int
    total_cents: int
    down_payment_cents: int
    #: the down payment falls due on this day (the day the agreement is made)
    down_payment_due: date
    instalments: tuple[Instalment, ...]

    @property
    def days_to_first(self) -> int:
        """Days from the agreement to the first instalment (the interest counts them)."""
        return (self.instalments[0].due_date - self.down_payment_due).days


def format_rate(bp: int) -> str:
    """`2 %`, `1,5 %`, `0,25 %` from basis points."""
    whole, frac = divmod(bp, 100)
    text = str(whole) if not frac else f"{whole},{frac:02d}".rstrip("0")
    return f"{text} %"


def _round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)).__floor__())


def fine_for(principal_cents: int, fine_bp: int) -> int:
    """The fine on `principal_cents` at `fine_bp` (rounded half up).

    Raises:
        FineAboveCap: more than 2 %.
    """
    if fine_bp < 0 or fine_bp > MAX_FINE_BP:
        raise FineAboveCap(fine=format_rate(fine_bp))
    return _round_half_up(Fraction(principal_cents * fine_bp, 10_000))


def price_interest(financed_cents: int, interest_bp: int, installments: int,
                   days_to_first: int = DAYS_PER_MONTH) -> int:
    """The interest of a Price-table loan: n equal monthly payments minus what was financed.

    The first payment falls due `days_to_first` days after the agreement, the others a month
    apart. A month counts as 30 days (the commercial month), so what is financed first grows (or,
    for a first payment sooner than a month, shrinks) to one month before the first payment, then
    pays off as the usual Price table:

        PV' = PV · (1 + i)^(d/30 − 1)
        PMT = PV' · i / (1 − (1 + i)^−n)
        interest = n · PMT − PV

    with PV what is financed, i the monthly rate, n the instalments and d `days_to_first`. Put
    otherwise: the payments, discounted day by day at the monthly rate, are worth exactly PV on
    the day of the agreement. d = 30 is the plain Price table; d = 0 is the payments-in-advance
    one ("série antecipada").

    Returns:
        Centavos, rounded half up.
    """
    if interest_bp == 0 or financed_cents == 0:
        return 0
    rate = Fraction(interest_bp, 10_000)
    months, days = divmod(days_to_first - DAYS_PER_MONTH, DAYS_PER_MONTH)
    grown = financed_cents * (1 + rate) ** months
    if days:
        # a fractional power has no exact value: 40 digits are far past the centavo
        with localcontext() as context:
            context.prec = 40
            one_plus = 1 + Decimal(interest_bp) / 10_000
            grown *= Fraction(one_plus ** (Decimal(days) / DAYS_PER_MONTH))
    payment = grown * rate / (1 - (1 + rate) ** -installments)
    return _round_half_up(payment * installments - financed_cents)


def add_months(start: date, months: int) -> date:
    """`start` plus `months` months; the 31st becomes the month's last day when it has none."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def plan(principal_cents: int, request: AgreementRequest, today: date) -> AgreementPlan:
    """The itemised plan for `request` over debts whose balances add up to `principal_cents`.

    Raises:
        AgreementNoDebts: no debt chosen, or nothing owed on them.
        FineAboveCap: a fine above 2 % (CDC art. 52 §1º).
        InterestOutOfRange: a negative rate or one above 10 % a month.
        AgreementBadInstallments: not 1 to 60 instalments (or instalments under R$ 0,01).
        AgreementBadDiscount: a negative discount, or one that leaves nothing owed.
        AgreementBadDownPayment: a negative down payment, or one that pays everything.
        AgreementBadFirstDue: a first due date before today or more than 90 days ahead.
    """
    for value in (principal_cents, request.fine_bp, request.interest_bp, request.discount_cents,
                  request.down_payment_cents, request.installments):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("amounts and rates must be ints (centavos, basis points)")
    if not request.debt_ids or principal_cents <= 0:
        raise AgreementNoDebts()
    fine = fine_for(principal_cents, request.fine_bp)
    if not 0 <= request.interest_bp <= MAX_INTEREST_BP:
        raise InterestOutOfRange(interest=format_rate(request.interest_bp),
                                 cap=format_rate(MAX_INTEREST_BP))
    n = request.installments
    if not 1 <= n <= MAX_INSTALLMENTS:
        raise AgreementBadInstallments(max=MAX_INSTALLMENTS)
    discount = request.discount_cents
    if not 0 <= discount < principal_cents + fine:
        raise AgreementBadDiscount(discount=format_brl(discount),
                                   limit=format_brl(principal_cents + fine - 1))
    base = principal_cents + fine - discount
    down = request.down_payment_cents
    if not 0 <= down < base:
        raise AgreementBadDownPayment(down=format_brl(down), total=format_brl(base))
    latest = today + timedelta(days=MAX_FIRST_DUE_DAYS)
    if not today <= request.first_due <= latest:
        raise AgreementBadFirstDue(date=request.first_due.strftime("%d/%m/%Y"),
                                   latest=latest.strftime("%d/%m/%Y"))
    financed = base - down
    interest = price_interest(financed, request.interest_bp, n,
                              (request.first_due - today).days)
    total = base + interest
    to_split = total - down
    each = to_split // n
    if each < 1:
        raise AgreementBadInstallments(max=to_split)
    amounts = [each] * (n - 1) + [to_split - each * (n - 1)]
    instalments = tuple(Instalment(k + 1, add_months(request.first_due, k), cents)
                        for k, cents in enumerate(amounts))
    return AgreementPlan(
        principal_cents=principal_cents, fine_cents=fine, interest_cents=interest,
        discount_cents=discount, total_cents=total, down_payment_cents=down,
        down_payment_due=today, instalments=instalments)


ACTIVE = "active"
COMPLETED = "completed"
BROKEN = "broken"
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OriginalDebt:
    """A debt an agreement renegotiated: its id, due date and the balance it had then."""

    debt_id: int
    due_date: date
    balance_cents: int


def is_broken(unpaid_due_dates: Iterable[date], today: date, days: int) -> bool:
    """True when some unpaid instalment fell due more than `days` days before `today`.

    `days` is the shop's setting `domain.settings.AGREEMENT_BREAK_AFTER_DAYS` (30 by default).
    """
    return any((today - due).days > days for due in unpaid_due_dates)


def restore_balances(originals: Iterable[OriginalDebt],
                     received_cents: int) -> tuple[tuple[int, int], ...]:
    """What the agreement received, credited to the original debts oldest first.

    Undoing an agreement (broken or cancelled) gives the debts back their balance less what the
    debtor already paid under the agreement; a debt is never credited beyond its balance. Each
    credit is written as a payment on the debt (`credit_note` says where it came from).

    Returns:
        (debt id, centavos credited) for each original debt, oldest first.
    """
    left = max(received_cents, 0)
    out: list[tuple[int, int]] = []
    for debt in sorted(originals, key=lambda d: (d.due_date, d.debt_id)):
        credit = min(left, max(debt.balance_cents, 0))
        left -= credit
        out.append((debt.debt_id, credit))
    return tuple(out)


#: how the payment that moves an undone agreement's receipts to a debt it replaced is noted
_CREDIT_NOTES = {
    BROKEN: "Crédito do acordo nº {number}, rompido pelo sistema: o que foi pago no acordo",
    CANCELLED: "Crédito do acordo nº {number}, cancelado: o que foi pago no acordo",
}
#: the payment method of those credits (the `payments.method` column has no "acordo")
CREDIT_METHOD = "outro"


def credit_note(agreement_id: int, status: str) -> str:
    """The note of a credit `restore_balances` makes: which agreement, and how it ended.

    Stored with the payment (the shop's language, like the instalments' "Acordo nº N – parcela
    k/n"), so the ledger and the debtor's timeline say where the money came from.
    """
    return _CREDIT_NOTES[status].format(number=agreement_id)
