"""The demo's history of the régua: which steps reached a debtor on which days, and the rows the
app records when it sends one (an outbox row, and a `regua_sends` row for the régua's own).

Part of the demo data generator (`demo_data.py`). The steps are the default régua's
(`domain.regua.DEFAULT_REGUA`: D-3, D+0, D+1, D+7, then every 15 days up to D+90), coded as the
scheduler codes them; one message a day per debtor, about their most urgent debt; a step goes
only while the debt is unpaid that day; a paid debt gets its thank-you (`RECIBO`) on the day it
was paid, and the survey (`PESQUISA`) after it when the person's 24-hour window is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from cobrador_desktop.domain.holidays_br import holiday_on
from cobrador_desktop.domain.regua import ALL, DEFAULT_REGUA, IDENTITY_CHECK, IDENTITY_TEMPLATE
from cobrador_desktop.domain.template_pack import PAYMENT_RECEIPT
from cobrador_desktop.storage.repos.reminders import RECEIPT_STEP, SURVEY_STEP

#: how far back the demo's régua has been running
HISTORY_DAYS = 180
RECEIPT_TEMPLATE = "pagamento_recebido_v1"
#: outbox kinds (`domain.policy.SendKind`) and the purposes of what is not a régua step
AUTOMATED, REPLY = "automated", "reply"
FREE_REPLY, SYSTEM_REPLY = "free_reply", "system_reply"
#: the default régua's steps for a debt not in an agreement: (days from due, code, purpose, template)
_ORIGIN = date(2000, 1, 1)
_STEPS = tuple(sorted(
    ((o.day - _ORIGIN).days, o.code, o.step.purpose, o.step.template)
    for o in DEFAULT_REGUA.occurrences(_ORIGIN, ALL, is_agreement=False)))
#: debt statuses the régua leaves alone
_QUIET = ("cancelled", "disputed")


@dataclass(frozen=True, slots=True)
class Event:
    """One message the régua sent: the day it went, its step code, purpose, template and debt,
    and the day the step was for (a step due on a Sunday or holiday goes on the next working
    day)."""

    day: date
    step: str
    purpose: str
    template: str | None
    debt: dict[str, Any]
    planned_for: date | None = None


@cache
def working_day(day: date) -> date:
    """`day`, or the next day the default contact hours allow (Monday to Friday, no national,
    São Paulo or optional holiday)."""
    while day.weekday() >= 5 or holiday_on(day, ("SP",), include_optional=True):
        day += timedelta(days=1)
    return day


def identity_check(debt: dict[str, Any], day: date, attempt: int = 1) -> Event:
    """An identity check of the debtor's number (`CPC1`, `CPC2` the retry), about `debt`."""
    return Event(day, f"CPC{attempt}", IDENTITY_CHECK, IDENTITY_TEMPLATE, debt)


def survey(receipt: Event) -> Event:
    """The survey that follows a thank-you (an interactive message: no template)."""
    return Event(receipt.day, SURVEY_STEP, PAYMENT_RECEIPT, None, receipt.debt,
                 receipt.planned_for)


def unpaid(debts: list[dict[str, Any]], payments: list[dict[str, Any]],
           day: date) -> list[dict[str, Any]]:
    """The debts overdue on `day` and not yet paid in full then, the oldest due first."""
    settled = _settled(payments)
    return sorted((d for d in debts if d["status"] not in _QUIET and d["due_date"] < day
                   and not (d["status"] == "paid" and settled.get(d["id"], day) < day)),
                  key=lambda d: (d["due_date"], d["id"]))


def _settled(payments: list[dict[str, Any]]) -> dict[int, date]:
    """The day of each debt's last payment."""
    settled: dict[int, date] = {}
    for payment in payments:
        day = settled.get(payment["debt_id"])
        if day is None or payment["paid_on"] > day:
            settled[payment["debt_id"]] = payment["paid_on"]
    return settled


def plan_events(debts: list[dict[str, Any]], payments: list[dict[str, Any]], *,
                today: date) -> list[Event]:
    """The steps and thank-yous of the last `HISTORY_DAYS` for one debtor, oldest first."""
    first_day = today - timedelta(days=HISTORY_DAYS)
    settled = _settled(payments)
    steps: dict[date, Event] = {}
    receipts: list[Event] = []
    for debt in debts:
        if debt["status"] in _QUIET:
            continue
        paid_on = settled.get(debt["id"]) if debt["status"] == "paid" else None
        due = debt["due_date"]
        for offset, code, purpose, template in _STEPS:
            planned = due + timedelta(days=offset)
            day = working_day(planned)
            if not first_day <= day <= today or (paid_on is not None and paid_on <= day):
                continue
            current = steps.get(day)
            if current is None or (due, debt["id"]) < (current.debt["due_date"],
                                                       current.debt["id"]):
                steps[day] = Event(day, code, purpose, template, debt, planned)
        if paid_on is not None and first_day <= (day := working_day(paid_on)) <= today:
            receipts.append(Event(day, RECEIPT_STEP, PAYMENT_RECEIPT, RECEIPT_TEMPLATE, debt,
                                  paid_on))
    return sorted([*steps.values(), *receipts],
                  key=lambda e: (e.day, e.step == RECEIPT_STEP, e.debt["id"]))


def decision(at: datetime) -> dict[str, Any]:
    """The send guard's "allowed" as the outbox and `regua_sends` keep it
    (`Decision(True, evaluated_at=at).to_json()`, built directly: a million of them for the
    benchmark)."""
    return {"allowed": True, "reasons": [], "evaluated_at": at.isoformat(),
            "next_allowed_at": None, "next_allowed_until": None}


def outbox_row(outbox_id: int, message: dict[str, Any], *, to: str, purpose: str, kind: str,
               state: str, decided: dict[str, Any]) -> dict[str, Any]:
    """The outbox row a sent message leaves behind (one attempt)."""
    return {"id": outbox_id, "message_id": message["id"], "to": to, "request": message["payload"],
            "purpose": purpose, "kind": kind, "state": state, "attempts": 1,
            "next_attempt_at": message["created_at"], "decision": decided,
            "last_error_code": message["error_code"], "created_at": message["created_at"],
            "updated_at": message["status_at"]}


def send_row(send_id: int, event: Event, *, debtor_id: int, phone_id: int, outbox_id: int,
             at: datetime, decided: dict[str, Any]) -> dict[str, Any]:
    """The `regua_sends` row of a step the régua queued."""
    return {"id": send_id, "debt_id": event.debt["id"], "debtor_id": debtor_id,
            "phone_id": phone_id, "step": event.step, "purpose": event.purpose,
            "template": event.template, "planned_for": event.planned_for or event.day,
            "state": "queued",
            "reason_code": None, "outbox_id": outbox_id, "decision": decided, "created_at": at}
