"""Operators (the owner and the team) and the audit log as the owner's viewer reads it.

Password hashes are written and read here and never leave `services.operators`. Failed sign-ins
are not a column: they are the audit log's `operator.sign_in_failed` entries since the last
`operator.sign_in` (or password change) of that account, read through the log's object index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.roles import AuditRow, OperatorInfo, Role
from cobrador_desktop.domain.text import fold
from cobrador_desktop.storage.orm import AuditEntry, Operator

OBJECT_TYPE = "operator"
SIGN_IN = "operator.sign_in"
SIGN_IN_FAILED = "operator.sign_in_failed"
PASSWORD_SET = "operator.password_set"  # noqa: S105 - an audit action, not a password
#: entries that end a run of failed sign-ins
_STREAK_ENDS = (SIGN_IN, PASSWORD_SET)


@dataclass(frozen=True)
class Account:
    """One operator with the password hash (for `services.operators` only)."""

    id: int
    name: str
    role: Role
    active: bool
    password_hash: str | None


def active_role(session: Session, operator_id: int) -> Role | None:
    """The role of an active operator, None for an unknown or inactive one."""
    role = session.execute(select(Operator.role).where(
        Operator.id == operator_id, Operator.active.is_(True))).scalar_one_or_none()
    return None if role is None else Role(role)


def exists(session: Session, operator_id: int) -> bool:
    """Whether an account (active or not) has this id."""
    return session.get(Operator, operator_id) is not None


def account(session: Session, operator_id: int, *, lock: bool = False) -> Account | None:
    stmt = select(Operator).where(Operator.id == operator_id)
    row = session.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()
    if row is None:
        return None
    return Account(row.id, row.name, Role(row.role), bool(row.active), row.password_hash)


def list_operators(session: Session) -> tuple[OperatorInfo, ...]:
    """Every account, active ones first, by name."""
    rows = session.execute(select(
        Operator.id, Operator.name, Operator.role, Operator.active,
        Operator.password_hash.is_not(None).label("has_password"))
        .order_by(Operator.active.desc(), Operator.name, Operator.id))
    return tuple(OperatorInfo(r.id, r.name, Role(r.role), bool(r.active), bool(r.has_password))
                 for r in rows)


def active_owners(session: Session, *, with_password: bool = False) -> int:
    """How many active owners there are (with a password set, when asked)."""
    stmt = select(func.count()).select_from(Operator).where(
        Operator.role == Role.OWNER.value, Operator.active.is_(True))
    if with_password:
        stmt = stmt.where(Operator.password_hash.is_not(None))
    return int(session.execute(stmt).scalar_one())


def add(session: Session, *, name: str, role: Role, password_hash: str | None,
        now: datetime) -> int:
    """A new active account; its login is made from the name, unique."""
    person = Operator(name=name, login=_free_login(session, name), role=role.value,
                      password_hash=password_hash, active=True, created_at=now)
    session.add(person)
    session.flush()
    return person.id


def _free_login(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", ".", fold(name)).strip(".")[:50] or "operador"
    taken = set(session.execute(select(Operator.login).where(
        Operator.login.like(f"{base}%"))).scalars())
    login, n = base, 1
    while login in taken:
        n += 1
        login = f"{base}.{n}"
    return login


def set_fields(session: Session, operator_id: int, **values: object) -> None:
    """Change `password_hash`, `active` or `role` of one account."""
    assert set(values) <= {"password_hash", "active", "role"}, values
    session.execute(update(Operator).where(Operator.id == operator_id).values(**values))


def failed_sign_ins(session: Session, operator_id: int, *, limit: int = 64
                    ) -> tuple[int, datetime | None]:
    """(wrong passwords in a row for this account, when the last one was)."""
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.at)
        .where(AuditEntry.object_type == OBJECT_TYPE, AuditEntry.object_id == str(operator_id),
               AuditEntry.action.in_((SIGN_IN_FAILED, *_STREAK_ENDS)))
        .order_by(AuditEntry.id.desc()).limit(limit)).all()
    failures, last = 0, None
    for row in rows:
        if row.action != SIGN_IN_FAILED:
            break
        failures += 1
        last = last or row.at
    return failures, last


def audit_page(session: Session, *, since: datetime | None = None,
               until: datetime | None = None, action_prefix: str | None = None,
               who: int | None = None, limit: int = 200, offset: int = 0,
               after_id: int | None = None) -> tuple[AuditRow, ...]:
    """Audit entries, newest first (or, with `after_id`, oldest first from there, for exports).

    Args:
        since, until: the period (`since` included, `until` excluded).
        action_prefix: "operator." keeps every operator action; an exact action works too.
        who: only this operator's entries.
        limit, offset: the page.
        after_id: read forward, by id, from after this entry (ignores `offset`).
    """
    stmt = select(AuditEntry, Operator.name).outerjoin(
        Operator, Operator.id == AuditEntry.operator_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    if action_prefix:
        escaped = action_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(AuditEntry.action.like(f"{escaped}%", escape="\\"))
    if who is not None:
        stmt = stmt.where(AuditEntry.operator_id == who)
    if after_id is not None:
        stmt = stmt.where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit)
    else:
        stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return tuple(_row(entry, name) for entry, name in session.execute(stmt).all())


def _row(entry: AuditEntry, name: str | None) -> AuditRow:
    return AuditRow(entry.id, entry.at, entry.operator_id, name, entry.action, entry.object_type,
                    entry.object_id, dict(entry.details or {}))


def names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Operator names by id."""
    if not ids:
        return {}
    rows = session.execute(select(Operator.id, Operator.name).where(Operator.id.in_(ids)))
    return {r.id: r.name for r in rows}


def refresh_accounts(session: Session, rows: Sequence[dict[str, object]]) -> int:
    """Bring accounts (by id) to the given name, role and password hash, adding missing ones
    (the demo's people, in a demo folder seeded before they had passwords). Returns how many
    rows were written."""
    written = 0
    for row in rows:
        person = session.get(Operator, row["id"])
        if person is None:
            session.add(Operator(**row))
        else:
            for key in ("name", "login", "role", "password_hash", "active"):
                setattr(person, key, row[key])
        written += 1
    session.flush()
    return written
