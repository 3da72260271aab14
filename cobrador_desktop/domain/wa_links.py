"""Links that open a conversation: WhatsApp click-to-chat (`wa.me`) and `tel:` for a phone call.

A `wa.me` link sent by SMS lets the debtor start the conversation with the shop's number (and so
open the 24-hour window without a paid template); its prefilled text is only a suggestion the
person can edit before sending. A `tel:` link serves the "Prefiro uma ligação" tasks: one click
dials the debtor.
"""

from __future__ import annotations

from urllib.parse import quote

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.phone import parse_phone, wa_id_for

WA_ME = "https://wa.me/"
#: longest link we hand out: browsers, SMS apps and link shorteners all keep 2,000 characters
#: (far below WhatsApp's own 4,096-character message limit, so that one never binds first)
LINK_MAX = 2000


class ChatTextTooLong(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O texto da mensagem é longo demais para caber no link ({length} caracteres "
        "no link; o limite é {limit}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Encurte o texto: letras acentuadas e símbolos ocupam mais espaço no link.")


def whatsapp_link(phone: str, text: str | None = None) -> str:
    """A click-to-chat link: `https://wa.me/5511987654321?text=Ol%C3%A1`.

    Args:
        phone: the number the conversation is with, written any Brazilian way or in E.164
            (`+` and another country code for a foreign number).
        text: a message to prefill (UTF-8, percent-encoded); None or blank for none.

    Raises:
        InvalidPhone: the number cannot be read.
        ChatTextTooLong: the link with the encoded text passes `LINK_MAX` characters.
    """
    link = WA_ME + wa_id_for(parse_phone(phone).e164)
    if text is None or not text.strip():
        return link
    link += "?text=" + quote(text.strip(), safe="")
    if len(link) > LINK_MAX:
        raise ChatTextTooLong(length=len(link), limit=LINK_MAX)
    return link


def call_link(phone: str) -> str:
    """A `tel:` link in the global form of RFC 3966: `tel:+5511987654321`.

    Raises:
        InvalidPhone: the number cannot be read.
    """
    return "tel:" + parse_phone(phone).e164
