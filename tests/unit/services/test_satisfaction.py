"""The post-payment survey over time against taps counted by hand (SQLite and PostgreSQL).

The shop is in São Paulo (UTC-3); November 2026 starts on a Sunday, so its ISO weeks cut it into
11-01, 11-02..08, 11-09..15, 11-16..22, 11-23..29 and 11-30. The taps are stored as ingestion
stores them: the payload's `answer` is `domain.inbound_answers.classify(...).to_json()`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbound_answers import classify
from cobrador_desktop.domain.results import Period, PeriodPreset, Ratio
from cobrador_desktop.domain.satisfaction import (
    Grain,
    SatisfactionOverTime,
    ScoreCounts,
    bucket_spans,
    grain_for,
)
from cobrador_desktop.domain.settings import PAYMENT_SURVEY
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.services.number_health import NumberHealthService
from cobrador_desktop.services.satisfaction import SatisfactionService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message, OutboxItem, ReguaSend
from cobrador_desktop.storage.repos.settings import read_json_setting
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

ZONE = "America/Sao_Paulo"
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _hand_made(s: Session) -> None:
    n = 0

    def person(name: str) -> tuple[int, int]:
        nonlocal n
        n += 1
        debtor = add_debtor(s, name)
        phone = add_phone(s, debtor, f"+55199911100{n:02d}")
        debt = add_debt(s, debtor, 100_00, date(2026, 10, 1), status="paid")
        conversation = Conversation(debtor_id=debtor, phone_id=phone)
        s.add(conversation)
        s.flush()
        return conversation.id, debt

    def survey(conv: int, debt: int, at: datetime, status: str = "read",
               by_regua: bool = True) -> None:
        m = Message(conversation_id=conv, direction="out", status=status, created_at=at,
                    type="interactive" if by_regua else "template",
                    template_name=None if by_regua else "pesquisa_satisfacao_v1")
        s.add(m)
        s.flush()
        if by_regua:
            box = OutboxItem(message_id=m.id, to="+55", request={}, purpose="payment_receipt",
                             kind="interactive", state="sent")
            s.add(box)
            s.flush()
            debtor = s.get(Conversation, conv).debtor_id  # type: ignore[union-attr]
            s.add(ReguaSend(debt_id=debt, debtor_id=debtor, step="PESQUISA",
                            purpose="payment_receipt", planned_for=at.date(), state="queued",
                            outbox_id=box.id))

    def tap(conv: int, at: datetime, payload: str, kind: str = "interactive",
            text: str = "") -> None:
        answer = classify(kind, text, payload)
        s.add(Message(conversation_id=conv, direction="in", status="received", created_at=at,
                      type=kind, text=text,
                      payload={"payload": payload,
                               **({"answer": answer.to_json()} if answer else {})}))

    a, da = person("Alice")
    survey(a, da, _utc(2026, 11, 3, 13))  # week 11-02..08, answered
    tap(a, _utc(2026, 11, 3, 14), f"SURVEY:d{da}:REGULAR")  # changed her mind:
    tap(a, _utc(2026, 11, 4, 12), f"SURVEY:d{da}:OTIMO")  # only the last tap counts
    tap(a, _utc(2026, 11, 5, 12), f"PIX:d{da}")  # not a survey answer

    b, db = person("Bruno")
    survey(b, db, _utc(2026, 11, 10, 13), status="delivered", by_regua=False)  # template, by hand
    tap(b, _utc(2026, 11, 11, 13), f"SURVEY:d{db}:RUIM", kind="button", text="Ruim")
    tap(b, _utc(2026, 11, 11, 14), "", kind="text", text="ótimo")  # typed: not a tap

    c, dc = person("Carla")
    survey(c, dc, _utc(2026, 11, 30, 23, 30))  # 20:30 on 11-30 in the shop
    tap(c, _utc(2026, 12, 2, 12), f"SURVEY:d{dc}:OTIMO")  # after the period: answers it only

    d, dd = person("Diego")
    survey(d, dd, _utc(2026, 11, 1, 2))  # 23:00 on 10-31 in the shop: October
    tap(d, _utc(2026, 11, 1, 12), f"SURVEY:d{dd}:OTIMO")  # 11-01

    e, de = person("Elisa")
    survey(e, de, _utc(2026, 11, 20, 13), status="failed")  # never left

    f, df = person("Fábio")
    survey(f, df, _utc(2026, 11, 16, 13))  # week 11-16..22
    tap(f, _utc(2026, 11, 26, 13), f"SURVEY:d{df}:REGULAR")  # 10 days later: counts, but late


def _over_time(database: Database, period: Period) -> SatisfactionOverTime:
    service = SatisfactionService(database, FakeClock(_utc(2026, 12, 3, 15)), ZONE)
    return asyncio.run(service.over_time(period))


def test_answers_per_week_match_a_hand_count(database: Database) -> None:
    database.run_sync(_hand_made)
    s = _over_time(database, NOVEMBER)

    assert s.grain is Grain.WEEK and not s.enabled
    rows = [(b.first.day, b.last.day, b.scores, b.sent, b.answered) for b in s.buckets]
    assert rows == [
        (1, 1, ScoreCounts(otimo=1), 0, 0),  # Diego's tap (his survey was in October)
        (2, 8, ScoreCounts(otimo=1), 1, 1),  # Alice: Regular then Ótimo -> Ótimo
        (9, 15, ScoreCounts(ruim=1), 1, 1),  # Bruno, the template sent by hand
        (16, 22, ScoreCounts(), 1, 0),  # Fábio's survey, answered too late; Elisa's failed
        (23, 29, ScoreCounts(regular=1), 0, 0),  # Fábio's late tap
        (30, 30, ScoreCounts(), 1, 1),  # Carla's, answered on 12-02
    ]
    assert s.scores == ScoreCounts(otimo=2, regular=1, ruim=1)
    assert s.sent == 4 and s.answered == Ratio(3, 4)
    # Ótimo 2 points, Regular 1, Ruim 0: (2 + 2 + 1 + 0) of 8
    assert s.index == Ratio(5, 8) and s.index.percent == 62.5


def test_a_longer_period_goes_by_month(database: Database) -> None:
    database.run_sync(_hand_made)
    service = SatisfactionService(database, FakeClock(_utc(2026, 12, 3, 15)), ZONE)
    assert asyncio.run(service.set_enabled(True, None)) is True  # the system (no operator)
    assert database.run_sync(lambda s: read_json_setting(s, PAYMENT_SURVEY)) is True
    s = _over_time(database, Period(date(2026, 9, 1), date(2026, 11, 30)))

    assert s.grain is Grain.MONTH and s.enabled
    rows = [(b.first, b.scores.answers, b.sent, b.answered) for b in s.buckets]
    assert rows == [(date(2026, 9, 1), 0, 0, 0),
                    (date(2026, 10, 1), 0, 1, 1),  # Diego's survey, answered on 11-01
                    (date(2026, 11, 1), 4, 4, 3)]
    assert s.answered == Ratio(4, 5)


def test_a_period_without_surveys_is_empty(database: Database) -> None:
    database.run_sync(_hand_made)
    s = _over_time(database, Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert s.empty and s.sent == 0 and s.answered.percent is None and s.index.percent is None
    assert len(s.buckets) == 5 and all(b.scores.answers == 0 for b in s.buckets)


def test_buckets_cover_the_period() -> None:
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert grain_for(march) is Grain.WEEK
    spans = bucket_spans(march, Grain.WEEK)
    assert spans[0] == (date(2026, 3, 1), date(2026, 3, 1))  # a Sunday
    assert spans[-1] == (date(2026, 3, 30), date(2026, 3, 31))
    ninety = Period(date(2025, 12, 16), date(2026, 3, 15))
    assert grain_for(ninety) is Grain.MONTH
    assert bucket_spans(ninety, Grain.MONTH) == (
        (date(2025, 12, 16), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 15)))


def test_the_demo_data_gives_answers_over_months_and_a_number_to_look_after(
        database: Database) -> None:
    today = date(2026, 11, 23)
    now = _utc(2026, 11, 23, 13)
    seed_demo_sync(database, today=today, now=now,
                   scale=DemoScale(debtors=150, debts_per_debtor_avg=3.0, messages_total=1500))
    s = asyncio.run(SatisfactionService(database, FakeClock(now), ZONE).over_time(
        Period.preset(PeriodPreset.LAST_90_DAYS, today)))
    assert s.enabled and s.grain is Grain.MONTH and len(s.buckets) == 4
    assert sum((b.scores for b in s.buckets), ScoreCounts()) == s.scores
    assert s.scores.otimo > 0 and s.scores.answers > 0
    assert sum(b.sent for b in s.buckets) == s.sent >= s.answered.numerator > 0
    assert sum(1 for b in s.buckets if b.scores.answers) >= 2  # answers in more than one month

    h = asyncio.run(NumberHealthService(database, FakeClock(now)).snapshot(now))
    assert h.quality.quality == "GREEN" and h.templates and h.template_problems >= 1
    assert {f.code for f in h.failures} & {131026, 131049, 131000}
    assert all(f.reason and f.hint for f in h.failures)
