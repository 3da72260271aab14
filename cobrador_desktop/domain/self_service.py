"""What the debtor's self-service buttons answer (WHATSAPP_CLOUD_API.md §10.2, COMPLIANCE.md §3).

Pure. `storage.repos.self_service` decides which debt and whether identity is confirmed; this
module words the one reply (pt-BR content for the debtor, not program text: not translated with
the interface), builds the PIX copia e cola of an open balance, splits a balance into the
instalment options the owner configured (integer cents), and shapes the Cloud API bodies of the
interactive replies (§2.3; `to` is set at send time, like every outbox request).

A reply that shows a debt detail (an amount, a due date, a PIX code) goes only after the
(debtor, number) link is confirmed; until then the person is asked "Sou eu?" with two buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.pix import build_charge, encode_brcode
from cobrador_desktop.domain.settings import NegotiationPlan
from cobrador_desktop.domain.templates import (
    BUTTON_ACTIONS,
    NEGOTIATE_OPTION,
    day_text,
    identity_name,
)

#: Cloud API limits (§2.3): reply buttons, their title; list rows, their title and description
BUTTONS_MAX, BUTTON_TITLE_MAX = 3, 20
LIST_ROWS_MAX, ROW_TITLE_MAX, ROW_DESCRIPTION_MAX = 10, 24, 72

PIX_REPLY = ("{loja}Valor: {valor} · vencimento {vencimento}.\n"
             "Copie o código abaixo e pague no app do seu banco, em PIX copia e cola:\n\n{codigo}")
IDENTITY_FIRST = ("Para sua segurança, antes de enviar qualquer informação, confirme: estamos "
                  "falando com {nome}? Depois de confirmar, toque de novo na opção que escolheu.")
PAID_REPLY = ("Obrigado por avisar! Para confirmarmos, envie aqui uma foto ou o PDF do "
              "comprovante. Enquanto conferimos, você não receberá lembretes sobre isso.")
AGENT_REPLY = "Certo! Um atendente vai responder em breve ({horario})."
NEGOTIATE_REPLY = ("Podemos parcelar {valor} (vencimento {vencimento}) assim:\n{opcoes}\n"
                   "Toque na opção que preferir; um atendente confirma o acordo com você.")
NEGOTIATE_NONE = ("Para este valor não temos parcelamento automático. Um atendente vai falar "
                  "com você em breve ({horario}).")
NEGOTIATE_CHOSEN = ("Recebemos sua escolha: {plano}. Um atendente vai confirmar o acordo com "
                    "você em breve ({horario}).")
LIST_LABEL = "Ver opções"


@dataclass(frozen=True)
class Installments:
    """One way to split a balance: `count` instalments, the first `first_cents` (it takes the
    cents that do not divide evenly), the others `each_cents`."""

    count: int
    first_cents: int
    each_cents: int

    @property
    def total_cents(self) -> int:
        return self.first_cents + self.each_cents * (self.count - 1)

    @property
    def title(self) -> str:
        """`3x de R$ 29,97` (the even part: a button's title is short)."""
        return f"{self.count}x de {format_brl(self.each_cents)}"

    @property
    def wording(self) -> str:
        """`3x de R$ 29,97 (a 1ª de R$ 29,99)` when the first differs, else the title."""
        if self.first_cents == self.each_cents:
            return self.title
        return f"{self.title} (a 1ª de {format_brl(self.first_cents)})"

    def to_json(self) -> dict[str, int]:
        return {"count": self.count, "first_cents": self.first_cents,
                "each_cents": self.each_cents, "total_cents": self.total_cents}


def split(balance_cents: int, count: int) -> Installments:
    """`balance_cents` in `count` instalments that add up exactly (integer cents)."""
    if count < 1 or balance_cents < 0:
        raise ValueError("a split needs a positive count and a balance")
    each, rest = divmod(balance_cents, count)
    return Installments(count, each + rest, each)


def options(balance_cents: int, plan: NegotiationPlan) -> list[Installments]:
    """The configured splits whose instalment is at least the plan's minimum (smallest first)."""
    found = [split(balance_cents, n) for n in plan.installments]
    return [o for o in found if o.each_cents >= plan.min_installment_cents and o.each_cents > 0]


def pix_code(key: str, name: str, city: str, *, balance_cents: int, debt_id: int) -> str:
    """The copia e cola of the balance, txid `COB<debt id>` so a payment can be matched.

    Raises:
        InvalidInput: the receiver's key, name or city cannot make a code.
    """
    charge = build_charge(key, name, city, amount_cents=balance_cents, txid=f"COB{debt_id}")
    return encode_brcode(charge)


def pix_reply(code: str, *, balance_cents: int, due: date, legal_name: str | None = None,
              document: str | None = None) -> str:
    """The PIX reply: who charges (legal name and CNPJ, when configured), value, due date, code."""
    shop = f"{legal_name} · CNPJ {document}\n" if legal_name and document else ""
    return PIX_REPLY.format(loja=shop, valor=format_brl(balance_cents),
                            vencimento=day_text(due), codigo=code)


def hours_text(profile: ContactProfile) -> str:
    """`atendimento de segunda a sexta, das 09:00 às 18:00` (and Saturday when it works)."""
    def hhmm(value: time) -> str:
        return value.strftime("%H:%M")

    text = (f"atendimento de segunda a sexta, das {hhmm(profile.weekday_start)} às "
            f"{hhmm(profile.weekday_end)}")
    if profile.saturday_enabled:
        text += (f", e aos sábados, das {hhmm(profile.saturday_start)} às "
                 f"{hhmm(profile.saturday_end)}")
    return text


def negotiate_text(balance_cents: int, due: date, found: Sequence[Installments]) -> str:
    """The body offering the options, each worded exactly (integer cents)."""
    lines = "\n".join(f"• {o.wording}" for o in found)
    return NEGOTIATE_REPLY.format(valor=format_brl(balance_cents), vencimento=day_text(due),
                                  opcoes=lines)


def option_id(debt_id: int, count: int) -> str:
    return f"{NEGOTIATE_OPTION}:d{debt_id}:{count}"


def identity_question(debtor_name: str, *, is_company: bool) -> str:
    return IDENTITY_FIRST.format(nome=identity_name(debtor_name, is_company=is_company))


def identity_buttons(debt_id: int) -> list[tuple[str, str]]:
    """"Sou eu" / "Não sou eu" as reply buttons naming the debt (`CPC_YES:d42`)."""
    return [(f"{BUTTON_ACTIONS[label]}:d{debt_id}", label) for label in ("Sou eu", "Não sou eu")]


def text_request(body: str) -> dict[str, Any]:
    """A free-text Cloud API body (§2.1)."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "type": "text",
            "text": {"body": body, "preview_url": False}}


def choices_request(body: str, choices: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Reply buttons for up to three (id, title) choices, else a list of up to ten rows (§2.3).

    Raises:
        ValueError: no choice, more than ten, or a title longer than a row's.
    """
    if not 1 <= len(choices) <= LIST_ROWS_MAX:
        raise ValueError(f"1 to {LIST_ROWS_MAX} choices, not {len(choices)}")
    if len(choices) <= BUTTONS_MAX and all(len(t) <= BUTTON_TITLE_MAX for _, t in choices):
        action: dict[str, Any] = {"buttons": [{"type": "reply", "reply": {"id": i, "title": t}}
                                              for i, t in choices]}
        kind = "button"
    else:
        if any(len(t) > ROW_TITLE_MAX for _, t in choices):
            raise ValueError("a list row's title is at most 24 characters")
        action = {"button": LIST_LABEL, "sections": [
            {"title": "Opções", "rows": [{"id": i, "title": t} for i, t in choices]}]}
        kind = "list"
    return {"messaging_product": "whatsapp", "recipient_type": "individual",
            "type": "interactive",
            "interactive": {"type": kind, "body": {"text": body}, "action": action}}
