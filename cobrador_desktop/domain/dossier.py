"""A debtor's dossier: everything the shop can show about one case, for a dispute, a Procon
complaint or a lawyer (issue 9; COMPLIANCE.md §4.3 access requests, §4.4 audit).

The records are plain and frozen: the services gather them on the database thread, the PDF writer
(`ui.reports.dossier_pdf`) lays them out. Instants are aware UTC; `zone` is the shop's, for
showing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from cobrador_desktop.domain.records import DebtorDetail
from cobrador_desktop.domain.roles import AuditRow
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.domain.text import fold

#: the audit action written each time a dossier is generated (who, when, whose id only)
DOSSIER_ACTION = "debtor.dossier"
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class DeliveryEvent:
    """One status WhatsApp reported for a message we sent (the `statuses` webhook).

    Attributes:
        status: sent, delivered, read or failed (as Meta sent it).
        at: when Meta says it happened.
        error_code, error_title, error_details: why a `failed` failed (None otherwise).
    """

    status: str
    at: datetime
    error_code: int | None = None
    error_title: str | None = None
    error_details: str | None = None


@dataclass(frozen=True, slots=True)
class DossierMessage:
    """One message of one of the debtor's conversations.

    Attributes:
        id: the message's row id.
        at: when it was written (sent by us, or received).
        phone: the conversation's number (E.164; the PDF masks it).
        direction: "in" (from the debtor) or "out" (from the shop).
        type: text, template, image, interactive…
        text: what it said ("" after an anonymisation, or for media without a caption).
        template_name: the WhatsApp template it used, if any.
        status: its latest delivery status (out) or "received" (in).
        status_at: when that status arrived.
        error_code, error_detail: why it failed, when it did.
        operator: who wrote it; None for an automatic message (the régua, a reply) or an
            incoming one.
        events: every status report for it, oldest first (empty when none was kept).
    """

    id: int
    at: datetime
    phone: str
    direction: str
    type: str
    text: str
    template_name: str | None
    status: str
    status_at: datetime | None
    error_code: int | None
    error_detail: str | None
    operator: str | None
    events: tuple[DeliveryEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class OptOutRequest:
    """The message in which the person asked to stop receiving messages."""

    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class ConsentEvidence:
    """One of the debtor's numbers with the evidence of its opt-in, opt-out and identity marks.

    Attributes:
        phone_id, e164, role ("own"/"reference"), label: which number.
        opt_in_source, opt_in_at, opt_in_wording: how, when and with which words the opt-in
            was given; opt_in_recorded_by: the operator who recorded it (None: the person
            themselves, by message).
        opted_out, opted_out_at, opt_out_source: the opt-out, if any; opt_out_request: the
            message that asked, when it came by WhatsApp and is still held.
        wrong_party, wrong_party_at: the number's "não sou eu" mark.
        cpc_status, cpc_at: the identity check (unverified, pending, confirmed, denied).
        suppressed, suppression_source: a block made by hand.
    """

    phone_id: int
    e164: str
    role: str
    label: str | None
    opt_in_source: str | None
    opt_in_at: datetime | None
    opt_in_wording: str | None
    opt_in_recorded_by: str | None
    opted_out: bool
    opted_out_at: datetime | None
    opt_out_source: str | None
    opt_out_request: OptOutRequest | None
    wrong_party: bool
    wrong_party_at: datetime | None
    cpc_status: str
    cpc_at: datetime | None
    suppressed: bool
    suppression_source: str | None


@dataclass(frozen=True)
class Dossier:
    """Everything in one debtor's dossier.

    Attributes:
        shop: the shop's identity (CDC art. 42-A), None when never set.
        debtor: the debtor in full (identity, phones, debts and payments, promises,
            agreements, notes); the PDF masks the CPF and the phones.
        consent: each number's opt-in / opt-out / identity evidence.
        messages: every message of every conversation of the debtor, oldest first.
        audit: every audit entry about the debtor, their numbers and their conversations,
            oldest first (the entry of this very dossier included).
        generated_at: when it was gathered; generated_by: who asked (None: the system).
        zone: the shop's time zone, for showing the instants.
    """

    shop: ShopDetails | None
    debtor: DebtorDetail
    consent: tuple[ConsentEvidence, ...]
    messages: tuple[DossierMessage, ...]
    audit: tuple[AuditRow, ...]
    generated_at: datetime
    generated_by: str | None
    zone: tzinfo

    @property
    def anonymised(self) -> bool:
        """True when the debtor's identity, numbers and message texts were removed (LGPD)."""
        return self.debtor.anonymised_at is not None


def file_name(debtor_name: str, on: date) -> str:
    """The dossier's default file name: `dossie-maria-aparecida-souza-2026-11-23.pdf`.

    The name is folded (no accents, lower case) and anything but letters and digits becomes a
    hyphen, so the name is valid on Windows, macOS and Linux and says whose dossier it is.
    """
    slug = _NOT_WORD.sub("-", fold(debtor_name)).strip("-")[:60].strip("-") or "devedor"
    return f"dossie-{slug}-{on.isoformat()}.pdf"
