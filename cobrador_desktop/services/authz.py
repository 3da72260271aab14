"""Owner-only service calls, enforced in the services (issue 8), not by hiding buttons.

`@owner_only(action, what)` wraps an async service method that takes `operator_id` (by name,
positional or keyword) and has `self._db` (a `Runner`) and `self._clock`; `@owner_only_sync`
wraps a blocking function whose first parameter is `db` (a `SyncRunner`). Before the call:

- `operator_id` None is the system (command line, scheduler): allowed;
- otherwise the role is read from the database (an active operator) on the database thread; an
  operator, or an unknown or inactive id, gets an `access.denied` audit entry {action,
  operator_id} written in its own transaction and `OwnerOnly` raised: the call never runs, so
  nothing changes.

`OWNER_ONLY` (action -> qualified name) lists every owner-only call, so a test enumerates them
all. `require_owner` / `require_owner_sync` are the same check for code that decides inside a
call (confirming a CONFIRM-level send, saving secrets); `register` puts such an action in
`OWNER_ONLY`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from cobrador_desktop.domain.roles import OwnerOnly, Role
from cobrador_desktop.services.ports import Runner, SyncRunner
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.operators import active_role, exists

P = ParamSpec("P")
T = TypeVar("T")

DENIED_ACTION = "access.denied"
#: every owner-only action -> the qualified name of the call that enforces it
OWNER_ONLY: dict[str, str] = {}
#: what each action does, as the refusal names it ("mudar a régua"; pt-BR source)
WHAT: dict[str, str] = {}


def register(action: str, qualname: str, what: str) -> None:
    """Record an owner-only action (the decorators call it; call it for a check made inside)."""
    if OWNER_ONLY.get(action, qualname) != qualname:
        raise ValueError(f"owner-only action {action!r} registered twice")
    OWNER_ONLY[action] = qualname
    WHAT[action] = what


def _decide(operator_id: int, action: str, now: datetime) -> Callable[[Any], bool]:
    def work(session: Any) -> bool:
        if active_role(session, operator_id) is Role.OWNER:
            return True
        # an id that names no account is kept in the details only (the column is a reference)
        audit.append(session, action=DENIED_ACTION,
                     operator_id=operator_id if exists(session, operator_id) else None,
                     object_type="action", object_id=action, now=now,
                     details={"action": action, "operator_id": operator_id})
        return False
    return work


async def require_owner(db: Runner, operator_id: int | None, action: str, now: datetime,
                        what: str | None = None) -> None:
    """Allow the system (None) and an active owner; refuse and audit anyone else.

    Raises:
        OwnerOnly: `operator_id` is not an active owner (the refusal is committed, audited).
    """
    if operator_id is None:
        return
    if not await db.run(_decide(operator_id, action, now)):
        raise OwnerOnly(what=what or WHAT.get(action, action))


def require_owner_sync(db: SyncRunner, operator_id: int | None, action: str, now: datetime,
                       what: str | None = None) -> None:
    """`require_owner` for blocking callers (export, LGPD)."""
    if operator_id is None:
        return
    if not db.run_sync(_decide(operator_id, action, now)):
        raise OwnerOnly(what=what or WHAT.get(action, action))


def _operator_param(fn: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(fn)
    if "operator_id" not in signature.parameters:
        raise TypeError(f"{fn.__qualname__} takes no operator_id: it cannot be owner-only")
    return signature


def _operator_id(signature: inspect.Signature, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments["operator_id"]


def owner_only(action: str, what: str) -> Callable[[Callable[P, Awaitable[T]]],
                                                    Callable[P, Awaitable[T]]]:
    """Make an async service method owner-only (see the module docstring)."""
    def decorate(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        signature = _operator_param(fn)
        register(action, f"{fn.__module__}.{fn.__qualname__}", what)

        @functools.wraps(fn)
        async def checked(*args: P.args, **kwargs: P.kwargs) -> T:
            service: Any = args[0]
            await require_owner(service._db, _operator_id(signature, args, kwargs), action,
                                service._clock.now(), what)
            return await fn(*args, **kwargs)

        checked.owner_action = action  # type: ignore[attr-defined]
        return checked
    return decorate


def owner_only_sync(action: str, what: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Make a blocking function `fn(db, ..., operator_id=...)` owner-only; the audit entry's
    time is its `now` argument when it has one."""
    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        signature = _operator_param(fn)
        register(action, f"{fn.__module__}.{fn.__qualname__}", what)

        @functools.wraps(fn)
        def checked(*args: P.args, **kwargs: P.kwargs) -> T:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            now = bound.arguments.get("now") or datetime.now(UTC)
            require_owner_sync(bound.arguments["db"], bound.arguments["operator_id"], action,
                               now, what)
            return fn(*args, **kwargs)

        checked.owner_action = action  # type: ignore[attr-defined]
        return checked
    return decorate
