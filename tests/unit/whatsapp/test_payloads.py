"""Payload helpers: the `to` rule (§2.1) and template parameter cleaning (§2.2)."""

from __future__ import annotations

import pytest

from cobrador_desktop.whatsapp.payloads import collapse, recipient, text_payload


@pytest.mark.parametrize(("given", "expected"), [
    ("551187654321", "551187654321"),  # a stored wa_id, even without the 9th digit, goes as is
    ("5511987654321", "5511987654321"),
    ("+5511987654321", "+5511987654321"),
    ("+55 (11) 98765-4321", "+5511987654321"),
    (" +1 415 555 0100 ", "+14155550100"),
])
def test_recipient(given: str, expected: str) -> None:
    assert recipient(given) == expected


@pytest.mark.parametrize("given", ["", "+", "abc", "(11) 98765-4321", "+55 11 9876x4321",
                                   "+1234567890123456", "١٢٣٤٥٦٧٨", "12345"])
def test_recipient_refuses_what_is_neither(given: str) -> None:
    with pytest.raises(ValueError):
        recipient(given)


@pytest.mark.parametrize(("given", "expected"), [
    ("Maria\nda Silva", "Maria da Silva"),
    ("R$\t150,00", "R$ 150,00"),
    ("a     b", "a b"),
    ("  já  ", "já"),
    ("sem mudança", "sem mudança"),
])
def test_collapse(given: str, expected: str) -> None:
    assert collapse(given) == expected


def test_free_text_keeps_its_line_breaks() -> None:
    # Only template *parameters* forbid newlines; a text body is sent as written.
    assert text_payload("551187654321", "linha 1\nlinha 2")["text"]["body"] == "linha 1\nlinha 2"
