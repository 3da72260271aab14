"""What the Modelos screen shows about the shop's templates, and the errors of submitting them.

Pure records shared by `services.templates` and the UI; the texts are pt-BR sources (contexts
`TemplateScreen` and `KnownError`) the UI translates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.template_pack import SpecProblem

#: a pack template the account does not have yet (not a Meta status)
NOT_SUBMITTED = "NOT_SUBMITTED"
#: the only status Meta lets a template be sent in (WHATSAPP_CLOUD_API.md §2.6)
SENDABLE = "APPROVED"
STATUS_LABELS: Mapping[str, str] = {
    "APPROVED": QT_TRANSLATE_NOOP("TemplateScreen", "Aprovado"),
    "PENDING": QT_TRANSLATE_NOOP("TemplateScreen", "Em análise"),
    "REJECTED": QT_TRANSLATE_NOOP("TemplateScreen", "Rejeitado"),
    "PAUSED": QT_TRANSLATE_NOOP("TemplateScreen", "Pausado"),
    "DISABLED": QT_TRANSLATE_NOOP("TemplateScreen", "Desativado"),
    "IN_APPEAL": QT_TRANSLATE_NOOP("TemplateScreen", "Em recurso"),
    "PENDING_DELETION": QT_TRANSLATE_NOOP("TemplateScreen", "Em exclusão"),
    "DELETED": QT_TRANSLATE_NOOP("TemplateScreen", "Excluído"),
    "LIMIT_EXCEEDED": QT_TRANSLATE_NOOP("TemplateScreen", "Acima do limite"),
    "ARCHIVED": QT_TRANSLATE_NOOP("TemplateScreen", "Arquivado"),
    NOT_SUBMITTED: QT_TRANSLATE_NOOP("TemplateScreen", "Não enviado"),
}
QUALITY_LABELS: Mapping[str, str] = {
    "GREEN": QT_TRANSLATE_NOOP("TemplateScreen", "Alta"),
    "YELLOW": QT_TRANSLATE_NOOP("TemplateScreen", "Média"),
    "RED": QT_TRANSLATE_NOOP("TemplateScreen", "Baixa"),
    "UNKNOWN": QT_TRANSLATE_NOOP("TemplateScreen", "Sem avaliação"),
}


def is_usable(status: str) -> bool:
    """Whether a template in `status` may be sent (the send guard refuses every other)."""
    return status.upper() == SENDABLE


@dataclass(frozen=True)
class TemplateInfo:
    """One line of the Modelos table."""

    name: str
    language: str
    category: str
    #: Meta's status, or `NOT_SUBMITTED` for a pack template the account lacks
    status: str
    quality: str | None
    purpose: str | None
    rejected_reason: str | None
    in_pack: bool

    @property
    def usable(self) -> bool:
        return is_usable(self.status)


class SubmitOutcome(StrEnum):
    CREATED = "created"  # Meta took it for review (PENDING, or already APPROVED)
    EXISTS = "exists"  # the account already has it: nothing sent
    INVALID = "invalid"  # our own check found problems: nothing sent
    REFUSED = "refused"  # Meta refused it (error)


@dataclass(frozen=True)
class SubmitResult:
    """What happened to one pack template on "Enviar pacote"."""

    name: str
    purpose: str
    outcome: SubmitOutcome
    #: Meta's status after it (PENDING for a new one; the stored one when it existed)
    status: str | None = None
    error: KnownError | None = None
    problems: tuple[SpecProblem, ...] = ()


@dataclass(frozen=True)
class PreviewDebtor:
    """A debtor the preview can be filled for."""

    debtor_id: int
    name: str
    open_cents: int


@dataclass(frozen=True)
class VariableValue:
    """`{{n}}` of a template: what it stands for and the value for the chosen debtor."""

    number: int
    label: str
    value: str


@dataclass(frozen=True)
class TemplatePreview:
    """The template as the chosen debtor would read it.

    `text` is filled with the debtor's oldest open debt; without a debtor (or a debt) it shows
    Meta's example values. `buttons` are the quick-reply labels.
    """

    name: str
    purpose: str | None
    text: str
    variables: tuple[VariableValue, ...]
    buttons: tuple[str, ...]
    debtor_name: str | None = None
    #: why the debtor's values could not be used ("" when they were)
    note: str = ""
    status: str = NOT_SUBMITTED
    extra: Mapping[str, str] = field(default_factory=dict)


class NumberNotConfigured(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Nenhum número do WhatsApp está configurado neste computador.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Defina WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_WABA_ID e WHATSAPP_ACCESS_TOKEN "
        "(os dados do número no Gerenciador do WhatsApp) e abra o programa de novo.")


class ShopNotIdentified(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A identificação da loja ainda não foi preenchida.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Preencha nome fantasia e CNPJ em Configurações: todo modelo leva o nome "
        "e o CNPJ da loja.")


class TemplateNotFound(KnownError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "O modelo {nome} não foi encontrado.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Clique em “Atualizar status” e tente de novo.")
