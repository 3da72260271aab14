"""wa.me click-to-chat links and tel: links."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from cobrador_desktop.domain.errors import InvalidPhone
from cobrador_desktop.domain.wa_links import LINK_MAX, ChatTextTooLong, call_link, whatsapp_link


@pytest.mark.parametrize("phone", ["+5511987654321", "(11) 98765-4321", "0xx11 8765-4321",
                                   "55 11 9 8765-4321"])
def test_link_has_the_number_as_digits(phone: str) -> None:
    assert whatsapp_link(phone) == "https://wa.me/5511987654321"


def test_foreign_number() -> None:
    assert whatsapp_link("+1 415-555-2671") == "https://wa.me/14155552671"


def test_text_is_percent_encoded_utf8() -> None:
    text = "Olá! Quero pagar a parcela 3 & negociar o resto? 100% #sim"
    link = whatsapp_link("+5511987654321", f"  {text}\n")
    assert link == ("https://wa.me/5511987654321?text=Ol%C3%A1%21%20Quero%20pagar%20a%20parcela"
                    "%203%20%26%20negociar%20o%20resto%3F%20100%25%20%23sim")
    query = urlsplit(link).query
    assert parse_qs(query)["text"] == [text]
    assert unquote(query.removeprefix("text=")) == text


def test_blank_text_means_no_text() -> None:
    assert whatsapp_link("+5511987654321", "  ") == "https://wa.me/5511987654321"


def test_link_length_is_capped() -> None:
    base = len("https://wa.me/5511987654321?text=")
    fits = "a" * (LINK_MAX - base)
    assert len(whatsapp_link("+5511987654321", fits)) == LINK_MAX
    with pytest.raises(ChatTextTooLong, match="longo demais"):
        whatsapp_link("+5511987654321", fits + "a")
    with pytest.raises(ChatTextTooLong):  # accents take 6 characters each once encoded
        whatsapp_link("+5511987654321", "ã" * ((LINK_MAX - base) // 6 + 1))


def test_call_link() -> None:
    assert call_link("(21) 3333-4444") == "tel:+552133334444"
    assert call_link("11 8765-4321") == "tel:+5511987654321"


@pytest.mark.parametrize("bad", ["", "abc", "123"])
def test_bad_numbers(bad: str) -> None:
    with pytest.raises(InvalidPhone):
        whatsapp_link(bad)
    with pytest.raises(InvalidPhone):
        call_link(bad)
