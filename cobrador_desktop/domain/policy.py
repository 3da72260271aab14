"""The send guard: may this message go to this number now? (COMPLIANCE.md §2.)

One pure function, `evaluate(request, facts, now) -> Decision`: the calling service gathers the facts
(phone flags, the conversation's last inbound message, …) and stores the decision with the outbox
row; the outbox refuses a row without one. It runs twice: when the message is composed and again
when the sender picks the row up (the 24-hour window may have closed in between).

This is the start of the guard: the person rules (reference contact, wrong party, opted out,
suppressed) and the 24-hour window. The reminders (régua) issue grows it to every code of §2.8;
codes are stable identifiers (stored in the outbox and the audit log), never renamed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, ClassVar, Literal

from cobrador_desktop.domain.conversation import window_is_open
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

CONTEXT = "SendGuard"
#: dates in reasons are shown in Brasília time (no daylight saving since 2019)
BRASILIA = timezone(timedelta(hours=-3))

MessageType = Literal["text", "template", "interactive"]


class Severity(StrEnum):
    """How a reason weighs on the decision (COMPLIANCE.md §2.1)."""

    BLOCK = "block"  # no override
    CONFIRM = "confirm"  # the owner confirms with a written note
    WARN = "warn"  # the operator acknowledges


class SendKind(StrEnum):
    """Who starts the message (COMPLIANCE.md §2.1)."""

    REPLY = "reply"  # the debtor wrote within 24 h and this answers them
    BUSINESS_INITIATED = "business_initiated"  # everything else
    AUTOMATED = "automated"  # régua, send-later, bulk: a subset of business-initiated


#: pt-BR text of each code implemented so far (COMPLIANCE.md §2.8), `{params}` filled at display
MESSAGES: dict[str, str] = {
    "PHONE_REFERENCE_CONTACT": QT_TRANSLATE_NOOP(
        CONTEXT, "Este número é de um contato de referência (terceiro). A cobrança só pode ser "
        "feita ao próprio devedor."),
    "PHONE_WRONG_PARTY": QT_TRANSLATE_NOOP(
        CONTEXT, "Este número foi marcado como \"não é o devedor\" em {data}. Não envie "
        "mensagens para ele."),
    "PHONE_OPTED_OUT": QT_TRANSLATE_NOOP(
        CONTEXT, "O titular deste número pediu para não receber mensagens em {data}."),
    "PHONE_SUPPRESSED": QT_TRANSLATE_NOOP(
        CONTEXT, "Número na lista de não contatar ({origem})."),
    "WA_TEMPLATE_REQUIRED": QT_TRANSLATE_NOOP(
        CONTEXT, "A janela de 24 horas está fechada. Use um modelo aprovado."),
}
#: shown for a date the records do not have (old rows flagged before dates were kept)
UNKNOWN_DATE = QT_TRANSLATE_NOOP(CONTEXT, "data não registrada")
UNKNOWN_SOURCE = QT_TRANSLATE_NOOP(CONTEXT, "origem não informada")


@dataclass(frozen=True)
class SendRequest:
    """What is about to be sent.

    Attributes:
        kind: `SendKind` value; a `reply` whose window has closed counts as business-initiated.
        purpose: `identity_check`, `reminder`, `overdue`, …, `free_reply`, `system_reply`.
        message_type: free `text`, an approved `template`, or `interactive` (buttons, lists).
        text: the text as the debtor will read it (used by the content rules to come).
    """

    kind: str
    purpose: str
    message_type: MessageType
    text: str = ""


@dataclass(frozen=True)
class SendFacts:
    """What the guard needs to know about the number, the debtor and the conversation."""

    last_inbound_at: datetime | None = None
    phone_opted_out: bool = False
    opted_out_at: datetime | None = None
    phone_suppressed: bool = False
    suppression_source: str | None = None
    wrong_party: bool = False
    wrong_party_at: datetime | None = None
    reference_contact: bool = False


@dataclass(frozen=True)
class Reason:
    """One finding of the guard; `message_pt` is source text (context "SendGuard")."""

    code: str
    severity: Severity
    message_pt: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The pt-BR message with its `{params}` filled."""
        try:
            return self.message_pt.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.message_pt

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity.value, "message_pt": self.message_pt,
                "params": dict(self.params)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Reason:
        params = raw.get("params") or {}
        return cls(code=str(raw["code"]), severity=Severity(raw["severity"]),
                   message_pt=str(raw.get("message_pt") or MESSAGES.get(str(raw["code"]), "")),
                   params={str(k): str(v) for k, v in params.items()})


@dataclass(frozen=True)
class Decision:
    """The guard's verdict: `allowed`, and every reason found (main reason first)."""

    allowed: bool
    reasons: tuple[Reason, ...] = ()
    evaluated_at: datetime | None = None

    @property
    def blocking(self) -> tuple[Reason, ...]:
        """The reasons that stop the message (BLOCK, and CONFIRM until someone confirms)."""
        return tuple(r for r in self.reasons if r.severity is not Severity.WARN)

    @property
    def main_reason(self) -> Reason | None:
        """The reason to show first: the first blocking one, else the first warning."""
        blocking = self.blocking
        return blocking[0] if blocking else (self.reasons[0] if self.reasons else None)

    def to_json(self) -> dict[str, Any]:
        """The form stored in the outbox row's `decision` column."""
        return {"allowed": self.allowed, "reasons": [r.to_json() for r in self.reasons],
                "evaluated_at": self.evaluated_at.isoformat() if self.evaluated_at else None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Decision:
        at = raw.get("evaluated_at")
        return cls(allowed=bool(raw["allowed"]),
                   reasons=tuple(Reason.from_json(r) for r in raw.get("reasons") or ()),
                   evaluated_at=datetime.fromisoformat(at) if isinstance(at, str) else None)


class SendBlocked(KnownError):
    """The outbox was handed a message the send guard did not allow (or never saw)."""

    context: ClassVar[str] = CONTEXT
    message_template = QT_TRANSLATE_NOOP(
        CONTEXT, "A mensagem não passou pela verificação de envio; nada foi enviado.")
    hint_template = QT_TRANSLATE_NOOP(
        CONTEXT, "Corrija o motivo indicado ou escolha outra mensagem; nada foi enviado.")

    @classmethod
    def for_decision(cls, decision: Decision | None) -> SendBlocked:
        """The error for a missing decision, or for the decision's main reason."""
        reason = decision.main_reason if decision is not None else None
        if reason is None:
            return cls()
        return cls(message=reason.message_pt, code=reason.code, **reason.params)


def _date(value: datetime | None) -> str:
    return value.astimezone(BRASILIA).strftime("%d/%m/%Y") if value is not None else UNKNOWN_DATE


def _reason(code: str, severity: Severity = Severity.BLOCK, **params: str) -> Reason:
    return Reason(code, severity, MESSAGES[code], params)


def evaluate(request: SendRequest, facts: SendFacts, now: datetime) -> Decision:
    """Decide whether `request` may be sent now, with every reason found.

    Reasons come in the order of COMPLIANCE.md §2.8 (person → … → WhatsApp), so the first one is
    the main reason. A CONFIRM reason also stops the message until the owner's confirmation
    arrives (the régua issue adds it); WARN reasons never stop it.
    """
    window_open = window_is_open(facts.last_inbound_at, now)
    business_initiated = request.kind != SendKind.REPLY or not window_open
    reasons: list[Reason] = []
    if facts.reference_contact:
        reasons.append(_reason("PHONE_REFERENCE_CONTACT"))
    if facts.wrong_party:
        reasons.append(_reason("PHONE_WRONG_PARTY", data=_date(facts.wrong_party_at)))
    if business_initiated and facts.phone_opted_out:
        reasons.append(_reason("PHONE_OPTED_OUT", data=_date(facts.opted_out_at)))
    if business_initiated and facts.phone_suppressed:
        reasons.append(_reason("PHONE_SUPPRESSED",
                               origem=facts.suppression_source or UNKNOWN_SOURCE))
    if request.message_type != "template" and not window_open:
        reasons.append(_reason("WA_TEMPLATE_REQUIRED"))
    allowed = all(r.severity is Severity.WARN for r in reasons)
    return Decision(allowed=allowed, reasons=tuple(reasons), evaluated_at=now)
