"""Who is signed in on this PC: the `Actor` every service call of the window names.

`SignedIn` holds the current `domain.roles.Actor` (None: nobody signed in) and says when it
changes; view-models ask it for `operator_id` at the moment they call a service, so switching
operator changes what the next call passes. `OperatorSource` is what the window needs of
`services.operators.OperatorService` (the app hands it a lazy one, tests a real one).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

if TYPE_CHECKING:
    from datetime import datetime

    from cobrador_desktop.domain.roles import Actor, Role

#: the role's value for the shop's owner (`domain.roles.Role.OWNER`)
OWNER = "owner"


class OperatorSource(Protocol):
    """The operators' service as the window uses it (`services.operators.OperatorService`)."""

    async def list_operators(self) -> Sequence[Any]: ...

    async def needs_owner(self) -> bool: ...

    async def sign_in(self, operator_id: int, password: str) -> Actor: ...

    async def add_operator(self, name: str, role: Role, password: str,
                           operator_id: int | None) -> Any: ...

    async def set_password(self, target_id: int, new: str, operator_id: int | None) -> Any: ...

    async def set_active(self, target_id: int, active: bool,
                         operator_id: int | None) -> Any: ...

    async def set_role(self, target_id: int, role: Role, operator_id: int | None) -> Any: ...

    async def change_own_password(self, operator_id: int, current: str, new: str) -> Any: ...

    async def audit_entries(self, operator_id: int | None, *, since: datetime | None = None,
                            until: datetime | None = None, action_prefix: str | None = None,
                            who: int | None = None, limit: int = 200,
                            offset: int = 0) -> Sequence[Any]: ...

    async def export_audit(self, operator_id: int | None, target: Path, *,
                           since: datetime | None = None, until: datetime | None = None,
                           action_prefix: str | None = None, who: int | None = None) -> int: ...


def role_label(role: str) -> str:
    """The role for people: "dono" or "operador"."""
    if role == OWNER:
        return QCoreApplication.translate("SignedIn", "dono")
    return QCoreApplication.translate("SignedIn", "operador")


def person_label(name: str, role: str) -> str:
    """"Ana (operador)"; a name that already says it in parentheses ("Rita (dona)") as it is."""
    if name.rstrip().endswith(")"):
        return name
    return f"{name} ({role_label(role)})"


def actor_label(actor: Actor | None) -> str | None:
    """The signed-in operator for the status bar; None when nobody is signed in."""
    return person_label(actor.name, str(actor.role)) if actor is not None else None


class SignedIn(QObject):
    """The operator working on this PC now."""

    #: the actor changed (the new `Actor`, or None after Sair)
    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._actor: Actor | None = None

    @property
    def actor(self) -> Actor | None:
        return self._actor

    @property
    def operator_id(self) -> int | None:
        """What service calls pass (None only when nobody signed in)."""
        return self._actor.operator_id if self._actor is not None else None

    @property
    def is_owner(self) -> bool:
        return self._actor is not None and str(self._actor.role) == OWNER

    @property
    def label(self) -> str | None:
        return actor_label(self._actor)

    def set_actor(self, actor: Actor | None) -> None:
        """Someone signed in (or, with None, signed out)."""
        if actor == self._actor:
            return
        self._actor = actor
        self.changed.emit(actor)

    def sign_out(self) -> None:
        self.set_actor(None)
