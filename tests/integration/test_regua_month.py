"""A month of the régua for the demo shop on a frozen clock, sent through the real outbox sender to
the Cloud API emulator, and every message the emulator received checked against the rules.

December 2026: the régua runs every day (most days at 09:05 in São Paulo, some days at 00:30 at
night, on Sundays too, twice on some days); the sender is swept every 20 minutes of every day.
Meanwhile debtors confirm their identity after the check (as "Sou eu" would), one number opts out
and one debt is paid while their messages wait in the outbox.

The checks below are written from COMPLIANCE.md §2–§3, not from the guard's code: the only
project helper used is `contact_hours.debtor_place` (which zones and states a debtor may be in).
The emulator's own record (`/_emulator/sent`) says what was sent and when.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.contact_hours import ContactProfile, debtor_place
from cobrador_desktop.domain.policy import Decision
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.services.outbox import OutboxSender
from cobrador_desktop.services.reminders import ReminderService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    ReguaSend,
)
from cobrador_desktop.storage.repos.settings import read_guard_settings
from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig
from tests.unit.services.test_outbox import fake_sleep

ZONE = "America/Sao_Paulo"
TOKEN = "regua-month-token"
SCALE = DemoScale(debtors=160, debts_per_debtor_avg=2.5, messages_total=150)
SEEDED = date(2026, 11, 30)
START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DAYS = 31
SWEEP = timedelta(minutes=20)
#: national holidays in December 2026, and the optional ones counted by default (COMPLIANCE §2.3)
NATIONAL = {date(2026, 12, 25)}
OPTIONAL = {date(2026, 12, 24), date(2026, 12, 31)}
#: the day the state changes while messages wait (the régua runs at night that day)
CHANGE_DAY = 9
CLOSED = ("paid", "cancelled", "disputed")


def regua_times(day: int) -> list[datetime]:
    """When the régua runs on `day` of December: 09:05 São Paulo time, or at 00:30 (night) on
    every third day; and again at 20:30 on every fourth."""
    base = datetime(2026, 12, day, tzinfo=UTC)
    first = base + (timedelta(hours=3, minutes=30) if day % 3 == 0
                    else timedelta(hours=12, minutes=5))
    times = [first]
    if day % 4 == 0:
        times.append(base + timedelta(hours=23, minutes=30))
    return times


@dataclass
class Month:
    """What the month did, besides what the database and the emulator hold."""

    sent: list[dict[str, Any]]
    confirmed_at: dict[int, datetime]  # phone id -> when its identity was confirmed
    opted_out: tuple[int, int]  # (phone id, outbox id waiting for it)
    paid: tuple[int, int]  # (debt id, outbox id waiting for it)
    regua_runs: int


def _regua_waiting(session: Session) -> list[tuple[int, int, int, int, str]]:
    """(outbox id, phone id, debt id, debtor id, purpose) of the régua's queued rows."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(OutboxItem.id, ReguaSend.phone_id, ReguaSend.debt_id, ReguaSend.debtor_id,
               ReguaSend.purpose)
        .join(ReguaSend, ReguaSend.outbox_id == OutboxItem.id)
        .where(OutboxItem.state == "queued").order_by(OutboxItem.id)).all()]


def _live_month(database: Database) -> Month:
    async def main() -> Month:
        clock = FakeClock(START)
        emulator = Emulator(EmulatorConfig(access_token=TOKEN, clock=clock))
        base_url = await emulator.start()
        config = CloudApiConfig(base_url=base_url,
                                phone_number_id=emulator.config.phone_number_id,
                                waba_id=emulator.config.waba_id, access_token=TOKEN)
        confirmed: dict[int, datetime] = {}
        opted_out = paid = (0, 0)
        runs = 0
        try:
            async with httpx.AsyncClient(timeout=5) as control, CloudApiClient(config) as client:
                sender = OutboxSender(database, client, clock, rng=random.Random(3),
                                      sleep=fake_sleep(clock), shop_zone=ZONE)
                regua = ReminderService(database, clock, shop_zone=ZONE)
                for day in range(1, DAYS + 1):
                    pending = regua_times(day)
                    at = datetime(2026, 12, day, tzinfo=UTC)
                    while at < datetime(2026, 12, day, tzinfo=UTC) + timedelta(days=1):
                        clock.set(max(clock.now(), at))
                        while pending and pending[0] <= clock.now():
                            await regua.run(pending.pop(0))
                            runs += 1
                            if day == CHANGE_DAY and runs and not opted_out[0]:
                                opted_out, paid = database.run_sync(_change_while_waiting)
                        while await sender.run_once():
                            pass
                        at += SWEEP
                    # the evening: most people who got the identity check confirm it
                    confirmed.update(database.run_sync(partial(_confirm, now=clock.now())))
                response = await control.get(f"{emulator.control_url}/sent")
                response.raise_for_status()
                sent: list[dict[str, Any]] = response.json()["messages"]
        finally:
            await emulator.stop()
        return Month(sent, confirmed, opted_out, paid, runs)

    return asyncio.run(main())


def _change_while_waiting(session: Session) -> tuple[tuple[int, int], tuple[int, int]]:
    """While the night's messages wait for the morning: one number opts out, one debt is paid."""
    waiting = [w for w in _regua_waiting(session) if w[4] != "identity_check"]
    assert len(waiting) >= 2, "the night run should leave reminders waiting for the morning"
    (out_row, phone_id, *_), (paid_row, _, debt_id, *_) = waiting[0], waiting[-1]
    assert waiting[0][1] != waiting[-1][1]
    now = datetime(2026, 12, CHANGE_DAY, 4, 0, tzinfo=UTC)
    session.execute(update(Phone).where(Phone.id == phone_id).values(
        opted_out=True, opted_out_at=now, opt_out_source="PARAR"))
    debt = session.get(Debt, debt_id)
    assert debt is not None
    debt.status, debt.paid_cents, debt.status_at = "paid", debt.amount_cents, now
    return (phone_id, out_row), (debt_id, paid_row)


def _confirm(session: Session, now: datetime) -> dict[int, datetime]:
    """Two in three numbers whose identity check was sent today answer "Sou eu"."""
    rows = session.execute(
        select(ReguaSend.debtor_id, ReguaSend.phone_id)
        .join(OutboxItem, OutboxItem.id == ReguaSend.outbox_id)
        .where(OutboxItem.state == "sent", ReguaSend.purpose == "identity_check")).all()
    done: dict[int, datetime] = {}
    for debtor_id, phone_id in rows:
        link = session.scalars(select(DebtorPhone).where(
            DebtorPhone.debtor_id == debtor_id, DebtorPhone.phone_id == phone_id)).one()
        if link.cpc_status != "confirmed" and link.phone_id % 3:
            link.cpc_status, link.cpc_at = "confirmed", now
            done[link.phone_id] = now
    return done


def _holidays(ufs: tuple[str, ...], profile: ContactProfile) -> set[date]:
    days = set(NATIONAL) | (OPTIONAL if profile.include_optional_holidays else set())
    for uf in ufs:
        days |= set(holidays.country_holidays("BR", subdiv=uf, years=2026))
    return days


def test_a_month_of_the_regua_sends_only_what_the_rules_allow(database: Database) -> None:
    seed_demo_sync(database, today=SEEDED, scale=SCALE)
    settings = database.run_sync(read_guard_settings)
    profile = settings.profile
    before = database.run_sync(lambda s: {p.id: (p.opted_out, p.suppressed)
                                          for p in s.scalars(select(Phone))})

    month = _live_month(database)

    def rows(session: Session) -> dict[int, Any]:
        return {r.outbox_id: r for r in session.execute(
            select(OutboxItem.id.label("outbox_id"), OutboxItem.state, OutboxItem.decision,
                   OutboxItem.purpose, ReguaSend.debt_id, ReguaSend.debtor_id, ReguaSend.step,
                   ReguaSend.phone_id, Message.text, Phone.e164, Phone.opted_out,
                   Phone.opted_out_at, Phone.suppressed, Debtor.uf, DebtorPhone.role,
                   DebtorPhone.never_message, DebtorPhone.wrong_party, DebtorPhone.cpc_status,
                   DebtorPhone.cpc_at, Debt.status, Debt.status_at)
            .join(Message, Message.id == OutboxItem.message_id)
            .outerjoin(ReguaSend, ReguaSend.outbox_id == OutboxItem.id)
            .outerjoin(Phone, Phone.id == ReguaSend.phone_id)
            .outerjoin(Debtor, Debtor.id == ReguaSend.debtor_id)
            .outerjoin(DebtorPhone, (DebtorPhone.debtor_id == ReguaSend.debtor_id)
                       & (DebtorPhone.phone_id == ReguaSend.phone_id))
            .outerjoin(Debt, Debt.id == ReguaSend.debt_id)
            .where(OutboxItem.created_at >= START))}  # the demo's history is older

    outbox = database.run_sync(rows)
    assert month.regua_runs == DAYS + DAYS // 4
    # every row the month queued is the régua's, each (debt, step) once (the demo's history too)
    assert outbox and all(r.debt_id is not None for r in outbox.values())
    pairs = Counter((r.debt_id, r.step) for r in outbox.values())
    assert max(pairs.values()) == 1, [p for p, n in pairs.items() if n > 1]

    sent = month.sent
    by_row = {int(m["biz_opaque_callback_data"].removeprefix("ob:")): m for m in sent}
    assert len(by_row) == len(sent), "a row was sent twice"
    assert {i for i, r in outbox.items() if r.state == "sent"} == set(by_row)

    per_day: Counter[tuple[int, date]] = Counter()
    per_debtor: dict[int, list[datetime]] = defaultdict(list)
    for outbox_id, message in by_row.items():
        row = outbox[outbox_id]
        at = datetime.fromisoformat(message["accepted_at"])
        where = f"{row.step} of debt {row.debt_id} to {row.e164} at {at:%d/%m %H:%M} UTC"
        assert message["template"] is not None and message["type"] == "template", where
        # contact hours, weekdays, holidays: in every zone the debtor may be in
        place = debtor_place(address_uf=row.uf, phone_e164=row.e164, shop_zone=ZONE)
        days_off = _holidays(place.ufs, profile)
        for zone in place.zones:
            local = at.astimezone(ZoneInfo(zone))
            assert local.weekday() != 6, f"Sunday: {where}"
            assert local.date() not in days_off, f"holiday: {where}"
            if local.weekday() == 5:
                assert profile.saturday_enabled, f"Saturday: {where}"
                start, end = profile.saturday_start, profile.saturday_end
            else:
                start, end = profile.weekday_start, profile.weekday_end
            assert start <= local.time() < end, f"out of hours ({local:%H:%M} {zone}): {where}"
            assert 8 <= local.hour < 20, f"night: {where}"
        # the number and the person
        assert row.role == "own" and not row.never_message, f"reference number: {where}"
        assert not row.wrong_party, f"wrong party: {where}"
        assert before[row.phone_id] == (False, False), f"opted out or suppressed: {where}"
        assert not row.suppressed, where
        assert row.opted_out_at is None or row.opted_out_at > at, f"opted out: {where}"
        # identity before any debt detail
        if row.purpose == "identity_check":
            assert "R$" not in row.text and "/2026" not in row.text, f"debt detail: {where}"
        else:
            assert row.cpc_status == "confirmed", f"identity not confirmed: {where}"
            confirmed = month.confirmed_at.get(row.phone_id)
            assert confirmed is None or confirmed <= at, f"sent before the confirmation: {where}"
            assert row.cpc_at is None or row.cpc_at <= at, where
        # nothing for a debt paid, cancelled or disputed (but the receipt of a payment)
        if row.purpose == "payment_receipt":
            assert row.status == "paid" and row.status_at <= at, where
        else:
            assert row.status not in CLOSED or (
                row.status_at is not None and row.status_at > at), f"{row.status} debt: {where}"
        # the stored decision allowed what was sent
        decision = Decision.from_json(row.decision)
        assert decision.allowed, f"stored decision {decision.reasons} for {where}"
        if row.purpose == "payment_receipt":
            continue  # a receipt is not counted against the caps (COMPLIANCE.md §2.4)
        local_day = at.astimezone(ZoneInfo(place.zones[0])).date()
        per_day[(row.debtor_id, local_day)] += 1
        per_debtor[row.debtor_id].append(at)

    # frequency caps per debtor: a day, and any rolling week
    assert max(per_day.values()) <= profile.daily_cap
    for debtor_id, times in per_debtor.items():
        times.sort()
        for i, first in enumerate(times):
            week = [t for t in times[i:] if t - first < timedelta(days=7)]
            assert len(week) <= profile.weekly_cap, (debtor_id, week)

    # what changed while waiting was cancelled, never sent
    for _, outbox_id in (month.opted_out, month.paid):
        assert outbox[outbox_id].state == "cancelled" and outbox_id not in by_row
    codes = {Decision.from_json(outbox[i].decision).main_reason.code  # type: ignore[union-attr]
             for _, i in (month.opted_out, month.paid)}
    assert codes == {"PHONE_OPTED_OUT", "DEBT_PAID"}

    # not vacuous: the month sent identity checks, reminders and overdue notices, on many days,
    # and some of them had waited for the morning after a night run
    purposes = Counter(outbox[i].purpose for i in by_row)
    assert purposes["identity_check"] > 0 and purposes["reminder"] > 0, purposes
    assert purposes["overdue"] > 0, purposes
    sent_days = {datetime.fromisoformat(m["accepted_at"]).date() for m in sent}
    assert len(sent_days) >= 15, sorted(sent_days)
    assert month.confirmed_at
    held = database.run_sync(lambda s: s.scalars(select(ReguaSend.decision).where(
        ReguaSend.outbox_id.in_(list(by_row)))).all())
    assert any(not Decision.from_json(d).allowed for d in held if d), "nothing waited"
