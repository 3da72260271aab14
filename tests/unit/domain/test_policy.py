"""The send guard's first rules: person flags and the 24-hour window (COMPLIANCE.md §2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cobrador_desktop.domain.policy import (
    Decision,
    Reason,
    SendBlocked,
    SendFacts,
    SendRequest,
    Severity,
    evaluate,
)
from tests.unit.domain.policy_support import CLEAN_FIELDS, TEXT

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
RECENT = NOW - timedelta(hours=2)  # window open
OLD = NOW - timedelta(hours=30)  # window closed
NEAR_END = NOW - timedelta(hours=23, minutes=58)  # inside the safety margin: treated as closed

CASES: list[tuple[str, dict[str, Any], dict[str, Any], list[str]]] = [
    # id, request fields, facts fields, expected codes (in order)
    ("template, clean number", {}, {}, []),
    ("free text inside the window", {"kind": "reply", "message_type": "text"},
     {"last_inbound_at": RECENT}, []),
    ("free text, window closed", {"kind": "reply", "message_type": "text"},
     {"last_inbound_at": OLD}, ["WA_TEMPLATE_REQUIRED"]),
    ("free text, never wrote", {"message_type": "text"}, {}, ["WA_TEMPLATE_REQUIRED"]),
    ("free text in the last minutes of the window", {"kind": "reply", "message_type": "text"},
     {"last_inbound_at": NEAR_END}, ["WA_TEMPLATE_REQUIRED"]),
    ("interactive, window closed", {"message_type": "interactive"}, {"last_inbound_at": OLD},
     ["WA_TEMPLATE_REQUIRED"]),
    ("template, window closed", {}, {"last_inbound_at": OLD}, []),
    ("opted out, business-initiated", {}, {"phone_opted_out": True}, ["PHONE_OPTED_OUT"]),
    ("opted out, automated", {"kind": "automated", "text": TEXT},
     {**CLEAN_FIELDS, "phone_opted_out": True}, ["PHONE_OPTED_OUT"]),
    ("opted out, replying inside the window", {"kind": "reply", "message_type": "text"},
     {"phone_opted_out": True, "last_inbound_at": RECENT}, []),
    ("opted out, a 'reply' after the window closed is business-initiated",
     {"kind": "reply"}, {"phone_opted_out": True, "last_inbound_at": OLD}, ["PHONE_OPTED_OUT"]),
    ("suppressed, business-initiated", {}, {"phone_suppressed": True}, ["PHONE_SUPPRESSED"]),
    ("suppressed, reply", {"kind": "reply", "message_type": "text"},
     {"phone_suppressed": True, "last_inbound_at": RECENT}, []),
    ("wrong party, even a reply", {"kind": "reply", "message_type": "text"},
     {"wrong_party": True, "last_inbound_at": RECENT}, ["PHONE_WRONG_PARTY"]),
    ("reference contact, even a reply", {"kind": "reply", "message_type": "text"},
     {"reference_contact": True, "last_inbound_at": RECENT}, ["PHONE_REFERENCE_CONTACT"]),
    ("everything at once, person first, WhatsApp last", {"message_type": "text"},
     {"reference_contact": True, "wrong_party": True, "phone_opted_out": True,
      "phone_suppressed": True},
     ["PHONE_REFERENCE_CONTACT", "PHONE_WRONG_PARTY", "PHONE_OPTED_OUT", "PHONE_SUPPRESSED",
      "WA_TEMPLATE_REQUIRED"]),
]


@pytest.mark.parametrize(("request_fields", "facts_fields", "codes"),
                         [pytest.param(r, f, c, id=i) for i, r, f, c in CASES])
def test_rules(request_fields: dict[str, Any], facts_fields: dict[str, Any],
               codes: list[str]) -> None:
    fields: dict[str, Any] = {"kind": "business_initiated", "purpose": "reminder",
                              "message_type": "template", **request_fields}
    decision = evaluate(SendRequest(**fields), SendFacts(**facts_fields), NOW)
    assert [r.code for r in decision.reasons] == codes
    assert decision.allowed is (not codes)
    assert all(r.severity is Severity.BLOCK for r in decision.reasons)
    assert decision.evaluated_at == NOW


def test_reason_messages_are_portuguese_with_dates_in_brasilia_time() -> None:
    flagged = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # still the 19th in Brasília
    decision = evaluate(
        SendRequest("business_initiated", "reminder", "template"),
        SendFacts(wrong_party=True, wrong_party_at=flagged, phone_opted_out=True,
                  phone_suppressed=True, suppression_source="lista do Procon"), NOW)
    assert [r.message for r in decision.reasons] == [
        'Este número foi marcado como "não é o devedor" em 19/11/2026. Não envie mensagens para ele.',
        "O titular deste número pediu para não receber mensagens em data não registrada.",
        "Número na lista de não contatar (lista do Procon).",
    ]
    assert decision.main_reason is decision.reasons[0]


def test_decision_round_trips_through_json() -> None:
    decision = evaluate(SendRequest("automated", "overdue", "text"),
                        SendFacts(phone_opted_out=True, opted_out_at=OLD), NOW)
    again = Decision.from_json(decision.to_json())
    assert again == decision
    assert again.reasons[0].params == {"data": "22/11/2026"}


def test_warnings_do_not_block_and_confirm_does() -> None:
    warn = Reason("LINT_SHOUTING", Severity.WARN, "Texto em caixa alta.")
    confirm = Reason("DEBT_OLD_NEEDS_OWNER", Severity.CONFIRM, "Dívida antiga ({anos} anos).",
                     {"anos": "6"})
    assert Decision(True, (warn,)).blocking == ()
    only_warn = Decision(True, (warn, confirm))
    assert only_warn.blocking == (confirm,)
    assert only_warn.main_reason is confirm
    assert confirm.message == "Dívida antiga (6 anos)."


def test_send_blocked_names_the_main_reason() -> None:
    decision = evaluate(SendRequest("business_initiated", "reminder", "text"),
                        SendFacts(phone_suppressed=True, suppression_source="cliente"), NOW)
    error = SendBlocked.for_decision(decision)
    assert error.message == "Número na lista de não contatar (cliente)."
    assert error.params["code"] == "PHONE_SUPPRESSED"
    assert "verificação" in SendBlocked.for_decision(None).message


def test_the_main_reason_of_a_cancelled_message_is_the_one_that_does_not_pass() -> None:
    """Outside hours and a waiting reply: the reply decides (the row is cancelled, not held),
    so the operator is not told it only waits for the morning."""
    from cobrador_desktop.domain.policy import MESSAGES, Decision, Reason, Severity

    hours = Reason("HOURS_OUTSIDE_WINDOW", Severity.BLOCK, MESSAGES["HOURS_OUTSIDE_WINDOW"])
    waiting = Reason("FREQ_CONVERSATION_ACTIVE", Severity.BLOCK,
                     MESSAGES["FREQ_CONVERSATION_ACTIVE"])
    cancelled = Decision(False, (hours, waiting))
    assert cancelled.main_reason is waiting
    held = Decision(False, (hours,), next_allowed_at=datetime(2026, 12, 7, 13, tzinfo=UTC))
    assert held.main_reason is hours
