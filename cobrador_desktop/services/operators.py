"""Operators: the first owner, signing in, the owner's management of accounts, the audit log.

Passwords are argon2id hashes (`services.passwords`), made and checked on the database thread
(sign-in is rare; ~0.1 s there keeps the window's thread free), never stored nor logged in clear.
Every change is audited with who did it; managing accounts and reading or exporting the audit
log are owner-only (`services.authz`). The last active owner can never be demoted or disabled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, Clock
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.roles import (
    LOCK_AFTER,
    Actor,
    AuditRow,
    LastOwner,
    NoPasswordSet,
    OperatorInfo,
    OperatorNotFound,
    OwnerExists,
    Role,
    SignInLocked,
    WrongPassword,
    check_password,
    clean_name,
    locked_until,
)
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.export import ExportFailed, write_atomically
from cobrador_desktop.services.passwords import (
    DEFAULT_HASHER,
    hash_password,
    needs_rehash,
    verify_password,
)
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.services.table_export import write_csv
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos import operators as repo

FIRST_OWNER = "operator.first_owner"
ADDED = "operator.add"
ROLE_SET = "operator.role"
ACTIVE_SET = "operator.active"
AUDIT_EXPORTED = "audit.export"
#: the audit viewer's page, and the export's read size
PAGE = 200
#: "who" for entries of the system (command line, scheduler, webhooks)
SYSTEM_NAME = "Sistema"
AUDIT_HEADERS = ("Data e hora", "Quem", "Ação", "Objeto", "Código", "Detalhes")


@dataclass(frozen=True)
class _Attempt:
    """What a password check found (decided on the database thread, raised outside it so the
    failure's audit entry is committed)."""

    actor: Actor | None = None
    wrong: int = 0
    locked_for: int = 0
    name: str = ""


class OperatorService:
    """Accounts, sign-in and the audit log through the database thread."""

    def __init__(self, db: Runner, clock: Clock, *, hasher: PasswordHasher | None = None,
                 shop_zone: str = DEFAULT_SHOP_ZONE) -> None:
        """Args:
            db: the database runner.
            clock: the instant of sign-ins, changes and audit entries.
            hasher: argon2id parameters (default: argon2-cffi's); hashes made with others are
                rehashed at the next sign-in.
            shop_zone: the zone of the audit export's times.
        """
        self._db = db
        self._clock = clock
        self._hasher = hasher or DEFAULT_HASHER
        self._zone = ZoneInfo(shop_zone)

    # ------------------------------------------------------------------ anyone

    async def list_operators(self) -> tuple[OperatorInfo, ...]:
        """Every account (active first), for the sign-in list and the Operadores screen."""
        return await self._db.run(repo.list_operators)

    async def needs_owner(self) -> bool:
        """True on a first run: no active owner with a password."""
        return await self._db.run(lambda s: repo.active_owners(s, with_password=True) == 0)

    async def create_first_owner(self, name: str, password: str) -> Actor:
        """Create the shop's owner (the first-run wizard) and sign them in.

        Raises:
            OwnerExists: an active owner with a password exists (nothing created).
            OperatorNameInvalid, PasswordTooShort.
        """
        name, password = clean_name(name), check_password(password)
        now = self._clock.now()

        def work(session: Any) -> Actor:
            if repo.active_owners(session, with_password=True):
                raise OwnerExists()
            new = repo.add(session, name=name, role=Role.OWNER,
                           password_hash=hash_password(password, self._hasher), now=now)
            audit.append(session, action=FIRST_OWNER, operator_id=new,
                         object_type=repo.OBJECT_TYPE, object_id=new, now=now,
                         details={"name": name})
            return Actor(new, name, Role.OWNER)

        return await self._db.run(work)

    async def sign_in(self, operator_id: int, password: str) -> Actor:
        """Check the password of an active account and return who signed in (audited).

        Raises:
            OperatorNotFound: no such active account.
            NoPasswordSet: the account has no password yet.
            WrongPassword: the password does not match (the failure is audited).
            SignInLocked: `LOCK_AFTER` wrong passwords in a row: wait (growing with each
                further failure).
        """
        now = self._clock.now()
        attempt = await self._db.run(lambda s: self._attempt(s, operator_id, password, now,
                                                             repo.SIGN_IN))
        return self._outcome(attempt)

    async def change_own_password(self, operator_id: int, current: str, new: str) -> None:
        """An operator changes their own password, proving the current one.

        Raises:
            PasswordTooShort; and as `sign_in` for the current password.
        """
        check_password(new)
        now = self._clock.now()

        def work(session: Any) -> _Attempt:
            attempt = self._attempt(session, operator_id, current, now, None)
            if attempt.actor is not None:
                self._store_password(session, operator_id, new, operator_id, now, own=True)
            return attempt

        self._outcome(await self._db.run(work))

    def _attempt(self, session: Any, operator_id: int, password: str, now: datetime,
                 success_action: str | None) -> _Attempt:
        account = repo.account(session, operator_id, lock=True)
        if account is None or not account.active:
            raise OperatorNotFound(operator_id=operator_id)
        if account.password_hash is None:
            raise NoPasswordSet(name=account.name)
        failures, last = repo.failed_sign_ins(session, operator_id)
        until = locked_until(failures, last)
        if until is not None and now < until:
            return _Attempt(locked_for=_seconds(until - now), name=account.name)
        if not verify_password(account.password_hash, password, self._hasher):
            audit.append(session, action=repo.SIGN_IN_FAILED, operator_id=None,
                         object_type=repo.OBJECT_TYPE, object_id=operator_id, now=now,
                         details={"in_a_row": failures + 1})
            until = locked_until(failures + 1, now)
            return _Attempt(wrong=failures + 1, name=account.name,
                            locked_for=_seconds(until - now) if until else 0)
        if needs_rehash(account.password_hash, self._hasher):
            repo.set_fields(session, operator_id,
                            password_hash=hash_password(password, self._hasher))
        if success_action is not None:
            audit.append(session, action=success_action, operator_id=operator_id,
                         object_type=repo.OBJECT_TYPE, object_id=operator_id, now=now,
                         details={})
        return _Attempt(actor=Actor(operator_id, account.name, account.role))

    @staticmethod
    def _outcome(attempt: _Attempt) -> Actor:
        if attempt.actor is not None:
            return attempt.actor
        if attempt.locked_for:
            raise SignInLocked(name=attempt.name, seconds=attempt.locked_for)
        raise WrongPassword(limit=LOCK_AFTER)

    def _store_password(self, session: Any, target_id: int, password: str,
                        operator_id: int | None, now: datetime, *, own: bool = False) -> None:
        repo.set_fields(session, target_id, password_hash=hash_password(password, self._hasher))
        # also ends a run of failed sign-ins (`repo.failed_sign_ins`)
        audit.append(session, action=repo.PASSWORD_SET, operator_id=operator_id,
                     object_type=repo.OBJECT_TYPE, object_id=target_id, now=now,
                     details={"own": own})

    # ------------------------------------------------------------------ the owner

    @owner_only("operators.add", QT_TRANSLATE_NOOP("Roles", "cadastrar operadores"))
    async def add_operator(self, name: str, role: Role, password: str,
                           operator_id: int | None) -> OperatorInfo:
        """A new active account with its password (audited, without the password).

        Raises:
            OwnerOnly, OperatorNameInvalid, PasswordTooShort.
        """
        name, password, role = clean_name(name), check_password(password), Role(role)
        now = self._clock.now()

        def work(session: Any) -> OperatorInfo:
            new = repo.add(session, name=name, role=role,
                           password_hash=hash_password(password, self._hasher), now=now)
            audit.append(session, action=ADDED, operator_id=operator_id,
                         object_type=repo.OBJECT_TYPE, object_id=new, now=now,
                         details={"name": name, "role": role.value})
            return OperatorInfo(new, name, role, True, True)

        return await self._db.run(work)

    @owner_only("operators.set_password", QT_TRANSLATE_NOOP("Roles", "trocar a senha de outro "
                                                            "operador"))
    async def set_password(self, target_id: int, new: str, operator_id: int | None) -> None:
        """Give an account a new password (a forgotten one; also ends a sign-in lock).

        Raises:
            OwnerOnly, OperatorNotFound, PasswordTooShort.
        """
        check_password(new)
        now = self._clock.now()

        def work(session: Any) -> None:
            if repo.account(session, target_id) is None:
                raise OperatorNotFound(operator_id=target_id)
            self._store_password(session, target_id, new, operator_id, now)

        await self._db.run(work)

    @owner_only("operators.set_active", QT_TRANSLATE_NOOP("Roles", "ativar ou desativar "
                                                          "operadores"))
    async def set_active(self, target_id: int, active: bool, operator_id: int | None) -> None:
        """Disable an account (it can no longer sign in) or enable it again.

        Raises:
            OwnerOnly, OperatorNotFound, LastOwner (disabling the last active owner).
        """
        await self._change(target_id, operator_id, ACTIVE_SET, active=active)

    @owner_only("operators.set_role", QT_TRANSLATE_NOOP("Roles", "mudar o papel de operadores"))
    async def set_role(self, target_id: int, role: Role, operator_id: int | None) -> None:
        """Make an account owner or operator.

        Raises:
            OwnerOnly, OperatorNotFound, LastOwner (demoting the last active owner).
        """
        await self._change(target_id, operator_id, ROLE_SET, role=Role(role).value)

    async def _change(self, target_id: int, operator_id: int | None, action: str,
                      **values: object) -> None:
        now = self._clock.now()

        def work(session: Any) -> None:
            account = repo.account(session, target_id, lock=True)
            if account is None:
                raise OperatorNotFound(operator_id=target_id)
            before = {"active": account.active, "role": account.role.value}
            repo.set_fields(session, target_id, **values)
            if (account.active and account.role is Role.OWNER
                    and repo.active_owners(session) == 0):
                raise LastOwner(name=account.name)  # rolls the change back
            audit.append(session, action=action, operator_id=operator_id,
                         object_type=repo.OBJECT_TYPE, object_id=target_id, now=now,
                         details={"from": {k: before[k] for k in values}, "to": values})

        await self._db.run(work)

    # ------------------------------------------------------------------ the audit log

    @owner_only("audit.view", QT_TRANSLATE_NOOP("Roles", "ver o registro de auditoria"))
    async def audit_entries(self, operator_id: int | None, *, since: datetime | None = None,
                            until: datetime | None = None, action_prefix: str | None = None,
                            who: int | None = None, limit: int = PAGE,
                            offset: int = 0) -> tuple[AuditRow, ...]:
        """Audit entries, newest first: the period (`since` included, `until` not), actions
        starting with `action_prefix`, one operator's (`who`), a page of `limit` from `offset`.

        Raises:
            OwnerOnly.
        """
        return await self._db.run(lambda s: repo.audit_page(
            s, since=since, until=until, action_prefix=action_prefix, who=who, limit=limit,
            offset=offset))

    @owner_only("audit.export", QT_TRANSLATE_NOOP("Roles", "exportar o registro de auditoria"))
    async def export_audit(self, operator_id: int | None, target: Path, *,
                           since: datetime | None = None, until: datetime | None = None,
                           action_prefix: str | None = None, who: int | None = None) -> int:
        """Write the entries the filters select, oldest first, to a CSV Excel in pt-BR opens
        (UTF-8 with BOM, `;`), and audit the export. Returns how many entries were written.

        The file appears whole or not at all.

        Raises:
            OwnerOnly, ExportFailed.
        """
        target = target.expanduser().resolve()
        if not target.parent.is_dir():
            raise ExportFailed(path=str(target), detail="a pasta não existe")
        rows: list[AuditRow] = []
        after = 0
        while True:
            page = await self._db.run(partial(
                repo.audit_page, since=since, until=until, action_prefix=action_prefix, who=who,
                limit=PAGE, after_id=after))
            rows.extend(page)
            if len(page) < PAGE:
                break
            after = page[-1].id
        write_atomically(target, lambda tmp: write_csv(
            tmp, AUDIT_HEADERS, (audit_cells(row, self._zone) for row in rows)), suffix=".csv")
        now = self._clock.now()
        await self._db.run(lambda s: audit.append(
            s, action=AUDIT_EXPORTED, operator_id=operator_id, object_type="audit_log",
            object_id=None, now=now, details={"rows": len(rows)}))
        return len(rows)


def audit_cells(row: AuditRow, zone: ZoneInfo) -> tuple[str, ...]:
    """One entry as the export's cells: local time, who, action, object, its id, details."""
    who = row.who or (SYSTEM_NAME if row.operator_id is None else f"#{row.operator_id}")
    details = json.dumps(row.details, ensure_ascii=False, sort_keys=True) if row.details else ""
    return (row.at.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S"), who, row.action,
            row.object_type or "", row.object_id or "", details)


def _seconds(delta: Any) -> int:
    return max(1, int(delta.total_seconds() + 0.999))
