"""One day of the régua inside one database transaction (the rules: `services.reminders`).

`plan_day` reads the day in bulk, picks each debtor's message, renders it, gathers the guard's
facts for all of them at once and evaluates each; it writes nothing. `record_day` then puts the
allowed and held messages in the outbox and logs every step dealt with in `regua_sends`.
Both run on the database thread (a `Runner` unit of work): never on the GUI's loop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cobrador_desktop.domain.contact_hours import ContactProfile, debtor_place, next_slot
from cobrador_desktop.domain.policy import (
    Decision,
    Reason,
    SendFacts,
    SendRequest,
    Severity,
    evaluate,
)
from cobrador_desktop.domain.regua import (
    CAPACITY_FULL,
    CPC_ATTEMPTS_EXHAUSTED,
    CPC_RETRY_WAIT,
    IDENTITY_CHECK,
    IDENTITY_TEMPLATE,
    NO_PHONE,
    PREVIOUS_WAITING,
    SKIP_MESSAGES,
    Occurrence,
    Regua,
)
from cobrador_desktop.domain.templates import (
    DebtValues,
    day_text,
    values_for,
)
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.services.reminder_plan import ALLOWED, BLOCKED, HELD, Plan, PlannedMessage
from cobrador_desktop.services.template_message import template_message
from cobrador_desktop.storage.repos import reminders as repo
from cobrador_desktop.storage.repos.regua import load_regua
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from cobrador_desktop.storage.repos.settings import read_guard_settings
from cobrador_desktop.storage.repos.templates import templates_named
from cobrador_desktop.whatsapp.payloads import collapse

#: the kind of every régua message (COMPLIANCE.md §2.1)
AUTOMATED = "automated"
#: paced sends end this long before the contact window closes (the sender's own pace and a
#: slow network must not push the last one out of hours)
PACE_MARGIN = timedelta(minutes=15)
#: how far back a catch-up after days off still logs the steps it skips
CATCH_UP_DAYS = 400
#: debtors evaluated per round until the day's capacity is full: at most one IN list of
#: lookups, at least a few dozen (each round gathers facts in a few queries)
BATCH, MIN_BATCH = 500, 50
#: the smallest share of evaluated messages assumed to pass when sizing the next round
MIN_SHARE = 0.05
NO_CONTACT_NOTE = ("Identidade não confirmada depois das tentativas da régua: procure outro "
                   "contato ou fale com o devedor pessoalmente.")


@dataclass(frozen=True, slots=True)
class Entry:
    """A planned message (or skipped step) and what recording it needs."""

    message: PlannedMessage
    phone_id: int | None
    planned_for: date
    payload: dict[str, Any] | None = None
    record: bool = False  # log it in regua_sends (skips: grace passed, superseded, no phone…)
    no_contact_task: bool = False
    facts: SendFacts | None = None  # what the guard weighed (the pacing reads the place)
    message_type: str = "template"  # `interactive`: the after-payment survey
    counted: bool = True  # takes a new conversation of the day's capacity (receipts do not)


@dataclass(frozen=True)
class DayWork:
    """`plan_day`'s result: the plan, and its entries (items first, then skips) to record."""

    plan: Plan
    entries: tuple[Entry, ...]
    today: date
    queued_before: int


def _skip(code: str, at: datetime, **params: str) -> Decision:
    return Decision(False, (Reason(code, Severity.BLOCK, SKIP_MESSAGES[code], params),),
                    evaluated_at=at)


@dataclass(slots=True)
class _Draft:
    """A message being planned: whom, about which debt, which step."""

    debt: repo.DueDebt
    phone: repo.PhoneChoice
    step: str
    purpose: str
    template: str
    planned_for: date
    paid_on: date | None = None  # a receipt: the day the debt was paid


def plan_day(session: Any, at: datetime, *, shop_zone: str) -> DayWork:
    """The day's messages at `at`, each judged by the send guard; writes nothing.

    Debtors are taken in urgency order (most late debt first) a batch at a time: their phones
    and identity logs read, their messages rendered, the facts gathered and each evaluated,
    until the day's capacity of new conversations is full; the debtors left are skipped
    `CAPACITY_FULL` without being evaluated (they are planned again tomorrow). Messages the
    guard blocks take no capacity, so a day where most are blocked evaluates them all.
    """
    zone = ZoneInfo(shop_zone)
    today = at.astimezone(zone).date()
    settings = read_guard_settings(session)
    regua = load_regua(session)
    last_day, queued_before = repo.last_run(session)
    if last_day != today:
        queued_before = 0
    window = regua.due_window(today)
    if window is None:
        return DayWork(Plan(at, (), ()), (), today, queued_before)
    first, last = window
    catch_up = 0
    if last_day is not None and last_day < today:  # catch-up: also the debts whose steps passed
        catch_up = min((today - last_day).days, CATCH_UP_DAYS)
        first -= timedelta(days=catch_up)
    skipped, chosen = _steps_of_the_day(session, regua, first, last, today, last_day, catch_up,
                                        at)
    limit = settings.capacity.daily_new_conversations
    capacity = limit - queued_before
    items: list[Entry] = []
    ordered = sorted(chosen.values(), key=lambda c: (c[0].due_date, c[0].debt_id))
    start = taken = 0
    while start < len(ordered) and capacity > 0:
        # enough debtors to fill what is left, at the share that has passed so far
        share = max(taken / len(items), MIN_SHARE) if items else 1.0
        size = min(BATCH, max(MIN_BATCH, int(capacity / share * 1.2) + 1))
        batch = ordered[start:start + size]
        start += len(batch)
        drafts = _drafts(session, batch, settings.profile, today, at, skipped)
        judged, over, left = _within_capacity(
            _judge(session, drafts, at, zone, shop_zone), capacity, at, limit)
        taken += capacity - left
        capacity = left
        items.extend(judged)
        skipped.extend(over)
    # the debtors left wait for tomorrow: nothing to record, one decision for all (thousands)
    full = _skip(CAPACITY_FULL, at, limite=str(limit))
    waiting = [PlannedMessage(
        debtor_id=debt.debtor_id, debtor_name=debt.debtor_name, debt_id=debt.debt_id, phone=None,
        step=occ.code, purpose=occ.step.purpose, template=occ.step.template, text="",
        decision=full, send_at=None, outbox_id=None) for debt, occ in ordered[start:]]
    items = _paced(items, at)
    plan = Plan(at, tuple(e.message for e in items),
                (*(e.message for e in skipped), *waiting))
    return DayWork(plan, (*items, *skipped), today, queued_before)


def _steps_of_the_day(session: Any, regua: Regua, first: date, last: date, today: date,
                      last_day: date | None, catch_up: int, at: datetime
                      ) -> tuple[list[Entry], dict[int, tuple[repo.DueDebt, Occurrence]]]:
    """Each debt's step today (`Regua.plan_day`), the most late debt's per debtor, and the
    occurrences skipped (grace passed after days off, superseded)."""
    # the days-late values that can have something today, per (segment, agreement): most debts
    # of the window have none, and need no look at their steps
    active: dict[tuple[str, bool], frozenset[int]] = {}

    def keep(due: date, segment: str, is_agreement: bool) -> bool:
        days = active.get((segment, is_agreement))
        if days is None:
            days = active[(segment, is_agreement)] = _active_days(
                regua, today, (segment, is_agreement), catch_up)
        return (today - due).days in days

    debts = repo.due_debts(session, first, last, keep)
    done = repo.done_steps(session, first, last)
    skipped: list[Entry] = []
    chosen: dict[int, tuple[repo.DueDebt, Occurrence]] = {}
    for debt in debts:
        day = regua.plan_day(debt.due_date, debt.segment, today, is_agreement=debt.is_agreement,
                             done=done.get(debt.debt_id, ()), since=last_day)
        for occ, code in day.skipped:
            skipped.append(_skipped_entry(debt, None, occ.code, occ.step.purpose,
                                          occ.step.template, occ.day, _skip(
                                              code, at, etapa=occ.code, data=day_text(occ.day)),
                                          record=True))
        if day.send is not None:
            current = chosen.get(debt.debtor_id)
            if current is None or (debt.due_date, debt.debt_id) < (current[0].due_date,
                                                                   current[0].debt_id):
                chosen[debt.debtor_id] = (debt, day.send)
    return skipped, chosen


def _active_days(regua: Regua, today: date, key: tuple[str, bool], catch_up: int) -> frozenset[int]:
    """Days late (today − due date) for which a debt has an occurrence to send or to skip today:
    an occurrence at offset `o` is sent within its grace and skipped (catch-up) while its day is
    after the last run."""
    days: set[int] = set()
    segment, is_agreement = key
    for occ in regua.occurrences(today, segment, is_agreement=is_agreement):
        offset = (occ.day - today).days
        days.update(range(offset, offset + max(occ.step.grace_days, catch_up - 1) + 1))
    return frozenset(days)


def _drafts(session: Any, batch: list[tuple[repo.DueDebt, Occurrence]], profile: ContactProfile,
            today: date, at: datetime, skipped: list[Entry]) -> list[_Draft]:
    """Each debtor's message: the step's, or the identity check while the number's link is not
    confirmed (COMPLIANCE.md §3); what cannot go is added to `skipped`."""
    debtor_ids = [debt.debtor_id for debt, _ in batch]
    phones = repo.phones(session, debtor_ids)
    identity = repo.identity_log(session, debtor_ids)
    waiting = repo.still_waiting(session, debtor_ids)
    drafts: list[_Draft] = []
    for debt, occ in batch:
        phone = phones.get(debt.debtor_id)
        if debt.debtor_id in waiting:
            skipped.append(_skipped_entry(debt, phone, occ.code, occ.step.purpose,
                                          occ.step.template, occ.day, _skip(PREVIOUS_WAITING, at)))
        elif phone is None:
            skipped.append(_skipped_entry(debt, None, occ.code, occ.step.purpose,
                                          occ.step.template, occ.day, _skip(NO_PHONE, at),
                                          record=True))
        elif phone.cpc_status == "confirmed":
            drafts.append(_Draft(debt, phone, occ.code, occ.step.purpose, occ.step.template,
                                 occ.day))
        else:
            log = identity.get(debt.debtor_id)
            attempts, last_try = (log.per_phone.get(phone.phone_id, (0, None)) if log
                                  else (0, None))
            if attempts >= profile.identity_attempts_max:
                skipped.append(_skipped_entry(
                    debt, phone, occ.code, occ.step.purpose, occ.step.template, occ.day,
                    _skip(CPC_ATTEMPTS_EXHAUSTED, at, n=str(attempts)), record=True,
                    no_contact_task=True))
            elif last_try is not None and (today - last_try).days < profile.identity_retry_days:
                next_try = last_try + timedelta(days=profile.identity_retry_days)
                skipped.append(_skipped_entry(
                    debt, phone, occ.code, occ.step.purpose, occ.step.template, occ.day,
                    _skip(CPC_RETRY_WAIT, at, data=day_text(last_try), proximo=day_text(next_try))))
            else:
                total = log.total if log else 0
                drafts.append(_Draft(debt, phone, f"CPC{total + 1}", IDENTITY_CHECK,
                                     IDENTITY_TEMPLATE, today))
    return drafts


def _skipped_entry(debt: repo.DueDebt, phone: repo.PhoneChoice | None, step: str, purpose: str,
                   template: str | None, planned_for: date, decision: Decision, *,
                   record: bool = False, no_contact_task: bool = False) -> Entry:
    message = PlannedMessage(
        debtor_id=debt.debtor_id, debtor_name=debt.debtor_name, debt_id=debt.debt_id,
        phone=phone.e164 if phone else None, step=step, purpose=purpose, template=template,
        text="", decision=decision, send_at=None, outbox_id=None)
    return Entry(message, phone.phone_id if phone else None, planned_for, record=record,
                 no_contact_task=no_contact_task)


def _judge(session: Any, drafts: list[_Draft], at: datetime, zone: ZoneInfo,
           shop_zone: str) -> list[Entry]:
    """Render each draft, gather the facts of all at once, evaluate each (urgency order kept)."""
    templates = templates_named(session, {d.template for d in drafts})
    facts = gather(session, [FactsTarget(d.debt.debtor_id, d.phone.phone_id, d.debt.debt_id,
                                         d.step, d.template) for d in drafts],
                   now=at, shop_zone=shop_zone)
    entries: list[Entry] = []
    for draft, fact in zip(drafts, facts, strict=True):
        debt = draft.debt
        made = debt.agreement_made_at.astimezone(zone).date() if debt.agreement_made_at else None
        values = [collapse(v) for v in values_for(draft.purpose, DebtValues(
            debtor_name=debt.debtor_name, is_company=debt.is_company,
            installment_number=debt.installment_number,
            installment_count=debt.installment_count, amount_cents=debt.amount_cents,
            balance_cents=debt.amount_cents - debt.paid_cents, due=debt.due_date,
            agreement_made=made, paid_on=draft.paid_on))]
        row = templates.get(draft.template)
        payload, text = template_message(
            draft.phone.e164, draft.template, row.language if row is not None else "pt_BR",
            row.components if row is not None else None, values, debt.debt_id)
        request = SendRequest(AUTOMATED, draft.purpose, "template", text, draft.step,
                              reveals_debt=draft.purpose != IDENTITY_CHECK)
        decision = evaluate(request, fact, at)
        entries.append(Entry(PlannedMessage(
            debtor_id=debt.debtor_id, debtor_name=debt.debtor_name, debt_id=debt.debt_id,
            phone=draft.phone.e164, step=draft.step, purpose=draft.purpose,
            template=draft.template, text=text, decision=decision,
            send_at=decision.retry_at(f"regua:{debt.debt_id}:{draft.step}"), outbox_id=None),
            draft.phone.phone_id, draft.planned_for, payload, facts=fact))
    return entries


def _paced(items: list[Entry], at: datetime) -> list[Entry]:
    """The allowed sends spread evenly over what is left of each one's contact window today (the
    i-th of n at i/n of it, urgency order), never all at once."""
    allowed = [i for i, e in enumerate(items) if e.message.state == ALLOWED and e.facts]
    paced = list(items)
    for rank, index in enumerate(allowed):
        fact = items[index].facts
        assert fact is not None
        place = debtor_place(address_uf=fact.debtor_uf, phone_e164=fact.phone_e164,
                             shop_zone=fact.shop_zone, shop_uf=fact.shop_uf)
        slot = next_slot(at, place, fact.profile, fact.custom_holidays)
        span = (slot.end - at - PACE_MARGIN) if slot is not None and slot.start <= at else None
        send_at = at if span is None or span <= timedelta(0) else at + span * rank / len(allowed)
        paced[index] = replace(items[index], message=replace(items[index].message,
                                                             send_at=send_at))
    return paced


def _within_capacity(items: list[Entry], capacity: int, at: datetime,
                     limit: int) -> tuple[list[Entry], list[Entry], int]:
    """The messages within what is left of the day's capacity of new conversations (urgency
    order), the rest as skipped `CAPACITY_FULL` (not logged: planned again tomorrow), and the
    capacity left. Blocked messages take none."""
    kept: list[Entry] = []
    over: list[Entry] = []
    for entry in items:
        if entry.message.state == BLOCKED:
            kept.append(entry)
        elif capacity > 0:
            kept.append(entry)
            capacity -= 1
        else:
            over.append(replace(entry, payload=None, facts=None, message=replace(
                entry.message, decision=_skip(CAPACITY_FULL, at, limite=str(limit)),
                send_at=None)))
    return kept, over, capacity


def record_day(session: Any, work: DayWork, *, outbox: OutboxService, shop_zone: str,
               now: datetime) -> Plan:
    """Record the day: allowed and held messages into the outbox (paced / for their next slot),
    blocked and skipped steps into `regua_sends`, `no_contact` tasks, receipts' `thanked_at`,
    and the run's day (with what it queued against the capacity)."""
    rows: list[repo.SendRow] = []
    items: list[PlannedMessage] = []
    tasks: list[tuple[int, int | None]] = []
    thanked: list[int] = []
    queued = 0
    for entry in work.entries:
        m = entry.message
        if entry.payload is None and not entry.record:
            continue  # a skip tried again another day (retry wait, capacity)
        state, reason, outbox_id = "skipped", m.decision.main_reason, None
        if entry.payload is not None:  # a message the guard judged
            if m.state in (ALLOWED, HELD) and entry.phone_id is not None:
                conversation = repo.conversation_for(session, phone_id=entry.phone_id,
                                                     debtor_id=m.debtor_id, now=now)
                outbox_id = outbox.enqueue_in(
                    session, conversation_id=conversation, payload=entry.payload,
                    purpose=m.purpose, kind=AUTOMATED, message_type=entry.message_type,
                    text=m.text, decision=m.decision, now=now, send_at=m.send_at)
                state, queued = "queued", queued + entry.counted
                if m.step == repo.RECEIPT_STEP:
                    thanked.append(m.debt_id)
                items.append(replace(m, outbox_id=outbox_id))
            else:
                state = "blocked"
                items.append(m)
        if entry.no_contact_task:
            tasks.append((m.debtor_id, entry.phone_id))
        rows.append(repo.SendRow(
            m.debt_id, m.debtor_id, entry.phone_id, m.step, m.purpose, m.template,
            entry.planned_for, state,
            None if state == "queued" else (reason.code if reason else None), outbox_id,
            m.decision.to_json() if entry.payload is not None else None))
    repo.record_sends(session, rows, now)
    if tasks:
        repo.add_no_contact_tasks(session, tasks, NO_CONTACT_NOTE, now)
    repo.mark_thanked(session, thanked, now)
    repo.mark_run(session, work.today, work.queued_before + queued, now)
    return Plan(work.plan.at, tuple(items), work.plan.skipped)
