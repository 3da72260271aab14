"""Brazilian phone numbers: any writing to E.164, the 9th digit, DDD to state and time zone.

Shops type numbers every way Brazilians write them (`(11) 8765-4321`, `0xx11 98765-4321`,
`021 21 98888-7777`, `+55 11 9 8765-4321`). We normalise the national part ourselves, because
`phonenumbers` rejects the pre-2016 eight-digit mobiles still found in old registers, and then
check the result against `phonenumbers`' own Brazilian metadata (the same patterns and lengths
`is_valid_number` applies, compiled once: parsing the E.164 back through the library cost ~70 µs a
number, the bulk of an import's validation). Foreign numbers need an explicit `+` and go through
`phonenumbers` whole.

WhatsApp identifies a user by `wa_id`, the international number as digits, and for accounts
created before the 9th digit it keeps the old 12-digit form (`551187654321` for the stored
`+5511987654321`, see WHATSAPP_CLOUD_API.md §5), so matching must try both forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import timezone as phone_timezone
from phonenumbers.phonemetadata import PhoneMetadata

from cobrador_desktop.domain.data_files import data_table
from cobrador_desktop.domain.errors import InvalidPhone

BRAZIL_CODE = "55"

_ALLOWED = re.compile(r"^[0-9+()\-.\s/xX\u00a0\u2010-\u2013]*$")
# "0xx11" / "0 XX 11": the old way to say "0 + your carrier's code + DDD".
_CARRIER_PLACEHOLDER = re.compile(r"0\s*[xX]\s*[xX]")
_NON_DIGITS = re.compile(r"\D")


class PhoneKind(StrEnum):
    """What kind of line a number is."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class BrPhone:
    """A parsed phone number.

    Attributes:
        e164: `+5511987654321`.
        kind: mobile, landline or unknown (foreign numbers whose plan does not tell).
        ddd: two-digit area code for Brazilian numbers, else None.
        uf: state of the DDD (the main one where a DDD serves two), else None.
        timezones: IANA zones the number may be in, most likely first; empty when unknown.
    """

    e164: str
    kind: PhoneKind
    ddd: str | None
    uf: str | None
    timezones: tuple[str, ...]

    @property
    def is_brazilian(self) -> bool:
        return self.e164.startswith("+" + BRAZIL_CODE)

    @property
    def national(self) -> str:
        """`(11) 98765-4321` for Brazil; the international form (`+1 415-555-2671`) otherwise."""
        number = phonenumbers.parse(self.e164, None)
        style = (phonenumbers.PhoneNumberFormat.NATIONAL if self.is_brazilian
                 else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return str(phonenumbers.format_number(number, style))

    @property
    def ufs(self) -> tuple[str, ...]:
        """Every state the DDD serves, main one first (`("DF", "GO")` for 61)."""
        return ufs_for_ddd(self.ddd) if self.ddd else ()

    @property
    def wa_id(self) -> str:
        """The WhatsApp id this number would have if registered with its current digits."""
        return wa_id_for(self.e164)


def parse_phone(text: str) -> BrPhone:
    """Read a phone number written any Brazilian way.

    Without a `+`, the number is Brazilian: an optional `55`, `0` + DDD or `0` + carrier code +
    DDD (`0xx11`, `0 21 11`), then 8 or 9 digits. An 8-digit mobile (first digit 6-9) gets the
    9th digit; an 8-digit number starting 2-5 is a landline. With `+` and another country code
    the number is taken as foreign and validated by `phonenumbers`.

    Raises:
        InvalidPhone: letters, too few or too many digits, an unknown DDD, or a number that no
            numbering plan accepts.
    """
    cleaned = text.strip()
    if not cleaned or not _ALLOWED.match(cleaned) or cleaned.count("+") > 1:
        raise InvalidPhone(value=text)
    if "+" in cleaned and not cleaned.startswith("+"):
        raise InvalidPhone(value=text)
    digits = _NON_DIGITS.sub("", _CARRIER_PLACEHOLDER.sub("0", cleaned) if "x" in cleaned
                             or "X" in cleaned else cleaned)
    national: str | None
    if cleaned.startswith("+"):
        if not digits.startswith(BRAZIL_CODE):
            return _parse_foreign(digits, text)
        national = digits[len(BRAZIL_CODE):]
    else:
        national = _strip_brazilian_prefixes(digits)
    if national is None:
        raise InvalidPhone(value=text)
    return _brazilian(national, text)


def _strip_brazilian_prefixes(digits: str) -> str | None:
    """DDD + subscriber digits of a number written without `+`; None if no form fits."""
    if digits.startswith("00" + BRAZIL_CODE):  # international prefix written European style
        digits = digits[2:]
    if digits.startswith("0"):
        # 0 + DDD + number (11/12 digits) or 0 + carrier + DDD + number (13/14 digits).
        if len(digits) in (11, 12):
            return digits[1:]
        if len(digits) in (13, 14):
            return digits[3:]
        return None
    if len(digits) in (10, 11):
        return digits
    # 12 or 13 digits can only carry the country code: DDD + number is at most 11.
    if len(digits) in (12, 13) and digits.startswith(BRAZIL_CODE):
        return digits[len(BRAZIL_CODE):]
    return None


def _brazilian(national: str, original: str) -> BrPhone:
    ddd, subscriber = national[:2], national[2:]
    entry = _ddd_table().get(ddd)
    if entry is None:
        raise InvalidPhone(value=original)
    if len(subscriber) == 9 and subscriber[0] == "9":
        kind = PhoneKind.MOBILE
    elif len(subscriber) == 8 and subscriber[0] in "6789":
        kind, subscriber = PhoneKind.MOBILE, "9" + subscriber  # Anatel's 9th digit (2012-2016)
    elif len(subscriber) == 8 and subscriber[0] in "2345":
        kind = PhoneKind.LANDLINE
    else:
        raise InvalidPhone(value=original)
    if not is_valid_brazilian_national(ddd + subscriber):
        raise InvalidPhone(value=original)
    return BrPhone(e164=f"+{BRAZIL_CODE}{ddd}{subscriber}", kind=kind, ddd=ddd, uf=entry.uf,
                   timezones=entry.zones)


def is_valid_brazilian_national(national: str) -> bool:
    """Whether `phonenumbers.is_valid_number` accepts `+55` + `national` (DDD + subscriber digits).

    The library's own rule on its own Brazilian metadata, without parsing: the number matches the
    general pattern and length, and the pattern and lengths of some number type (fixed line,
    mobile, toll free…). The property tests compare both over generated numbers.

    Digits starting with Brazil's national prefix (`0`, `90`; no DDD does) are left to the
    library, which strips such a prefix before checking.
    """
    if national.startswith(("0", "90")) or not national.isdigit():
        try:
            number = phonenumbers.parse("+" + BRAZIL_CODE + national, None)
        except phonenumbers.NumberParseException:
            return False
        return bool(phonenumbers.is_valid_number(number))
    general, types = _br_patterns()
    if not _matches(general, national):
        return False
    return any(_matches(desc, national) for desc in types)


_Desc = tuple[re.Pattern[str], frozenset[int]]


def _matches(desc: _Desc, national: str) -> bool:
    pattern, lengths = desc
    return (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None


@cache
def _br_patterns() -> tuple[_Desc, tuple[_Desc, ...]]:
    """Brazil's general description and number-type descriptions from `phonenumbers`' metadata."""
    metadata = PhoneMetadata.metadata_for_region("BR")
    assert metadata is not None

    def compiled(desc: Any) -> _Desc | None:
        if desc is None or not desc.national_number_pattern:
            return None
        return re.compile(desc.national_number_pattern), frozenset(desc.possible_length or ())

    general = compiled(metadata.general_desc)
    assert general is not None
    # the usual kinds first: a number is valid when any kind matches, and the check stops there
    kinds = (metadata.mobile, metadata.fixed_line, metadata.premium_rate, metadata.toll_free,
             metadata.shared_cost, metadata.voip, metadata.personal_number, metadata.pager,
             metadata.uan, metadata.voicemail)
    return general, tuple(d for d in map(compiled, kinds) if d is not None)


def _parse_foreign(digits: str, original: str) -> BrPhone:
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(value=original) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(value=original)
    number_type = phonenumbers.number_type(number)
    if number_type == phonenumbers.PhoneNumberType.MOBILE:
        kind = PhoneKind.MOBILE
    elif number_type == phonenumbers.PhoneNumberType.FIXED_LINE:
        kind = PhoneKind.LANDLINE
    else:
        kind = PhoneKind.UNKNOWN
    zones = tuple(zone for zone in phone_timezone.time_zones_for_number(number)
                  if zone != phone_timezone.UNKNOWN_TIMEZONE)
    e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return BrPhone(e164=e164, kind=kind, ddd=None, uf=None, timezones=zones)


# ---------------------------------------------------------------- DDD table


@dataclass(frozen=True)
class _DddEntry:
    uf: str
    also: tuple[str, ...]
    zones: tuple[str, ...]


@cache
def _ddd_table() -> dict[str, _DddEntry]:
    table: dict[str, Any] = data_table("ddd.toml")["ddd"]
    return {
        str(ddd): _DddEntry(uf=row["uf"], also=tuple(row.get("also", ())),
                            zones=tuple(row["zones"]))
        for ddd, row in table.items()
    }


def known_ddds() -> tuple[str, ...]:
    """Every Brazilian area code in use, ascending."""
    return tuple(sorted(_ddd_table()))


def uf_for_ddd(ddd: str) -> str | None:
    """The state of an area code (`"11"` -> `"SP"`; `"61"` -> `"DF"`, which shares it with GO)."""
    entry = _ddd_table().get(ddd)
    return entry.uf if entry else None


def ufs_for_ddd(ddd: str) -> tuple[str, ...]:
    """Every state an area code serves, main one first; empty for an unknown DDD."""
    entry = _ddd_table().get(ddd)
    return (entry.uf, *entry.also) if entry else ()


def timezones_for_ddd(ddd: str) -> tuple[str, ...]:
    """IANA zones an area code can be in, most populous first; empty for an unknown DDD.

    Two zones where the DDD spans both: 97 (America/Manaus, America/Eirunepe) and 81
    (America/Recife, America/Noronha).
    """
    entry = _ddd_table().get(ddd)
    return entry.zones if entry else ()


# ---------------------------------------------------------------- WhatsApp ids


def wa_id_for(e164: str) -> str:
    """The `wa_id` form of a number, its digits: `+5511987654321` -> `5511987654321`."""
    return re.sub(r"\D", "", e164)


def e164_candidates_for_wa_id(wa_id: str) -> tuple[str, ...]:
    """The E.164 numbers a `wa_id` may stand for, most likely first.

    A Brazilian mobile id without the 9th digit (`551187654321`) gives the stored form with it
    first (`+5511987654321`), then the literal one; a 13-digit mobile id gives itself, then the
    form without the 9th digit. Landlines and foreign ids give only themselves.
    """
    digits = wa_id_for(wa_id)
    if not digits:
        return ()
    literal = "+" + digits
    variant = _br_variant(digits)
    if variant is None:
        return (literal,)
    if len(digits) == 12:
        return ("+" + variant, literal)
    return (literal, "+" + variant)


def wa_id_matches(wa_id: str, e164: str) -> bool:
    """Whether a `wa_id` from Meta belongs to a stored number, allowing the missing 9th digit."""
    wa_digits, stored = wa_id_for(wa_id), wa_id_for(e164)
    if not wa_digits or not stored:
        return False
    return wa_digits == stored or _br_variant(wa_digits) == stored


def _br_variant(digits: str) -> str | None:
    """The other form of a Brazilian mobile (with/without the 9th digit), else None.

    The relation is its own inverse. A core starting 2-5 has no variant either way: the 12-digit
    form would be a landline, which may well be someone else (`551133334444` is not
    `+5511933334444`).
    """
    if not digits.startswith(BRAZIL_CODE) or digits[2:4] not in _ddd_table():
        return None
    local = digits[4:]
    if len(digits) == 13 and local[0] == "9" and local[1] not in "2345":
        return digits[:4] + local[1:]
    if len(digits) == 12 and local[0] not in "2345":
        return digits[:4] + "9" + local
    return None
