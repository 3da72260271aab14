"""Every reason code of COMPLIANCE.md §2.8: one case that raises it, one near miss that does not.

Each case starts from `policy_support`'s clean message and facts (nothing stops them) and changes
what the rule looks at; the near miss changes it just short of the rule, or in the way the rule
allows (a reply inside the window, a receipt for a paid debt, a day before the age limit…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.policy import MESSAGES, Severity, evaluate
from tests.unit.domain.policy_support import (
    IDENTITY_TEXT,
    NOW,
    TEXT,
    debt,
    facts,
    history,
    request,
    sent,
    template,
)

RECENT = NOW - timedelta(minutes=30)  # the debtor wrote half an hour ago
FREE = {"kind": "reply", "purpose": "free_reply", "message_type": "text"}
IN_WINDOW = {"last_inbound_at": RECENT}
AUTO = {"kind": "automated"}
PLAIN = ("Olá, Maria! Aqui é a Loja Exemplo (CNPJ 11.222.333/0001-81). Sua parcela de R$ 150,00 "
         "vence em 25/11/2026.")


@dataclass(frozen=True)
class Case:
    """Request and facts changes, and the instant (default NOW)."""

    request: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    now: datetime = NOW


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


#: code, severity expected, the case that raises it, the near miss that does not
CODES: list[tuple[str, Severity, Case, Case]] = [
    ("PHONE_REFERENCE_CONTACT", Severity.BLOCK,
     Case({**FREE, "text": "Oi"}, {**IN_WINDOW, "reference_contact": True}),
     Case({**FREE, "text": "Oi"}, IN_WINDOW)),
    ("PHONE_WRONG_PARTY", Severity.BLOCK,
     Case({**FREE, "text": "Oi"}, {**IN_WINDOW, "wrong_party": True}),
     Case({**FREE, "text": "Oi"}, IN_WINDOW)),
    ("PHONE_OPTED_OUT", Severity.BLOCK, Case({}, {"phone_opted_out": True}),
     Case({**FREE, "text": "Oi"}, {**IN_WINDOW, "phone_opted_out": True})),
    ("PHONE_SUPPRESSED", Severity.BLOCK, Case({}, {"phone_suppressed": True}),
     Case({**FREE, "text": "Oi"}, {**IN_WINDOW, "phone_suppressed": True})),
    ("OPTIN_MISSING", Severity.BLOCK, Case({}, {"optin_at": None}),
     Case({**FREE, "text": "Oi"}, {**IN_WINDOW, "optin_at": None})),
    ("PHONE_SHARED", Severity.WARN, Case({}, {"phone_shared": True}),
     Case({"purpose": "identity_check", "text": IDENTITY_TEXT}, {"phone_shared": True})),
    ("CPC_NOT_CONFIRMED", Severity.BLOCK, Case({}, {"cpc_state": "unverified"}),
     Case({"purpose": "identity_check", "text": IDENTITY_TEXT}, {"cpc_state": "unverified"})),
    ("DEBT_PAID", Severity.BLOCK, Case({}, {"debt": debt(status="paid")}),
     Case({"purpose": "payment_receipt", "step": "payment_receipt"},
          {"debt": debt(status="paid")})),
    ("DEBT_CANCELLED", Severity.BLOCK, Case({}, {"debt": debt(status="cancelled")}),
     Case({"purpose": "payment_receipt"}, {"debt": debt(status="cancelled")})),
    ("DEBT_DISPUTED", Severity.CONFIRM, Case({}, {"debt": debt(status="disputed")}),
     Case({"purpose": "payment_receipt"}, {"debt": debt(status="disputed")})),
    ("DEBT_PAYMENT_CLAIMED", Severity.BLOCK,
     Case(AUTO, {"debt": debt(payment_claimed_at=NOW - timedelta(days=1))}),
     Case({**AUTO, "purpose": "payment_receipt"},
          {"debt": debt(payment_claimed_at=NOW - timedelta(days=1))})),
    ("DEBT_UNDER_AGREEMENT", Severity.BLOCK, Case({}, {"debt": debt(status="agreement")}),
     Case({"purpose": "agreement_installment"}, {"debt": debt(status="agreement")})),
    ("DEBT_PROMISE_PENDING", Severity.BLOCK,
     Case(AUTO, {"debt": debt(promised_for=date(2026, 11, 20))}),  # + 3 days of grace
     Case(AUTO, {"debt": debt(promised_for=date(2026, 11, 19))})),
    ("DEBT_OLD_NEEDS_OWNER", Severity.CONFIRM,
     Case({}, {"debt": debt(oldest_open_due=date(2021, 11, 23))}),
     Case({}, {"debt": debt(oldest_open_due=date(2021, 11, 24))})),
    ("CONTENT_NO_SUPPLIER_ID", Severity.BLOCK,
     Case({"text": "Olá, Maria! Sua parcela de R$ 150,00 vence em 25/11/2026. Loja Exemplo"}),
     Case({"text": "Loja Exemplo, CNPJ 11222333000181: sua parcela de R$ 150,00 vence dia 25."})),
    ("CONTENT_NOT_ITEMISED", Severity.WARN,
     Case({}, {"debt": debt(charges_cents={"fine": 300})}),
     Case({"text": PLAIN + " Inclui multa de R$ 3,00."}, {"debt": debt(charges_cents={"fine": 300})})),
    ("CONTENT_AMOUNT_MISMATCH", Severity.WARN,
     Case({**FREE, "text": "São R$ 140,00 em aberto."}, IN_WINDOW),
     Case({**FREE, "text": "São R$ 150,00 em aberto."}, IN_WINDOW)),
    ("LINT_THREAT", Severity.BLOCK,
     Case({**FREE, "text": "Pague ou vai para a prisão."}, IN_WINDOW),
     Case({**FREE, "text": "Sem pressa, pague quando puder."}, IN_WINDOW)),
    ("LINT_EXPOSURE", Severity.BLOCK,
     Case({**FREE, "text": "Vamos avisar seus vizinhos."}, IN_WINDOW),
     Case({**FREE, "text": "Avisamos que a parcela vence amanhã."}, IN_WINDOW)),
    ("LINT_INSULT", Severity.BLOCK,
     Case({**FREE, "text": "Seu caloteiro!"}, IN_WINDOW),
     Case({**FREE, "text": "Bom pagador ganha desconto."}, IN_WINDOW)),
    ("LINT_FALSE_LEGAL", Severity.BLOCK,
     Case({**FREE, "text": "Seu CPF será cancelado."}, IN_WINDOW),
     Case({**FREE, "text": "Informe seu CPF cadastrado."}, IN_WINDOW)),
    ("LINT_LEGAL_CONSEQUENCE", Severity.WARN,
     Case({**FREE, "text": "Seu nome pode ir para o SPC."}, IN_WINDOW),
     Case({"text": PLAIN + " Após 30 dias o nome pode ir para o SPC."})),  # approved template
    ("LINT_SHOUTING", Severity.WARN,
     Case({**FREE, "text": "PAGUE HOJE SEM FALTA, POR FAVOR"}, IN_WINDOW),
     Case({**FREE, "text": "Segue o PIX, CPF e CNPJ: CB00001234P03 obrigado"}, IN_WINDOW)),
    ("HOURS_OUTSIDE_WINDOW", Severity.BLOCK, Case(now=utc(2026, 11, 23, 21, 0)),  # 18:00 SP
     Case(now=utc(2026, 11, 23, 20, 59))),
    ("HOURS_DAY_NOT_ALLOWED", Severity.BLOCK, Case(now=utc(2026, 11, 22, 13, 0)),  # Sunday
     Case({}, {"profile": ContactProfile(saturday_enabled=True)},
          now=utc(2026, 11, 21, 13, 30))),  # Saturday 10:30, Saturdays on
    ("HOURS_HOLIDAY", Severity.BLOCK, Case(now=utc(2026, 4, 3, 13, 0)),  # Good Friday
     Case(now=utc(2026, 10, 28, 13, 0))),  # Public Servant's Day: not for shops
    ("FREQ_DAILY_CAP", Severity.BLOCK, Case(AUTO, {"history": history(recent=(sent(1),))}),
     Case(AUTO, {"history": history(recent=(sent(14),))})),  # yesterday 20:00 São Paulo
    ("FREQ_WEEKLY_CAP", Severity.BLOCK,
     Case(AUTO, {"history": history(recent=(sent(24), sent(72), sent(167)))}),
     Case(AUTO, {"history": history(recent=(sent(24), sent(72), sent(168)))})),
    ("FREQ_MIN_GAP", Severity.BLOCK,
     Case(AUTO, {"profile": ContactProfile(min_gap_hours=48), "history": history(recent=(sent(47),))}),
     Case(AUTO, {"profile": ContactProfile(min_gap_hours=48), "history": history(recent=(sent(48),))})),
    ("FREQ_DUPLICATE", Severity.BLOCK,
     Case({}, {"history": history(recent=(sent(23.5, text=TEXT, kind="reply"),))}),
     Case({}, {"history": history(recent=(sent(24, text=TEXT, kind="reply"),))})),
    ("FREQ_STEP_ALREADY_SENT", Severity.BLOCK,
     Case(AUTO, {"history": history(step_sent_at=NOW - timedelta(days=40))}),
     Case({**AUTO, "step": None}, {"history": history(step_sent_at=NOW - timedelta(days=40))})),
    ("FREQ_CONVERSATION_ACTIVE", Severity.BLOCK, Case(AUTO, {"history": history(reply_waiting=True)}),
     Case({}, {"history": history(reply_waiting=True)})),
    ("WA_TEMPLATE_REQUIRED", Severity.BLOCK, Case({**FREE, "text": "Oi"}),
     Case({**FREE, "text": "Oi"}, IN_WINDOW)),
    ("WA_TEMPLATE_UNAVAILABLE", Severity.BLOCK, Case({}, {"template": template(status="PAUSED")}),
     Case({}, {"template": template(quality="UNKNOWN")})),
    ("WA_TEMPLATE_MARKETING", Severity.WARN, Case({}, {"template": template(category="MARKETING")}),
     Case({}, {"template": template(category="UTILITY")})),
    ("WA_QUALITY_LOW", Severity.BLOCK, Case(AUTO, {"number_quality": "YELLOW"}),
     Case(AUTO, {"number_quality": "UNKNOWN"})),
    ("FACTS_MISSING", Severity.BLOCK, Case({}, {"debt": None}),
     Case({**FREE, "text": "Oi"}, {**IN_WINDOW, "debt": None})),
]


def judge(case: Case) -> list[tuple[str, Severity]]:
    decision = evaluate(request(**case.request), facts(**case.facts), case.now)
    assert decision.allowed is not any(r.stops for r in decision.reasons)
    return [(r.code, r.severity) for r in decision.reasons]


def test_every_code_of_the_compliance_table_has_a_case() -> None:
    assert sorted(code for code, *_ in CODES) == sorted(MESSAGES)


@pytest.mark.parametrize(("code", "severity", "trigger", "near"),
                         [pytest.param(*row, id=row[0]) for row in CODES])
def test_code(code: str, severity: Severity, trigger: Case, near: Case) -> None:
    assert (code, severity) in judge(trigger)
    assert code not in [c for c, _ in judge(near)]


def test_the_clean_message_has_no_reason() -> None:
    for kind in ("business_initiated", "automated"):
        decision = evaluate(request(kind=kind), facts(), NOW)
        assert decision.allowed and decision.reasons == ()
