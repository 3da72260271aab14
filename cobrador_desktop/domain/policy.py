"""The send guard: may this message go to this number now? (COMPLIANCE.md §2.)

One pure function, `evaluate(request, facts, now) -> Decision`: the calling service gathers the facts
(phone flags, the debt, recent sends, the template's state at Meta, the owner's contact profile…)
and stores the decision with the outbox row; the outbox refuses a row without one. It runs twice:
when the message is composed and again when the sender picks the row up (the 24-hour window may
have closed, an opt-out may have arrived). Time-based blocks carry the next allowed slot
(`Decision.next_allowed_at`) so the outbox can reschedule; state-based blocks carry none and the
row is cancelled with its reason.

Every code of COMPLIANCE.md §2.8 is checked here (rules in `policy_rules`, words in
`policy_messages`); codes are stable identifiers (stored in the outbox and the audit log), never
renamed, only added. Absent facts never open the gate: see `SendFacts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from cobrador_desktop.domain import policy_rules as rules
from cobrador_desktop.domain.contact_hours import (
    ContactProfile,
    Slot,
    next_slot,
    spread_over_first_hour,
)
from cobrador_desktop.domain.content_lint import OVERRIDABLE
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.holidays_br import CustomHoliday
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.policy_facts import DebtFacts, SendHistory, ShopIdentity, TemplateFacts
from cobrador_desktop.domain.policy_messages import (
    CONTEXT,
    FACT_LABELS,
    MESSAGES,
    UNKNOWN_DATE,
    UNKNOWN_SOURCE,
)

__all__ = ["CONTEXT", "MESSAGES", "UNKNOWN_DATE", "UNKNOWN_SOURCE", "Decision", "Reason",
           "SendBlocked", "SendFacts", "SendKind", "SendRequest", "Severity", "evaluate"]

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


@dataclass(frozen=True)
class SendRequest:
    """What is about to be sent.

    Attributes:
        kind: `SendKind` value; a `reply` whose window has closed counts as business-initiated.
        purpose: `identity_check`, `reminder`, `overdue`, `agreement_installment`, `negotiation`,
            `payment_receipt`, `free_reply` or `system_reply`.
        message_type: free `text`, an approved `template`, or `interactive` (buttons, lists).
        text: the text as the debtor will read it (a template's, rendered): the content rules,
            the lint and the duplicate check read it.
        step: the régua step (`D-3`, `D+7`…) for the debt in `SendFacts.debt`; a (debt, step)
            pair goes out once, ever. A payment receipt passes `payment_receipt`.
        reveals_debt: the caller knows the message shows debt details (amount, due date…);
            the purpose and the words of the text can also tell the guard so, never the contrary.
        owner_confirmed: codes the owner confirmed with a written note (CONFIRM reasons, and the
            lint's blocks in free text); the caller records the note in the audit log.
    """

    kind: str
    purpose: str
    message_type: MessageType
    text: str = ""
    step: str | None = None
    reveals_debt: bool = False
    owner_confirmed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SendFacts:
    """What the guard needs to know about the number, the debtor, the debt and the conversation.

    Safe defaults — an absent fact never lets through what the real fact would block:
    - `complete` False is today's outbox gatherer (storage.repos.outbox._facts), which fills
      only the person flags and the last inbound: for it, manual and reply messages get the
      guard's first rules (person, lint, 24-hour window). **Automated messages always get every
      rule**, whatever `complete` says. A gatherer that fills the facts below passes True; once
      the outbox gathers them the default turns True and this switch goes.
    - `debtor_uf`/`phone_e164` None: the debtor may be anywhere in Brazil, so the contact window
      must hold in every Brazilian zone and no state's holiday may fall on the day.
    - `shop_zone` None: a foreign number is treated like an unknown one (all of Brazil).
    - `profile`: the owner's settings; their defaults are COMPLIANCE.md's (the safe choice).
    - `optin_at` None: no opt-in evidence, so business-initiated messages stop (OPTIN_MISSING).
    - `cpc_state` None: identity not confirmed, so no debt details (CPC_NOT_CONFIRMED).
    - `phone_shared` None: maybe shared, so debt details warn (PHONE_SHARED).
    - `debt`, `history`, `shop`, `template` None: every rule they feed that could block, blocks
      with FACTS_MISSING (naming what is missing); `number_quality` None blocks automated
      messages (for a single message the real rating could only warn).
    """

    last_inbound_at: datetime | None = None
    phone_opted_out: bool = False
    opted_out_at: datetime | None = None
    phone_suppressed: bool = False
    suppression_source: str | None = None
    wrong_party: bool = False
    wrong_party_at: datetime | None = None
    reference_contact: bool = False
    complete: bool = False
    debtor_uf: str | None = None
    debtor_municipality: str | None = None
    phone_e164: str | None = None
    shop_zone: str | None = None
    shop_uf: str | None = None
    profile: ContactProfile = field(default_factory=ContactProfile)
    custom_holidays: tuple[CustomHoliday, ...] = ()
    optin_at: datetime | None = None
    cpc_state: str | None = None
    phone_shared: bool | None = None
    debt: DebtFacts | None = None
    history: SendHistory | None = None
    shop: ShopIdentity | None = None
    template: TemplateFacts | None = None
    number_quality: str | None = None


@dataclass(frozen=True)
class Reason:
    """One finding of the guard; `message_pt` is source text (context "SendGuard").

    `confirmed`: the owner confirmed it with a written note (`SendRequest.owner_confirmed`), so it
    no longer stops the message but stays on record for the audit log.
    """

    code: str
    severity: Severity
    message_pt: str
    params: Mapping[str, str] = field(default_factory=dict)
    confirmed: bool = False

    @property
    def message(self) -> str:
        """The pt-BR message with its `{params}` filled."""
        try:
            return self.message_pt.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.message_pt

    @property
    def stops(self) -> bool:
        """Whether this reason stops the message (BLOCK, or CONFIRM not yet confirmed)."""
        return self.severity is not Severity.WARN and not self.confirmed

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity.value, "message_pt": self.message_pt,
                "params": dict(self.params), "confirmed": self.confirmed}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Reason:
        params = raw.get("params") or {}
        return cls(code=str(raw["code"]), severity=Severity(raw["severity"]),
                   message_pt=str(raw.get("message_pt") or MESSAGES.get(str(raw["code"]), "")),
                   params={str(k): str(v) for k, v in params.items()},
                   confirmed=bool(raw.get("confirmed", False)))


@dataclass(frozen=True)
class Decision:
    """The guard's verdict: `allowed`, and every reason found (main reason first).

    `next_allowed_at` is set when every reason that stops the message ends by itself (contact
    hours, holidays, caps, minimum gap): the first instant of the next allowed slot, which ends at
    `next_allowed_until` (spread automated sends with `contact_hours.spread_over_first_hour`). It
    is None when the message is allowed or a state-based reason stops it (cancel the row).
    """

    allowed: bool
    reasons: tuple[Reason, ...] = ()
    evaluated_at: datetime | None = None
    next_allowed_at: datetime | None = None
    next_allowed_until: datetime | None = None

    @property
    def blocking(self) -> tuple[Reason, ...]:
        """The reasons that stop the message (BLOCK, and CONFIRM until someone confirms)."""
        return tuple(r for r in self.reasons if r.stops)

    @property
    def main_reason(self) -> Reason | None:
        """The reason to show first: the first blocking one, else the first warning.

        When a reason that does not end by itself stops the message too (it will be cancelled,
        not held), that one comes first: "outside hours" would wrongly suggest it only waits.
        """
        blocking = self.blocking
        if not blocking:
            return self.reasons[0] if self.reasons else None
        if self.next_allowed_at is None:
            lasting = [r for r in blocking if r.code not in rules.TIME_BASED]
            if lasting:
                return lasting[0]
        return blocking[0]

    def retry_at(self, key: str) -> datetime | None:
        """When a refused message is tried again, or None: allowed, or stopped for good (cancel).

        A time-based refusal (hours, holidays, caps) waits for its next slot; sends moved to the
        same slot are spread over its first hour by `key` (the outbox row), never a burst.
        """
        if self.allowed or self.next_allowed_at is None:
            return None
        if self.next_allowed_until is None:
            return self.next_allowed_at
        return spread_over_first_hour(Slot(self.next_allowed_at, self.next_allowed_until), key)

    def to_json(self) -> dict[str, Any]:
        """The form stored in the outbox row's `decision` column."""
        return {"allowed": self.allowed, "reasons": [r.to_json() for r in self.reasons],
                "evaluated_at": _iso(self.evaluated_at),
                "next_allowed_at": _iso(self.next_allowed_at),
                "next_allowed_until": _iso(self.next_allowed_until)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Decision:
        return cls(allowed=bool(raw["allowed"]),
                   reasons=tuple(Reason.from_json(r) for r in raw.get("reasons") or ()),
                   evaluated_at=_instant(raw.get("evaluated_at")),
                   next_allowed_at=_instant(raw.get("next_allowed_at")),
                   next_allowed_until=_instant(raw.get("next_allowed_until")))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


class SendBlocked(KnownError):
    """The outbox was handed a message the send guard did not allow (or never saw)."""

    context: ClassVar[str] = CONTEXT
    message_template = QT_TRANSLATE_NOOP(
        "SendGuard", "A mensagem não passou pela verificação de envio; nada foi enviado.")
    hint_template = QT_TRANSLATE_NOOP(
        "SendGuard", "Corrija o motivo indicado ou escolha outra mensagem; nada foi enviado.")

    @classmethod
    def for_decision(cls, decision: Decision | None) -> SendBlocked:
        """The error for a missing decision, or for the decision's main reason."""
        reason = decision.main_reason if decision is not None else None
        if reason is None:
            return cls()
        return cls(message=reason.message_pt, code=reason.code, **reason.params)


def evaluate(request: SendRequest, facts: SendFacts, now: datetime) -> Decision:
    """Decide whether `request` may be sent now, with every reason found.

    Reasons come in the order of COMPLIANCE.md §2.8 (person → debt → content → time → frequency
    → WhatsApp, then FACTS_MISSING), so the first one is the main reason. BLOCK and unconfirmed
    CONFIRM reasons stop the message; WARN reasons never do.
    """
    ctx = rules.Context(request, facts, now)
    findings = [*rules.person(ctx), *rules.debt(ctx), *rules.content(ctx), *rules.hours(ctx),
                *rules.frequency(ctx), *rules.whatsapp(ctx)]
    if ctx.missing:
        findings.append(rules.Finding("FACTS_MISSING", rules.BLOCK, {
            "fatos": ", ".join(label for name, label in FACT_LABELS.items()
                               if name in ctx.missing)}))
    reasons = tuple(_reason_for(f, request) for f in findings)
    stopping = [(f, r) for f, r in zip(findings, reasons, strict=True) if r.stops]
    next_at = next_until = None
    if stopping and all(f.code in rules.TIME_BASED for f, _ in stopping):
        earliest = max((f.retry_at for f, _ in stopping if f.retry_at is not None), default=now)
        if ctx.full:
            slot = next_slot(max(earliest, now), ctx.place, facts.profile, facts.custom_holidays)
        else:  # only the floor applied: its own slot
            slot = next((f.slot for f, _ in stopping if f.slot is not None), None)
        if slot is not None:
            next_at, next_until = slot.start, slot.end
    return Decision(allowed=not stopping, reasons=reasons, evaluated_at=now,
                    next_allowed_at=next_at, next_allowed_until=next_until)


def _reason_for(finding: rules.Finding, request: SendRequest) -> Reason:
    """The reason for a finding, confirmed when the owner confirmed what may be confirmed."""
    severity = Severity(finding.severity)
    overridable = (finding.code in OVERRIDABLE and request.message_type != "template"
                   and severity is Severity.BLOCK)
    confirmed = finding.code in request.owner_confirmed and (
        severity is Severity.CONFIRM or overridable)
    return Reason(finding.code, severity, MESSAGES[finding.code], finding.params, confirmed)
