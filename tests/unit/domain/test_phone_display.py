"""The fast display of stored numbers agrees with the phonenumbers-based one."""

from __future__ import annotations

import random

import pytest

from cobrador_desktop.domain.errors import InvalidPhone
from cobrador_desktop.domain.phone import known_ddds, parse_phone
from cobrador_desktop.domain.phone_display import national_display


@pytest.mark.parametrize(("e164", "shown"), [
    ("+5511987654321", "(11) 98765-4321"),
    ("+551133334444", "(11) 3333-4444"),
    ("+5561999998888", "(61) 99999-8888"),
])
def test_brazilian_numbers(e164: str, shown: str) -> None:
    assert national_display(e164) == shown


def test_foreign_numbers_use_the_library() -> None:
    assert national_display("+14155552671") == parse_phone("+14155552671").national


def test_garbage_is_invalid() -> None:
    with pytest.raises(InvalidPhone):
        national_display("não é telefone")


def test_agrees_with_phonenumbers_on_random_valid_numbers() -> None:
    rng = random.Random(7)
    ddds = known_ddds()
    for _ in range(500):
        ddd = rng.choice(ddds)
        if rng.random() < 0.7:
            local = "9" + "".join(rng.choice("0123456789") for _ in range(8))
        else:
            local = rng.choice("2345") + "".join(rng.choice("0123456789") for _ in range(7))
        try:
            phone = parse_phone(f"({ddd}) {local}")
        except InvalidPhone:
            continue
        assert national_display(phone.e164) == phone.national
