"""The régua's daily pass on a real database: which step goes out when, identity first, the guard's
verdicts recorded, held at night, once per (debt, step), catch-up and capacity."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.settings import Capacity, NumberQuality, ShopDetails
from cobrador_desktop.services.demo_chat import template_rows
from cobrador_desktop.services.demo_data import SHOP
from cobrador_desktop.services.reminders import Plan, ReminderService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Conversation,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    ReguaSend,
    Setting,
    Task,
    Template,
)
from cobrador_desktop.storage.repos.settings import (
    write_capacity,
    write_contact_profile,
    write_number_quality,
    write_shop,
)
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

T = TypeVar("T")
ZONE = "America/Sao_Paulo"
#: a Monday afternoon in every Brazilian zone (12:00 in São Paulo)
MONDAY = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def on(day: int, hour: int = 15, minute: int = 0) -> datetime:
    """An instant in December 2026 (UTC)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def sync(db: Database, fn: Callable[[Session], T]) -> T:
    return db.run_sync(fn)


@pytest.fixture
def shop(database: Database) -> Database:
    """The sample shop's identity, a green number and its six approved templates."""
    seed_shop(database)
    return database


def seed_shop(db: Database) -> None:
    """The sample shop's identity, a green number and its six approved templates."""
    def work(s: Session) -> None:
        write_shop(s, ShopDetails(trade_name=SHOP.name, legal_name=SHOP.name, document=SHOP.cnpj,
                                  address="Rua das Flores, 10, Campinas", uf="SP"),
                   operator_id=None, now=MONDAY)
        write_number_quality(s, NumberQuality("GREEN", "TIER_1K"), operator_id=None, now=MONDAY)
        for row in template_rows(SHOP, MONDAY):
            s.add(Template(**{k: v for k, v in row.items() if k != "id"}))
    sync(db, work)


@dataclass(frozen=True)
class Person:
    debtor_id: int
    phone_id: int
    debt_ids: tuple[int, ...]


def person(db: Database, name: str, e164: str, dues: tuple[date, ...], *,
           cpc: str = "confirmed", amount: int = 15_000, **phone_flags: Any) -> Person:
    """A debtor with one WhatsApp number (opt-in recorded) and one open debt per due date."""
    def work(s: Session) -> Person:
        debtor = add_debtor(s, name)
        phone_id = add_phone(s, debtor, e164)
        phone = s.get(Phone, phone_id)
        assert phone is not None
        phone.whatsapp_status, phone.opt_in_at, phone.opt_in_source = "yes", MONDAY - timedelta(
            days=60), "ficha de cadastro"
        for key, value in phone_flags.items():
            setattr(phone, key, value)
        link = s.scalars(select(DebtorPhone).where(DebtorPhone.phone_id == phone_id)).one()
        link.cpc_status = cpc
        debts = tuple(add_debt(s, debtor, amount, due, installment_number=n + 1,
                               installment_count=len(dues)) for n, due in enumerate(dues))
        return Person(debtor, phone_id, debts)
    return sync(db, work)


def service(db: Database, at: datetime = MONDAY) -> ReminderService:
    return ReminderService(db, FakeClock(at), shop_zone=ZONE)


def plan(db: Database, at: datetime) -> Plan:
    return asyncio.run(service(db, at).plan(at))


def run(db: Database, at: datetime) -> Plan:
    return asyncio.run(service(db, at).run(at))


def sends(db: Database) -> list[tuple[int, str, str, str | None, int | None]]:
    """(debt, step, state, reason, outbox id) of every régua log row."""
    return [tuple(r) for r in sync(db, lambda s: s.execute(  # type: ignore[misc]
        select(ReguaSend.debt_id, ReguaSend.step, ReguaSend.state, ReguaSend.reason_code,
               ReguaSend.outbox_id).order_by(ReguaSend.id)).all())]


def went_out(db: Database) -> None:
    """The sender took every queued row (what `serve` does between two days of the régua)."""
    sync(db, lambda s: s.execute(update(OutboxItem).where(OutboxItem.state == "queued")
                                 .values(state="sent")))


def count(db: Database, table: Any) -> int:
    return int(sync(db, lambda s: s.scalar(select(func.count()).select_from(table))) or 0)


def test_each_step_goes_out_on_its_day(shop: Database) -> None:
    before = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 10),))
    today = person(shop, "Bia Rocha", "+5511987650002", (date(2026, 12, 7),))
    late = person(shop, "Caio Prado", "+5511987650003", (date(2026, 11, 30),))
    person(shop, "Davi Neves", "+5511987650004", (date(2026, 12, 20),))  # nothing due today

    day = plan(shop, MONDAY)

    by_debt = {m.debt_id: m for m in day.items}
    assert {d: (m.step, m.purpose, m.template) for d, m in by_debt.items()} == {
        before.debt_ids[0]: ("D-3", "reminder", "lembrete_vencimento_v1"),
        today.debt_ids[0]: ("D0", "reminder", "vencimento_hoje_v1"),
        late.debt_ids[0]: ("D+7", "overdue", "parcela_em_atraso_v1")}
    assert all(m.decision.allowed for m in day.items), [m.decision.reasons for m in day.items]
    reminder = by_debt[before.debt_ids[0]]
    assert "Olá, Ana." in reminder.text and "R$ 150,00" in reminder.text
    assert "10/12/2026" in reminder.text and SHOP.cnpj_formatted in reminder.text
    assert day.counts_by_decision() == {"allowed": 3, "held": 0, "blocked": 0}
    # paced over the afternoon, never all at once
    times = sorted(m.send_at for m in day.items if m.send_at is not None)
    assert times[0] == MONDAY and len(set(times)) == 3
    assert times[-1] < on(7, 21)  # before 18:00 in São Paulo


def test_a_debtor_gets_one_message_a_day_about_their_most_late_debt(shop: Database) -> None:
    both = person(shop, "Ana Lima", "+5511987650001", (date(2026, 11, 30), date(2026, 12, 7)))

    day = plan(shop, MONDAY)

    assert [(m.debt_id, m.step) for m in day.items] == [(both.debt_ids[0], "D+7")]


def test_identity_comes_first_and_details_after_the_person_confirms(shop: Database) -> None:
    maria = person(shop, "Maria da Silva Souza", "+5511987650001", (date(2026, 12, 10),),
                   cpc="unverified")

    first = run(shop, MONDAY)

    [check] = first.items
    assert (check.step, check.purpose, check.template) == ("CPC1", "identity_check",
                                                           "confirmacao_identidade_v1")
    assert check.decision.allowed, check.decision.reasons
    assert "Maria S." in check.text
    assert "150" not in check.text and "10/12" not in check.text
    assert check.outbox_id is not None
    assert sends(shop) == [(maria.debt_ids[0], "CPC1", "queued", None, check.outbox_id)]

    def confirm(s: Session) -> None:
        link = s.scalars(select(DebtorPhone).where(DebtorPhone.phone_id == maria.phone_id)).one()
        link.cpc_status, link.cpc_at = "confirmed", on(7, 16)
    sync(shop, confirm)
    went_out(shop)

    [details] = run(shop, on(8)).items  # D-3 is still within its grace
    assert (details.step, details.purpose) == ("D-3", "reminder")
    assert details.decision.allowed, details.decision.reasons
    assert "R$ 150,00" in details.text


def test_identity_attempts_run_out_into_a_no_contact_task(shop: Database) -> None:
    sync(shop, lambda s: write_contact_profile(
        s, ContactProfile(identity_attempts_max=2, identity_retry_days=3), operator_id=None,
        now=MONDAY))
    joao = person(shop, "João Pereira", "+5511987650001", (date(2026, 12, 10),), cpc="pending")

    assert [m.step for m in run(shop, on(7)).items] == ["CPC1"]
    went_out(shop)
    waiting = run(shop, on(8))
    assert waiting.items == () and [m.decision.main_reason.code for m in waiting.skipped
                                    if m.decision.main_reason] == ["CPC_RETRY_WAIT"]
    assert [m.step for m in run(shop, on(10)).items] == ["CPC2"]
    went_out(shop)
    out = run(shop, on(11))
    assert out.items == ()
    assert out.counts_by_reason() == {"CPC_ATTEMPTS_EXHAUSTED": 1, "STEP_SUPERSEDED": 1}
    assert (joao.debt_ids[0], "D+1", "skipped", "CPC_ATTEMPTS_EXHAUSTED", None) in sends(shop)
    run(shop, on(14))  # a later step: still no debt details, and the task is not repeated
    tasks = sync(shop, lambda s: s.execute(select(Task.debtor_id, Task.kind)).all())
    assert [tuple(t) for t in tasks] == [(joao.debtor_id, "no_contact")]
    assert count(shop, OutboxItem) == 2


def test_an_opted_out_number_is_logged_blocked_and_never_queued(shop: Database) -> None:
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 10),),
                 opted_out=True, opted_out_at=on(1))

    done = run(shop, MONDAY)

    [item] = done.items
    assert not item.decision.allowed and item.state == "blocked"
    assert item.decision.main_reason is not None
    assert item.decision.main_reason.code == "PHONE_OPTED_OUT"
    assert item.outbox_id is None and item.send_at is None
    assert sends(shop) == [(ana.debt_ids[0], "D-3", "blocked", "PHONE_OPTED_OUT", None)]
    assert count(shop, OutboxItem) == 0 and count(shop, Message) == 0


def test_at_night_the_message_waits_in_the_outbox_for_the_morning(shop: Database) -> None:
    person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 10),))
    night = on(7, 23, 30)  # 20:30 in São Paulo

    [item] = run(shop, night).items

    assert item.state == "held"
    assert item.decision.main_reason is not None
    assert item.decision.main_reason.code == "HOURS_OUTSIDE_WINDOW"
    assert item.send_at is not None and on(8, 12) <= item.send_at < on(8, 13)  # 09:00-10:00
    stored = sync(shop, lambda s: s.execute(
        select(OutboxItem.state, OutboxItem.next_attempt_at, OutboxItem.kind)).one())
    assert tuple(stored) == ("queued", item.send_at, "automated")


def test_a_new_step_waits_while_the_previous_message_still_waits_in_the_outbox(
        shop: Database) -> None:
    """Held messages never pile up: while last night's reminder waits for the morning, the
    next debt's step is not queued behind it (and not logged, so it is planned again)."""
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 10), date(2026, 12, 11)))
    run(shop, on(7, 23, 30))  # 20:30 in São Paulo: D-3 of the first debt held for the morning

    early = run(shop, on(8, 11))  # 08:00: the second debt's D-3 is due, the first still waits

    assert early.items == ()
    assert [(m.debt_id, m.step, m.decision.main_reason.code if m.decision.main_reason else None)
            for m in early.skipped] == [(ana.debt_ids[1], "D-3", "PREVIOUS_WAITING")]
    assert [(d, step, state) for d, step, state, _, _ in sends(shop)] == [
        (ana.debt_ids[0], "D-3", "queued")]
    assert count(shop, OutboxItem) == 1


def test_a_step_is_dealt_with_once_across_runs(shop: Database) -> None:
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 10),))

    run(shop, on(7))
    again = run(shop, on(7, 17))
    tomorrow = run(shop, on(8))

    assert again.items == () and tomorrow.items == ()
    assert [(d, step, state) for d, step, state, _, _ in sends(shop)] == [
        (ana.debt_ids[0], "D-3", "queued")]
    assert count(shop, OutboxItem) == 1


def test_a_dry_run_writes_nothing(shop: Database) -> None:
    person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 10),))
    person(shop, "Bia Rocha", "+5511987650002", (date(2026, 12, 7),), cpc="unverified")
    tables = (ReguaSend, OutboxItem, Message, Conversation, Task, Setting)
    before = [count(shop, t) for t in tables]

    day = plan(shop, MONDAY)

    assert len(day.items) == 2 and all(m.outbox_id is None for m in day.items)
    assert [count(shop, t) for t in tables] == before


def test_after_days_off_steps_past_their_grace_are_skipped_not_sent(shop: Database) -> None:
    run(shop, on(1))  # the scheduler last ran on Tuesday 1 December
    ana = person(shop, "Ana Lima", "+5511987650001", (date(2026, 12, 2),))

    day = run(shop, MONDAY)

    assert day.items == ()
    assert day.counts_by_reason() == {"STEP_GRACE_PASSED": 2}
    assert sends(shop) == [(ana.debt_ids[0], "D0", "skipped", "STEP_GRACE_PASSED", None),
                           (ana.debt_ids[0], "D+1", "skipped", "STEP_GRACE_PASSED", None)]
    assert count(shop, OutboxItem) == 0


def test_new_conversations_stop_at_the_teams_capacity(shop: Database) -> None:
    sync(shop, lambda s: write_capacity(s, Capacity(operators=1, conversations_each=1),
                                        operator_id=None, now=MONDAY))
    late = person(shop, "Ana Lima", "+5511987650001", (date(2026, 11, 30),))
    soon = person(shop, "Bia Rocha", "+5511987650002", (date(2026, 12, 10),))

    day = run(shop, MONDAY)

    assert [m.debt_id for m in day.items] == [late.debt_ids[0]]  # the most late first
    assert [(m.debt_id, m.decision.main_reason.code if m.decision.main_reason else None)
            for m in day.skipped] == [(soon.debt_ids[0], "CAPACITY_FULL")]
    assert [d for d, *_ in sends(shop)] == [late.debt_ids[0]]  # the other is tried tomorrow
    [tomorrow] = run(shop, on(8)).items
    assert tomorrow.debt_id == soon.debt_ids[0]


def test_the_demo_shop_plans_identity_checks_and_reminders_on_a_tuesday_morning(
        database: Database) -> None:
    from cobrador_desktop.services.demo import seed_demo_sync

    seed_demo_sync(database, today=date(2026, 12, 6))
    tuesday = plan(database, datetime(2026, 12, 8, 13, 0, tzinfo=UTC))  # 10:00 in São Paulo

    allowed = [m for m in tuesday.items if m.decision.allowed]
    assert {m.purpose for m in allowed} >= {"identity_check", "reminder"}
    assert all("R$" not in m.text for m in allowed if m.purpose == "identity_check")
    evening = plan(database, datetime(2026, 12, 9, 0, 0, tzinfo=UTC))  # 21:00
    assert evening.counts_by_decision()["allowed"] == 0
    assert evening.counts_by_reason()["HOURS_OUTSIDE_WINDOW"] >= len(allowed)
