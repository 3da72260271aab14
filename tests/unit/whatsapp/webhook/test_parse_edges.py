"""Tolerance rules of the parser, one at a time (WHATSAPP_CLOUD_API.md §4.3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from cobrador_desktop.domain.webhook_events import (
    AccountUpdate,
    ApiErrorInfo,
    InboundMessage,
    StatusUpdate,
    TemplateUpdate,
    UnknownChange,
)
from cobrador_desktop.whatsapp.webhook.parse import EPOCH, ParseResult, parse_body
from tests.unit.whatsapp.webhook._data import MARIA, PNID, T, at

META = {"display_phone_number": "5511999990000", "phone_number_id": PNID}


def _body(changes: list[Any], time: Any = None) -> bytes:
    entry: dict[str, Any] = {"id": "102290129340398", "changes": changes}
    if time is not None:
        entry["time"] = time
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def _value(**parts: Any) -> dict[str, Any]:
    return {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": META, **parts}}


def _message(**overrides: Any) -> dict[str, Any]:
    msg = {"from": MARIA, "id": "wamid.X1", "timestamp": str(int(T.timestamp())), "type": "text",
           "text": {"body": "oi"}}
    msg.update(overrides)
    return {k: v for k, v in msg.items() if v is not None}


def _one(body: bytes) -> Any:
    result = parse_body(body)
    assert result.ok, result.problem
    (event,) = result.events
    return event


@pytest.mark.parametrize(("body", "problem"), [
    (b"\xff\xfe{}", "body is not UTF-8"),
    (b"", "body is not JSON"),
    (b"{\"object\": ", "body is not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "body is not JSON"),  # nesting too deep for the decoder
    (b"{\"n\": " + b"9" * 5000 + b"}", "body is not JSON"),  # an int longer than Python converts
    (b"[]", "body is not a JSON object"),
    (b"\"whatsapp_business_account\"", "body is not a JSON object"),
    (b"{\"entry\": []}", "object is not whatsapp_business_account"),
    (b"{\"object\": \"whatsapp_business_account\"}", "no entry list"),
    (b"{\"object\": \"whatsapp_business_account\", \"entry\": {}}", "no entry list"),
])
def test_bodies_that_are_not_envelopes_are_refused_with_a_reason(body: bytes, problem: str) -> None:
    assert parse_body(body) == ParseResult((), ok=False, problem=problem)


def test_an_empty_entry_list_is_a_valid_empty_notification() -> None:
    body = b"{\"object\":\"whatsapp_business_account\",\"entry\":[]}"
    assert parse_body(body) == ParseResult((), True, None)


@pytest.mark.parametrize(("stamp", "expected"), [
    ("1795438500", T), (1795438500, T), (1795438500.9, T), (" 1795438500 ", T),
])
def test_timestamps_as_strings_or_numbers(stamp: Any, expected: datetime) -> None:
    assert _one(_body([_value(messages=[_message(timestamp=stamp)])])).timestamp == expected


@pytest.mark.parametrize("stamp", [None, "", "soon", "-5", -5, True, 10**20, "1e9", float("nan"), [], {}])
def test_an_unreadable_timestamp_falls_back_to_the_entry_time_then_the_epoch(stamp: Any) -> None:
    message = _message(timestamp=stamp) if stamp is not None else {**_message(), "timestamp": None}
    with_time = _one(_body([_value(messages=[message])], time=int(T.timestamp()) + 60))
    assert with_time.timestamp == at(60)
    without = _one(_body([_value(messages=[message])]))
    assert without.timestamp == EPOCH == datetime(1970, 1, 1, tzinfo=UTC)


def test_text_that_cannot_be_stored_is_cleaned_and_the_raw_keeps_it() -> None:
    body = _body([_value(messages=[_message(text={"body": "pa\x00go \ud800!"})])])
    message = _one(body)
    assert message.text == "pago ?!"
    assert message.raw["text"]["body"] == "pa\x00go \ud800!"


def test_missing_type_and_unknown_content_still_make_a_message() -> None:
    message = _one(_body([_value(messages=[_message(type=None, text=None)])]))
    assert (message.type, message.text, message.payload) == ("unknown", "", None)


def test_a_message_without_id_is_an_unknown_change() -> None:
    event = _one(_body([_value(messages=[_message(id=None)])]))
    assert event == UnknownChange("messages", "message without a usable id", raw={})
    assert event.raw["text"] == {"body": "oi"}


def test_a_status_without_id_or_status_is_an_unknown_change() -> None:
    event = _one(_body([_value(statuses=[{"id": "wamid.S", "timestamp": "1"}])]))
    assert event == UnknownChange("messages", "status without a usable id or status", raw={})


def test_status_words_and_pricing_are_normalised_and_error_codes_read_as_numbers() -> None:
    status = {"id": "wamid.S", "status": "FAILED", "timestamp": "1795438500", "recipient_id": 551187654321,
              "pricing": {"category": "Marketing-Lite", "type": "FREE-ENTRY-POINT"},
              "errors": [{"code": "131049", "title": "Not delivered"}, {"code": "x"}, "junk"]}
    event = _one(_body([_value(statuses=[status])]))
    assert isinstance(event, StatusUpdate)
    assert (event.status, event.recipient_wa_id) == ("failed", MARIA)
    assert (event.pricing_category, event.pricing_type) == ("marketing_lite", "free_entry_point")
    assert event.errors == (ApiErrorInfo(131049, "Not delivered", "", ""), ApiErrorInfo(None, "", "", ""))


@pytest.mark.parametrize("value", [{}, {"contacts": []}])
def test_a_messages_change_with_nothing_in_it_is_unknown(value: dict[str, Any]) -> None:
    event = _one(_body([_value(**value)]))
    assert event == UnknownChange("messages", "no messages, statuses or errors", raw={})


def test_shapes_that_are_not_lists_or_objects_are_unknown_changes_not_errors() -> None:
    body = _body([_value(messages={"id": "wamid.X"}, statuses=["x"]), "change", {"field": "messages"}])
    assert parse_body(body).events == (
        UnknownChange("messages", "messages is not a list", raw={}),
        UnknownChange("messages", "statuses item is not an object", raw={}),
        UnknownChange(None, "change is not an object", raw={}),
        UnknownChange("messages", "change without a value object", raw={}),
    )


def test_the_sender_profile_is_found_by_wa_id_then_bsuid_never_by_guess() -> None:
    contacts = [{"profile": {"name": "Ana"}, "wa_id": "5521911112222"},
                {"profile": {"name": "Maria"}, "wa_id": MARIA},
                {"profile": {"name": "Bia"}, "user_id": "BR.77"}]
    by_wa_id, by_bsuid, unmatched = parse_body(_body([_value(contacts=contacts, messages=[
        _message(), _message(id="wamid.X2", **{"from": None, "from_user_id": "BR.77"}),
        _message(id="wamid.X3", **{"from": "5511900000000"})])])).events
    assert isinstance(by_wa_id, InboundMessage) and by_wa_id.profile_name == "Maria"
    assert isinstance(by_bsuid, InboundMessage)
    assert (by_bsuid.profile_name, by_bsuid.from_wa_id, by_bsuid.from_user_id) == ("Bia", None, "BR.77")
    assert isinstance(unmatched, InboundMessage) and unmatched.profile_name is None


def test_a_missing_from_is_taken_from_the_only_contact() -> None:
    message = _one(_body([_value(contacts=[{"profile": {"name": "Maria"}, "wa_id": MARIA}],
                                 messages=[_message(**{"from": None})])]))
    assert (message.from_wa_id, message.profile_name) == (MARIA, "Maria")


def test_flow_replies_and_old_system_payloads() -> None:
    flow = _message(type="interactive", text=None, interactive={
        "type": "nfm_reply", "nfm_reply": {"name": "flow", "body": "Sent", "response_json": "{\"ok\":1}"}})
    system = _message(id="wamid.X2", type="system", text=None, system={
        "type": "user_changed_number", "body": "mudou", "new_wa_id": "5511976543210"})
    bsuid = _message(id="wamid.X3", type="system", text=None, system={
        "type": "user_changed_user_id", "body": "novo id", "user_id": "BR.99"})
    events = parse_body(_body([_value(messages=[flow, system, bsuid])])).events
    assert [(e.text, e.payload) for e in events if isinstance(e, InboundMessage)] == [
        ("Sent", "{\"ok\":1}"), ("mudou", "5511976543210"), ("novo id", "BR.99")]


def test_a_category_advance_notice_names_the_category_to_come() -> None:
    event = _one(_body([{"field": "template_category_update", "value": {
        "message_template_id": "77", "message_template_name": "aviso", "message_template_language": "pt_BR",
        "correct_category": "MARKETING", "category_update_timestamp": 1795438500}}], time=1795438500))
    assert event == TemplateUpdate("template_category_update", "77", "aviso", "pt_BR", "MARKETING", None,
                                   raw={}, entry_time=T)


def test_a_bare_user_preference_is_accepted() -> None:
    event = _one(_body([{"field": "user_preferences", "value": {
        "wa_id": MARIA, "category": "marketing_messages", "value": "Resume", "timestamp": 1795438500}}]))
    assert event == AccountUpdate("user_preferences", "marketing_messages", MARIA, "resume", raw={})


def test_an_entry_without_changes_is_unknown() -> None:
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "time": 1795438500}, 7]})
    assert parse_body(body.encode()).events == (
        UnknownChange(None, "entry without a changes list", raw={}, entry_time=T),
        UnknownChange(None, "entry is not an object", raw={}),
    )


def test_ids_longer_than_meta_ever_sends_are_not_taken_as_ids() -> None:
    event = _one(_body([_value(messages=[_message(id="wamid." + "A" * 300)])]))
    assert isinstance(event, UnknownChange)
    message = _one(_body([_value(messages=[_message(type="t" * 50)])]))
    assert not isinstance(message, UnknownChange) and message.type == "unknown"
