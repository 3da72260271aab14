"""Reading a debtor's answer (COMPLIANCE.md §3): buttons, whole typed phrases, the flag for a stop
word inside a longer text, and the guard letting exactly the one "não sou eu" reply through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cobrador_desktop.domain.inbound_answers import (
    OPT_OUT_PHRASES,
    Answer,
    Intent,
    classify,
    normalise,
    reply_text,
)
from cobrador_desktop.domain.policy import SendFacts, SendRequest, evaluate
from cobrador_desktop.domain.templates import button_payload

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "intent", "keyword"), [
    ("Sou eu", Intent.CPC_CONFIRMED, "sou eu"),
    ("sim, sou eu!", Intent.CPC_CONFIRMED, "sim sou eu"),
    ("Não sou eu", Intent.WRONG_PARTY, "nao sou eu"),
    ("  NÃO SOU EU!!! ", Intent.WRONG_PARTY, "nao sou eu"),
    ("Na\u0303o sou eu", Intent.WRONG_PARTY, "nao sou eu"),  # decomposed accent
    ("número errado.", Intent.WRONG_PARTY, "numero errado"),
    ("Não conheço", Intent.WRONG_PARTY, "nao conheco"),
    ("Engano", Intent.WRONG_PARTY, "engano"),
    ("PARAR", Intent.OPT_OUT, "parar"),
    ("Pare!", Intent.OPT_OUT, "pare"),
    ("sair 🙏", Intent.OPT_OUT, "sair"),
    ("Stop", Intent.OPT_OUT, "stop"),
    ("cancelar", Intent.OPT_OUT, "cancelar"),
    ("Descadastrar", Intent.OPT_OUT, "descadastrar"),
    ("Não quero receber", Intent.OPT_OUT, "nao quero receber"),
    ("não quero MAIS receber...", Intent.OPT_OUT, "nao quero mais receber"),
    ("Pare de mandar mensagem!", Intent.OPT_OUT, "pare de mandar mensagem"),
    ("Parar mensagens", Intent.OPT_OUT, "parar mensagens"),
    ("VOLTAR", Intent.OPT_IN, "voltar"),
    ("Voltar a receber", Intent.OPT_IN, "voltar a receber"),
    ("start", Intent.OPT_IN, "start"),
])
def test_a_whole_typed_phrase_is_an_answer(text: str, intent: Intent, keyword: str) -> None:
    assert classify("text", text, None) == Answer(intent, keyword)


@pytest.mark.parametrize(("text", "keyword"), [
    ("Quero cancelar a compra", "cancelar"),
    ("por favor pare de mandar mensagem pra mim", "pare de mandar mensagem"),
    ("Vou PARAR de pagar", "parar"),
])
def test_a_stop_word_inside_a_longer_text_is_only_flagged(text: str, keyword: str) -> None:
    assert classify("text", text, None) == Answer(Intent.POSSIBLE_OPT_OUT, keyword)


@pytest.mark.parametrize("text", [
    "Oi", "Já paguei ontem, vou mandar o comprovante", "Vou pagar amanhã sem falta", "Quem é?",
    "sou eu que paguei ontem",
    "não sou eu que devo", "paraná", "voltar amanhã", "", "!!!", "stopped"])
def test_other_texts_are_not_answers(text: str) -> None:
    assert classify("text", text, None) is None


@pytest.mark.parametrize(("payload", "intent"), [
    ("CPC_YES:d42", Intent.CPC_CONFIRMED), ("SOU_EU:d42", Intent.CPC_CONFIRMED),
    ("CPC_NO:d42", Intent.WRONG_PARTY), ("nao_sou:d42", Intent.WRONG_PARTY),
    ("STOP:d42", Intent.OPT_OUT)])
def test_a_button_payload_names_the_intent_and_the_debt(payload: str, intent: Intent) -> None:
    answer = classify("button", "Qualquer rótulo", payload)
    assert answer is not None
    assert (answer.intent, answer.by_button, answer.debt_id) == (intent, True, 42)


@pytest.mark.parametrize(("label", "intent"), [
    ("Sou eu", Intent.CPC_CONFIRMED), ("Não sou eu", Intent.WRONG_PARTY),
    ("Parar mensagens", Intent.OPT_OUT)])
def test_the_templates_own_buttons_are_understood(label: str, intent: Intent) -> None:
    answer = classify("button", label, button_payload(label, 7))
    assert answer is not None and (answer.intent, answer.debt_id) == (intent, 7)


def test_a_button_without_a_known_payload_falls_back_to_its_text() -> None:
    assert classify("button", "Parar mensagens", "OUTRA:d7") == Answer(Intent.OPT_OUT,
                                                                       "parar mensagens")
    assert classify("button", "Oi", "OUTRA:d7:3") is None
    assert classify("button", "Parar mensagens", "STOP") == Answer(Intent.OPT_OUT, "STOP",
                                                                   by_button=True)


def test_captions_and_media_are_not_answers() -> None:
    assert classify("image", "parar", "MEDIA-ID") is None
    assert classify("location", "Rua Parar, 1", None) is None


def test_normalise_keeps_letters_and_digits_only() -> None:
    assert normalise("  Não   sou EU!! 🙏 ") == "nao sou eu"
    assert normalise("número_errado") == "numero errado"


def test_replies_name_the_shop_or_fall_back_and_reveal_nothing() -> None:
    assert reply_text(Intent.OPT_OUT, "Loja Exemplo") == (
        "Pronto. A Loja Exemplo não enviará mais mensagens para este número. Se quiser voltar "
        "a receber, envie VOLTAR.")
    assert reply_text(Intent.OPT_IN, None) == (
        "Certo! Você voltará a receber mensagens da loja neste número. Para parar a qualquer "
        "momento, envie PARAR.")
    assert reply_text(Intent.WRONG_PARTY, "X").startswith("Obrigado por avisar")  # type: ignore[union-attr]
    assert reply_text(Intent.CPC_CONFIRMED, "X") is None
    for intent in (Intent.OPT_OUT, Intent.OPT_IN, Intent.WRONG_PARTY):
        text = reply_text(intent, "Loja Exemplo") or ""
        decision = evaluate(SendRequest("reply", "system_reply", "text", text),
                            SendFacts(last_inbound_at=T, complete=True), T)
        assert decision.allowed, decision.reasons
        assert not decision.reasons  # no lint finding, nothing about a debt


def test_every_stop_phrase_is_already_normalised() -> None:
    assert all(normalise(p) == p for p in OPT_OUT_PHRASES)


def _reply(facts: SendFacts, purpose: str = "system_reply") -> list[str]:
    decision = evaluate(SendRequest("reply", purpose, "text", "Obrigado por avisar."), facts,
                        T + timedelta(seconds=5))
    return [r.code for r in decision.blocking]


def test_the_guard_lets_only_the_reply_to_the_wrong_party_answer_through() -> None:
    answered = SendFacts(last_inbound_at=T, wrong_party=True, wrong_party_at=T)
    assert _reply(answered) == []
    # an operator's reply, or a later message from the person: silence
    assert _reply(answered, "free_reply") == ["PHONE_WRONG_PARTY"]
    later = SendFacts(last_inbound_at=T + timedelta(seconds=1), wrong_party=True,
                      wrong_party_at=T)
    assert _reply(later) == ["PHONE_WRONG_PARTY"]
    assert _reply(SendFacts(last_inbound_at=T, wrong_party=True, wrong_party_at=None)) == [
        "PHONE_WRONG_PARTY"]


# --------------------------------------------------------------------------- self-service buttons


@pytest.mark.parametrize(("label", "intent"), [
    ("Quero o código PIX", Intent.PIX_REQUESTED), ("Já paguei", Intent.PAYMENT_CLAIMED),
    ("Negociar", Intent.NEGOTIATE), ("Falar com atendente", Intent.AGENT_REQUESTED),
    ("Prefiro uma ligação", Intent.CALL_REQUESTED)])
def test_the_self_service_buttons_name_their_action_and_the_debt(label: str,
                                                                  intent: Intent) -> None:
    answer = classify("button", label, button_payload(label, 42))
    assert answer == Answer(intent, button_payload(label, 42).split(":")[0], by_button=True,
                            debt_id=42)


@pytest.mark.parametrize(("payload", "intent"), [
    ("PAGO:d42:3", Intent.PAYMENT_CLAIMED), ("NEG:d42", Intent.NEGOTIATE),
    ("pix:d42:3", Intent.PIX_REQUESTED), ("atendente:d42", Intent.AGENT_REQUESTED)])
def test_older_and_lower_case_prefixes_are_understood(payload: str, intent: Intent) -> None:
    answer = classify("interactive", "x", payload)
    assert answer is not None and (answer.intent, answer.debt_id) == (intent, 42)


def test_a_negotiation_option_names_the_debt_and_the_number_of_instalments() -> None:
    answer = classify("interactive", "3x de R$ 29,97", "NEGOTIATE_OPT:d42:3")
    assert answer == Answer(Intent.NEGOTIATION_CHOSEN, "NEGOTIATE_OPT", by_button=True,
                            debt_id=42, option=3)
    assert answer.to_json()["option"] == 3
    assert classify("interactive", "x", "NEGOTIATE_OPT:d42") is None  # which option?
    assert "option" not in Answer(Intent.PIX_REQUESTED, "PIX").to_json()


@pytest.mark.parametrize(("text", "intent"), [
    ("pix", Intent.PIX_REQUESTED), ("Quero o PIX", Intent.PIX_REQUESTED),
    ("manda o pix!", Intent.PIX_REQUESTED), ("Pode me mandar o PIX?", Intent.PIX_REQUESTED),
    ("Quero o código PIX", Intent.PIX_REQUESTED), ("Já paguei", Intent.PAYMENT_CLAIMED),
    ("já paguei!!", Intent.PAYMENT_CLAIMED), ("Negociar", Intent.NEGOTIATE),
    ("Atendente", Intent.AGENT_REQUESTED), ("Falar com atendente", Intent.AGENT_REQUESTED),
    ("Quero falar com alguém", Intent.AGENT_REQUESTED)])
def test_the_self_service_requests_typed_as_a_whole_message(text: str, intent: Intent) -> None:
    answer = classify("text", text, None)
    assert answer is not None and answer.intent is intent and not answer.by_button


@pytest.mark.parametrize("text", ["o pix não funcionou", "paguei metade", "falei com o atendente"])
def test_a_request_inside_a_longer_text_is_left_to_an_operator(text: str) -> None:
    assert classify("text", text, None) is None
