"""Approved WhatsApp templates as the debtor reads them, and the values that fill them.

Pure. A template's components (as Meta and the `templates` table keep them: BODY with positional
`{{1}}`, `{{2}}`… placeholders, an optional HEADER and FOOTER, BUTTONS) render to the text the
send guard lints and the conversation shows. The values come from the debt, in an order fixed
per purpose (`values_for`); a template with fewer placeholders takes the first ones:

| purpose | {{1}} | {{2}} | {{3}} | {{4}} | {{5}} |
|---|---|---|---|---|---|
| identity_check | first name + surname initial | | | | |
| reminder | first name | parcela `2/6` | valor | vencimento | |
| overdue | first name | parcela | vencimento | valor em aberto | what it is made of |
| agreement_installment | first name | date of the agreement | parcela | valor | vencimento |
| payment_receipt | first name | valor recebido | data do pagamento | parcela | |

The identity check names the person only (COMPLIANCE.md §3): no amount, no date, no debt words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cobrador_desktop.domain.money import format_brl

PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
#: what a quick-reply button means, sent as its payload (`ACTION:d<debt id>`) so an answer names
#: the debt (WHATSAPP_CLOUD_API.md §10.2)
BUTTON_ACTIONS: Mapping[str, str] = {
    "Quero o código PIX": "PIX", "Já paguei": "PAID", "Negociar": "NEGOTIATE",
    "Parar mensagens": "STOP", "Sou eu": "CPC_YES", "Não sou eu": "CPC_NO",
    "Prefiro uma ligação": "CALL", "Falar com atendente": "AGENT"}
#: the reply button id of one instalment option the "Negociar" reply offers: `NEGOTIATE_OPT:d42:3`
NEGOTIATE_OPTION = "NEGOTIATE_OPT"
#: the satisfaction survey after a payment (an interactive message, only while the person's
#: 24-hour window is open): its question (naming the shop's legal name and CNPJ, as every message
#: after a payment does) and reply buttons, each sent as `SURVEY:d<debt id>:<score>`
SURVEY = "SURVEY"
SURVEY_QUESTION = ("A {loja} (CNPJ {cnpj}) agradece! Como foi sua experiência para pagar? "
                   "Toque em uma opção.")
SURVEY_SCORES: Mapping[str, str] = {"OTIMO": "Ótimo", "REGULAR": "Regular", "RUIM": "Ruim"}


@dataclass(frozen=True)
class DebtValues:
    """What a message about one debt may say.

    Attributes:
        debtor_name: as registered (a company keeps its whole name).
        is_company: the debtor is a company (CNPJ): named in full, never by a first name.
        installment_number / installment_count: `2` of `6`; None for a single debt.
        balance_cents: what is open now; amount_cents: the original value.
        due: the due date; agreement_made: the day the agreement was made (its instalments).
        paid_on: the day the debt was paid (a receipt; the due date when not known).
    """

    debtor_name: str
    is_company: bool
    installment_number: int | None
    installment_count: int | None
    amount_cents: int
    balance_cents: int
    due: date
    agreement_made: date | None = None
    paid_on: date | None = None


def first_name(name: str, *, is_company: bool = False) -> str:
    """`Maria` for "Maria da Silva"; a company keeps its name."""
    words = name.split()
    if is_company or not words:
        return name.strip()
    return words[0]


def identity_name(name: str, *, is_company: bool = False) -> str:
    """How the identity check asks for the person: `Maria S.` (a company by its name)."""
    words = name.split()
    if is_company or len(words) < 2:
        return name.strip()
    return f"{words[0]} {words[-1][0].upper()}."


def day_text(day: date) -> str:
    """`05/12/2026`."""
    return day.strftime("%d/%m/%Y")


def installment_text(number: int | None, count: int | None) -> str:
    """`2/6`, or `única` for a debt that is not an instalment."""
    if number is None or not count:
        return "única"
    return f"{number}/{count}"


def values_for(purpose: str, debt: DebtValues) -> list[str]:
    """The positional values of a template of `purpose` (see the module's table)."""
    name = first_name(debt.debtor_name, is_company=debt.is_company)
    parcela = installment_text(debt.installment_number, debt.installment_count)
    valor = format_brl(debt.balance_cents)
    vencimento = day_text(debt.due)
    if purpose == "identity_check":
        return [identity_name(debt.debtor_name, is_company=debt.is_company)]
    if purpose == "reminder":
        return [name, parcela, valor, vencimento]
    if purpose == "overdue":
        return [name, parcela, vencimento, valor, made_of(debt)]
    if purpose == "agreement_installment":
        made = day_text(debt.agreement_made) if debt.agreement_made else vencimento
        return [name, made, parcela, valor, vencimento]
    if purpose == "payment_receipt":
        received = debt.amount_cents - debt.balance_cents or debt.amount_cents
        return [name, format_brl(received), day_text(debt.paid_on or debt.due), parcela]
    raise ValueError(f"no template values for purpose {purpose!r}")


def made_of(debt: DebtValues) -> str:
    """What the open amount is made of: `R$ 150,00 de valor original, R$ 50,00 já pagos`."""
    parts = [f"{format_brl(debt.amount_cents)} de valor original"]
    paid = debt.amount_cents - debt.balance_cents
    if paid > 0:
        parts.append(f"{format_brl(paid)} já pagos")
    return ", ".join(parts)


def _component(components: Sequence[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    for component in components:
        if str(component.get("type", "")).upper() == kind:
            return component
    return None


def body_text(components: Sequence[Mapping[str, Any]]) -> str:
    """The BODY's text with its placeholders (empty when there is none)."""
    body = _component(components, "BODY")
    return str(body.get("text", "")) if body else ""


def placeholder_count(components: Sequence[Mapping[str, Any]]) -> int:
    """How many positional values the BODY takes (its highest `{{n}}`)."""
    return max((int(n) for n in PLACEHOLDER.findall(body_text(components))), default=0)


def fill(text: str, values: Sequence[str]) -> str:
    """`text` with `{{n}}` replaced by `values[n-1]` (a missing value leaves the placeholder)."""
    def one(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return values[index] if 0 <= index < len(values) else match.group(0)
    return PLACEHOLDER.sub(one, text)


def render(components: Sequence[Mapping[str, Any]], values: Sequence[str]) -> str:
    """The message as the debtor reads it: header, body and footer, filled, one per line."""
    parts = []
    for kind in ("HEADER", "BODY", "FOOTER"):
        component = _component(components, kind)
        if component is not None and component.get("text"):
            parts.append(fill(str(component["text"]), values if kind == "BODY" else ()))
    return "\n".join(parts)


def quick_replies(components: Sequence[Mapping[str, Any]]) -> list[tuple[int, str]]:
    """The quick-reply buttons: (index, label), in the order Meta numbers them."""
    buttons = _component(components, "BUTTONS")
    found = []
    for index, button in enumerate(buttons.get("buttons", ()) if buttons else ()):
        if str(button.get("type", "")).upper() == "QUICK_REPLY":
            found.append((index, str(button.get("text", ""))))
    return found


def button_payload(label: str, debt_id: int) -> str:
    """What a tap on `label` sends back: `CPC_YES:d42` (unknown labels by their own text); a
    survey answer on a template (`pesquisa_satisfacao_v1`) as the survey's own `SURVEY:d42:OTIMO`."""
    score = next((code for code, title in SURVEY_SCORES.items() if title == label), None)
    if score is not None:
        return f"{SURVEY}:d{debt_id}:{score}"
    return f"{BUTTON_ACTIONS.get(label, label)}:d{debt_id}"


def survey_buttons(debt_id: int) -> list[tuple[str, str]]:
    """The survey's reply buttons as (id, title): `SURVEY:d42:OTIMO` / "Ótimo"…"""
    return [(f"{SURVEY}:d{debt_id}:{score}", title) for score, title in SURVEY_SCORES.items()]
