"""What the first-run set-up wizard decides that is not Qt: the number's safety checklist (a
setting), the verify token, the webhook callback URL, and how Meta's quality rating and
messaging tier read in Portuguese.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, fields
from urllib.parse import urlsplit

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.settings import JsonSetting

CONTEXT = "Setup"


@dataclass(frozen=True)
class SafetyChecklist:
    """What the owner confirmed about the shop's WhatsApp number (each False until ticked)."""

    #: the WhatsApp Business profile shows the shop's name, address, hours and e-mail
    business_profile: bool = False
    #: two-step verification (a PIN) is on for the number
    two_step_verification: bool = False
    #: the number is used only for collections (not the shop's sales number)
    collections_only: bool = False
    #: the imported debtors' opt-in evidence (where each authorised WhatsApp messages) is kept
    opt_in_evidence: bool = False

    @property
    def done(self) -> int:
        """How many items are ticked."""
        return sum(1 for item in fields(self) if getattr(self, item.name))

    @property
    def total(self) -> int:
        return len(fields(self))


#: the checklist's items in screen order: (field name, caption, why it matters)
CHECKLIST_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("business_profile",
     QT_TRANSLATE_NOOP("Setup", "O perfil do WhatsApp Business está completo"),
     QT_TRANSLATE_NOOP("Setup", "Nome da loja, endereço, horário e e-mail no perfil: quem recebe "
                       "a cobrança reconhece a loja e denuncia menos.")),
    ("two_step_verification",
     QT_TRANSLATE_NOOP("Setup", "A confirmação em duas etapas está ligada"),
     QT_TRANSLATE_NOOP("Setup", "Um PIN de 6 dígitos no Gerenciador do WhatsApp impede que "
                       "alguém registre o número em outro lugar.")),
    ("collections_only",
     QT_TRANSLATE_NOOP("Setup", "O número é usado só para cobranças"),
     QT_TRANSLATE_NOOP("Setup", "Se a qualidade do número cair por causa das cobranças, as vendas "
                       "da loja não param junto.")),
    ("opt_in_evidence",
     QT_TRANSLATE_NOOP("Setup", "Tenho o registro de autorização (opt-in) dos devedores"),
     QT_TRANSLATE_NOOP("Setup", "A Meta exige a autorização de cada pessoa para mensagens da loja; "
                       "guarde onde e quando cada uma autorizou (ficha, contrato, site).")),
)

_CHECKLIST_CAPTION = QT_TRANSLATE_NOOP("Setup", "Segurança do número")


def check_checklist(value: object) -> SafetyChecklist:
    """A checklist from `SafetyChecklist` or its JSON form (unknown keys are ignored).

    Raises:
        InvalidInput: not a mapping, or an item that is not true/false.
    """
    if isinstance(value, SafetyChecklist):
        return value
    if not isinstance(value, dict):
        raise InvalidInput(value=_CHECKLIST_CAPTION)
    found: dict[str, bool] = {}
    for item in fields(SafetyChecklist):
        ticked = value.get(item.name, False)
        if not isinstance(ticked, bool):
            raise InvalidInput(value=f"{_CHECKLIST_CAPTION}: {item.name}")
        found[item.name] = ticked
    return SafetyChecklist(**found)


SAFETY_CHECKLIST: JsonSetting[SafetyChecklist] = JsonSetting(
    key="setup.safety_checklist", default=SafetyChecklist(), caption=_CHECKLIST_CAPTION,
    doc="What the owner confirmed about the number's safety in the set-up wizard (WhatsApp "
        "Business profile, two-step verification, a number only for collections, opt-in "
        "evidence); shown again whenever the wizard opens.",
    check=check_checklist, dump=asdict)


# ---------------------------------------------------------------- the webhook


def new_verify_token() -> str:
    """A fresh verify token for Meta's webhook handshake (random, URL-safe, 32 bytes)."""
    return secrets.token_urlsafe(32)


class WebhookUrlInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Endereço do webhook inválido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escreva o endereço completo, começando com https://, por exemplo "
        "https://cobranca.minhaloja.com.br/webhook.")


def callback_url(address: str) -> str:
    """The webhook URL Meta calls, from what the owner typed: a scheme and host are required;
    without a path, `/webhook` is added (the receiver's path, INTERFACES.md §3).

    Raises:
        WebhookUrlInvalid: not an http(s) address with a host.
    """
    text = address.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise WebhookUrlInvalid(value=address)
    if parts.path in ("", "/"):
        text = text.rstrip("/") + "/webhook"
    return text


def is_https(url: str) -> bool:
    """Meta only calls https:// addresses with a certificate it trusts."""
    return urlsplit(url).scheme == "https"


# ---------------------------------------------------------------- the number's health, in pt-BR

QUALITY_LABELS: dict[str, str] = {
    "GREEN": QT_TRANSLATE_NOOP("Setup", "Verde (boa)"),
    "YELLOW": QT_TRANSLATE_NOOP("Setup", "Amarela (atenção: muitos bloqueios ou denúncias)"),
    "RED": QT_TRANSLATE_NOOP("Setup", "Vermelha (os envios em massa ficam parados)"),
}
QUALITY_UNKNOWN = QT_TRANSLATE_NOOP("Setup", "Ainda sem avaliação (número novo)")

TIER_LABELS: dict[str, str] = {
    "TIER_50": QT_TRANSLATE_NOOP("Setup", "até 50 clientes por dia"),
    "TIER_250": QT_TRANSLATE_NOOP("Setup", "até 250 clientes por dia"),
    "TIER_1K": QT_TRANSLATE_NOOP("Setup", "até 1.000 clientes por dia"),
    "TIER_2K": QT_TRANSLATE_NOOP("Setup", "até 2.000 clientes por dia"),
    "TIER_10K": QT_TRANSLATE_NOOP("Setup", "até 10.000 clientes por dia"),
    "TIER_100K": QT_TRANSLATE_NOOP("Setup", "até 100.000 clientes por dia"),
    "TIER_UNLIMITED": QT_TRANSLATE_NOOP("Setup", "sem limite diário"),
}
TIER_UNKNOWN = QT_TRANSLATE_NOOP("Setup", "ainda não definido pela Meta")


def quality_label(rating: str | None) -> str:
    """Meta's quality rating (GREEN/YELLOW/RED, else not rated yet) as source text to translate."""
    return QUALITY_LABELS.get((rating or "").strip().upper(), QUALITY_UNKNOWN)


def tier_label(tier: str | None) -> str:
    """Meta's messaging limit tier (business-initiated conversations a day) as source text."""
    return TIER_LABELS.get((tier or "").strip().upper(), TIER_UNKNOWN)
