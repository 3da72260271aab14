"""Signature and handshake checks: only Meta, with the exact bytes it sent, gets in (§4.2)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from cobrador_desktop.whatsapp.webhook.verify import MAX_BODY, handshake, sign, signature_ok
from tests.unit.whatsapp.webhook._data import raw

SECRET = b"7c1f0e5b9a2d4c68b3e1f09a7d6c5b4a"
OLD_SECRET = b"1a2b3c4d5e6f708192a3b4c5d6e7f809"
BODY = raw("text")


def test_sign_is_hmac_sha256_hex_with_the_prefix() -> None:
    assert sign(BODY, SECRET) == "sha256=" + hmac.new(SECRET, BODY, hashlib.sha256).hexdigest()


def test_a_correct_signature_is_accepted() -> None:
    assert signature_ok(BODY, sign(BODY, SECRET), [SECRET])


def test_uppercase_hex_and_surrounding_spaces_are_accepted() -> None:
    digest = sign(BODY, SECRET).removeprefix("sha256=")
    assert signature_ok(BODY, f" sha256={digest.upper()} ", [SECRET])


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256", "sha1=" + "0" * 40, "0" * 64])
def test_missing_or_malformed_headers_are_refused(header: str | None) -> None:
    assert not signature_ok(BODY, header, [SECRET])


def test_the_digest_without_its_prefix_is_refused() -> None:
    assert not signature_ok(BODY, sign(BODY, SECRET).removeprefix("sha256="), [SECRET])


def test_the_legacy_sha1_signature_is_refused() -> None:
    legacy = "sha1=" + hmac.new(SECRET, BODY, hashlib.sha1).hexdigest()
    assert not signature_ok(BODY, legacy, [SECRET])


def test_a_signature_with_another_secret_is_refused() -> None:
    assert not signature_ok(BODY, sign(BODY, b"not the app secret"), [SECRET])


def test_a_previous_secret_still_verifies_during_rotation() -> None:
    header = sign(BODY, OLD_SECRET)
    assert signature_ok(BODY, header, [SECRET, OLD_SECRET])
    assert not signature_ok(BODY, header, [SECRET])


def test_no_secret_or_an_empty_secret_accepts_nothing() -> None:
    assert not signature_ok(BODY, sign(BODY, b""), [])
    assert not signature_ok(BODY, sign(BODY, b""), [b""])


def test_a_replayed_signature_on_a_changed_body_is_refused() -> None:
    header = sign(BODY, SECRET)
    changed = BODY.replace(b"Maria Souza", b"Maria Sousa")
    assert changed != BODY
    assert not signature_ok(changed, header, [SECRET])
    assert not signature_ok(BODY + b"\n", header, [SECRET])


@pytest.mark.parametrize("header", ["sha256=" + "é" * 64, "sha256=" + "g" * 64, "sha256=" + "a" * 63,
                                    "sha256=" + "a" * 65, "sha256=\x00" + "a" * 63])
def test_junk_headers_are_refused_without_raising(header: str) -> None:
    # hmac.compare_digest raises TypeError on non-ASCII str; the check must refuse them first
    assert not signature_ok(BODY, header, [SECRET])


def test_escaped_unicode_body_verifies_only_as_the_raw_bytes() -> None:
    body = raw("escaped_unicode")
    header = sign(body, SECRET)
    assert signature_ok(body, header, [SECRET])
    # what a receiver that decodes first would check: the same JSON, re-serialised
    reserialised = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":")).encode()
    assert json.loads(reserialised) == json.loads(body)
    assert not signature_ok(reserialised, header, [SECRET])
    compact_ascii = json.dumps(json.loads(body), separators=(",", ":")).encode()  # drops the "\/" escapes
    assert not signature_ok(compact_ascii, header, [SECRET])


def test_max_body_is_one_mebibyte() -> None:
    assert MAX_BODY == 1_048_576


def _query(mode: str = "subscribe", token: str = "tok-123", challenge: str = "1158201444") -> dict[str, str]:
    return {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge}


def test_handshake_answers_the_challenge_when_the_token_matches() -> None:
    assert handshake(_query(), "tok-123") == "1158201444"


@pytest.mark.parametrize("params", [
    _query(token="tok-124"), _query(mode="unsubscribe"), _query(challenge=""),
    {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
    {"hub.mode": "subscribe", "hub.verify_token": "tok-123"},
    {"hub.verify_token": "tok-123", "hub.challenge": "1158201444"},
    {},
])
def test_handshake_refuses_anything_else(params: dict[str, str]) -> None:
    assert handshake(params, "tok-123") is None


def test_handshake_refuses_everything_when_no_token_is_configured() -> None:
    assert handshake(_query(token=""), "") is None


def test_handshake_compares_non_ascii_tokens_without_raising() -> None:
    assert handshake(_query(token="café"), "café") == "1158201444"
    assert handshake(_query(token="cafe"), "café") is None
