"""The Cloud API client over `httpx.MockTransport`: request shapes, answers, errors (§2–3, §7)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from cobrador_desktop.whatsapp.client import (
    CloudApiClient,
    ListRow,
    ListSection,
    PhoneInfo,
    SendResult,
    TemplateButton,
)
from cobrador_desktop.whatsapp.errors import SendOutcomeUnknown
from tests.unit.whatsapp.helpers import BASE, TOKEN, WAMID, Recorder, ok, run

# ---------------------------------------------------------------- request shapes


def test_send_text_posts_the_documented_payload_with_the_bearer_token() -> None:
    rec = Recorder(ok())
    result = run(rec, lambda c: c.send_text(
        "551187654321", "Oi, Maria! Segue o código PIX da parcela 3: 00020126...6304A1B2",
        callback_data="ob:81234"))
    request = rec.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/1122334455667/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert rec.last_json == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "551187654321",
        "type": "text", "biz_opaque_callback_data": "ob:81234",
        "text": {"body": "Oi, Maria! Segue o código PIX da parcela 3: 00020126...6304A1B2",
                 "preview_url": False}}
    assert result == SendResult(wamid=WAMID, wa_id="551187654321", input="+5511987654321",
                                message_status="accepted")


def test_send_text_quotes_a_message_and_normalises_an_e164_number() -> None:
    rec = Recorder(ok())
    run(rec, lambda c: c.send_text("+55 (11) 98765-4321", "Recebido!", reply_to="wamid.ABC",
                                   preview_url=True))
    assert rec.last_json == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+5511987654321",
        "type": "text", "context": {"message_id": "wamid.ABC"},
        "text": {"body": "Recebido!", "preview_url": True}}


def test_send_template_builds_body_url_and_quick_reply_parameters() -> None:
    rec = Recorder(ok())
    run(rec, lambda c: c.send_template(
        "+5511987654321", "vencimento_hoje_v1", body_params=["Maria", "3/10", "R$ 150,00"],
        buttons=[TemplateButton.quick_reply(3, "STOP:d42"), TemplateButton.url(0, "d42p3"),
                 TemplateButton.quick_reply(1, "PIX:d42:3"), TemplateButton.quick_reply(2, "PAGO:d42:3")],
        callback_data="ob:81235"))
    assert rec.last_json == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+5511987654321",
        "type": "template", "biz_opaque_callback_data": "ob:81235",
        "template": {"name": "vencimento_hoje_v1", "language": {"code": "pt_BR"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Maria"},
                                            {"type": "text", "text": "3/10"},
                                            {"type": "text", "text": "R$ 150,00"}]},
            {"type": "button", "sub_type": "url", "index": "0",
             "parameters": [{"type": "text", "text": "d42p3"}]},
            {"type": "button", "sub_type": "quick_reply", "index": "1",
             "parameters": [{"type": "payload", "payload": "PIX:d42:3"}]},
            {"type": "button", "sub_type": "quick_reply", "index": "2",
             "parameters": [{"type": "payload", "payload": "PAGO:d42:3"}]},
            {"type": "button", "sub_type": "quick_reply", "index": "3",
             "parameters": [{"type": "payload", "payload": "STOP:d42"}]}]}}


def test_send_template_collapses_whitespace_and_fills_header_and_named_params() -> None:
    rec = Recorder(ok())
    run(rec, lambda c: c.send_template(
        "551187654321", "aviso_v2", "pt_BR", header_params=["Loja\tExemplo"],
        body_params={"nome": "Maria\nda  Silva", "valor": "R$      150,00 "}))
    components = rec.last_json["template"]["components"]
    assert components == [
        {"type": "header", "parameters": [{"type": "text", "text": "Loja Exemplo"}]},
        {"type": "body", "parameters": [
            {"type": "text", "parameter_name": "nome", "text": "Maria da Silva"},
            {"type": "text", "parameter_name": "valor", "text": "R$ 150,00"}]}]


def test_a_template_without_parameters_has_no_components() -> None:
    rec = Recorder(ok())
    run(rec, lambda c: c.send_template("551187654321", "hello_world", "en_US"))
    assert rec.last_json["template"] == {"name": "hello_world", "language": {"code": "en_US"}}


def test_send_buttons_posts_the_documented_payload() -> None:
    rec = Recorder(ok())
    run(rec, lambda c: c.send_buttons(
        "551187654321", "Sua parcela de R$ 150,00 vence amanhã. Como prefere pagar?",
        [("pix:d42:3", "PIX"), ("atendente:d42", "Falar com atendente")], footer="Loja Exemplo"))
    assert rec.last_json == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "551187654321",
        "type": "interactive",
        "interactive": {"type": "button",
                        "body": {"text": "Sua parcela de R$ 150,00 vence amanhã. Como prefere pagar?"},
                        "footer": {"text": "Loja Exemplo"},
                        "action": {"buttons": [
                            {"type": "reply", "reply": {"id": "pix:d42:3", "title": "PIX"}},
                            {"type": "reply", "reply": {"id": "atendente:d42",
                                                        "title": "Falar com atendente"}}]}}}


def test_send_list_posts_the_documented_payload() -> None:
    rec = Recorder(ok())
    run(rec, lambda c: c.send_list(
        "551187654321", "Escolha a parcela para receber o código PIX.", "Ver parcelas",
        [ListSection("Em atraso", [ListRow("inst:42:3", "Parcela 3 - R$ 150,00", "Venceu em 10/04")])],
        header="Parcelas"))
    assert rec.last_json == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "551187654321",
        "type": "interactive",
        "interactive": {"type": "list", "header": {"type": "text", "text": "Parcelas"},
                        "body": {"text": "Escolha a parcela para receber o código PIX."},
                        "action": {"button": "Ver parcelas", "sections": [{"title": "Em atraso", "rows": [
                            {"id": "inst:42:3", "title": "Parcela 3 - R$ 150,00",
                             "description": "Venceu em 10/04"}]}]}}}


@pytest.mark.parametrize(("typing", "extra"), [(False, {}),
                                               (True, {"typing_indicator": {"type": "text"}})])
def test_mark_read(typing: bool, extra: dict[str, Any]) -> None:
    rec = Recorder(ok({"success": True}))
    assert run(rec, lambda c: c.mark_read("wamid.IN1", typing=typing)) is None
    assert str(rec.requests[0].url) == f"{BASE}/1122334455667/messages"
    assert rec.last_json == {"messaging_product": "whatsapp", "status": "read",
                             "message_id": "wamid.IN1", **extra}


def test_send_passes_a_payload_through_unchanged() -> None:
    rec = Recorder(ok())
    payload = {"messaging_product": "whatsapp", "to": "551187654321", "type": "reaction",
               "reaction": {"message_id": "wamid.X", "emoji": "👍"}}
    run(rec, lambda c: c.send(payload))
    assert rec.last_json == payload


def test_held_for_quality_assessment_and_missing_contacts_are_read_tolerantly() -> None:
    rec = Recorder(ok({"messages": [{"id": "wamid.Y", "message_status": "held_for_quality_assessment"}]}))
    result = run(rec, lambda c: c.send_text("551187654321", "oi"))
    assert result == SendResult("wamid.Y", None, None, "held_for_quality_assessment")


@pytest.mark.parametrize("answer", [
    httpx.Response(200, json={"messaging_product": "whatsapp"}),
    httpx.Response(200, json={"messages": [{"id": ""}]}),
    httpx.Response(200, json={"messages": ["wamid.Z"]}),
    httpx.Response(200, json=[1, 2]),
    httpx.Response(200, content=b"<html>ok</html>"),
])
def test_a_2xx_send_without_a_message_id_is_an_unknown_outcome(answer: httpx.Response) -> None:
    with pytest.raises(SendOutcomeUnknown):
        run(Recorder(answer), lambda c: c.send_text("551187654321", "oi"))


@pytest.mark.parametrize("call", [
    lambda c: c.send_text("551187654321", ""),
    lambda c: c.send_text("551187654321", "x" * 4097),
    lambda c: c.send_text("not a phone", "oi"),
    lambda c: c.send_text("551187654321", "oi", callback_data="x" * 513),
    lambda c: c.send_buttons("551187654321", "Escolha", [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]),
    lambda c: c.send_buttons("551187654321", "Escolha", []),
    lambda c: c.send_buttons("551187654321", "Escolha", [("a", "x" * 21)]),
    lambda c: c.send_buttons("551187654321", "Escolha", [("a", "A"), ("a", "B")]),
    lambda c: c.send_buttons("551187654321", "x" * 1025, [("a", "A")]),
    lambda c: c.send_buttons("551187654321", "Escolha", [("a", "A")], footer="x" * 61),
    lambda c: c.send_template("551187654321", "t", body_params=["ok", "  \n "]),
    lambda c: c.send_template("551187654321", "t", header_params=["x" * 61]),
    lambda c: c.send_template("551187654321", "t", buttons=[TemplateButton.url(0, "a"),
                                                            TemplateButton.url(0, "b")]),
    lambda c: c.send_list("551187654321", "Escolha", "x" * 21, [ListSection(None, [ListRow("1", "a")])]),
    lambda c: c.send_list("551187654321", "Escolha", "Ver",
                          [ListSection(f"S{i}", [ListRow(str(i), "a")]) for i in range(11)]),
    lambda c: c.send_list("551187654321", "Escolha", "Ver",
                          [ListSection("A", [ListRow(str(i), "a") for i in range(6)]),
                           ListSection("B", [ListRow(str(i + 6), "b") for i in range(5)])]),
    lambda c: c.send_list("551187654321", "Escolha", "Ver", [ListSection(None, [ListRow("1", "x" * 25)])]),
    lambda c: c.send_list("551187654321", "Escolha", "Ver",
                          [ListSection(None, [ListRow("1", "a", "x" * 73)])]),
    lambda c: c.send_list("551187654321", "Escolha", "Ver",
                          [ListSection(None, [ListRow("1", "a")]), ListSection(None, [ListRow("2", "b")])]),
])
def test_limits_are_checked_before_any_http(call: Callable[[CloudApiClient], Awaitable[Any]]) -> None:
    rec = Recorder(ok())
    with pytest.raises(ValueError):
        run(rec, call)
    assert rec.requests == []


# ---------------------------------------------------------------- management


def test_list_templates_follows_the_paging_cursors() -> None:
    pages = {
        None: {"data": [{"name": "a"}, {"name": "b"}],
               "paging": {"cursors": {"before": "B0", "after": "C1"}, "next": f"{BASE}/x?after=C1"}},
        "C1": {"data": [{"name": "c"}],
               "paging": {"cursors": {"before": "C1", "after": "C2"}, "next": f"{BASE}/x?after=C2"}},
        "C2": {"data": [{"name": "d"}], "paging": {"cursors": {"before": "C2", "after": "C3"}}},
    }
    rec = Recorder(lambda request: httpx.Response(200, json=pages[request.url.params.get("after")]))
    templates = run(rec, lambda c: c.list_templates())
    assert [t["name"] for t in templates] == ["a", "b", "c", "d"]
    assert len(rec.requests) == 3
    first = rec.requests[0]
    assert first.method == "GET"
    assert first.url.path == "/v25.0/9988776655/message_templates"
    assert first.url.params["limit"] == "100"
    assert "quality_score" in first.url.params["fields"]
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"


def test_list_templates_stops_on_a_cursor_that_repeats() -> None:
    page = {"data": [{"name": "a"}], "paging": {"cursors": {"after": "SAME"}, "next": "more"}}
    rec = Recorder(httpx.Response(200, json=page))
    assert len(run(rec, lambda c: c.list_templates())) == 2
    assert len(rec.requests) == 2


def test_list_templates_of_an_empty_waba() -> None:
    assert run(Recorder(httpx.Response(200, json={"data": []})), lambda c: c.list_templates()) == []


def test_create_and_delete_template() -> None:
    spec = {"name": "vencimento_hoje_v1", "language": "pt_BR", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Olá, {{1}}."}]}
    rec = Recorder(httpx.Response(200, json={"id": "123", "status": "PENDING", "category": "UTILITY"}),
                   httpx.Response(200, json={"success": True}))
    assert run(rec, lambda c: c.create_template(spec)) == {
        "id": "123", "status": "PENDING", "category": "UTILITY"}
    assert rec.requests[0].method == "POST"
    assert rec.requests[0].url.path == "/v25.0/9988776655/message_templates"
    assert json.loads(rec.requests[0].content) == spec
    run(rec, lambda c: c.delete_template("vencimento_hoje_v1", template_id="123"))
    delete = rec.requests[1]
    assert delete.method == "DELETE"
    assert delete.url.path == "/v25.0/9988776655/message_templates"
    assert dict(delete.url.params) == {"name": "vencimento_hoje_v1", "hsm_id": "123"}


def test_phone_info() -> None:
    rec = Recorder(httpx.Response(200, json={
        "display_phone_number": "+55 11 4000-1234", "verified_name": "Loja Exemplo",
        "quality_rating": "GREEN", "whatsapp_business_manager_messaging_limit": "TIER_250",
        "throughput": {"level": "STANDARD"}, "id": "1122334455667"}))
    info = run(rec, lambda c: c.phone_info())
    assert info == PhoneInfo("+55 11 4000-1234", "Loja Exemplo", "GREEN", "TIER_250", "STANDARD")
    request = rec.requests[0]
    assert request.url.path == "/v25.0/1122334455667"
    fields = request.url.params["fields"].split(",")
    assert {"quality_rating", "whatsapp_business_manager_messaging_limit", "throughput"} <= set(fields)


def test_phone_info_of_a_new_number_with_missing_fields() -> None:
    info = run(Recorder(httpx.Response(200, json={"id": "1", "throughput": "odd"})),
               lambda c: c.phone_info())
    assert info == PhoneInfo(None, None, None, None, None)
