"""The static PIX BR Code ("PIX copia e cola"), per COMPLIANCE.md §6 (keys: `pix_keys`).

A static code is a string of EMV fields, each `ID` (2 digits) + `LEN` (2 digits) + `VALUE`, closed
by a CRC16. `build_charge` turns what the owner typed (a key written any usual way, the shop's name
and city with accents, an amount in centavos, a txid) into a normalised `PixCharge`; `encode_brcode`
writes it; `decode_brcode` reads a code back strictly (structure first, then the CRC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.money import format_decimal, parse_brl
from cobrador_desktop.domain.pix_keys import KEY_MAX, InvalidPixKey, PixKey, parse_pix_key
from cobrador_desktop.domain.text import fold, strip_accents

GUI = "br.gov.bcb.pix"
#: txid of a code that is not tied to one charge
NO_TXID = "***"
NAME_MAX, CITY_MAX = 25, 15
#: field 54 holds at most 10 integer digits: R$ 9.999.999.999,99
MAX_AMOUNT_CENTS = 10**12 - 1
_FIELD_MAX = 99

_TXID = re.compile(r"[A-Za-z0-9]{1,25}")
_NOT_MERCHANT_CHAR = re.compile(r"[^A-Z0-9 .,/-]")
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")
_SPACES = re.compile(r" +")
_AMOUNT_FIELD = re.compile(r"\d{1,10}\.\d{2}")
_HEAD = re.compile(r"[0-9]{4}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


class InvalidPixName(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Nome do recebedor PIX inválido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Informe o nome como o banco mostra na conta, com até 25 letras ou números.")


class InvalidPixCity(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Cidade do recebedor PIX inválida: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Informe a cidade da loja com letras, até 15 (ela é cortada se passar).")


class InvalidPixAmount(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Valor do PIX fora do permitido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "O valor precisa ser maior que zero e de no máximo 9.999.999.999,99.")


class InvalidTxid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Identificador da cobrança (txid) inválido: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use de 1 a 25 letras sem acento ou números, sem espaços nem símbolos.")


class InvalidPixInfo(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Informação adicional do PIX vazia ou longa demais: “{value}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Use um texto curto, sem dados pessoais (a chave e o texto juntos têm no máximo "
        "77 caracteres), por exemplo “Parcela 1 de 3”.")


class InvalidBrCode(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Código PIX copia e cola inválido: {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Copie o código de novo, inteiro, de onde ele veio; não altere nenhum caractere.")


# ------------------------------------------------------------------------- normalisation


def merchant_text(text: str, limit: int) -> str:
    """Name or city as field 59/60 carries it: `"Loja São João Ltda"` -> `"LOJA SAO JOAO LTDA"`.

    Accents dropped, upper case, anything outside `A-Z 0-9 space . , / -` made a space, spaces
    collapsed, cut to `limit` characters; "" when nothing is left.
    """
    upper = _NOT_MERCHANT_CHAR.sub(" ", fold(text).upper())
    return _SPACES.sub(" ", upper).strip()[:limit].strip()


def _info_text(text: str) -> str:
    """Field 26.02 keeps its case and punctuation, in printable ASCII."""
    return _SPACES.sub(" ", _NOT_PRINTABLE_ASCII.sub(" ", strip_accents(text))).strip()


def parse_pix_amount(text: str) -> int:
    """An amount typed for a PIX code (`150,00`, `150.00`, `R$ 1.234,56`) in centavos.

    Raises:
        InvalidAmount: the text is not an amount.
        InvalidPixAmount: zero, negative or above `MAX_AMOUNT_CENTS`.
    """
    cents = parse_brl(text)
    if not 0 < cents <= MAX_AMOUNT_CENTS:
        raise InvalidPixAmount(value=text)
    return cents


# -------------------------------------------------------------------------------- charge


@dataclass(frozen=True)
class PixCharge:
    """The fields of a static BR Code.

    Built normalised by `build_charge`, or read back by `decode_brcode` (then the key's check
    digits are not validated and name and city keep the case they came in).

    Attributes:
        key: field 26.01.
        name: field 59, 1-25 characters.
        city: field 60, 1-15 characters.
        amount_cents: field 54; None lets the payer type the amount.
        txid: field 62.05, `[A-Za-z0-9]{1,25}` or `***`.
        info: field 26.02, text shown to the payer, or None.

    Raises:
        InvalidInput: a field breaks its length or character rule (the subclass names which).
    """

    key: str
    name: str
    city: str
    amount_cents: int | None = None
    txid: str = NO_TXID
    info: str | None = None

    def __post_init__(self) -> None:
        if not 0 < len(self.key) <= KEY_MAX:
            raise InvalidPixKey(value=self.key)
        if not 0 < len(self.name) <= NAME_MAX:
            raise InvalidPixName(value=self.name)
        if not 0 < len(self.city) <= CITY_MAX:
            raise InvalidPixCity(value=self.city)
        amount = self.amount_cents
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
            raise TypeError(f"amount must be int centavos, got {type(amount).__name__}")
        if amount is not None and not 0 < amount <= MAX_AMOUNT_CENTS:
            raise InvalidPixAmount(value=format_decimal(amount))
        if self.txid != NO_TXID and not _TXID.fullmatch(self.txid):
            raise InvalidTxid(value=self.txid)
        if self.info is not None and (not self.info or _account_length(self) > _FIELD_MAX):
            raise InvalidPixInfo(value=self.info)


def build_charge(key: PixKey | str, name: str, city: str, *, amount_cents: int | None = None,
                 txid: str | None = None, info: str | None = None) -> PixCharge:
    """A charge from what the owner typed, normalised per COMPLIANCE.md §6.3.

    Args:
        key: a parsed key, or text for `parse_pix_key`.
        name: the account holder's name (accents and case do not matter; cut to 25).
        city: the shop's city (cut to 15).
        amount_cents: the amount, or None for "payer types it".
        txid: the charge's id; None or "" for `***`.
        info: a short text for the payer (26.02), e.g. "Parcela 1 de 3".

    Raises:
        InvalidInput: a subclass naming the field that cannot be used.
    """
    pix_key = parse_pix_key(key) if isinstance(key, str) else key
    merchant_name, merchant_city = merchant_text(name, NAME_MAX), merchant_text(city, CITY_MAX)
    if not merchant_name:
        raise InvalidPixName(value=name)
    if not merchant_city:
        raise InvalidPixCity(value=city)
    info_text = None if info is None else _info_text(info)
    if info is not None and not info_text:
        raise InvalidPixInfo(value=info)
    return PixCharge(key=pix_key.value, name=merchant_name, city=merchant_city,
                     amount_cents=amount_cents, txid=(txid or NO_TXID).strip(), info=info_text)


# ------------------------------------------------------------------------------- encoder


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _field(tag: str, value: str) -> str:
    if not 0 < len(value) <= _FIELD_MAX:
        raise ValueError(f"field {tag} must hold 1-99 characters, got {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def _account_length(charge: PixCharge) -> int:
    """Length of field 26's value: the GUI, the key and the optional text, each with its head."""
    return 4 + len(GUI) + 4 + len(charge.key) + (4 + len(charge.info) if charge.info else 0)


def _merchant_account(charge: PixCharge) -> str:
    info = _field("02", charge.info) if charge.info else ""
    return _field("00", GUI) + _field("01", charge.key) + info


def encode_brcode(charge: PixCharge) -> str:
    """The PIX copia-e-cola of `charge` (COMPLIANCE.md §6.1-6.2).

    Raises:
        InvalidBrCode: a field holds non-ASCII text (only a decoded code from elsewhere can).
    """
    fields = [_field("00", "01"), _field("26", _merchant_account(charge)),
              _field("52", "0000"), _field("53", "986")]
    if charge.amount_cents is not None:
        fields.append(_field("54", format_decimal(charge.amount_cents)))
    fields += [_field("58", "BR"), _field("59", charge.name), _field("60", charge.city),
               _field("62", _field("05", charge.txid))]
    body = "".join(fields) + "6304"
    if not body.isascii():
        # lengths count characters; in ASCII they are bytes too and the CRC is unambiguous
        raise InvalidBrCode(detail=QT_TRANSLATE_NOOP("KnownError", "há letras acentuadas"))
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


# ------------------------------------------------------------------------------- decoder


@dataclass(frozen=True)
class DecodedBrCode:
    """A static BR Code read back: its charge and the fields the charge does not keep."""

    charge: PixCharge
    #: field 01: None, "11" (reusable) or "12" (single use, only a hint for Pix)
    initiation: str | None
    merchant_category: str


def _bad(detail: str) -> InvalidBrCode:
    return InvalidBrCode(detail=detail)


def _tlv(text: str, offset: int = 0) -> tuple[dict[str, str], dict[str, int]]:
    """Walk `text` as ID-LEN-VALUE fields strictly: the values by id, in order of appearance,
    and where each value starts (`offset` places `text` in the whole code)."""
    fields: dict[str, str] = {}
    starts: dict[str, int] = {}
    at = 0
    while at < len(text):
        head = text[at:at + 4]
        where = f" {offset + at + 1}"  # the field's position, counted from 1
        if not _HEAD.fullmatch(head):
            raise _bad(QT_TRANSLATE_NOOP("KnownError", "campo malformado na posição") + where)
        tag, length = head[:2], int(head[2:])
        value = text[at + 4:at + 4 + length]
        if length == 0 or len(value) != length:
            raise _bad(QT_TRANSLATE_NOOP("KnownError", "o campo passa do tamanho declarado na posição")
                       + where)
        if tag in fields:
            raise _bad(QT_TRANSLATE_NOOP("KnownError", "campo repetido na posição") + where)
        fields[tag], starts[tag] = value, offset + at + 4
        at += 4 + length
    return fields, starts


def decode_brcode(payload: str) -> DecodedBrCode:
    """Read a static PIX copia-e-cola strictly (COMPLIANCE.md §6.4).

    The structure is checked before the CRC, so a code whose CRC is right but whose fields do not
    add up is refused too. The key's check digits are not validated (codes from elsewhere may
    use dummy keys).

    Raises:
        InvalidBrCode: with what is wrong.
    """
    text = payload.strip()
    fields, starts = _tlv(text)
    tags = list(fields)
    if not tags or tags[0] != "00" or fields["00"] != "01":
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "não começa com 000201"))
    if tags[-1] != "63" or not _HEX4.fullmatch(fields["63"]):
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "não termina com o CRC (6304…)"))
    if int(fields["63"], 16) != crc16_ccitt_false(text[:-4].encode("utf-8")):
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "o CRC não confere (código alterado ou incompleto)"))
    missing = [tag for tag in ("26", "52", "53", "58", "59", "60", "62") if tag not in fields]
    if missing:
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "faltam campos obrigatórios") + f" ({', '.join(missing)})")
    if fields.get("01", "11") not in ("11", "12"):
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "método de iniciação desconhecido"))
    account, _ = _tlv(fields["26"], starts["26"])
    if account.get("00", "").lower() != GUI:
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "não é um código PIX (GUI)"))
    if "01" not in account or "25" in account:
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "não é um código PIX estático (chave)"))
    if not _HEAD.fullmatch(fields["52"]) or fields["53"] != "986" or fields["58"] != "BR":
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "categoria, moeda ou país fora do padrão"))
    amount = fields.get("54")
    if amount is not None and not _AMOUNT_FIELD.fullmatch(amount):
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "valor fora do formato"))
    txid = _tlv(fields["62"], starts["62"])[0].get("05")
    if txid is None:
        raise _bad(QT_TRANSLATE_NOOP("KnownError", "falta o identificador (62.05)"))
    try:
        charge = PixCharge(key=account["01"], name=fields["59"], city=fields["60"],
                           amount_cents=None if amount is None else parse_brl(amount),
                           txid=txid, info=account.get("02"))
    except InvalidInput as err:
        raise _bad(err.message.rstrip(".")) from err
    return DecodedBrCode(charge=charge, initiation=fields.get("01"),
                         merchant_category=fields["52"])
