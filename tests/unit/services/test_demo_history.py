"""The demo's months of history give the Resultados screen a believable picture, and its figures
for the last 90 days equal a count made here by hand.

The hand count reads the seeded tables whole and follows the definitions in `domain.results`
in plain Python (no code of `storage.repos.results`): if the repository and this count disagree
on the demo data, one of them misreads a definition.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbound_answers import classify
from cobrador_desktop.domain.regua import STEP_PURPOSES
from cobrador_desktop.domain.results import (
    Funnel,
    Light,
    Period,
    PeriodPreset,
    Ratio,
    ResultsFigures,
    iso_week,
)
from cobrador_desktop.domain.settings import NUMBER_QUALITY, PAYMENT_SURVEY, NumberQuality
from cobrador_desktop.services.costs import CostService
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Base
from cobrador_desktop.storage.repos.settings import read_json_setting

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
ZONE = "America/Sao_Paulo"
#: São Paulo keeps UTC-3 all year: a shop day starts at 03:00 UTC
OFFSET = timedelta(hours=-3)
LAST_90 = Period.preset(PeriodPreset.LAST_90_DAYS, TODAY)
TABLES = ("payments", "debts", "debtors", "phones", "debtor_phones", "conversations", "messages",
          "outbox", "regua_sends", "templates")
Rows = dict[str, list[dict[str, Any]]]


@pytest.fixture
def seeded(database: Database) -> tuple[Database, Rows]:
    """The `demo` command's data (default scale and seed) and every row of its tables."""
    seed_demo_sync(database, today=TODAY, now=NOW)

    def read(session: Session) -> Rows:
        tables = Base.metadata.tables
        return {name: [dict(r) for r in session.execute(select(tables[name])).mappings()]
                for name in TABLES}

    return database, database.run_sync(read)


def _figures(database: Database, period: Period) -> ResultsFigures:
    return asyncio.run(ResultsService(database, FakeClock(NOW), ZONE).figures(period))


def _day(instant: datetime) -> date:
    return (instant.astimezone(UTC) + OFFSET).date()


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


class HandCount:
    """The figures of `domain.results`, counted over plain rows."""

    def __init__(self, rows: Rows, period: Period) -> None:
        self.rows, self.period = rows, period
        self.start_at = datetime(period.start.year, period.start.month, period.start.day,
                                 tzinfo=UTC) - OFFSET
        self.end_at = self.start_at + timedelta(days=period.days)
        self.conversations = {c["id"]: c for c in rows["conversations"]}
        self.debt_owner = {d["id"]: d["debtor_id"] for d in rows["debts"]}
        self.paid_days: dict[int, list[date]] = defaultdict(list)
        for p in rows["payments"]:
            self.paid_days[self.debt_owner[p["debt_id"]]].append(p["paid_on"])
        self.messages = sorted(rows["messages"], key=lambda m: m["id"])
        self.left = [m for m in self.messages
                     if m["direction"] == "out" and m["status"] in ("sent", "delivered", "read")]

    def in_period(self, instant: datetime | None) -> bool:
        return instant is not None and self.start_at <= _utc(instant) < self.end_at

    def debtor_of(self, message: dict[str, Any]) -> int | None:
        return self.conversations[message["conversation_id"]]["debtor_id"]

    def paid_within(self, debtor: int | None, instant: datetime, days: int = 7) -> bool:
        first = _day(instant)
        return debtor is not None and any(
            first <= d <= first + timedelta(days=days) for d in self.paid_days[debtor])

    def recovered(self) -> tuple[int, dict[tuple[int, int], int]]:
        weeks: Counter[tuple[int, int]] = Counter()
        for p in self.rows["payments"]:
            if self.period.start <= p["paid_on"] <= self.period.end:
                weeks[iso_week(p["paid_on"])] += p["amount_cents"]
        return sum(weeks.values()), dict(weeks)

    def overdue(self) -> Ratio:
        got = owed = 0
        for debt in self.rows["debts"]:
            if debt["status"] == "cancelled" or debt["due_date"] >= self.period.start:
                continue
            paid = [p for p in self.rows["payments"] if p["debt_id"] == debt["id"]]
            balance = debt["amount_cents"] - sum(p["amount_cents"] for p in paid
                                                 if p["paid_on"] < self.period.start)
            if balance > 0:
                owed += balance
                got += min(balance, sum(p["amount_cents"] for p in paid
                                        if self.period.start <= p["paid_on"] <= self.period.end))
        return Ratio(got, owed)

    def days_to_pay(self) -> tuple[int, float | None, float | None]:
        days = []
        for debtor, paid in self.paid_days.items():
            inside = [d for d in paid if self.period.start <= d <= self.period.end]
            sent = [m["created_at"] for m in self.left if self.debtor_of(m) == debtor]
            if inside and sent:
                waited = (min(inside) - _day(min(sent, key=_utc))).days
                if waited >= 0:
                    days.append(waited)
        if not days:
            return 0, None, None
        return len(days), statistics.fmean(days), float(statistics.median(days))

    def contact(self) -> dict[str, Ratio]:
        first_out: dict[int, datetime] = {}
        last_in: dict[int, datetime] = {}
        for m in self.messages:
            if not self.in_period(m["created_at"]):
                continue
            cid, at = m["conversation_id"], _utc(m["created_at"])
            if m in self.left:
                first_out[cid] = min(first_out.get(cid, at), at)
            elif m["direction"] == "in":
                last_in[cid] = max(last_in.get(cid, at), at)
        links = {(link["debtor_id"], link["phone_id"]): link for link in self.rows["debtor_phones"]}
        phones = {p["id"]: p for p in self.rows["phones"]}
        replied: dict[int, bool] = {}
        pairs = confirmed = opted = wrong = 0
        for cid in first_out:
            conversation = self.conversations[cid]
            debtor, phone = conversation["debtor_id"], conversation["phone_id"]
            if debtor is not None:
                pairs += 1
                link = links.get((debtor, phone))
                confirmed += bool(link and link["cpc_status"] == "confirmed")
            opted += bool(phones[phone]["opted_out"] and self.in_period(
                phones[phone]["opted_out_at"]))
            wrong += any(link["phone_id"] == phone and link["wrong_party"]
                         and self.in_period(link["wrong_party_at"])
                         for link in self.rows["debtor_phones"])
        by_debtor: dict[int, tuple[datetime, datetime | None]] = {}
        for cid, out_at in first_out.items():
            debtor = self.conversations[cid]["debtor_id"]
            if debtor is None:
                continue
            first, last = by_debtor.get(debtor, (out_at, None))
            answer = last_in.get(cid)
            by_debtor[debtor] = (min(first, out_at),
                                 max(filter(None, (last, answer)), default=None))
        for debtor, (first, last) in by_debtor.items():
            replied[debtor] = last is not None and last >= first
        return {"response": Ratio(sum(replied.values()), len(replied)),
                "identity": Ratio(confirmed, pairs),
                "opted_out": Ratio(opted, len(first_out)),
                "wrong_party": Ratio(wrong, len(first_out))}

    def paid_after_reminder(self) -> Ratio:
        reminders = {t["name"] for t in self.rows["templates"] if t["purpose"] in STEP_PURPOSES}
        reminded: dict[int, bool] = {}
        for m in self.left:
            debtor = self.debtor_of(m)
            if debtor is None or not self.in_period(m["created_at"]) or \
                    m["template_name"] not in reminders:
                continue
            reminded[debtor] = reminded.get(debtor, False) or self.paid_within(
                debtor, m["created_at"])
        return Ratio(sum(reminded.values()), len(reminded))

    def funnel(self) -> tuple[Funnel, dict[str, dict[str, Funnel]]]:
        outbox = {o["message_id"]: o["id"] for o in self.rows["outbox"]}
        steps = {r["outbox_id"]: r["step"] for r in self.rows["regua_sends"]}
        segments = {d["id"]: d["segment"] for d in self.rows["debtors"]}
        inbound: dict[int, list[datetime]] = defaultdict(list)
        for m in self.messages:
            if m["direction"] == "in":
                inbound[m["conversation_id"]].append(_utc(m["created_at"]))
        total = Funnel()
        by: dict[str, dict[str, Funnel]] = {k: defaultdict(Funnel) for k in
                                            ("step", "template", "operator", "segment")}
        for m in self.left:
            if not self.in_period(m["created_at"]):
                continue
            at = _utc(m["created_at"])
            debtor = self.debtor_of(m)
            read = m["status"] == "read"
            replied = read and any(at < i < at + timedelta(days=7)
                                   for i in inbound[m["conversation_id"]])
            one = Funnel(1, int(m["status"] in ("delivered", "read")), int(read), int(replied),
                         int(replied and self.paid_within(debtor, m["created_at"])))
            total += one
            keys = {"step": steps.get(outbox.get(m["id"])) or "",
                    "template": m["template_name"] or "",
                    "operator": "" if m["operator_id"] is None else str(m["operator_id"]),
                    "segment": segments.get(debtor, "") if debtor is not None else ""}
            for name, key in keys.items():
                by[name][key] += one
        return total, {name: dict(keyed) for name, keyed in by.items()}


def test_the_last_90_days_of_the_demo_match_a_hand_count(
        seeded: tuple[Database, Rows]) -> None:
    database, rows = seeded
    f = _figures(database, LAST_90)
    hand = HandCount(rows, LAST_90)

    total, weeks = hand.recovered()
    assert f.recovered_cents == total
    assert dict(f.recovered_by_week) == weeks
    assert f.overdue_recovered == hand.overdue()
    assert (f.days_to_pay.count, f.days_to_pay.mean, f.days_to_pay.median) == \
        pytest.approx(hand.days_to_pay())
    contact = hand.contact()
    assert f.response == contact["response"]
    assert f.identity_confirmed == contact["identity"]
    assert f.opted_out == contact["opted_out"]
    assert f.wrong_party == contact["wrong_party"]
    assert f.paid_after_reminder == hand.paid_after_reminder()
    funnel, by = hand.funnel()
    assert f.funnel == funnel
    assert dict(f.breakdowns.by_step) == by["step"]
    assert dict(f.breakdowns.by_template) == by["template"]
    assert dict(f.breakdowns.by_operator) == by["operator"]
    assert dict(f.breakdowns.by_segment) == by["segment"]


def test_the_demo_figures_are_meaningful(seeded: tuple[Database, Rows]) -> None:
    database, rows = seeded
    f = _figures(database, LAST_90)
    # money came in every month, more in some weeks than in others
    months = [Period(date(2026, 9, 1), date(2026, 9, 30)), Period.preset(
        PeriodPreset.LAST_MONTH, TODAY), Period.preset(PeriodPreset.THIS_MONTH, TODAY)]
    assert all(_figures(database, month).recovered_cents > 0 for month in months)
    weekly = [cents for _, cents in f.recovered_by_week]
    assert len(weekly) >= 12 and max(weekly) > 2 * min(weekly)
    assert 0 < f.overdue_recovered.numerator < f.overdue_recovered.denominator
    assert f.days_to_pay.count >= 10
    # every stage of the funnel has messages, and fewer than the stage before
    n = f.funnel
    assert n.sent > n.delivered > n.read > n.replied > n.paid > 0
    for ratio in (f.response, f.identity_confirmed, f.paid_after_reminder):
        assert 0 < ratio.numerator < ratio.denominator
    # the régua's steps as the scheduler codes them, the operators' answers, the segments
    steps = dict(f.breakdowns.by_step)
    assert {"CPC1", "D-3", "D0", "D+1", "D+7", "D+15", "RECIBO", "PESQUISA"} <= set(steps)
    operators = dict(f.breakdowns.by_operator)
    assert {"2", "3", "4", "5"} <= set(operators)  # Ana, Bruno, Carla and Diego answered
    assert all(operators[o].sent >= 10 for o in ("2", "3", "4", "5"))
    for name in ("by_step", "by_template", "by_operator", "by_segment"):
        assert len(getattr(f.breakdowns, name)) >= 2, name
    # a healthy number: opt-outs and wrong parties rare, the lights green or amber at worst
    assert f.opted_out.numerator >= 1 and f.opt_out_light is not Light.RED
    assert 100 * f.opted_out.numerator <= 2 * f.opted_out.denominator
    assert f.wrong_party_light is Light.GREEN

    hand = HandCount(rows, LAST_90)
    failed = Counter(m["error_code"] for m in hand.messages
                     if m["status"] == "failed" and hand.in_period(m["created_at"]))
    assert len(failed) >= 2 and {131026, 131049} <= set(failed)
    assert all(m["error_detail"] for m in hand.messages if m["status"] == "failed")
    assert any(m["status"] == "unknown" for m in hand.messages)


def test_survey_answers_are_stored_as_the_ingest_stores_them(
        seeded: tuple[Database, Rows]) -> None:
    database, rows = seeded
    hand = HandCount(rows, LAST_90)
    answers = [m for m in hand.messages if m["direction"] == "in" and m["payload"]
               and (m["payload"].get("answer") or {}).get("intent") == "survey"]
    recent = [m for m in answers if hand.in_period(m["created_at"])]
    assert len(recent) >= 10
    assert {m["payload"]["answer"]["score"] for m in recent} == {"OTIMO", "REGULAR", "RUIM"}
    for m in answers:
        payload = m["payload"]
        assert m["type"] == "interactive"
        answer = classify(m["type"], m["text"], payload["payload"])
        assert answer is not None and payload["answer"] == answer.to_json()
        assert payload["raw"]["interactive"]["button_reply"]["id"] == payload["payload"]
        debt = answer.debt_id
        assert debt is not None and any(d["id"] == debt for d in rows["debts"])
    # each answers a survey the régua sent (step PESQUISA) just before, in its conversation
    sent = {o["message_id"] for o in rows["outbox"]
            if o["id"] in {r["outbox_id"] for r in rows["regua_sends"] if r["step"] == "PESQUISA"}}
    by_wamid = {m["wamid"]: m for m in hand.messages}
    for m in answers:
        asked = by_wamid[m["payload"]["context"]]
        assert asked["id"] in sent and asked["conversation_id"] == m["conversation_id"]
        assert asked["created_at"] < m["created_at"]

    def settings(session: Session) -> tuple[bool, NumberQuality]:
        return read_json_setting(session, PAYMENT_SURVEY), read_json_setting(session,
                                                                             NUMBER_QUALITY)

    assert database.run_sync(settings) == (True, NumberQuality("GREEN", "TIER_1K"))


def test_identity_answers_and_régua_rows_agree(seeded: tuple[Database, Rows]) -> None:
    _, rows = seeded
    messages = {m["id"]: m for m in rows["messages"]}
    by_wamid = {m["wamid"]: m for m in rows["messages"] if m["wamid"]}
    outbound = [m for m in rows["messages"] if m["direction"] == "out"]
    # every outbound message left an outbox row; the régua's name their step
    assert sorted(o["message_id"] for o in rows["outbox"]) == sorted(m["id"] for m in outbound)
    outbox = {o["id"]: o for o in rows["outbox"]}
    assert len({(r["debt_id"], r["step"]) for r in rows["regua_sends"]}) == \
        len(rows["regua_sends"])
    for send in rows["regua_sends"]:
        message = messages[outbox[send["outbox_id"]]["message_id"]]
        assert message["template_name"] == send["template"] and message["operator_id"] is None
        if send["template"] is None:
            assert message["type"] == "interactive" and send["step"] == "PESQUISA"
    for o in rows["outbox"]:
        message = messages[o["message_id"]]
        state = {"failed": "failed", "unknown": "unknown"}.get(message["status"], "sent")
        assert o["state"] == state and o["last_error_code"] == message["error_code"]
    # "Sou eu" confirmed the link it answered; a few were confirmed at the shop, by hand
    confirmed = [link for link in rows["debtor_phones"] if link["cpc_status"] == "confirmed"]
    assert confirmed and all(link["cpc_at"] for link in confirmed)
    tapped = [link for link in confirmed if link["cpc_message_id"]]
    assert tapped and len(tapped) < len(confirmed)
    for link in tapped:
        answer = by_wamid[link["cpc_message_id"]]
        assert answer["text"] == "Sou eu" and answer["payload"]["answer"]["intent"] == \
            "cpc_confirmed"
    templates = {t["name"]: t["status"] for t in rows["templates"]}
    assert {m["template_name"] for m in outbound if m["template_name"]} <= {
        name for name, status in templates.items() if status == "APPROVED"}


def test_messages_cost_money(seeded: tuple[Database, Rows]) -> None:
    database, _ = seeded
    costs = CostService(database, FakeClock(NOW), ZONE)
    spend = asyncio.run(costs.by_template(LAST_90))
    assert sum(s.cents for s in spend) > 0
    assert asyncio.run(costs.month_spend(TODAY)).cents > 0
