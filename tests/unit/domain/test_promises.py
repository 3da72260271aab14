"""Promises to pay: amount, the date window, the cancel reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cobrador_desktop.domain.errors import (
    CancelReasonMissing,
    PromiseAmountNotPositive,
    PromiseDateOutOfRange,
    PromiseTooLarge,
)
from cobrador_desktop.domain.promises import (
    MAX_DAYS_AHEAD,
    clean_reason,
    is_broken,
    is_kept,
    latest_date,
    validate_promise,
)
from cobrador_desktop.domain.records import PromiseRequest

TODAY = date(2026, 11, 23)


def test_valid_promise_is_tidied() -> None:
    got = validate_promise(PromiseRequest(1, 5000, TODAY, channel="whatsapp", note="  ok "),
                           TODAY, 5000)
    assert got.note == "ok" and got.channel == "whatsapp"
    assert validate_promise(PromiseRequest(1, 5000, TODAY, channel="fax"), TODAY).channel is None


def test_amount_and_balance() -> None:
    with pytest.raises(PromiseAmountNotPositive):
        validate_promise(PromiseRequest(1, 0, TODAY), TODAY)
    with pytest.raises(PromiseTooLarge) as caught:
        validate_promise(PromiseRequest(1, 5001, TODAY), TODAY, 5000)
    assert caught.value.message == "O valor prometido (R$ 50,01) passa do que está em aberto " \
                                   "(R$ 50,00)."


def test_date_window_is_today_to_ninety_days() -> None:
    assert latest_date(TODAY) == TODAY + timedelta(days=MAX_DAYS_AHEAD) == date(2027, 2, 21)
    validate_promise(PromiseRequest(1, 100, latest_date(TODAY)), TODAY)
    for bad in (TODAY - timedelta(days=1), latest_date(TODAY) + timedelta(days=1)):
        with pytest.raises(PromiseDateOutOfRange) as caught:
            validate_promise(PromiseRequest(1, 100, bad), TODAY)
    assert caught.value.message == "A data prometida (22/02/2027) precisa ser entre hoje e " \
                                   "21/02/2027."
    assert "90 dias" in caught.value.hint


def test_reason_kept_broken() -> None:
    assert clean_reason("  devedor   desistiu ") == "devedor desistiu"
    with pytest.raises(CancelReasonMissing):
        clean_reason("   ")
    assert is_kept(100, 100) and not is_kept(100, 99)
    assert is_broken(TODAY - timedelta(days=1), TODAY) and not is_broken(TODAY, TODAY)
