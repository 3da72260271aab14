"""Who uses the app and what they may do: the owner and the operators (issue 8). Pure.

The owner changes settings, the régua and templates, confirms CONFIRM-level sends, exports and
anonymises data, clears a wrong-party flag and manages operators; operators do the daily work.
`services.authz` enforces it in the services; the window only mirrors it.

Sign-in locks after `LOCK_AFTER` wrong passwords in a row, for a wait that doubles with each
further failure (`lock_seconds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cobrador_desktop.domain.errors import InvalidInput, KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

#: the shortest password accepted
MIN_PASSWORD = 8
#: wrong passwords in a row before sign-in waits
LOCK_AFTER = 5
#: the first wait, doubled for every further failure, up to `LOCK_MAX_SECONDS`
LOCK_FIRST_SECONDS = 30
LOCK_MAX_SECONDS = 15 * 60
#: the longest operator name
MAX_NAME = 120


class Role(StrEnum):
    """What a person may do (the `operators.role` column)."""

    OWNER = "owner"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Actor:
    """Who is at the keyboard: `operator_id` None is the system (command line, scheduler)."""

    operator_id: int | None
    name: str
    role: Role

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER


#: the program itself (command line, scheduler, webhooks): allowed everything, audited as nobody
SYSTEM = Actor(None, "Sistema", Role.OWNER)


@dataclass(frozen=True)
class OperatorInfo:
    """One account, as the Operadores screen lists it (never the password hash)."""

    id: int
    name: str
    role: Role
    active: bool
    has_password: bool


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the owner's viewer shows it.

    `who` is the operator's name, None for the system; `details` are the entry's facts (a
    reason or note among them, when one was given).
    """

    id: int
    at: datetime
    operator_id: int | None
    who: str | None
    action: str
    object_type: str | None
    object_id: str | None
    details: dict[str, object]


def lock_seconds(failures: int) -> int:
    """How long sign-in waits after `failures` wrong passwords in a row (0: no wait)."""
    if failures < LOCK_AFTER:
        return 0
    wait: int = LOCK_FIRST_SECONDS * 2 ** min(failures - LOCK_AFTER, 16)
    return min(wait, LOCK_MAX_SECONDS)


def locked_until(failures: int, last_failure_at: datetime | None) -> datetime | None:
    """Until when sign-in is locked, or None when it is not."""
    wait = lock_seconds(failures)
    if not wait or last_failure_at is None:
        return None
    return last_failure_at + timedelta(seconds=wait)


def check_password(password: str) -> str:
    """The password as typed, when the rule allows it.

    Raises:
        PasswordTooShort: fewer than `MIN_PASSWORD` characters.
    """
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShort(minimum=MIN_PASSWORD)
    return password


def clean_name(name: str) -> str:
    """An operator's name, spaces tidied.

    Raises:
        OperatorNameInvalid: empty or longer than `MAX_NAME`.
    """
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise OperatorNameInvalid(limit=MAX_NAME)
    return cleaned


# --------------------------------------------------------------------------- errors


class OwnerOnly(KnownError):
    """An operator asked for what only the owner may do; nothing was changed."""

    message_template = QT_TRANSLATE_NOOP("KnownError", "Só o dono da loja pode {what}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Entre como dono (menu Operador › Trocar operador) ou peça ao dono.")


class WrongPassword(KnownError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Senha incorreta.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Confira a senha (maiúsculas contam) e tente de novo. Depois de {limit} tentativas "
        "erradas seguidas, é preciso esperar um pouco.")


class SignInLocked(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Muitas senhas erradas seguidas para {name}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Espere {seconds} segundos e tente de novo, ou peça ao dono para trocar a senha.")


class PasswordTooShort(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A senha precisa ter pelo menos {minimum} caracteres.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha uma senha mais longa, por exemplo uma frase curta.")


class OperatorNameInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Informe o nome do operador (até {limit} caracteres).")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Use o nome pelo qual a equipe o conhece.")


class OperatorNotFound(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Operador não encontrado ou desativado (código {operator_id}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha um operador ativo da lista ou peça ao dono para reativá-lo.")


class NoPasswordSet(KnownError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "{name} ainda não tem senha.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Peça ao dono para definir uma senha em Configurações › Operadores.")


class OwnerExists(KnownError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "A loja já tem um dono cadastrado.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Entre como dono; outros operadores são criados em Configurações › "
        "Operadores.")


class LastOwner(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "{name} é o único dono ativo da loja.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Torne outro operador dono antes de rebaixar ou desativar este.")


class ReasonRequired(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Escreva o motivo.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "O motivo fica no registro de auditoria, com quem fez e quando.")


def clean_reason(reason: str | None, limit: int = 500) -> str:
    """A reason or note the owner gives for a sensitive action, spaces tidied.

    Raises:
        ReasonRequired: nothing but spaces.
    """
    cleaned = " ".join((reason or "").split())[:limit]
    if not cleaned:
        raise ReasonRequired()
    return cleaned
