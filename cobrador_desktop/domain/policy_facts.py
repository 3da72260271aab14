"""The facts the send guard weighs that the calling service gathers (COMPLIANCE.md §2.1).

Each group is one dataclass with **no defaults**: a service that builds one states every fact,
so nothing inside a group can be forgotten. A whole group may be absent from `SendFacts` (None):
the guard then blocks with FACTS_MISSING wherever the group could have blocked — an absent fact
never lets through a message the real fact would stop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

#: debt statuses (INTERFACES.md §5)
OPEN, PAID, CANCELLED, DISPUTED, AGREEMENT = "open", "paid", "cancelled", "disputed", "agreement"


@dataclass(frozen=True, kw_only=True)
class DebtFacts:
    """The debt the message is about (storage: `debts`, `payments`, `promises`, `agreements`).

    Attributes:
        status: `open`, `paid`, `cancelled`, `disputed` or `agreement` (replaced by an agreement).
        status_at: when it became paid/cancelled/disputed/replaced; None if not recorded.
        is_agreement: this debt is an agreement's own schedule (its instalments may be reminded).
        oldest_open_due: the oldest due date still open (age for prescription); None when nothing
            is open.
        open_balance_cents: what is open now, from the ledger.
        charges_cents: what is charged beyond the original value, by kind (`fine`, `interest`,
            `correction`, `fees`, `costs`, `lawyer_fees`; see `content_lint.ITEM_WORDS`).
        payment_claimed_at: the debtor said "já paguei" and it is not reconciled yet; else None.
        promised_for: the date of an open promise to pay; None when none is open. Automation
            pauses until `ContactProfile.promise_grace_days` after it.
        prescription_confirmed_at: the owner confirmed, with a note, that this old debt is not
            prescribed (e.g. a recorded acknowledgement); None otherwise.
    """

    status: str
    status_at: datetime | None
    is_agreement: bool
    oldest_open_due: date | None
    open_balance_cents: int
    charges_cents: Mapping[str, int]
    payment_claimed_at: datetime | None
    promised_for: date | None
    prescription_confirmed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class PastSend:
    """One outbound message of the last 8 days to this debtor or to this number.

    Attributes:
        at: when it was sent (or queued to be sent).
        kind: its `SendKind`; purpose: its purpose (they decide whether it counts for the caps).
        same_phone: it went to the number of this request.
        same_debtor: it went to this request's debtor (any of their numbers).
        text: its text as the debtor read it (for the 24-hour duplicate check).
    """

    at: datetime
    kind: str
    purpose: str
    same_phone: bool
    same_debtor: bool
    text: str


@dataclass(frozen=True, kw_only=True)
class SendHistory:
    """What was sent and answered (storage: `messages`, `outbox`, `conversations`, régua steps).

    Attributes:
        recent: outbound messages of the last 8 days to this debtor or this number.
        step_sent_at: when this request's (debt, step) went out, if it ever did; None: never.
        reply_waiting: the debtor wrote and no operator has answered yet.
        debt_details_sent: a message with debt details already went out in this conversation
            (the first one must carry the supplier's legal name and CNPJ).
    """

    recent: tuple[PastSend, ...]
    step_sent_at: datetime | None
    reply_waiting: bool
    debt_details_sent: bool


@dataclass(frozen=True, kw_only=True)
class ShopIdentity:
    """How the shop identifies itself (CDC art. 42-A; storage: settings).

    Attributes:
        trade_name: nome fantasia; legal_name: razão social (may be the same).
        document: CNPJ (or CPF of an individual supplier), digits or formatted.
    """

    trade_name: str
    legal_name: str
    document: str


@dataclass(frozen=True, kw_only=True)
class TemplateFacts:
    """The template's state at Meta (storage: templates, from the status/quality webhooks).

    Attributes:
        name: as registered; status: `APPROVED`, `PAUSED`, `DISABLED`, `REJECTED`, `PENDING`…;
        category: `UTILITY`, `MARKETING`, `AUTHENTICATION`; quality: `GREEN`, `YELLOW`, `RED`,
        `UNKNOWN`.
    """

    name: str
    status: str
    category: str
    quality: str
