"""A clean message and clean, complete facts for the send guard's tests: nothing stops them.

Each test changes one thing (`request(...)`, `facts(...)`, `debt(...)`, `history(...)`) and
looks for the reason it expects. NOW is Monday 23 Nov 2026, 10:00 in São Paulo.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cobrador_desktop.domain.policy import SendFacts, SendRequest
from cobrador_desktop.domain.policy_facts import (
    DebtFacts,
    PastSend,
    SendHistory,
    ShopIdentity,
    TemplateFacts,
)

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
MARIA = "+5511987654321"
TEXT = ("Olá, Maria! Aqui é a Loja Exemplo (CNPJ 11.222.333/0001-81). Sua parcela de R$ 150,00 "
        "vence em 25/11/2026.")
SHOP = ShopIdentity(trade_name="Loja Exemplo", legal_name="Loja Exemplo Comércio Ltda",
                    document="11.222.333/0001-81")
IDENTITY_TEXT = ("Olá! Aqui é a Loja Exemplo (CNPJ 11.222.333/0001-81). Temos uma informação sobre "
                 "o seu cadastro conosco. Para sua segurança, antes de continuar: falo com Maria S.?")


def debt(**changes: Any) -> DebtFacts:
    """An open debt of R$ 150,00 due in two days, nothing special about it."""
    base = DebtFacts(status="open", status_at=None, is_agreement=False,
                     oldest_open_due=date(2026, 11, 25), open_balance_cents=15000,
                     charges_cents={}, payment_claimed_at=None, promised_for=None,
                     prescription_confirmed_at=None)
    return replace(base, **changes)


def sent(hours_ago: float, *, text: str = "Outra mensagem", kind: str = "automated",
         purpose: str = "reminder", same_phone: bool = True, same_debtor: bool = True,
         now: datetime = NOW) -> PastSend:
    return PastSend(at=now - timedelta(hours=hours_ago), kind=kind, purpose=purpose,
                    same_phone=same_phone, same_debtor=same_debtor, text=text)


def history(**changes: Any) -> SendHistory:
    base = SendHistory(recent=(), step_sent_at=None, reply_waiting=False, debt_details_sent=True)
    return replace(base, **changes)


def template(**changes: Any) -> TemplateFacts:
    base = TemplateFacts(name="lembrete_v1", status="APPROVED", category="UTILITY",
                         quality="GREEN")
    return replace(base, **changes)


def facts(**changes: Any) -> SendFacts:
    """Complete facts for Maria's confirmed, opted-in São Paulo mobile and her open debt."""
    base = SendFacts(complete=True, phone_e164=MARIA, optin_at=NOW - timedelta(days=90),
                     cpc_state="confirmed", phone_shared=False, debt=debt(), history=history(),
                     shop=SHOP, template=template(), number_quality="GREEN")
    return replace(base, **changes)


def request(**changes: Any) -> SendRequest:
    """A business-initiated reminder template with the shop's name, CNPJ and the amount."""
    base = SendRequest(kind="business_initiated", purpose="reminder", message_type="template",
                       text=TEXT, step="D-3")
    return replace(base, **changes)


#: `facts()` as keyword arguments (for tables of SendFacts fields)
CLEAN_FIELDS: dict[str, Any] = {name: getattr(facts(), name) for name in (
    "complete", "phone_e164", "optin_at", "cpc_state", "phone_shared", "debt", "history", "shop",
    "template", "number_quality")}
