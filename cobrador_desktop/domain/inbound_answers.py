"""What a debtor's answer means: "Sou eu", "Não sou eu", PARAR, VOLTAR (COMPLIANCE.md §3), and
the self-service buttons "Quero o código PIX", "Já paguei", "Negociar" (and the option picked),
"Falar com atendente" (WHATSAPP_CLOUD_API.md §10.2).

`classify(type, text, payload)` reads one inbound message, a quick-reply tap (its payload names
the action and the debt: `CPC_YES:d42`, `STOP:d42`) or a typed text. A text counts only when the
WHOLE message, normalised (case folded, accents, punctuation and emoji removed), is one of the
phrases below: "quero cancelar a compra" is not an opt-out. A stop word inside a longer text is
`POSSIBLE_OPT_OUT`, which applies nothing: the inbox flags "possível pedido de descadastro" and an
operator registers it with one click.

The replies are sent to the person in WhatsApp exactly as COMPLIANCE.md words them (pt-BR content
for the debtor, not program text, so they are not translated with the interface). They name the
shop by its trade name and never a debt detail: the number may not be the debtor's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cobrador_desktop.domain.templates import (
    BUTTON_ACTIONS,
    NEGOTIATE_OPTION,
    SURVEY,
    SURVEY_SCORES,
)
from cobrador_desktop.domain.text import fold


class Intent(StrEnum):
    """What an answer asks for; the value is stored in the message payload (`answer.intent`)."""

    CPC_CONFIRMED = "cpc_confirmed"  # "Sou eu"
    WRONG_PARTY = "wrong_party"  # "Não sou eu", "número errado"…
    OPT_OUT = "opt_out"  # PARAR, SAIR… or the "Parar mensagens" button
    OPT_IN = "opt_in"  # VOLTAR, START
    POSSIBLE_OPT_OUT = "possible_opt_out"  # a stop word inside a longer text: flag, never apply
    SURVEY = "survey"  # a tap on the after-payment survey (`SURVEY:d42:OTIMO`): kept, applies nothing
    CALL_REQUESTED = "call_requested"  # "Prefiro uma ligação": a call task for an operator
    PIX_REQUESTED = "pix_requested"  # "Quero o código PIX": the copia e cola of the balance
    PAYMENT_CLAIMED = "payment_claimed"  # "Já paguei": reminders pause, an operator confirms
    NEGOTIATE = "negotiate"  # "Negociar": the owner's instalment options
    NEGOTIATION_CHOSEN = "negotiation_chosen"  # a tap on one option (`NEGOTIATE_OPT:d42:3`)
    AGENT_REQUESTED = "agent_requested"  # "Falar com atendente": the conversation to the queue


#: the quick-reply payload prefixes: the templates' own (`templates.BUTTON_ACTIONS`, which the
#: régua and the demo send) and the emulator's simulated debtors' older spelling
BUTTON_INTENTS = {BUTTON_ACTIONS["Sou eu"]: Intent.CPC_CONFIRMED,
                  BUTTON_ACTIONS["Não sou eu"]: Intent.WRONG_PARTY,
                  BUTTON_ACTIONS["Parar mensagens"]: Intent.OPT_OUT,
                  BUTTON_ACTIONS["Prefiro uma ligação"]: Intent.CALL_REQUESTED,
                  BUTTON_ACTIONS["Quero o código PIX"]: Intent.PIX_REQUESTED,
                  BUTTON_ACTIONS["Já paguei"]: Intent.PAYMENT_CLAIMED,
                  BUTTON_ACTIONS["Negociar"]: Intent.NEGOTIATE,
                  BUTTON_ACTIONS["Falar com atendente"]: Intent.AGENT_REQUESTED,
                  NEGOTIATE_OPTION: Intent.NEGOTIATION_CHOSEN,
                  "SOU_EU": Intent.CPC_CONFIRMED, "NAO_SOU": Intent.WRONG_PARTY,
                  "PAGO": Intent.PAYMENT_CLAIMED, "NEG": Intent.NEGOTIATE,
                  "ATENDENTE": Intent.AGENT_REQUESTED}

#: COMPLIANCE.md §3.5 keywords, plus the button's own label typed as text
OPT_OUT_PHRASES = frozenset({
    "parar", "pare", "sair", "stop", "cancelar", "descadastrar", "nao quero receber",
    "nao quero mais receber", "pare de mandar mensagem", "parar mensagens"})
#: COMPLIANCE.md §3.4
WRONG_PARTY_PHRASES = frozenset({"nao sou eu", "numero errado", "nao conheco", "engano"})
#: COMPLIANCE.md §3.2 (the button's label, and the ways people type it)
CPC_PHRASES = frozenset({"sou eu", "sim sou eu", "sou eu sim", "sou eu mesmo", "sou eu mesma"})
#: COMPLIANCE.md §3.6
OPT_IN_PHRASES = frozenset({"voltar", "voltar a receber", "start"})
#: the person would rather talk on the phone (issue 7: a call task with a `tel:` link)
CALL_PHRASES = frozenset({
    "prefiro uma ligacao", "prefiro ligacao", "prefiro que me liguem", "me liga", "me ligue",
    "me liguem", "pode me ligar", "podem me ligar", "liga pra mim", "quero uma ligacao"})
#: the self-service buttons' labels, and the ways people type them (WHATSAPP_CLOUD_API.md §10.2)
PIX_PHRASES = frozenset({
    "pix", "quero o pix", "manda o pix", "me manda o pix", "quero o codigo pix", "codigo pix",
    "manda o codigo pix", "pode mandar o pix", "pode me mandar o pix", "qual o pix",
    "qual e o pix", "chave pix", "quero pagar no pix", "quero pagar com pix", "pagar com pix"})
PAID_PHRASES = frozenset({
    "ja paguei", "paguei", "ja esta pago", "ja ta pago", "ja foi pago", "ja fiz o pagamento",
    "ja fiz o pix", "ja paguei sim"})
NEGOTIATE_PHRASES = frozenset({"negociar", "quero negociar", "parcelar", "quero parcelar"})
AGENT_PHRASES = frozenset({
    "atendente", "falar com atendente", "falar com um atendente", "quero falar com atendente",
    "quero falar com um atendente", "quero um atendente", "quero falar com alguem",
    "falar com alguem", "quero falar com uma pessoa", "falar com uma pessoa"})

_PHRASES = ((WRONG_PARTY_PHRASES, Intent.WRONG_PARTY), (OPT_OUT_PHRASES, Intent.OPT_OUT),
            (OPT_IN_PHRASES, Intent.OPT_IN), (CPC_PHRASES, Intent.CPC_CONFIRMED),
            (CALL_PHRASES, Intent.CALL_REQUESTED), (PIX_PHRASES, Intent.PIX_REQUESTED),
            (PAID_PHRASES, Intent.PAYMENT_CLAIMED), (NEGOTIATE_PHRASES, Intent.NEGOTIATE),
            (AGENT_PHRASES, Intent.AGENT_REQUESTED))
#: message types whose text is something the person typed or tapped (not a caption or address)
_TYPED = frozenset({"text", "button", "interactive"})
#: a message longer than this (normalised) cannot be one of the phrases: only the flag is looked for
_LONGEST = max(len(p) for phrases, _ in _PHRASES for p in phrases)
_NOT_WORD = re.compile(r"[\W_]+")
_DEBT = re.compile(r"^d(\d{1,18})$")
_OPTION = re.compile(r"^\d{1,3}$")
#: the stop phrases looked for inside a longer text, the longest (most telling) first
_STOP_WORDS = tuple(sorted(OPT_OUT_PHRASES, key=lambda p: (-len(p), p)))

#: the wording when the shop's trade name is not configured ("A loja não enviará…")
SHOP_FALLBACK = "loja"
#: opt-in evidence recorded when the person asks to receive messages again (§3.6)
OPT_IN_SOURCE = "pedido do titular via WhatsApp"

WRONG_PARTY_REPLY = ("Obrigado por avisar e desculpe o incômodo. Este número foi retirado do "
                     "nosso cadastro e você não receberá mais mensagens nossas sobre este assunto.")
OPT_OUT_REPLY = ("Pronto. A {loja} não enviará mais mensagens para este número. Se quiser voltar "
                 "a receber, envie VOLTAR.")
OPT_IN_REPLY = ("Certo! Você voltará a receber mensagens da {loja} neste número. Para parar a "
                "qualquer momento, envie PARAR.")


@dataclass(frozen=True)
class Answer:
    """One classified answer.

    Attributes:
        intent: what it asks for.
        keyword: what matched: the normalised phrase ("parar"), or the button payload's prefix
            ("STOP") for a tap.
        by_button: a quick-reply tap (its payload), not typed text.
        debt_id: the debt the tapped button was about (`STOP:d42` -> 42), if it names one.
        score: a survey answer's score (`OTIMO`, `REGULAR`, `RUIM`); None for other answers.
        option: the instalment count a negotiation option names (`NEGOTIATE_OPT:d42:3` -> 3).
    """

    intent: Intent
    keyword: str
    by_button: bool = False
    debt_id: int | None = None
    score: str | None = None
    option: int | None = None

    def to_json(self) -> dict[str, object]:
        """The form kept in the inbound message's payload (`answer`; a survey's has `score`)."""
        found: dict[str, object] = {"intent": self.intent.value, "keyword": self.keyword,
                                    "by_button": self.by_button, "debt_id": self.debt_id}
        if self.score is not None:
            found["score"] = self.score
        if self.option is not None:
            found["option"] = self.option
        return found


def normalise(text: str) -> str:
    """Case folded, accents removed, everything but letters and digits turned into single
    spaces: "  Não   sou EU!! 🙏" -> "nao sou eu"."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def classify(message_type: str, text: str, payload: str | None) -> Answer | None:
    """What the inbound message asks for, or None for anything else (most messages)."""
    if payload and message_type in ("button", "interactive"):
        prefix, *rest = payload.split(":")
        intent = BUTTON_INTENTS.get(prefix.strip().upper())
        if intent is not None:
            debt = next((m for part in rest if (m := _DEBT.match(part.strip().lower()))), None)
            option = next((int(p) for p in rest if _OPTION.match(p.strip())), None)
            if intent is Intent.NEGOTIATION_CHOSEN and option is None:
                return None
            return Answer(intent, prefix.strip().upper(), by_button=True,
                          debt_id=int(debt.group(1)) if debt else None,
                          option=option if intent is Intent.NEGOTIATION_CHOSEN else None)
        if prefix.strip().upper() == SURVEY:
            return _survey(rest)
    if message_type not in _TYPED or not text:
        return None
    words = normalise(text)
    if not words:
        return None
    if len(words) <= _LONGEST:
        for phrases, intent in _PHRASES:
            if words in phrases:
                return Answer(intent, words)
    padded = f" {words} "
    keyword = next((p for p in _STOP_WORDS if f" {p} " in padded), None)
    return Answer(Intent.POSSIBLE_OPT_OUT, keyword) if keyword else None


def _survey(parts: list[str]) -> Answer | None:
    """A survey tap: `SURVEY:d42:OTIMO` (None when the score is not one of the buttons')."""
    debt = next((m for part in parts if (m := _DEBT.match(part.strip().lower()))), None)
    score = next((p.strip().upper() for p in parts if p.strip().upper() in SURVEY_SCORES), None)
    if score is None:
        return None
    return Answer(Intent.SURVEY, SURVEY, by_button=True,
                  debt_id=int(debt.group(1)) if debt else None, score=score)


def reply_text(intent: Intent, trade_name: str | None) -> str | None:
    """The one reply an applied answer gets (None: no reply, e.g. "Sou eu")."""
    shop = (trade_name or "").strip() or SHOP_FALLBACK
    if intent is Intent.WRONG_PARTY:
        return WRONG_PARTY_REPLY
    if intent is Intent.OPT_OUT:
        return OPT_OUT_REPLY.format(loja=shop)
    if intent is Intent.OPT_IN:
        return OPT_IN_REPLY.format(loja=shop)
    return None
