"""OperatorService on SQLite and PostgreSQL: the first owner, sign-in with argon2id (rehash,
lock after 5 wrong passwords), the owner's management with the last-owner rule, changing one's
own password, and the audit log's viewer and CSV export."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.roles import (
    Actor,
    LastOwner,
    NoPasswordSet,
    OperatorNotFound,
    OwnerExists,
    OwnerOnly,
    PasswordTooShort,
    Role,
    SignInLocked,
    WrongPassword,
)
from cobrador_desktop.services.operators import OperatorService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Operator
from cobrador_desktop.storage.repos.audit import verify_chain

#: argon2id with small costs: the tests hash dozens of passwords
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
R = TypeVar("R")


def run(coro: Awaitable[R]) -> R:
    async def main() -> R:
        return await coro
    return asyncio.run(main())


def service(database: Database, clock: FakeClock | None = None,
            hasher: PasswordHasher = CHEAP) -> OperatorService:
    return OperatorService(database, clock or FakeClock(T), hasher=hasher)


def actions(database: Database) -> list[str]:
    return database.run_sync(lambda s: list(s.scalars(
        select(AuditEntry.action).order_by(AuditEntry.id))))


def stored_hash(database: Database, operator_id: int) -> str | None:
    return database.run_sync(lambda s: s.scalar(
        select(Operator.password_hash).where(Operator.id == operator_id)))


def team(database: Database, clock: FakeClock | None = None
         ) -> tuple[OperatorService, Actor, int]:
    """The owner Rita (signed in) and the operator Ana ("senha-da-ana")."""
    svc = service(database, clock)
    rita = run(svc.create_first_owner(" Rita  (dona) ", "senha-da-rita"))
    ana = run(svc.add_operator("Ana", Role.OPERATOR, "senha-da-ana", rita.operator_id)).id
    return svc, rita, ana


def test_first_owner_then_sign_in(database: Database) -> None:
    svc = service(database)
    assert run(svc.needs_owner()) and run(svc.list_operators()) == ()
    with pytest.raises(PasswordTooShort):
        run(svc.create_first_owner("Rita", "curta"))
    rita = run(svc.create_first_owner(" Rita  (dona) ", "senha-da-rita"))
    assert (rita.name, rita.role, rita.is_owner) == ("Rita (dona)", Role.OWNER, True)
    assert not run(svc.needs_owner())
    with pytest.raises(OwnerExists):
        run(svc.create_first_owner("Outro", "senha-do-outro"))
    stored = stored_hash(database, rita.operator_id or 0)
    assert stored is not None and stored.startswith("$argon2id$") and "senha" not in stored
    assert run(svc.sign_in(rita.operator_id or 0, "senha-da-rita")) == rita
    with pytest.raises(WrongPassword):
        run(svc.sign_in(rita.operator_id or 0, "senha-da-ana"))
    with pytest.raises(OperatorNotFound):
        run(svc.sign_in(999, "senha-da-rita"))
    assert actions(database) == ["operator.first_owner", "operator.sign_in",
                                 "operator.sign_in_failed"]
    [info] = run(svc.list_operators())
    assert (info.name, info.role, info.active, info.has_password) == (
        "Rita (dona)", Role.OWNER, True, True)
    # no password, no trace of one, anywhere in the log
    text = " ".join(str(d) for d in database.run_sync(lambda s: list(s.scalars(
        select(AuditEntry.details)))))
    assert "senha-da" not in text and "$argon2" not in text


def test_a_hash_made_with_other_parameters_is_redone_at_sign_in(database: Database) -> None:
    _, rita, _ = team(database)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    who = rita.operator_id or 0
    before = stored_hash(database, who)
    assert stronger.check_needs_rehash(before or "")
    run(service(database, hasher=stronger).sign_in(who, "senha-da-rita"))
    after = stored_hash(database, who)
    assert after != before and not stronger.check_needs_rehash(after or "")
    run(service(database, hasher=stronger).sign_in(who, "senha-da-rita"))
    assert stored_hash(database, who) == after  # nothing to redo now


def test_five_wrong_passwords_lock_sign_in_for_a_growing_wait(database: Database) -> None:
    clock = FakeClock(T)
    svc, _, ana = team(database, clock)
    for _ in range(4):
        with pytest.raises(WrongPassword):
            run(svc.sign_in(ana, "errada!!"))
    with pytest.raises(SignInLocked) as locked:
        run(svc.sign_in(ana, "errada!!"))  # the fifth
    assert locked.value.params["seconds"] == 30 and "Ana" in locked.value.message
    with pytest.raises(SignInLocked):  # even the right password waits
        run(svc.sign_in(ana, "senha-da-ana"))
    clock.advance(timedelta(seconds=31))
    with pytest.raises(SignInLocked) as longer:
        run(svc.sign_in(ana, "errada!!"))  # the sixth: a longer wait
    assert longer.value.params["seconds"] == 60
    clock.advance(timedelta(seconds=61))
    assert run(svc.sign_in(ana, "senha-da-ana")).name == "Ana"
    with pytest.raises(WrongPassword):  # the count starts over
        run(svc.sign_in(ana, "errada!!"))


def test_the_owner_resets_a_locked_operators_password(database: Database) -> None:
    svc, rita, ana = team(database)
    for _ in range(5):
        with pytest.raises((WrongPassword, SignInLocked)):
            run(svc.sign_in(ana, "errada!!"))
    run(svc.set_password(ana, "nova-senha-da-ana", rita.operator_id))
    assert run(svc.sign_in(ana, "nova-senha-da-ana")).operator_id == ana


def test_operators_change_their_own_password_and_nothing_else(database: Database) -> None:
    svc, rita, ana = team(database)
    with pytest.raises(WrongPassword):
        run(svc.change_own_password(ana, "errada!!", "outra-senha-da-ana"))
    with pytest.raises(PasswordTooShort):
        run(svc.change_own_password(ana, "senha-da-ana", "curta"))
    run(svc.change_own_password(ana, "senha-da-ana", "outra-senha-da-ana"))
    assert run(svc.sign_in(ana, "outra-senha-da-ana")).role is Role.OPERATOR
    for call in (svc.set_password(rita.operator_id or 0, "tomada-da-dona", ana),
                 svc.set_role(ana, Role.OWNER, ana),
                 svc.add_operator("Zé", Role.OWNER, "senha-do-ze", ana)):
        with pytest.raises(OwnerOnly):
            run(call)
    assert run(svc.sign_in(rita.operator_id or 0, "senha-da-rita")).is_owner
    assert [o.role for o in run(svc.list_operators())] == [Role.OPERATOR, Role.OWNER]


def test_the_last_active_owner_stays(database: Database) -> None:
    svc, rita, ana = team(database)
    owner = rita.operator_id or 0
    with pytest.raises(LastOwner):
        run(svc.set_role(owner, Role.OPERATOR, owner))
    with pytest.raises(LastOwner):
        run(svc.set_active(owner, False, None))
    run(svc.set_role(ana, Role.OWNER, owner))
    run(svc.set_role(owner, Role.OPERATOR, owner))  # another owner exists now
    with pytest.raises(OwnerOnly):  # and Rita is an operator from now on
        run(svc.set_active(ana, False, owner))
    run(svc.set_active(owner, False, ana))
    with pytest.raises(OperatorNotFound):  # a disabled account cannot sign in
        run(svc.sign_in(owner, "senha-da-rita"))
    infos = {o.name: o for o in run(svc.list_operators())}
    assert (infos["Ana"].role, infos["Rita (dona)"].active) == (Role.OWNER, False)
    assert database.run_sync(verify_chain)


def test_an_account_without_a_password_cannot_sign_in(database: Database) -> None:
    def work(session: Any) -> int:
        person = Operator(name="Sem Senha", login="sem", role="operator")
        session.add(person)
        session.flush()
        return person.id
    who = database.run_sync(work)
    with pytest.raises(NoPasswordSet):
        run(service(database).sign_in(who, "qualquer-uma"))
    assert run(service(database).needs_owner())


def test_audit_entries_filter_and_page(database: Database) -> None:
    clock = FakeClock(T)
    svc, rita, ana = team(database, clock)
    owner = rita.operator_id
    clock.advance(timedelta(hours=1))
    run(svc.sign_in(ana, "senha-da-ana"))
    clock.advance(timedelta(hours=1))
    with pytest.raises(WrongPassword):
        run(svc.sign_in(ana, "errada!!"))
    rows = run(svc.audit_entries(owner))
    assert [r.action for r in rows] == ["operator.sign_in_failed", "operator.sign_in",
                                        "operator.add", "operator.first_owner"]
    assert rows[1].who == "Ana" and rows[0].who is None and rows[0].object_id == str(ana)
    assert rows[2].who == "Rita (dona)" and rows[2].details == {"name": "Ana",
                                                                  "role": "operator"}
    assert [r.action for r in run(svc.audit_entries(owner, action_prefix="operator.sign_in"))
            ] == ["operator.sign_in_failed", "operator.sign_in"]
    assert [r.action for r in run(svc.audit_entries(owner, since=T + timedelta(minutes=30),
                                                    until=T + timedelta(minutes=90)))
            ] == ["operator.sign_in"]
    assert [r.action for r in run(svc.audit_entries(owner, who=ana))] == ["operator.sign_in"]
    assert [r.action for r in run(svc.audit_entries(owner, limit=2, offset=1))] == [
        "operator.sign_in", "operator.add"]
    assert run(svc.audit_entries(owner, action_prefix="operator_")) == ()  # "_" is no wildcard


def test_export_audit_is_a_csv_excel_opens(database: Database, tmp_path: Path) -> None:
    svc, rita, ana = team(database)
    with pytest.raises(WrongPassword):
        run(svc.sign_in(ana, "errada!!"))
    target = tmp_path / "auditoria.csv"
    assert run(svc.export_audit(rita.operator_id, target)) == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["Data e hora", "Quem", "Ação", "Objeto", "Código", "Detalhes"]
    assert [r[2] for r in rows[1:]] == ["operator.first_owner", "operator.add",
                                        "operator.sign_in_failed"]
    assert rows[1][0] == "23/11/2026 10:00:00"  # São Paulo time
    assert rows[2][1] == "Rita (dona)" and rows[3][1] == "Sistema"
    assert '"role": "operator"' in rows[2][5]
    assert actions(database)[-1] == "audit.export"
    assert run(svc.export_audit(rita.operator_id, tmp_path / "so_login.csv",
                                action_prefix="operator.sign_in")) == 1
