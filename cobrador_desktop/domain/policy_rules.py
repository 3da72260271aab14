"""The send guard's rules, one function per group of COMPLIANCE.md §2.8, in its order.

Each returns `Finding`s; `policy.evaluate` turns them into reasons and the decision. Severities
are plain strings here (`block`, `confirm`, `warn`) so this module needs nothing from `policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cobrador_desktop.domain import content_lint
from cobrador_desktop.domain.contact_hours import (
    DebtorPlace,
    Slot,
    check_floor,
    check_hours,
    debtor_place,
)
from cobrador_desktop.domain.conversation import window_is_open
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.policy_facts import AGREEMENT, CANCELLED, DISPUTED, PAID, PastSend
from cobrador_desktop.domain.policy_messages import (
    QUALITY_LEVEL,
    TEMPLATE_STATUS,
    UNKNOWN_DATE,
    UNKNOWN_SOURCE,
)
from cobrador_desktop.domain.text import fold

if TYPE_CHECKING:
    from cobrador_desktop.domain.policy import SendFacts, SendRequest

BLOCK, CONFIRM, WARN = "block", "confirm", "warn"
#: purposes whose message is about a debt and shows its details
DEBT_DETAIL_PURPOSES = frozenset({"reminder", "overdue", "agreement_installment", "negotiation",
                                  "payment_receipt"})
#: purposes that chase a debt: stopped when it is paid, cancelled, disputed…
COLLECTION_PURPOSES = frozenset({"identity_check", "reminder", "overdue", "agreement_installment",
                                 "negotiation"})
#: purposes the caps do not count, nor the contact hours hold back
NOT_COUNTED = frozenset({"system_reply", "payment_receipt"})
#: codes whose block ends by itself at a later time (the outbox reschedules instead of cancelling)
TIME_BASED = frozenset({"HOURS_OUTSIDE_WINDOW", "HOURS_DAY_NOT_ALLOWED", "HOURS_HOLIDAY",
                        "FREQ_DAILY_CAP", "FREQ_WEEKLY_CAP", "FREQ_MIN_GAP"})
LOW_QUALITY = ("RED", "YELLOW")  # worst first
DUPLICATE_WINDOW = timedelta(hours=24)
#: dates in reasons are shown in Brasília time (no daylight saving since 2019)
BRASILIA = timezone(timedelta(hours=-3))
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Finding:
    """One rule's verdict: code, severity, params; `retry_at` for a block that ends by itself."""

    code: str
    severity: str
    params: dict[str, str] = field(default_factory=dict)
    retry_at: datetime | None = None
    slot: Slot | None = None


@dataclass
class Context:
    """The request, the facts and what follows from them, worked out once."""

    request: SendRequest
    facts: SendFacts
    now: datetime
    missing: list[str] = field(default_factory=list)

    @cached_property
    def window_open(self) -> bool:
        return window_is_open(self.facts.last_inbound_at, self.now)

    @cached_property
    def business_initiated(self) -> bool:
        return self.request.kind != "reply" or not self.window_open

    @property
    def automated(self) -> bool:
        return self.request.kind == "automated"

    @property
    def full(self) -> bool:
        """Every rule applies: the facts are complete, or the message is automated."""
        return self.facts.complete or self.automated

    @property
    def free_text(self) -> bool:
        return self.request.message_type != "template"

    @cached_property
    def reveals_debt(self) -> bool:
        return (self.request.purpose in DEBT_DETAIL_PURPOSES or self.request.reveals_debt
                or content_lint.reveals_debt(self.request.text))

    @cached_property
    def place(self) -> DebtorPlace:
        f = self.facts
        return debtor_place(address_uf=f.debtor_uf, phone_e164=f.phone_e164,
                            shop_zone=f.shop_zone, shop_uf=f.shop_uf)

    @cached_property
    def today(self) -> date:
        """The debtor's date (in the most likely zone)."""
        return self.now.astimezone(ZoneInfo(self.place.zones[0])).date()

    def need(self, fact: str) -> None:
        if fact not in self.missing:
            self.missing.append(fact)


def person(ctx: Context) -> list[Finding]:
    """Reference contact, wrong party, opt-out, suppression; then opt-in, shared number, CPC."""
    f, found = ctx.facts, []
    if f.reference_contact:
        found.append(Finding("PHONE_REFERENCE_CONTACT", BLOCK))
    if f.wrong_party and not acknowledges_wrong_party(ctx):
        found.append(Finding("PHONE_WRONG_PARTY", BLOCK, {"data": date_of(f.wrong_party_at)}))
    if ctx.business_initiated and f.phone_opted_out:
        found.append(Finding("PHONE_OPTED_OUT", BLOCK, {"data": date_of(f.opted_out_at)}))
    if ctx.business_initiated and f.phone_suppressed:
        found.append(Finding("PHONE_SUPPRESSED", BLOCK, {"origem": f.suppression_source or UNKNOWN_SOURCE}))
    if not ctx.full:
        return found
    if ctx.business_initiated and f.optin_at is None:
        found.append(Finding("OPTIN_MISSING", BLOCK))
    if ctx.reveals_debt and f.phone_shared is not False:
        found.append(Finding("PHONE_SHARED", WARN))
    if ctx.reveals_debt and f.cpc_state != "confirmed":
        found.append(Finding("CPC_NOT_CONFIRMED", BLOCK))
    return found


def acknowledges_wrong_party(ctx: Context) -> bool:
    """The one system reply to a "não sou eu" (COMPLIANCE.md §3.4): the person's latest message is
    the one that marked the number wrong party. Anything later (another message from them, an
    operator's reply, a reminder) is blocked: one reply, then silence."""
    f = ctx.facts
    return (ctx.request.purpose == "system_reply" and f.wrong_party_at is not None
            and f.last_inbound_at is not None and f.wrong_party_at >= f.last_inbound_at)


def debt(ctx: Context) -> list[Finding]:
    """Paid, cancelled, disputed, payment claimed, under agreement, promise, old debt."""
    purpose = ctx.request.purpose
    if not ctx.full or (purpose not in COLLECTION_PURPOSES and purpose != "payment_receipt"):
        return []
    d = ctx.facts.debt
    if d is None:
        ctx.need("debt")
        return []
    if purpose == "payment_receipt":
        return []  # a receipt is what a paid debt may still get (once: the step rule)
    found = []
    if d.status == PAID:
        found.append(Finding("DEBT_PAID", BLOCK, {"data": date_of(d.status_at)}))
    if d.status == CANCELLED:
        found.append(Finding("DEBT_CANCELLED", BLOCK, {"data": date_of(d.status_at)}))
    if d.status == DISPUTED:
        found.append(Finding("DEBT_DISPUTED", BLOCK if ctx.automated else CONFIRM,
                             {"data": date_of(d.status_at)}))
    if d.payment_claimed_at is not None:
        found.append(Finding("DEBT_PAYMENT_CLAIMED", BLOCK if ctx.automated else WARN,
                             {"data": date_of(d.payment_claimed_at)}))
    if d.status == AGREEMENT and purpose != "agreement_installment":
        found.append(Finding("DEBT_UNDER_AGREEMENT", BLOCK, {"data": date_of(d.status_at)}))
    if (ctx.automated and d.promised_for is not None and ctx.today
            <= d.promised_for + timedelta(days=ctx.facts.profile.promise_grace_days)):
        found.append(Finding("DEBT_PROMISE_PENDING", BLOCK,
                             {"data": d.promised_for.strftime("%d/%m/%Y")}))
    if is_old(ctx) and d.prescription_confirmed_at is None:
        found.append(Finding("DEBT_OLD_NEEDS_OWNER", CONFIRM,
                             {"anos": str(ctx.facts.profile.old_debt_years)}))
    return found


def is_old(ctx: Context) -> bool:
    """The debt's oldest open due date is `old_debt_years` or more behind (possible prescription)."""
    d = ctx.facts.debt
    if d is None or d.oldest_open_due is None or d.status in (PAID, CANCELLED):
        return False
    due, years = d.oldest_open_due, ctx.facts.profile.old_debt_years
    try:
        limit = due.replace(year=due.year + years)
    except ValueError:  # 29 February
        limit = due.replace(year=due.year + years, day=28) + timedelta(days=1)
    return ctx.today >= limit


def content(ctx: Context) -> list[Finding]:
    """Supplier identification, itemised amounts, typed amounts, then the language lint."""
    found: list[Finding] = []
    req, f = ctx.request, ctx.facts
    if ctx.full:
        found += _supplier(ctx)
        d = f.debt
        amounts = content_lint.amounts_in(req.text)
        if (ctx.reveals_debt and d is not None and amounts
                and content_lint.missing_items(req.text, d.charges_cents)):
            found.append(Finding("CONTENT_NOT_ITEMISED", BLOCK if "RJ" in ctx.place.ufs else WARN))
        if ctx.free_text and d is not None and amounts and d.open_balance_cents not in amounts:
            found.append(Finding("CONTENT_AMOUNT_MISMATCH", WARN, {
                "valor": format_brl(amounts[0]), "saldo": format_brl(d.open_balance_cents)}))
    old = ctx.full and is_old(ctx)  # an old debt's messages never suggest court enforcement
    for hit in content_lint.lint(req.text, free_text=ctx.free_text or old):
        severity = BLOCK if old and hit.code == "LINT_LEGAL_CONSEQUENCE" else hit.severity
        params = {"trecho": hit.excerpt} if hit.excerpt else {}
        found.append(Finding(hit.code, severity, params))
    return found


def _supplier(ctx: Context) -> list[Finding]:
    req, f = ctx.request, ctx.facts
    template = req.message_type == "template" and req.purpose != "system_reply"
    if ctx.reveals_debt and f.history is None:
        ctx.need("history")  # may be the first debt detail: FACTS_MISSING blocks it
    first_detail = ctx.reveals_debt and f.history is not None and not f.history.debt_details_sent
    if not (template or first_detail):
        return []
    if f.shop is None:
        ctx.need("shop")
        return []
    shop = f.shop
    ok = True
    if template:
        ok = content_lint.identifies_supplier(req.text, (shop.trade_name, shop.legal_name),
                                              shop.document)
    if first_detail:
        ok = ok and content_lint.identifies_supplier(req.text, (shop.legal_name,), shop.document)
    return [] if ok else [Finding("CONTENT_NO_SUPPLIER_ID", BLOCK)]


def hours(ctx: Context) -> list[Finding]:
    """Contact hours, days and holidays in the debtor's local time.

    With incomplete facts (a manual message from today's gatherer) the owner's profile cannot be
    applied, but the floor still holds: never at night, on Sundays or national holidays anywhere
    in Brazil.
    """
    if ctx.request.purpose == "system_reply":
        return []
    f = ctx.facts
    if not ctx.business_initiated:
        grace = timedelta(minutes=f.profile.reply_grace_minutes)
        if f.last_inbound_at is not None and ctx.now - f.last_inbound_at <= grace:
            return []  # a manual reply to a fresh message ignores contact hours
    if ctx.full:
        block = check_hours(ctx.now, ctx.place, f.profile, f.custom_holidays)
    else:
        block = check_floor(ctx.now, ctx.place.zones)
    if block is None:
        return []
    return [Finding(block.code, BLOCK, block.params, slot=block.slot,
                    retry_at=block.slot.start if block.slot else None)]


def frequency(ctx: Context) -> list[Finding]:
    """Daily and weekly caps, minimum gap, same text in 24 h, (debt, step) once, stop on reply."""
    req, f = ctx.request, ctx.facts
    if not ctx.full or req.purpose == "system_reply":
        return []
    history = f.history
    if history is None:
        ctx.need("history")
        return []
    found: list[Finding] = []
    if ctx.business_initiated and req.purpose not in NOT_COUNTED:
        found += _caps(ctx, [s for s in history.recent if _counted(s)])
    text = fold(req.text)
    if text and any(s.same_phone and timedelta(0) <= ctx.now - s.at < DUPLICATE_WINDOW
                    and fold(s.text) == text for s in history.recent):
        found.append(Finding("FREQ_DUPLICATE", BLOCK))
    once = ctx.automated or req.purpose == "payment_receipt"
    if once and req.step is not None and history.step_sent_at is not None:
        found.append(Finding("FREQ_STEP_ALREADY_SENT", BLOCK, {"data": date_of(history.step_sent_at)}))
    if ctx.automated and history.reply_waiting:
        found.append(Finding("FREQ_CONVERSATION_ACTIVE", BLOCK))
    return found


def _counted(sent: PastSend) -> bool:
    return sent.kind != "reply" and sent.purpose not in NOT_COUNTED


def _caps(ctx: Context, counted: list[PastSend]) -> list[Finding]:
    profile, now = ctx.facts.profile, ctx.now
    severity = BLOCK if ctx.automated else WARN
    zones = [ZoneInfo(z) for z in ctx.place.zones]
    groups = [[s for s in counted if s.same_debtor], [s for s in counted if s.same_phone]]
    found = []
    today = [[s for s in g if any(s.at.astimezone(z).date() == now.astimezone(z).date()
                                  for z in zones)] for g in groups]
    daily = max(len(g) for g in today)
    if daily >= profile.daily_cap:
        midnight = max(datetime.combine(now.astimezone(z).date() + timedelta(days=1), time(),
                                        tzinfo=z) for z in zones).astimezone(UTC)
        found.append(Finding("FREQ_DAILY_CAP", severity,
                             {"n": str(daily), "limite": str(profile.daily_cap)}, midnight))
    week = [sorted(s.at for s in g if now - s.at < WEEK) for g in groups]
    if max(len(w) for w in week) >= profile.weekly_cap:
        frees = [w[len(w) - profile.weekly_cap] + WEEK if profile.weekly_cap else now + WEEK
                 for w in week if len(w) >= profile.weekly_cap]
        found.append(Finding("FREQ_WEEKLY_CAP", severity, {"limite": str(profile.weekly_cap)},
                             max(frees)))
    if profile.min_gap_hours:
        gap = timedelta(hours=profile.min_gap_hours)
        latest = max((s.at for g in groups for s in g), default=None)
        if latest is not None and now - latest < gap:
            found.append(Finding("FREQ_MIN_GAP", severity, {"horas": str(profile.min_gap_hours)},
                                 latest + gap))
    return found


def whatsapp(ctx: Context) -> list[Finding]:
    """The 24-hour window, the template's state at Meta, the quality of the number."""
    req, f = ctx.request, ctx.facts
    found: list[Finding] = []
    if req.message_type != "template" and not ctx.window_open:
        found.append(Finding("WA_TEMPLATE_REQUIRED", BLOCK))
    if not ctx.full:
        return found
    template = f.template
    if req.message_type == "template":
        if template is None:
            ctx.need("template")
        elif template.status.upper() != "APPROVED":
            found.append(Finding("WA_TEMPLATE_UNAVAILABLE", BLOCK, {
                "nome": template.name,
                "status": TEMPLATE_STATUS.get(template.status.upper(), template.status.lower())}))
        if template is not None and template.category.upper() == "MARKETING":
            found.append(Finding("WA_TEMPLATE_MARKETING", WARN, {"nome": template.name}))
    if ctx.business_initiated:
        if f.number_quality is None and ctx.automated:
            ctx.need("number_quality")
        ratings = [(f.number_quality or "").upper()]
        if req.message_type == "template" and template is not None:
            ratings.append(template.quality.upper())
        low = next((level for level in LOW_QUALITY if level in ratings), None)
        if low is not None:
            found.append(Finding("WA_QUALITY_LOW", BLOCK if ctx.automated else WARN,
                                 {"nivel": QUALITY_LEVEL[low]}))
    return found


def date_of(value: datetime | None) -> str:
    """`19/11/2026` in Brasília time, or the words for a date not recorded."""
    if value is None:
        return UNKNOWN_DATE
    return value.astimezone(BRASILIA).strftime("%d/%m/%Y")
