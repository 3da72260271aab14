"""The error table of WHATSAPP_CLOUD_API.md §7 and the parsing of Meta's error envelope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.whatsapp.errors import (
    RULES,
    CloudApiError,
    ErrorKind,
    FollowUp,
    SendOutcomeUnknown,
    classify,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "meta" / "errors"

# Every code of the §7 table, copied from the document, with its action.
DOC_TABLE: dict[int, ErrorKind] = {
    130429: ErrorKind.PACE, 131056: ErrorKind.PACE, 131048: ErrorKind.STOP,
    131049: ErrorKind.WAIT, 131050: ErrorKind.NO_RETRY, 131047: ErrorKind.TEMPLATE,
    131026: ErrorKind.NO_RETRY,
    100: ErrorKind.NO_RETRY, 131008: ErrorKind.NO_RETRY, 131009: ErrorKind.NO_RETRY,
    131051: ErrorKind.NO_RETRY, 131021: ErrorKind.NO_RETRY,
    131052: ErrorKind.NO_RETRY, 131053: ErrorKind.NO_RETRY,
    132000: ErrorKind.NO_RETRY, 132001: ErrorKind.NO_RETRY, 132005: ErrorKind.NO_RETRY,
    132007: ErrorKind.NO_RETRY, 132008: ErrorKind.NO_RETRY, 132012: ErrorKind.NO_RETRY,
    132018: ErrorKind.NO_RETRY,
    132015: ErrorKind.WAIT, 132016: ErrorKind.NO_RETRY,
    131000: ErrorKind.RETRY, 131016: ErrorKind.RETRY, 133004: ErrorKind.RETRY, 2: ErrorKind.RETRY,
    131057: ErrorKind.RETRY,
    4: ErrorKind.PACE, 80007: ErrorKind.PACE,
    190: ErrorKind.STOP, 0: ErrorKind.STOP,
    3: ErrorKind.STOP, 10: ErrorKind.STOP, 200: ErrorKind.STOP, 250: ErrorKind.STOP,
    299: ErrorKind.STOP, 131005: ErrorKind.STOP,
    33: ErrorKind.STOP, 133010: ErrorKind.STOP, 131045: ErrorKind.STOP,
    368: ErrorKind.STOP, 131031: ErrorKind.STOP,
    131042: ErrorKind.STOP, 131062: ErrorKind.NO_RETRY, 131064: ErrorKind.STOP,
}
TEMPLATE_SUBCODES = (2388040, 2388047, 2388072, 2388073, 2388293, 2388299, 2388019, 2388023, 2388024)

# fixture file -> (code, kind)
FIXTURE_TABLE: dict[str, tuple[int, ErrorKind]] = {
    "130429_throughput": (130429, ErrorKind.PACE),
    "131056_pair_rate": (131056, ErrorKind.PACE),
    "131048_spam_rate": (131048, ErrorKind.STOP),
    "131049_ecosystem": (131049, ErrorKind.WAIT),
    "131050_stopped_marketing": (131050, ErrorKind.NO_RETRY),
    "131047_reengagement": (131047, ErrorKind.TEMPLATE),
    "131026_undeliverable": (131026, ErrorKind.NO_RETRY),
    "100_invalid_parameter": (100, ErrorKind.NO_RETRY),
    "131008_missing_parameter": (131008, ErrorKind.NO_RETRY),
    "131009_invalid_value": (131009, ErrorKind.NO_RETRY),
    "131051_unsupported_type": (131051, ErrorKind.NO_RETRY),
    "131021_recipient_is_sender": (131021, ErrorKind.NO_RETRY),
    "131052_media_download": (131052, ErrorKind.NO_RETRY),
    "131053_media_upload": (131053, ErrorKind.NO_RETRY),
    "132000_param_count": (132000, ErrorKind.NO_RETRY),
    "132001_template_missing": (132001, ErrorKind.NO_RETRY),
    "132005_text_too_long": (132005, ErrorKind.NO_RETRY),
    "132007_character_policy": (132007, ErrorKind.NO_RETRY),
    "132008_parameter_value": (132008, ErrorKind.NO_RETRY),
    "132012_parameter_format": (132012, ErrorKind.NO_RETRY),
    "132018_parameter_issue": (132018, ErrorKind.NO_RETRY),
    "132015_template_paused": (132015, ErrorKind.WAIT),
    "132016_template_disabled": (132016, ErrorKind.NO_RETRY),
    "131000_generic": (131000, ErrorKind.RETRY),
    "131016_service_unavailable": (131016, ErrorKind.RETRY),
    "133004_server_unavailable": (133004, ErrorKind.RETRY),
    "2_service_temporarily_unavailable": (2, ErrorKind.RETRY),
    "131057_maintenance": (131057, ErrorKind.RETRY),
    "4_app_rate_limit": (4, ErrorKind.PACE),
    "80007_waba_rate_limit": (80007, ErrorKind.PACE),
    "190_token_expired": (190, ErrorKind.STOP),
    "0_auth_exception": (0, ErrorKind.STOP),
    "3_capability": (3, ErrorKind.STOP),
    "10_permission_denied": (10, ErrorKind.STOP),
    "200_permissions_error": (200, ErrorKind.STOP),
    "131005_access_denied": (131005, ErrorKind.STOP),
    "33_wrong_object_id": (33, ErrorKind.STOP),
    "133010_not_registered": (133010, ErrorKind.STOP),
    "131045_certificate": (131045, ErrorKind.STOP),
    "368_policy_block": (368, ErrorKind.STOP),
    "131031_account_locked": (131031, ErrorKind.STOP),
    "131042_payment": (131042, ErrorKind.STOP),
    "131062_bsuid_not_allowed": (131062, ErrorKind.NO_RETRY),
    "131064_classification_limit": (131064, ErrorKind.STOP),
    "template_2388040_field_too_long": (100, ErrorKind.NO_RETRY),
    "template_2388047_header": (100, ErrorKind.NO_RETRY),
    "template_2388072_body": (100, ErrorKind.NO_RETRY),
    "template_2388073_footer": (100, ErrorKind.NO_RETRY),
    "template_2388293_too_many_variables": (100, ErrorKind.NO_RETRY),
    "template_2388299_leading_trailing_variable": (100, ErrorKind.NO_RETRY),
    "template_2388019_template_limit": (100, ErrorKind.NO_RETRY),
    "template_2388024_already_exists": (100, ErrorKind.NO_RETRY),
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_every_fixture_is_in_the_table_and_back() -> None:
    on_disk = {path.stem for path in FIXTURES.glob("*.json")}
    assert on_disk == set(FIXTURE_TABLE)


@pytest.mark.parametrize(("code", "kind"), sorted(DOC_TABLE.items()))
def test_every_documented_code_is_classified(code: int, kind: ErrorKind) -> None:
    # The HTTP status must not matter for a known code (§7: throttling is 400, 190 is 401...).
    for status in (None, 200, 400, 401, 403, 404, 429, 500, 503):
        rule = classify(code, status)
        assert rule.kind is kind, (code, status)
        assert code in rule.codes


@pytest.mark.parametrize("subcode", TEMPLATE_SUBCODES)
def test_template_creation_subcodes_have_their_own_explanation(subcode: int) -> None:
    rule = classify(100, 400, subcode)
    assert subcode in rule.subcodes
    assert rule.kind is ErrorKind.NO_RETRY
    assert FollowUp.TEMPLATE_CREATION in rule.follow_up
    assert rule.message_pt != classify(100, 400).message_pt


def test_code_100_with_an_unknown_subcode_is_an_invalid_parameter() -> None:
    assert classify(100, 400, 1234567) is classify(100, 400)


@pytest.mark.parametrize("name", sorted(FIXTURE_TABLE))
def test_recorded_payloads_are_parsed_and_classified(name: str) -> None:
    fixture = load(name)
    code, kind = FIXTURE_TABLE[name]
    body = json.dumps(fixture["body"]).encode()
    error = CloudApiError.from_response(fixture["http_status"], body)
    envelope = fixture["body"]["error"]
    assert error.code == code
    assert error.kind is kind
    assert error.http_status == fixture["http_status"]
    assert error.fbtrace_id == envelope["fbtrace_id"]
    assert error.subcode == envelope.get("error_subcode")
    expected_details = (envelope.get("error_data", {}).get("details")
                        or envelope.get("error_user_msg") or envelope["message"])
    assert error.details == expected_details
    assert not error.title.startswith("(#")
    assert error.message == error.rule.message_pt.format(code=code, details=expected_details) \
        or error.message == error.rule.message_pt
    assert error.hint
    assert "{" not in error.hint and "{" not in error.message


def test_the_error_is_a_known_error_in_portuguese_with_its_context() -> None:
    error = CloudApiError.from_response(400, load("131047_reengagement")["body"])
    assert isinstance(error, KnownError)
    assert error.context == "CloudApi"
    assert error.message == "Janela de 24 horas fechada. Envie um modelo aprovado."
    assert error.message_source == error.rule.message_pt
    assert error.title == "Re-engagement message"
    assert "24 horas" in str(error)


def test_template_creation_hint_quotes_metas_explanation() -> None:
    error = CloudApiError.from_response(400, load("template_2388293_too_many_variables")["body"])
    assert error.title == "Too many variables for message length"
    assert "Decrease the number of variable parameters" in error.hint


def test_html_gateway_page_is_a_retryable_server_error() -> None:
    html = (FIXTURES / "502_bad_gateway.html").read_bytes()
    error = CloudApiError.from_response(502, html)
    assert error.code is None
    assert error.kind is ErrorKind.RETRY
    assert error.rule.max_retries == 3
    assert error.title.startswith("502 Bad Gateway")


@pytest.mark.parametrize("body", [
    None, b"", b"not json", b"[1, 2]", b'{"error": "boom"}', b'{"error": {}}', b"\xff\xfe",
    '{"error": {"code": "nope"}}', {"error": None}, {"unexpected": True},
])
def test_odd_bodies_fall_back_on_the_http_class(body: Any) -> None:
    assert CloudApiError.from_response(503, body).kind is ErrorKind.RETRY
    assert CloudApiError.from_response(400, body).kind is ErrorKind.NO_RETRY
    assert CloudApiError.from_response(401, body).kind is ErrorKind.STOP
    assert CloudApiError.from_response(429, body).kind is ErrorKind.PACE


def test_code_as_string_or_only_in_the_message_is_understood() -> None:
    as_string = CloudApiError.from_response(400, {"error": {"code": "131047", "message": "x"}})
    assert as_string.code == 131047
    in_message = CloudApiError.from_response(400, {"error": {"message": "(#130429) Rate limit hit"}})
    assert in_message.code == 130429 and in_message.kind is ErrorKind.PACE
    assert in_message.title == "Rate limit hit"


def test_unknown_code_message_names_the_code() -> None:
    error = CloudApiError.from_response(400, {"error": {"code": 999999, "message": "(#999999) New"}})
    assert error.kind is ErrorKind.NO_RETRY
    assert error.message == "A Meta recusou o envio (código 999999)."


@pytest.mark.parametrize(("code", "status", "kind"), [
    (None, None, ErrorKind.RETRY),
    (None, 500, ErrorKind.RETRY), (None, 502, ErrorKind.RETRY), (None, 503, ErrorKind.RETRY),
    (None, 401, ErrorKind.STOP), (None, 429, ErrorKind.PACE),
    (None, 400, ErrorKind.NO_RETRY), (None, 404, ErrorKind.NO_RETRY), (None, 413, ErrorKind.NO_RETRY),
    (987654, 500, ErrorKind.RETRY), (987654, 401, ErrorKind.STOP), (987654, 400, ErrorKind.NO_RETRY),
    (987654, None, ErrorKind.NO_RETRY),
])
def test_fallbacks(code: int | None, status: int | None, kind: ErrorKind) -> None:
    assert classify(code, status).kind is kind


def test_server_fallback_allows_three_retries_only() -> None:
    rule = classify(None, 500)
    assert [rule.delay_seconds(n) for n in range(1, 5)] == [1.0, 2.0, 4.0, None]


def test_retry_guidance_from_the_document() -> None:
    assert classify(131057, 500).delay_seconds(1) == 60
    assert classify(132015, 400).delay_seconds(1) == 3 * 3600
    assert classify(131049, 400).delay_seconds(1) == 24 * 3600
    pair = classify(131056, 400)
    assert [pair.delay_seconds(n) for n in (1, 2, 3)] == [1.0, 4.0, 16.0]
    assert FollowUp.RECIPIENT in pair.follow_up


def test_backoff_is_capped_at_five_minutes_and_spends_its_tries() -> None:
    rule = classify(131016, 503)
    delays = [rule.delay_seconds(n) for n in range(1, 7)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, None]
    assert classify(131056, 400).delay_seconds(5) == 256.0
    assert rule.delay_seconds(0) is None


@pytest.mark.parametrize("kind", [ErrorKind.NO_RETRY, ErrorKind.STOP, ErrorKind.TEMPLATE])
def test_kinds_a_person_must_handle_never_retry_by_themselves(kind: ErrorKind) -> None:
    for rule in RULES:
        if rule.kind is kind:
            assert rule.delay_seconds(1) is None, rule.codes


def test_every_rule_speaks_portuguese_and_says_what_next() -> None:
    for rule in RULES:
        assert rule.meaning and rule.message_pt and rule.hint_pt
        assert rule.message_pt.endswith(".") and rule.hint_pt.endswith(".")


def test_no_code_is_in_two_rows() -> None:
    seen: set[tuple[int, int | None]] = set()
    for rule in RULES:
        for code in rule.codes:
            for sub in rule.subcodes or (None,):
                assert (code, sub) not in seen
                seen.add((code, sub))


def test_follow_ups_of_the_table() -> None:
    assert FollowUp.FLAG_PHONE in classify(131026, 400).follow_up
    assert FollowUp.RESYNC_TEMPLATES in classify(132000, 400).follow_up
    assert FollowUp.RESYNC_TEMPLATES in classify(132001, 404).follow_up
    assert FollowUp.BULK_ONLY in classify(131048, 400).follow_up
    assert FollowUp.MANAGEMENT in classify(80007, 400).follow_up
    assert FollowUp.MARKETING in classify(131050, 400).follow_up
    assert FollowUp.USE_PHONE in classify(131062, 400).follow_up


def test_send_outcome_unknown_says_no_confirmation() -> None:
    error = SendOutcomeUnknown("ReadTimeout")
    assert isinstance(error, KnownError)
    assert "sem confirmação da Meta" in error.message
    assert "não reenvia" in error.hint
    assert error.reason == "ReadTimeout"
    assert "ReadTimeout" in repr(error)


def test_repr_carries_the_trace_id_for_support() -> None:
    error = CloudApiError.from_response(401, load("190_token_expired")["body"])
    assert "Cc8dF1gH4jK7lZ0xC3vB6nM" in repr(error)
    assert "kind='stop'" in repr(error)
