"""The shop's WhatsApp number as saved in the settings table: only what is not a secret.

The phone number id, the WhatsApp Business Account id and the Cloud API address are shared by
every PC on the database; the access token, app secret and verify token never live here (they are
kept by `app.secrets`, in the OS keyring or the encrypted file, and the environment overrides
both). The declaration follows `domain.settings`' pattern: one `JsonSetting`, checked on save.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.settings import JsonSetting

#: Meta's Graph API with the version WHATSAPP_CLOUD_API.md recommends (also `app.config`'s default)
DEFAULT_API_BASE_URL = "https://graph.facebook.com/v25.0"

#: the connection's secrets, kept by `app.secrets` (never in the database)
SECRET_NAMES = ("access_token", "app_secret", "verify_token")
#: the environment variable that overrides each secret (INTERFACES.md §2)
SECRET_ENV = {"access_token": "WHATSAPP_ACCESS_TOKEN", "app_secret": "WHATSAPP_APP_SECRET",
              "verify_token": "WHATSAPP_VERIFY_TOKEN"}
#: the environment variable that overrides each saved field
FIELD_ENV = {"phone_number_id": "WHATSAPP_PHONE_NUMBER_ID", "waba_id": "WHATSAPP_WABA_ID",
             "api_base_url": "WHATSAPP_API_BASE_URL"}

_ID = re.compile(r"^\d{5,30}$")

_CAPTIONS = {
    "phone_number_id": QT_TRANSLATE_NOOP("Settings", "Identificação do número (Phone number ID)"),
    "waba_id": QT_TRANSLATE_NOOP("Settings", "Conta do WhatsApp Business (WABA ID)"),
    "api_base_url": QT_TRANSLATE_NOOP("Settings", "Endereço da API do WhatsApp"),
}


class ConnectionIdInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve para “{setting}”: use só os números que a Meta mostra.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Copie o número do Gerenciador do WhatsApp (API Setup); nada foi salvo.")


class ConnectionUrlInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve para “{setting}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use um endereço http:// ou https:// sem usuário nem senha (por exemplo "
        "https://graph.facebook.com/v25.0), ou deixe em branco para o padrão; nada foi salvo.")


class ConnectionFieldUnknown(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A conexão com o WhatsApp não tem o campo “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Só o número, a conta e o endereço da API ficam no banco; o token e os "
        "segredos são salvos à parte. Nada foi salvo.")


@dataclass(frozen=True)
class ConnectionFields:
    """The non-secret half of the connection to the shop's number (None: not given yet)."""

    phone_number_id: str | None = None
    waba_id: str | None = None
    #: None means Meta's Graph API (`DEFAULT_API_BASE_URL`)
    api_base_url: str | None = None

    @property
    def base_url(self) -> str:
        return self.api_base_url or DEFAULT_API_BASE_URL


FIELD_NAMES = tuple(ConnectionFields.__dataclass_fields__)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_id(value: object, name: str) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    if not _ID.match(text):
        raise ConnectionIdInvalid(value=text, setting=_CAPTIONS[name])
    return text


def _check_url(value: object) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc \
            or parts.query or parts.fragment or any(c.isspace() for c in text):
        raise ConnectionUrlInvalid(value=text, setting=_CAPTIONS["api_base_url"])
    return text


def check_connection(value: object) -> ConnectionFields:
    """The fields from `ConnectionFields` or a form's mapping; blank ones become None.

    Raises:
        ConnectionIdInvalid: an id that is not only digits.
        ConnectionUrlInvalid: an address that is not plain http(s).
        ConnectionFieldUnknown: a field that is not one of `FIELD_NAMES` (a secret has no
            place here).
    """
    if value is None:
        return ConnectionFields()
    if isinstance(value, ConnectionFields):
        raw: Mapping[str, object] = asdict(value)
    elif isinstance(value, Mapping):
        raw = value
    else:
        raise ConnectionFieldUnknown(value=type(value).__name__)
    unknown = set(raw) - set(FIELD_NAMES)
    if unknown:
        raise ConnectionFieldUnknown(value=", ".join(sorted(map(str, unknown))))
    return ConnectionFields(phone_number_id=_check_id(raw.get("phone_number_id"),
                                                      "phone_number_id"),
                            waba_id=_check_id(raw.get("waba_id"), "waba_id"),
                            api_base_url=_check_url(raw.get("api_base_url")))


def dump_connection(fields: ConnectionFields) -> object:
    return {name: value for name, value in asdict(fields).items() if value is not None}


CONNECTION: JsonSetting[ConnectionFields] = JsonSetting(
    key="whatsapp.connection", default=ConnectionFields(),
    caption=QT_TRANSLATE_NOOP("Settings", "Conexão com o WhatsApp"),
    doc="The shop's number at Meta: phone number id, WABA id and the Cloud API address (the "
        "emulator's in tests). The WHATSAPP_* environment variables override each field; the "
        "token and secrets are kept apart (app.secrets), never in this table.",
    check=check_connection, dump=dump_connection)
