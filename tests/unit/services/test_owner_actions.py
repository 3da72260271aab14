"""What only the owner does, done by the owner: confirming a CONFIRM-level send with a note,
clearing a "não sou eu", and the demo's accounts (Rita the owner, Ana, Bruno: password "demo")."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbox import SendRefused
from cobrador_desktop.domain.roles import OwnerOnly, ReasonRequired, Role
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.services.operators import OperatorService
from cobrador_desktop.services.passwords import DEMO_PASSWORD
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Debt, DebtorPhone, Operator, Phone
from tests.unit.services.test_inbox_service import outbox_rows, queued, templates_shop

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
R = TypeVar("R")


def run(coro: Awaitable[R]) -> R:
    async def main() -> R:
        return await coro
    return asyncio.run(main())


def audit(database: Database, action: str) -> list[tuple[int | None, dict[str, Any]]]:
    return database.run_sync(lambda s: [(e.operator_id, e.details) for e in s.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))])


def owner(database: Database) -> int:
    def work(session: Session) -> int:
        rita = Operator(name="Rita", login="rita", role="owner")
        session.add(rita)
        session.flush()
        return rita.id
    return database.run_sync(work)


def test_the_owner_confirms_an_old_debts_reminder_with_a_note(database: Database) -> None:
    service, ana, _, cid = templates_shop(database, {})
    rita = owner(database)
    # six years late: possibly prescribed, only the owner may authorise (a CONFIRM reason)
    database.run_sync(lambda s: s.execute(update(Debt).values(due_date=date(2020, 11, 10))))
    name = "lembrete_vencimento_v1"
    verdict = run(service.check(cid, name, ""))
    assert verdict.level == "confirm" and verdict.reasons[0][0] == "DEBT_OLD_NEEDS_OWNER"
    with pytest.raises(SendRefused):  # nobody confirmed
        run(service.send_template(cid, ana, name, "pt_BR", seen_message_id=None))
    with pytest.raises(OwnerOnly):  # an operator cannot confirm
        run(service.send_template(cid, ana, name, "pt_BR", seen_message_id=None,
                                  confirm_note="eu confirmo"))
    with pytest.raises(ReasonRequired):
        run(service.send_template(cid, rita, name, "pt_BR", seen_message_id=None,
                                  confirm_note="   "))
    assert queued(database) == 0
    assert [d["action"] for _, d in audit(database, "access.denied")] == ["send.confirm_template"]

    note = "Confissão de dívida assinada em 2024: não prescreveu"
    outcome = run(service.send_template(cid, rita, name, "pt_BR", seen_message_id=None,
                                        confirm_note=note))
    assert queued(database) == 1 and outbox_rows(database)[0][0] == "reminder"
    assert outcome.verdict.level in ("allow", "warn")
    [(who, details)] = audit(database, "send.owner_confirmed")
    assert who == rita and details["codes"] == ["DEBT_OLD_NEEDS_OWNER"] and details["note"] == note


def test_a_block_stays_a_block_even_for_the_owner(database: Database) -> None:
    service, _, _, cid = templates_shop(database, {})
    rita = owner(database)
    database.run_sync(lambda s: s.execute(update(Phone).values(opted_out=True, opted_out_at=T)))
    with pytest.raises(SendRefused):
        run(service.send_template(cid, rita, "lembrete_vencimento_v1", "pt_BR",
                                  seen_message_id=None, confirm_note="quero mandar"))
    assert queued(database) == 0 and audit(database, "send.owner_confirmed") == []


def test_the_owner_clears_a_wrong_party_flag_with_a_reason(database: Database) -> None:
    _, _, _, _ = templates_shop(database, {})
    rita = owner(database)
    database.run_sync(lambda s: s.execute(update(DebtorPhone).values(
        wrong_party=True, wrong_party_at=T - timedelta(days=1), cpc_status="denied")))
    detail = DebtorDetailService(database, clock=FakeClock(T), today=lambda: date(2026, 11, 23))
    phone = database.run_sync(lambda s: s.scalar(select(DebtorPhone.phone_id)))
    before = run(detail.load(1))
    assert before.phones[0].wrong_party
    with pytest.raises(ReasonRequired):
        run(detail.clear_wrong_party(1, phone, " ", operator_id=rita))
    after = run(detail.clear_wrong_party(1, phone, "Ela mostrou o RG na loja",
                                         operator_id=rita))
    state = after.phones[0]
    assert (state.wrong_party, state.wrong_party_at, state.cpc_status) == (
        False, None, "unverified")  # the identity check runs again before any debt detail
    [(who, details)] = audit(database, "phone.wrong_party_cleared")
    assert who == rita and details["reason"] == "Ela mostrou o RG na loja"
    run(detail.clear_wrong_party(1, phone, "de novo", operator_id=rita))
    assert len(audit(database, "phone.wrong_party_cleared")) == 1  # nothing to clear


def test_the_demos_people_sign_in_with_demo(database: Database) -> None:
    seed_demo_sync(database, today=date(2026, 11, 23), scale=DemoScale(5, 1.0, 10), now=T)
    service = OperatorService(database, FakeClock(T))
    people = {o.name: o for o in run(service.list_operators())}
    assert people["Rita (dona)"].role is Role.OWNER
    assert people["Ana"].role is people["Bruno"].role is Role.OPERATOR
    assert all(o.has_password and o.active for o in people.values())
    assert not run(service.needs_owner())
    assert run(service.sign_in(people["Rita (dona)"].id, DEMO_PASSWORD)).is_owner
    assert run(service.sign_in(people["Ana"].id, DEMO_PASSWORD)).name == "Ana"


def test_a_demo_seeded_before_passwords_gets_its_people_at_the_next_start(
        database: Database) -> None:
    seed_demo_sync(database, today=date(2026, 11, 23), scale=DemoScale(5, 1.0, 10), now=T)
    database.run_sync(lambda s: s.execute(update(Operator).values(
        password_hash=None, role="operator")))  # as a demo folder from before issue 8
    service = OperatorService(database, FakeClock(T))
    assert run(service.needs_owner())
    seed_demo_sync(database, today=date(2026, 11, 23), scale=DemoScale(5, 1.0, 10), now=T)
    assert not run(service.needs_owner())
    rita = next(o for o in run(service.list_operators()) if o.role is Role.OWNER)
    assert rita.name == "Rita (dona)"
    assert run(service.sign_in(rita.id, DEMO_PASSWORD)).is_owner
