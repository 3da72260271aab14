"""What the inbox's one-click actions and template picker say (issue 6). Pure.

The actions (`send_action`): `pix` (the copia e cola of the open balance, worded as the
self-service "Quero o código PIX" reply: `domain.self_service.pix_reply`), `wa_link` (the shop's
wa.me link) and `call_offer` (a call offered, with the shop's `tel:` link when it has a phone).
Their texts are pt-BR content for the debtor, not program text (not translated with the
interface). The reasons a template cannot be chosen and the errors are program text
(`QT_TRANSLATE_NOOP`); `TemplateChoice.blocked_reason` carries the pt-BR source, as the send
guard's reasons do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

PIX, WA_LINK, CALL_OFFER = "pix", "wa_link", "call_offer"
ACTIONS = (PIX, WA_LINK, CALL_OFFER)

WA_LINK_TEXT = "Para falar com a {loja} pelo WhatsApp, é só tocar neste link: {link}"
CALL_OFFER_TEXT = ("Se preferir, podemos conversar por telefone. Responda aqui com o melhor dia "
                   "e horário para ligarmos para você.")
CALL_OFFER_PHONE = " Se quiser, ligue para nós: {tel}"

CONTEXT = "InboxTemplates"
#: why a template cannot be chosen, by Meta's status
STATUS_BLOCKS: Mapping[str, str] = {
    "PENDING": QT_TRANSLATE_NOOP(
        "InboxTemplates", "Em análise na Meta: só pode ser usado depois de aprovado."),
    "REJECTED": QT_TRANSLATE_NOOP(
        "InboxTemplates",
        "Rejeitado pela Meta: corrija o modelo na tela Modelos e envie de novo."),
    "PAUSED": QT_TRANSLATE_NOOP(
        "InboxTemplates",
        "Pausado pela Meta por causa de reclamações: aguarde ou use outro modelo."),
    "DISABLED": QT_TRANSLATE_NOOP("InboxTemplates", "Desativado pela Meta: use outro modelo."),
}
OTHER_STATUS = QT_TRANSLATE_NOOP("InboxTemplates", "Indisponível na Meta (situação {status}).")
UNKNOWN_NUMBER = QT_TRANSLATE_NOOP(
    "InboxTemplates", "Este número não está ligado a nenhum devedor: um modelo de cobrança não "
    "pode ser enviado a ele.")
NO_OPEN_DEBT = QT_TRANSLATE_NOOP(
    "InboxTemplates", "O devedor não tem valor em aberto para preencher este modelo.")
NO_DEBT = QT_TRANSLATE_NOOP(
    "InboxTemplates", "O devedor não tem dívida registrada para preencher este modelo.")
NO_VALUES = QT_TRANSLATE_NOOP(
    "InboxTemplates",
    "Não sabemos com que dados preencher este modelo (finalidade desconhecida).")


def status_block(status: str) -> str | None:
    """Why a template in `status` cannot be sent (None: APPROVED)."""
    status = status.upper()
    if status == "APPROVED":
        return None
    return STATUS_BLOCKS.get(status) or OTHER_STATUS.format(status=status)


_EMPTY_BRACKETS = re.compile(r"\(\s*\)")
_SPACE_BEFORE = re.compile(r"[ \t]+([,.;:!?)])")
_SPACES = re.compile(r"[ \t]{2,}")
_DANGLING = re.compile(r"[ \t]*:[ \t]*$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def fill_variables(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{name}` of `values` replaced; where a value is empty the text is tidied
    so it still reads well (no `()`, no space before a comma, no line ending in `:`)."""
    empty = False
    for key, value in values.items():
        marker = "{" + key + "}"
        if marker in text:
            text = text.replace(marker, value)
            empty = empty or not value
    if not empty:
        return text
    text = _EMPTY_BRACKETS.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _DANGLING.sub(".", text)
    text = text.replace(",.", ".").replace("..", ".")
    return _BLANK_LINES.sub("\n\n", text).strip()


# --------------------------------------------------------------------------- errors


class UnknownAction(KnownError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Ação desconhecida: {action}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use um dos botões do campo de resposta (PIX, link, ligação).")


class NothingOpen(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não há valor em aberto nesta conversa para enviar o PIX.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Confira na ficha do devedor se a dívida está registrada e em aberto.")


class PixNotConfigured(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A chave PIX da loja não está configurada.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Cadastre a chave, o nome e a cidade do PIX em Configurações e envie de "
        "novo.")


class ShopPhoneMissing(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O telefone da loja não está cadastrado.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Informe o telefone (o número de WhatsApp da loja) na identificação da loja "
        "em Configurações.")


class TemplateUnavailable(KnownError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "O modelo {name} não existe mais.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Atualize os modelos na tela Modelos e escolha outro.")


class OperatorNotActive(KnownError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não há operador ativo com o código {operator}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha um operador da lista, ou devolva a conversa para a fila.")
