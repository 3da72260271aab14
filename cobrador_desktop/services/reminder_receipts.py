"""After payment, inside the régua's daily pass: the thank-you (receipt) and the optional survey.

A debt paid in the last `RECEIPT_DAYS` days (`Debt.status_at`) that got no thank-you yet gets one
`payment_receipt` message (template `pagamento_recebido_v1`), at most one per debtor a day (the
most recently paid debt; the others the next days), judged by the send guard like any other
message: it needs the number's identity confirmed, no opt-out… (COMPLIANCE.md §2.8; the
guard's caps do not count it). It is logged in `regua_sends` as step `RECIBO` (once per debt,
ever: a blocked receipt is not tried again) and `Debt.thanked_at` is set when it is queued.
Receipts take nothing of the day's capacity of new conversations.

The survey (setting `PAYMENT_SURVEY`, off by default): one question with reply buttons "Ótimo",
"Regular", "Ruim" (`SURVEY:d<debt>:<score>`). Template buttons are fixed at Meta, so it goes as
a free interactive message, which WhatsApp allows only inside the person's 24-hour window: it is
planned with the receipt only when the window is open then (otherwise skipped, not logged), a
minute after it, step `PESQUISA`; the sender judges it again (a closed window cancels it). The
answers are kept on the inbound message (`answer.intent` `survey`, `score`).

Debts stop getting reminders once paid by themselves: the planner takes only open debts and the
guard blocks `DEBT_PAID` for every collection purpose.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cobrador_desktop.domain.conversation import window_is_open
from cobrador_desktop.domain.policy import SendRequest, evaluate
from cobrador_desktop.domain.regua import NO_PHONE
from cobrador_desktop.domain.settings import PAYMENT_SURVEY
from cobrador_desktop.domain.templates import SURVEY_QUESTION, survey_buttons
from cobrador_desktop.services.reminder_day import (
    AUTOMATED,
    DayWork,
    Entry,
    _Draft,
    _judge,
    _skip,
    _skipped_entry,
)
from cobrador_desktop.services.reminder_plan import ALLOWED, BLOCKED, Plan, PlannedMessage
from cobrador_desktop.storage.repos import reminders as repo
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from cobrador_desktop.storage.repos.settings import read_guard_settings, read_json_setting
from cobrador_desktop.whatsapp.payloads import buttons_payload

PAYMENT_RECEIPT = "payment_receipt"
RECEIPT_TEMPLATE = "pagamento_recebido_v1"
#: how far back a payment still gets its thank-you (the PC may have been off a few days)
RECEIPT_DAYS = 3
#: the survey goes this long after its receipt (the sender keeps a conversation's order)
SURVEY_DELAY = timedelta(minutes=1)


def plan_receipts(session: Any, at: datetime, *, shop_zone: str) -> list[Entry]:
    """The thank-yous due at `at` (and their surveys), each judged by the guard; writes nothing."""
    zone = ZoneInfo(shop_zone)
    chosen: dict[int, tuple[repo.DueDebt, datetime]] = {}
    for debt, paid_at in repo.paid_to_thank(session, at - timedelta(days=RECEIPT_DAYS)):
        chosen.setdefault(debt.debtor_id, (debt, paid_at))  # the most recently paid first
    if not chosen:
        return []
    phones = repo.phones(session, list(chosen))
    entries: list[Entry] = []
    drafts: list[_Draft] = []
    for debt, paid_at in chosen.values():
        paid_on = paid_at.astimezone(zone).date()
        phone = phones.get(debt.debtor_id)
        if phone is None:
            entries.append(_skipped_entry(debt, None, repo.RECEIPT_STEP, PAYMENT_RECEIPT,
                                          RECEIPT_TEMPLATE, paid_on, _skip(NO_PHONE, at),
                                          record=True))
        else:
            drafts.append(_Draft(debt, phone, repo.RECEIPT_STEP, PAYMENT_RECEIPT,
                                 RECEIPT_TEMPLATE, paid_on, paid_on=paid_on))
    receipts = [_uncounted(e, at) for e in _judge(session, drafts, at, zone, shop_zone)]
    surveys: list[Entry] = []
    if read_json_setting(session, PAYMENT_SURVEY):
        surveys = _surveys(session, receipts, at, shop_zone)
    return [*receipts, *surveys, *entries]


def _uncounted(entry: Entry, at: datetime) -> Entry:
    """A receipt goes as soon as the guard allows (not paced) and takes no capacity."""
    message = entry.message
    send_at = at if message.state == ALLOWED else message.send_at
    return replace(entry, message=replace(message, send_at=send_at), counted=False)


def _surveys(session: Any, receipts: list[Entry], at: datetime, shop_zone: str) -> list[Entry]:
    """The survey of each receipt going out whose person's 24-hour window is open now."""
    going = [r for r in receipts if r.message.state != BLOCKED and r.phone_id is not None
             and r.facts is not None and window_is_open(r.facts.last_inbound_at, at)]
    shop = read_guard_settings(session).shop
    if not going or shop is None:
        return []
    facts = gather(session, [FactsTarget(r.message.debtor_id, r.phone_id or 0, r.message.debt_id,
                                         repo.SURVEY_STEP) for r in going],
                   now=at, shop_zone=shop_zone)
    text = SURVEY_QUESTION.format(loja=shop.legal_name, cnpj=shop.document)
    found: list[Entry] = []
    for receipt, fact in zip(going, facts, strict=True):
        m = receipt.message
        decision = evaluate(SendRequest(AUTOMATED, PAYMENT_RECEIPT, "interactive", text,
                                        repo.SURVEY_STEP), fact, at)
        after = (m.send_at or at) + SURVEY_DELAY
        send_at = after if decision.allowed else decision.retry_at(
            f"regua:{m.debt_id}:{repo.SURVEY_STEP}")
        if send_at is not None:
            send_at = max(send_at, after)
        assert m.phone is not None
        payload = buttons_payload(m.phone, text, survey_buttons(m.debt_id))
        found.append(Entry(PlannedMessage(
            debtor_id=m.debtor_id, debtor_name=m.debtor_name, debt_id=m.debt_id, phone=m.phone,
            step=repo.SURVEY_STEP, purpose=PAYMENT_RECEIPT, template=None, text=text,
            decision=decision, send_at=send_at, outbox_id=None), receipt.phone_id,
            receipt.planned_for, payload, facts=fact, message_type="interactive", counted=False))
    return found


def with_receipts(work: DayWork, receipts: list[Entry]) -> DayWork:
    """The day's work with the receipts first (items before skips, as `record_day` expects none
    in particular: each entry is recorded on its own)."""
    if not receipts:
        return work
    items = tuple(e.message for e in receipts if e.payload is not None)
    skipped = tuple(e.message for e in receipts if e.payload is None)
    plan = work.plan
    return DayWork(Plan(plan.at, (*items, *plan.items), (*skipped, *plan.skipped)),
                   (*receipts, *work.entries), work.today, work.queued_before)
