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

from cobrador_desktop.domain.contact_hours import debtor_place, next_slot
from cobrador_desktop.domain.policy import Decision, Reason, SendFacts, SendRequest, Severity, evaluate
from cobrador_desktop.domain.regua import (
    CAPACITY_FULL,
    CPC_ATTEMPTS_EXHAUSTED,
    CPC_RETRY_WAIT,
    IDENTITY_CHECK,
    IDENTITY_TEMPLATE,
    NO_PHONE,
    SKIP_MESSAGES,
    Occurrence,
)
from cobrador_desktop.domain.templates import (
    DebtValues,
    button_payload,
    day_text,
    placeholder_count,
    quick_replies,
    render,
    values_for,
)
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.services.reminder_plan import ALLOWED, BLOCKED, HELD, Plan, PlannedMessage
from cobrador_desktop.storage.repos import reminders as repo
from cobrador_desktop.storage.repos.regua import load_regua
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from cobrador_desktop.storage.repos.settings import read_guard_settings
from cobrador_desktop.whatsapp.payloads import TemplateButton, collapse, template_payload

#: the kind of every régua message (COMPLIANCE.md §2.1)
AUTOMATED = "automated"
#: paced sends end this long before the contact window closes (the sender's own pace and a
#: slow network must not push the last one out of hours)
PACE_MARGIN = timedelta(minutes=15)
#: how far back a catch-up after days off still logs the steps it skips
CATCH_UP_DAYS = 400
NO_CONTACT_NOTE = ("Identidade não confirmada depois das tentativas da régua: procure outro "
                   "contato ou fale com o devedor pessoalmente.")


@dataclass(frozen=True)
class Entry:
    """A planned message (or skipped step) and what recording it needs."""

    message: PlannedMessage
    phone_id: int | None
    planned_for: date
    payload: dict[str, Any] | None = None
    record: bool = False  # log it in regua_sends (skips: grace passed, superseded, no phone…)
    no_contact_task: bool = False


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


@dataclass
class _Draft:
    """A message being planned: whom, about which debt, which step."""

    debt: repo.DueDebt
    phone: repo.PhoneChoice
    step: str
    purpose: str
    template: str
    planned_for: date


def plan_day(session: Any, at: datetime, *, shop_zone: str) -> DayWork:
    """The day's messages at `at`, each judged by the send guard; writes nothing."""
    zone = ZoneInfo(shop_zone)
    today = at.astimezone(zone).date()
    settings = read_guard_settings(session)
    profile = settings.profile
    regua = load_regua(session)
    last_day, queued_before = repo.last_run(session)
    if last_day != today:
        queued_before = 0
    window = regua.due_window(today)
    empty = DayWork(Plan(at, (), ()), (), today, queued_before)
    if window is None:
        return empty
    first, last = window
    if last_day is not None and last_day < today:  # catch-up: also the debts whose steps passed
        first -= timedelta(days=min((today - last_day).days, CATCH_UP_DAYS))
    debts = repo.due_debts(session, first, last)
    done = repo.done_steps(session, first, last)
    phones = repo.phones(session, first, last)
    identity = repo.identity_log(session, first, last)

    skipped: list[Entry] = []
    chosen: dict[int, tuple[repo.DueDebt, Occurrence]] = {}
    for debt in debts:
        day = regua.plan_day(debt.due_date, debt.segment, today, is_agreement=debt.is_agreement,
                             done=done.get(debt.debt_id, ()), since=last_day)
        phone = phones.get(debt.debtor_id)
        for occ, code in day.skipped:
            skipped.append(_skipped_entry(debt, phone, occ.code, occ.step.purpose,
                                          occ.step.template, occ.day, _skip(
                                              code, at, etapa=occ.code, data=day_text(occ.day)),
                                          record=True))
        if day.send is not None:
            current = chosen.get(debt.debtor_id)
            if current is None or (debt.due_date, debt.debt_id) < (current[0].due_date,
                                                                   current[0].debt_id):
                chosen[debt.debtor_id] = (debt, day.send)

    drafts: list[_Draft] = []
    for debt, occ in sorted(chosen.values(), key=lambda c: (c[0].due_date, c[0].debt_id)):
        phone = phones.get(debt.debtor_id)
        if phone is None:
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

    items = _judge(session, drafts, at, zone, shop_zone)
    capacity = settings.capacity.daily_new_conversations - queued_before
    items, over = _within_capacity(items, capacity, at,
                                   settings.capacity.daily_new_conversations)
    skipped.extend(over)
    plan = Plan(at, tuple(e.message for e in items), tuple(e.message for e in skipped))
    return DayWork(plan, (*items, *skipped), today, queued_before)


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
    templates = repo.templates_named(session, {d.template for d in drafts})
    facts = gather(session, [FactsTarget(d.debt.debtor_id, d.phone.phone_id, d.debt.debt_id,
                                         d.step, d.template) for d in drafts],
                   now=at, shop_zone=shop_zone)
    entries: list[Entry] = []
    allowed: list[tuple[int, SendFacts]] = []
    for draft, fact in zip(drafts, facts, strict=True):
        debt = draft.debt
        made = debt.agreement_made_at.astimezone(zone).date() if debt.agreement_made_at else None
        values = [collapse(v) for v in values_for(draft.purpose, DebtValues(
            debtor_name=debt.debtor_name, is_company=debt.is_company,
            installment_number=debt.installment_number,
            installment_count=debt.installment_count, amount_cents=debt.amount_cents,
            balance_cents=debt.amount_cents - debt.paid_cents, due=debt.due_date,
            agreement_made=made))]
        row = templates.get(draft.template)
        components = row.components if row is not None else []
        params = values[:placeholder_count(components)] if row is not None else values
        payload = template_payload(
            draft.phone.e164, draft.template, row.language if row is not None else "pt_BR",
            body_params=params,
            buttons=[TemplateButton.quick_reply(index, button_payload(label, debt.debt_id))
                     for index, label in quick_replies(components)])
        text = render(components, params)
        request = SendRequest(AUTOMATED, draft.purpose, "template", text, draft.step,
                              reveals_debt=draft.purpose != IDENTITY_CHECK)
        decision = evaluate(request, fact, at)
        send_at = decision.retry_at(f"regua:{debt.debt_id}:{draft.step}")
        if decision.allowed:
            allowed.append((len(entries), fact))
        entries.append(Entry(PlannedMessage(
            debtor_id=debt.debtor_id, debtor_name=debt.debtor_name, debt_id=debt.debt_id,
            phone=draft.phone.e164, step=draft.step, purpose=draft.purpose,
            template=draft.template, text=text, decision=decision, send_at=send_at,
            outbox_id=None), draft.phone.phone_id, draft.planned_for, payload))
    for index, send_at in zip((i for i, _ in allowed), _paced(at, [f for _, f in allowed]),
                              strict=True):
        entries[index] = replace(entries[index], message=replace(entries[index].message,
                                                                 send_at=send_at))
    return entries


def _paced(at: datetime, facts: list[SendFacts]) -> list[datetime]:
    """When each allowed send leaves: spread evenly over what is left of each one's contact
    window today (the i-th of n at i/n of it), never all at once."""
    times = []
    count = len(facts)
    for index, fact in enumerate(facts):
        place = debtor_place(address_uf=fact.debtor_uf, phone_e164=fact.phone_e164,
                             shop_zone=fact.shop_zone, shop_uf=fact.shop_uf)
        slot = next_slot(at, place, fact.profile, fact.custom_holidays)
        span = (slot.end - at - PACE_MARGIN) if slot is not None and slot.start <= at else None
        if span is None or span <= timedelta(0):
            times.append(at)
        else:
            times.append(at + span * index / count)
    return times


def _within_capacity(items: list[Entry], capacity: int, at: datetime,
                     limit: int) -> tuple[list[Entry], list[Entry]]:
    """The messages within the day's capacity of new conversations (urgency order), and the
    rest as skipped `CAPACITY_FULL` (not logged: planned again tomorrow)."""
    kept: list[Entry] = []
    over: list[Entry] = []
    for entry in items:
        if entry.message.state == BLOCKED:
            kept.append(entry)
        elif capacity > 0:
            kept.append(entry)
            capacity -= 1
        else:
            over.append(replace(entry, payload=None, message=replace(
                entry.message, decision=_skip(CAPACITY_FULL, at, limite=str(limit)),
                send_at=None)))
    return kept, over


def record_day(session: Any, work: DayWork, *, outbox: OutboxService, shop_zone: str,
               now: datetime) -> Plan:
    """Record the day: allowed and held messages into the outbox (paced / for their next slot),
    blocked and skipped steps into `regua_sends`, `no_contact` tasks, and the run's day."""
    rows: list[repo.SendRow] = []
    items: list[PlannedMessage] = []
    tasks: list[tuple[int, int | None]] = []
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
                    purpose=m.purpose, kind=AUTOMATED, message_type="template", text=m.text,
                    decision=m.decision, now=now, send_at=m.send_at)
                state, queued = "queued", queued + 1
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
    repo.mark_run(session, work.today, work.queued_before + queued, now)
    return Plan(work.plan.at, tuple(items), work.plan.skipped)
