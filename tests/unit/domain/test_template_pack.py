"""The shipped template pack obeys Meta's rules (§10.1) and the compliance rules, the emulator takes
each template, and `check_spec` finds each kind of mistake."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from cobrador_desktop.domain.template_pack import (
    PACK,
    STOP,
    VARIABLE_LABELS,
    build_pack,
    check_spec,
    supplier_footer,
)
from cobrador_desktop.domain.templates import (
    DebtValues,
    button_payload,
    placeholder_count,
    quick_replies,
    render,
    values_for,
)
from cobrador_desktop.whatsapp.emulator.templates import TemplateStore

SHOP, CNPJ = "Loja Exemplo", "12345678000195"
DUE = date(2026, 6, 15)


def _codes(spec: dict[str, Any], **kwargs: Any) -> set[str]:
    return {p.code for p in check_spec(spec, **kwargs)}


def _lembrete() -> dict[str, Any]:
    return copy.deepcopy(next(e.spec for e in build_pack(SHOP, CNPJ)
                              if e.name == "lembrete_vencimento_v1"))


def _set_body(spec: dict[str, Any], text: str, example: list[str] | None = None) -> None:
    body = spec["components"][0]
    body["text"] = text
    if example is not None:
        body["example"] = {"body_text": [example]}


@pytest.mark.parametrize("entry", build_pack(SHOP, CNPJ), ids=lambda e: e.name)
def test_every_pack_template_passes_the_rules_and_names_the_shop(entry: Any) -> None:
    assert check_spec(entry.spec, purpose=entry.purpose, trade_name=SHOP, document=CNPJ) == []
    assert entry.name.endswith("_v1")
    assert entry.spec["category"] == "UTILITY" and entry.spec["parameter_format"] == "POSITIONAL"
    labels = [label for _, label in quick_replies(entry.spec["components"])]
    assert STOP in labels
    footer = entry.spec["components"][1]
    assert footer == {"type": "FOOTER", "text": "Loja Exemplo - CNPJ 12.345.678/0001-95"}
    # the placeholders are the first values of the purpose, in values_for's order
    debt = DebtValues("Maria da Silva", False, 2, 6, 15_000, 15_000, DUE)
    values = values_for(entry.purpose, debt)
    count = placeholder_count(entry.spec["components"])
    assert 1 <= count <= len(values) <= len(VARIABLE_LABELS[entry.purpose])
    text = render(entry.spec["components"], values[:count])
    assert "{{" not in text and "Loja Exemplo" in text


def test_the_emulator_accepts_every_pack_template_as_pending() -> None:
    store = TemplateStore()
    for entry in build_pack(SHOP, CNPJ):
        store.delete(entry.name)  # the emulator starts with the demo's approved set
        created = store.create(copy.deepcopy(entry.spec))
        assert (created.name, created.status, created.category) == (entry.name, "PENDING",
                                                                     "UTILITY")


def test_the_pack_covers_each_purpose_and_its_names_are_unique() -> None:
    assert len({t.name for t in PACK}) == len(PACK)
    assert {t.purpose for t in PACK} == set(VARIABLE_LABELS)
    assert "pesquisa_satisfacao_v1" in {t.name for t in PACK}


def test_a_survey_answer_on_the_template_comes_back_as_the_survey_payload() -> None:
    assert button_payload("Ótimo", 42) == "SURVEY:d42:OTIMO"
    assert button_payload("Ruim", 7) == "SURVEY:d7:RUIM"
    assert button_payload(STOP, 42) == "STOP:d42"


def test_the_footer_says_cpf_for_an_individual_supplier() -> None:
    assert supplier_footer("Ana Doces", "52998224725") == "Ana Doces - CPF 529.982.247-25"


@pytest.mark.parametrize(("text", "example", "code"), [
    ("{{1}}, sua parcela {{2}} vence amanhã, confira os dados.", ["Ana", "2/6"], "EDGE"),
    ("Olá, sua parcela vence amanhã e o valor é {{1}}.", ["R$ 1,00"], "EDGE"),
    ("Olá, {{1}} {{2}} tem uma parcela que vence amanhã na loja.", ["Ana", "2/6"], "ADJACENT"),
    ("Olá, {{2}} e {{1}} tem uma parcela que vence amanhã na loja.", ["Ana", "2/6"], "ORDER"),
    ("Olá, {{1}}, a parcela {{3}} vence amanhã na loja toda.", ["Ana", "2/6"], "ORDER"),
    ("Olá, {{nome}}, a parcela vence amanhã na loja toda.", [], "NAMED"),
    ("Oi {{1}} e {{2}} ok", ["Ana", "2/6"], "TOO_MANY_VARIABLES"),
    ("Olá, {{1}}. A sua parcela {{2}} vence amanhã na loja.", ["Ana"], "EXAMPLE"),
    ("Olá, {{1}}. " + "x" * 1020, ["Ana"], "BODY_LONG"),
    ("Olá, {{1}}, seu caloteiro, pague a parcela na loja hoje.", ["Ana"], "LINT"),
])
def test_each_body_rule_is_checked(text: str, example: list[str], code: str) -> None:
    spec = _lembrete()
    _set_body(spec, text, example)
    assert code in _codes(spec)


def test_buttons_footer_name_and_supplier_are_checked() -> None:
    spec = _lembrete()
    spec["name"] = "Lembrete-Vencimento"
    spec["components"][1]["text"] = "Loja com um nome fantasia comprido demais - CNPJ 12.345.678/0001-95"
    buttons = spec["components"][2]["buttons"]
    buttons[0]["text"] = "Quero receber o código PIX agora"
    buttons.insert(1, {"type": "URL", "text": "Pagar", "url": "https://x.com.br/{{1}}/pagar"})
    del buttons[-1]  # no "Parar mensagens"
    codes = _codes(spec, trade_name="Outra Loja", document="11222333000181")
    assert {"NAME", "FOOTER_LONG", "LABEL", "URL_VARIABLE", "BUTTONS_GROUP", "NO_OPT_OUT",
            "NO_SUPPLIER"} <= codes


def test_the_identity_check_may_not_speak_of_the_debt() -> None:
    spec = copy.deepcopy(build_pack(SHOP, CNPJ)[0].spec)
    assert check_spec(spec, purpose="identity_check") == []
    _set_body(spec, "Olá! Aqui é da Loja Exemplo. Sobre a sua parcela em aberto: falo com {{1}}? "
                    "Toque abaixo.", ["Maria S."])
    assert "IDENTITY_REVEALS" in _codes(spec, purpose="identity_check")
    assert "IDENTITY_REVEALS" not in _codes(spec, purpose="reminder")


def test_problems_read_in_portuguese() -> None:
    spec = _lembrete()
    spec["components"][2]["buttons"].pop()
    [problem] = check_spec(spec)
    assert problem.text == ("Falta o botão “Parar mensagens”: toda mensagem iniciada pela loja "
                            "oferece parar.")


def test_a_legal_name_other_than_the_trade_name_goes_in_the_footer_when_it_fits() -> None:
    """The first message that shows a debt must name the supplier by its legal name and CNPJ
    (the send guard's CONTENT_NO_SUPPLIER_ID): the pack puts the legal name in the footer."""
    from cobrador_desktop.domain import content_lint
    from cobrador_desktop.domain.templates import render, values_for

    legal = "Exemplo Comércio de Roupas Ltda"
    pack = {e.name: e for e in build_pack(SHOP, CNPJ, legal)}
    spec = pack["parcela_em_atraso_v1"].spec
    footer = next(c["text"] for c in spec["components"] if c["type"] == "FOOTER")
    assert footer == "Exemplo Comércio de Roupas Ltda - CNPJ 12.345.678/0001-95"
    assert check_spec(spec, purpose="overdue", trade_name=SHOP, document=CNPJ) == []
    debt = DebtValues("Ana Souza", False, 2, 6, 15_000, 15_000, date(2026, 11, 10))
    text = render(spec["components"], values_for("overdue", debt))
    assert content_lint.identifies_supplier(text, (legal,), CNPJ)
    # a legal name too long for Meta's 60-character footer leaves the trade name there
    long_legal = "Exemplo Comércio Varejista de Roupas e Acessórios do Brasil Ltda"
    long_pack = build_pack(SHOP, CNPJ, long_legal)
    assert all(next(c["text"] for c in e.spec["components"] if c["type"] == "FOOTER")
               == "Loja Exemplo - CNPJ 12.345.678/0001-95" for e in long_pack)
