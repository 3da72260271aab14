"""Agreements after they are made: when one is broken, how its receipts go back to the debts."""

from __future__ import annotations

from datetime import date

import pytest

from cobrador_desktop.domain.agreements import (
    OriginalDebt,
    is_broken,
    restore_balances,
)
from cobrador_desktop.domain.settings import (
    AGREEMENT_BREAK_AFTER_DAYS,
    SETTINGS,
    SettingOutOfRange,
)

TODAY = date(2026, 11, 23)


def test_broken_only_more_than_the_grace_after_the_due_date() -> None:
    days = AGREEMENT_BREAK_AFTER_DAYS.default
    assert days == 30
    assert not is_broken([], TODAY, days)
    assert not is_broken([date(2026, 10, 24)], TODAY, days)  # exactly 30 days late: in grace
    assert is_broken([date(2026, 10, 23)], TODAY, days)  # 31 days late
    assert is_broken([date(2026, 11, 20), date(2026, 9, 1)], TODAY, days)
    assert not is_broken([date(2026, 11, 1)], TODAY, days=30)
    assert is_broken([date(2026, 11, 1)], TODAY, days=10)


def test_the_break_setting_takes_whole_days_within_its_limits() -> None:
    setting = AGREEMENT_BREAK_AFTER_DAYS
    assert setting in SETTINGS and len({s.key for s in SETTINGS}) == len(SETTINGS)
    assert setting.check(1) == 1 and setting.check(365) == 365
    for bad in (0, 366, -5, 30.0, "30", True, None):
        with pytest.raises(SettingOutOfRange) as caught:
            setting.check(bad)
        assert "de 1 a 365" in caught.value.message
        assert "(30)" in caught.value.hint


def test_receipts_credited_to_the_oldest_debts_first_never_beyond_their_balance() -> None:
    debts = [OriginalDebt(3, date(2026, 10, 1), 5000), OriginalDebt(1, date(2026, 9, 1), 3000),
             OriginalDebt(2, date(2026, 9, 1), 4000)]
    # same date: lower id first
    assert restore_balances(debts, 5000) == ((1, 3000), (2, 2000), (3, 0))
    assert restore_balances(debts, 0) == ((1, 0), (2, 0), (3, 0))
    # more than owed (interest and fine were paid too): each debt is credited its balance only
    assert restore_balances(debts, 20000) == ((1, 3000), (2, 4000), (3, 5000))
    assert restore_balances(debts, -10) == ((1, 0), (2, 0), (3, 0))
