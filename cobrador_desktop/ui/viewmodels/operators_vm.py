"""Configurações › Operadores as the screen sees it: the accounts, and each change to them.

Every call names the signed-in operator (`SignedIn.operator_id`); the service decides (owner-only
changes, the last active owner kept, the password rule) and its refusal comes back as pt-BR text
on `failed`. A change that went through says so on `done` and the list is read again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.roles import OperatorInfo, Role
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.session import OperatorSource, SignedIn
from cobrador_desktop.ui.tasks import TaskRunner


class OperatorsViewModel(QObject):
    """Loads the operators and asks the service for changes."""

    #: the accounts (a tuple of OperatorInfo)
    loaded = Signal(object)
    #: a change was made: the confirmation, in pt-BR
    done = Signal(str)
    #: the service refused or failed: what happened and what to do, in pt-BR
    failed = Signal(str)

    def __init__(self, source: OperatorSource, session: SignedIn,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.session = session
        self.operators: tuple[OperatorInfo, ...] = ()
        self._tasks = TaskRunner("operators")

    def load(self) -> None:
        self._tasks.spawn(self._load(), "load")

    async def _load(self) -> None:
        try:
            self.operators = tuple(await self.source.list_operators())
        except KnownError as error:
            self.failed.emit(known_text(error))
            return
        self.loaded.emit(self.operators)

    def add(self, name: str, role: Role, password: str) -> None:
        self._change(lambda me: self.source.add_operator(name, role, password, me),
                     self.tr("{name} foi cadastrado e já pode entrar com a senha definida.")
                     .format(name=name))

    def reset_password(self, target: OperatorInfo, password: str) -> None:
        self._change(lambda me: self.source.set_password(target.id, password, me),
                     self.tr("Senha de {name} redefinida. Passe a nova senha a essa pessoa.")
                     .format(name=target.name))

    def set_active(self, target: OperatorInfo, active: bool) -> None:
        text = (self.tr("{name} foi reativado e pode entrar de novo.") if active
                else self.tr("{name} foi desativado e não consegue mais entrar."))
        self._change(lambda me: self.source.set_active(target.id, active, me),
                     text.format(name=target.name))

    def set_role(self, target: OperatorInfo, role: Role) -> None:
        text = (self.tr("{name} agora é dono da loja.") if role is Role.OWNER
                else self.tr("{name} agora é operador."))
        self._change(lambda me: self.source.set_role(target.id, role, me),
                     text.format(name=target.name))

    def change_own_password(self, current: str, new: str) -> None:
        me = self.session.operator_id
        if me is None:
            return
        self._change(lambda _me: self.source.change_own_password(me, current, new),
                     self.tr("Sua senha foi trocada. Use a nova senha da próxima vez."))

    def _change(self, call: Callable[[int | None], Awaitable[Any]], confirmation: str) -> None:
        self._tasks.spawn(self._run(call, confirmation), "change")

    async def _run(self, call: Callable[[int | None], Awaitable[Any]],
                   confirmation: str) -> None:
        try:
            await call(self.session.operator_id)
        except KnownError as error:
            self.failed.emit(known_text(error))
            return
        self.done.emit(confirmation)
        await self._load()

    def close(self) -> None:
        self._tasks.cancel_all()
