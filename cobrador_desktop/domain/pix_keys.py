"""PIX keys (chaves PIX): the five kinds the DICT registers, read however the owner writes them.

CPF and CNPJ with their check digits, a Brazilian mobile in E.164, an e-mail in lower case or a
random key (EVP) as a lower-case UUID with hyphens: the form field 26.01 of a BR Code carries
(COMPLIANCE.md §6.1, §6.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cobrador_desktop.domain.documents import Document, DocumentType, parse_document
from cobrador_desktop.domain.errors import InvalidDocument, InvalidInput, InvalidPhone
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.phone import BrPhone, PhoneKind, parse_phone

#: longest key: the DICT's limit for e-mail keys
KEY_MAX = 77
_EVP = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)
# the DICT's rule for e-mail keys (local part without quotes or %; no IP-literal domains)
_EMAIL = re.compile(r"[a-z0-9.!#$&'*+/=?^_`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_CPF_WRITTEN = re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}")


class InvalidPixKey(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Chave PIX inválida: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use um CPF ou CNPJ válido, um celular com DDD (+55 11 98765-4321), um e-mail "
        "ou a chave aleatória (como 123e4567-e89b-12d3-a456-426614174000).")


class PixPhoneNotMobile(InvalidPixKey):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O telefone “{value}” não serve como chave PIX.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "A chave PIX de telefone é um celular brasileiro: informe o DDD e os 9 dígitos.")


class AmbiguousPixKey(InvalidPixKey):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” pode ser um CPF ou um celular.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escreva o CPF com pontos e traço (123.456.789-09) ou o celular com +55 "
        "(+55 11 98765-4321).")


class PixKeyKind(StrEnum):
    CPF = "cpf"
    CNPJ = "cnpj"
    PHONE = "phone"
    EMAIL = "email"
    EVP = "evp"


@dataclass(frozen=True)
class PixKey:
    """A PIX key in the form field 26.01 carries (`parse_pix_key` makes one)."""

    kind: PixKeyKind
    value: str


def parse_pix_key(text: str) -> PixKey:
    """Read a PIX key written any usual way.

    E-mail (lower-cased), random key (EVP, lower case with hyphens), `+55` phone, CPF or CNPJ
    (check digits validated, punctuation dropped). Bare digits that are both a valid CPF and a
    Brazilian mobile are refused as ambiguous unless written `123.456.789-09` or `(11) 9…`.

    Raises:
        InvalidPixKey: no kind of key fits (or the subclasses: a landline or foreign phone, an
            ambiguous CPF/phone).
    """
    raw = text.strip()
    if "@" in raw:
        email = raw.lower()
        if len(email) > KEY_MAX or not _EMAIL.fullmatch(email):
            raise InvalidPixKey(value=text)
        return PixKey(PixKeyKind.EMAIL, email)
    if _EVP.fullmatch(raw):
        hexes = raw.replace("-", "").lower()
        evp = f"{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-{hexes[20:]}"
        return PixKey(PixKeyKind.EVP, evp)
    if raw.startswith("+"):
        return _phone_key(_phone_or_none(raw), text)
    document, phone = _document_or_none(raw), _phone_or_none(raw)
    if document is not None and phone is not None:
        if _CPF_WRITTEN.fullmatch(raw):
            phone = None
        elif "(" in raw:
            document = None
        else:
            raise AmbiguousPixKey(value=text)
    if document is not None:
        kind = PixKeyKind.CPF if document.type is DocumentType.CPF else PixKeyKind.CNPJ
        return PixKey(kind, document.value)
    return _phone_key(phone, text)


def _phone_key(phone: BrPhone | None, text: str) -> PixKey:
    if phone is None:
        raise InvalidPixKey(value=text)
    if not phone.is_brazilian or phone.kind is not PhoneKind.MOBILE:
        # a PIX phone key is a Brazilian mobile (the DICT confirms it by SMS)
        raise PixPhoneNotMobile(value=text)
    return PixKey(PixKeyKind.PHONE, phone.e164)


def _document_or_none(raw: str) -> Document | None:
    try:
        return parse_document(raw)
    except InvalidDocument:
        return None


def _phone_or_none(raw: str) -> BrPhone | None:
    try:
        return parse_phone(raw)
    except InvalidPhone:
        return None
