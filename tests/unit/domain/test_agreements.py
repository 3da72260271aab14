"""The agreement plan: itemised amounts, the 2 % fine cap, instalments that add up exactly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobrador_desktop.domain.agreements import (
    MAX_FINE_BP,
    AgreementRequest,
    add_months,
    fine_for,
    format_rate,
    plan,
    price_interest,
)
from cobrador_desktop.domain.errors import (
    AgreementBadDiscount,
    AgreementBadDownPayment,
    AgreementBadFirstDue,
    AgreementBadInstallments,
    AgreementNoDebts,
    FineAboveCap,
    InterestOutOfRange,
)

TODAY = date(2026, 11, 23)


def _request(**fields: object) -> AgreementRequest:
    values: dict[str, object] = {"debtor_id": 1, "debt_ids": (1, 2), "installments": 3,
                                 "first_due": date(2026, 12, 23)}
    values.update(fields)
    return AgreementRequest(**values)  # type: ignore[arg-type]


def test_itemised_plan_with_fine_interest_and_down_payment() -> None:
    p = plan(100000, _request(fine_bp=200, interest_bp=200, down_payment_cents=10000), TODAY)
    assert (p.principal_cents, p.fine_cents, p.discount_cents) == (100000, 2000, 0)
    # Price table, 2 % a month on R$ 920,00 over 3 months: 3 × 319,01 ≈ 957,04
    assert p.interest_cents == 3704
    assert p.total_cents == 105704
    assert [i.amount_cents for i in p.instalments] == [31901, 31901, 31902]
    assert [i.due_date for i in p.instalments] == [
        date(2026, 12, 23), date(2027, 1, 23), date(2027, 2, 23)]
    assert p.down_payment_due == TODAY


def _present_value_interest(financed: int, rate: float, n: int, days: int) -> int:
    """The interest by another road: the instalment whose n payments, due `days` days, then a
    month, two… after the agreement and discounted day by day (30-day months), are worth what is
    financed on the day of the agreement."""
    worth = sum((1 + rate) ** -(days / 30 + k) for k in range(n))
    return round(n * financed / worth - financed)


@pytest.mark.parametrize("days", [0, 10, 30, 31, 45, 60, 90])
def test_interest_counts_the_days_to_the_first_instalment(days: int) -> None:
    request = _request(fine_bp=200, interest_bp=200, down_payment_cents=10000,
                       first_due=TODAY + timedelta(days=days))
    p = plan(100000, request, TODAY)
    assert p.days_to_first == days
    assert p.interest_cents == _present_value_interest(92000, 0.02, 3, days)
    assert p.down_payment_cents + sum(i.amount_cents for i in p.instalments) == p.total_cents


def test_a_first_instalment_later_than_a_month_costs_more_interest() -> None:
    def interest(days: int) -> int:
        return plan(100000, _request(fine_bp=200, interest_bp=200, down_payment_cents=10000,
                                     first_due=TODAY + timedelta(days=days)), TODAY).interest_cents

    # R$ 920,00 at 2 % a month: grown by 1,02^(15/30) before the Price table (3 × 322,19)
    assert interest(45) == 4657
    assert interest(10) == 2449 < interest(30) == 3704 < interest(45)
    # 3 instalments, the first due today: the payments-in-advance table ("série antecipada")
    assert interest(0) == 1828
    # one instalment due today is no loan at all
    assert plan(100000, _request(installments=1, interest_bp=500, first_due=TODAY),
                TODAY).interest_cents == 0


def test_no_interest_splits_evenly_with_the_remainder_on_the_last() -> None:
    p = plan(10000, _request(installments=3), TODAY)
    assert p.interest_cents == 0 and p.total_cents == 10000
    assert [i.amount_cents for i in p.instalments] == [3333, 3333, 3334]


def test_discount_lowers_the_total() -> None:
    p = plan(50000, _request(discount_cents=5000, installments=1), TODAY)
    assert p.total_cents == 45000 and p.instalments[0].amount_cents == 45000


def test_fine_above_two_percent_is_refused_in_portuguese() -> None:
    with pytest.raises(FineAboveCap) as caught:
        plan(10000, _request(fine_bp=201), TODAY)
    assert caught.value.message == "A multa de 2,01 % passa do limite de 2 %."
    assert "art. 52" in caught.value.hint


@pytest.mark.parametrize(("fields", "error"), [
    ({"debt_ids": ()}, AgreementNoDebts),
    ({"interest_bp": -1}, InterestOutOfRange),
    ({"interest_bp": 1001}, InterestOutOfRange),
    ({"installments": 0}, AgreementBadInstallments),
    ({"installments": 61}, AgreementBadInstallments),
    ({"discount_cents": 10000}, AgreementBadDiscount),
    ({"discount_cents": -1}, AgreementBadDiscount),
    ({"down_payment_cents": 10000}, AgreementBadDownPayment),
    ({"first_due": TODAY - timedelta(days=1)}, AgreementBadFirstDue),
    ({"first_due": TODAY + timedelta(days=91)}, AgreementBadFirstDue),
])
def test_bad_terms_are_refused(fields: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        plan(10000, _request(**fields), TODAY)


def test_instalments_smaller_than_a_centavo_are_refused() -> None:
    with pytest.raises(AgreementBadInstallments):
        plan(2, _request(installments=3), TODAY)


def test_helpers() -> None:
    assert format_rate(200) == "2 %" and format_rate(150) == "1,5 %"
    assert format_rate(25) == "0,25 %"
    assert fine_for(12345, 200) == 247  # 246,9 rounds half up
    assert price_interest(0, 300, 5) == 0 and price_interest(1000, 0, 5) == 0
    assert price_interest(92000, 200, 3) == price_interest(92000, 200, 3, 30) == 3704
    assert price_interest(92000, 200, 3, 45) == 4657
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


@given(
    principal=st.integers(1, 10**10),
    fine_bp=st.integers(0, MAX_FINE_BP),
    interest_bp=st.integers(0, 1000),
    installments=st.integers(1, 60),
    discount_share=st.integers(0, 99),
    down_share=st.integers(0, 99),
    first_in=st.integers(0, 90),
)
def test_instalments_always_add_up_to_the_total(
        principal: int, fine_bp: int, interest_bp: int, installments: int,
        discount_share: int, down_share: int, first_in: int) -> None:
    fine = fine_for(principal, fine_bp)
    discount = (principal + fine) * discount_share // 100
    down = (principal + fine - discount) * down_share // 100
    request = _request(fine_bp=fine_bp, interest_bp=interest_bp, installments=installments,
                       discount_cents=discount, down_payment_cents=down,
                       first_due=TODAY + timedelta(days=first_in))
    try:
        p = plan(principal, request, TODAY)
    except AgreementBadInstallments:
        # only when the amount left is fewer centavos than instalments
        assert principal + fine - discount - down < installments * 2
        return
    assert p.down_payment_cents + sum(i.amount_cents for i in p.instalments) == p.total_cents
    assert p.total_cents == p.principal_cents + p.fine_cents + p.interest_cents - discount
    assert p.fine_cents * 10_000 <= p.principal_cents * MAX_FINE_BP + 5_000
    amounts = [i.amount_cents for i in p.instalments]
    assert len(amounts) == installments and min(amounts) >= 1
    # equal instalments; only the last carries the rounding remainder
    assert len(set(amounts[:-1])) <= 1
    assert 0 <= amounts[-1] - amounts[0] < installments
    assert p.interest_cents >= 0
    dues = [i.due_date for i in p.instalments]
    assert dues == sorted(dues) and dues[0] == request.first_due


@given(principal=st.integers(1, 10**10), fine_bp=st.integers(MAX_FINE_BP + 1, 10_000))
def test_a_fine_over_the_cap_is_never_accepted(principal: int, fine_bp: int) -> None:
    with pytest.raises(FineAboveCap):
        plan(principal, _request(fine_bp=fine_bp), TODAY)
