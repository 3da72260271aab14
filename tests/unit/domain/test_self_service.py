"""The self-service replies' words and sums: instalment splits in integer cents, the owner's
NEGOTIATION setting, the PIX copia e cola of a balance, and the interactive bodies' limits."""

from __future__ import annotations

from datetime import date, time

import pytest

from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.pix import decode_brcode
from cobrador_desktop.domain.self_service import (
    choices_request,
    hours_text,
    identity_buttons,
    identity_question,
    negotiate_text,
    option_id,
    options,
    pix_code,
    pix_reply,
    split,
)
from cobrador_desktop.domain.settings import NEGOTIATION, NegotiationPlan, check_negotiation


@pytest.mark.parametrize("balance", [1, 99, 8990, 8993, 100_000, 123_456_789])
@pytest.mark.parametrize("count", [2, 3, 4, 7, 12])
def test_a_split_adds_up_to_the_balance_exactly(balance: int, count: int) -> None:
    plan = split(balance, count)
    assert plan.total_cents == balance and plan.count == count
    assert 0 <= plan.first_cents - plan.each_cents < count


def test_options_keep_the_instalments_at_or_above_the_minimum() -> None:
    plan = NegotiationPlan((2, 3, 4), 5000)
    assert [o.count for o in options(20000, plan)] == [2, 3, 4]
    assert [o.count for o in options(14999, plan)] == [2]
    assert options(9999, plan) == []
    three = options(20000, plan)[1]
    assert (three.title, three.wording) == ("3x de R$ 66,66", "3x de R$ 66,66 (a 1ª de R$ 66,68)")


def test_the_negotiation_setting_checks_and_dumps() -> None:
    assert NEGOTIATION.default == NegotiationPlan((2, 3, 4), 5000)
    assert check_negotiation({"installments": [6, 2, 2]}) == NegotiationPlan((2, 6), 5000)
    assert check_negotiation(NEGOTIATION.dump(NegotiationPlan((3,), 0))) == NegotiationPlan((3,), 0)
    for bad in ({"installments": []}, {"installments": [1]}, {"installments": [2] * 11},
                {"installments": [2, 25]}, {"installments": "2,3"},
                {"min_installment_cents": -1}, {"min_installment_cents": 50.0}, "x"):
        with pytest.raises(InvalidInput):
            check_negotiation(bad)


def test_the_pix_reply_carries_a_valid_code_of_the_balance() -> None:
    code = pix_code("11.222.333/0001-81", "Loja Exemplo", "Campinas", balance_cents=8990,
                    debt_id=42)
    decoded = decode_brcode(code)  # checks the CRC
    assert (decoded.charge.amount_cents, decoded.charge.txid) == (8990, "COB42")
    text = pix_reply(code, balance_cents=8990, due=date(2026, 11, 10),
                     legal_name="Loja Exemplo Ltda", document="11.222.333/0001-81")
    assert text.splitlines()[0] == "Loja Exemplo Ltda · CNPJ 11.222.333/0001-81"
    assert "R$ 89,90" in text and "10/11/2026" in text and text.endswith("\n\n" + code)
    with pytest.raises(InvalidInput):
        pix_code("", "Loja", "Campinas", balance_cents=100, debt_id=1)


def test_the_hours_name_the_weekdays_and_saturday_when_it_works() -> None:
    assert hours_text(ContactProfile()) == "atendimento de segunda a sexta, das 09:00 às 18:00"
    saturday = ContactProfile(saturday_enabled=True, saturday_start=time(9),
                              saturday_end=time(13))
    assert hours_text(saturday).endswith("e aos sábados, das 09:00 às 13:00")


def test_up_to_three_choices_are_buttons_more_are_a_list() -> None:
    found = options(100_000, NegotiationPlan((2, 3, 4, 5, 6), 5000))
    body = negotiate_text(100_000, date(2026, 11, 10), found)
    assert "• 3x de R$ 333,33 (a 1ª de R$ 333,34)" in body
    buttons = choices_request(body, [(option_id(42, o.count), o.title) for o in found[:3]])
    assert buttons["interactive"]["type"] == "button"
    assert [b["reply"]["id"] for b in buttons["interactive"]["action"]["buttons"]] == [
        "NEGOTIATE_OPT:d42:2", "NEGOTIATE_OPT:d42:3", "NEGOTIATE_OPT:d42:4"]
    listed = choices_request(body, [(option_id(42, o.count), o.title) for o in found])
    assert listed["interactive"]["type"] == "list"
    assert len(listed["interactive"]["action"]["sections"][0]["rows"]) == 5
    with pytest.raises(ValueError, match="choices"):
        choices_request(body, [])


def test_the_identity_question_names_the_person_only() -> None:
    assert identity_question("Maria da Silva Souza", is_company=False).count("Maria S.") == 1
    assert identity_buttons(42) == [("CPC_YES:d42", "Sou eu"), ("CPC_NO:d42", "Não sou eu")]
