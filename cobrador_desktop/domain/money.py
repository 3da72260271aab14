"""Money in Brazilian reais, held as integer centavos.

Amounts are never floats: a float cannot hold 0,10 exactly, and a collection app that is one
centavo off charges an undue amount (CDC art. 42). Everything here works on `int` centavos.
"""

from __future__ import annotations

import re

from cobrador_desktop.domain.errors import InvalidAmount

#: Largest amount accepted (just under one trillion reais): it keeps every value far inside a
#: 64-bit database column and rejects a pasted row of digits as an amount.
MAX_CENTS = 10**14 - 1

# Spaces people and spreadsheets put inside amounts: normal, no-break and narrow no-break.
_SPACE_CHARS = " \t\u00a0\u202f\u2007\u2009"
_MINUS_CHARS = "-\u2212\u2013"  # hyphen, minus sign, en dash (word processors turn "-" into them)
_AMOUNT = re.compile(
    rf"""
    ^(?P<sign1>[{_MINUS_CHARS}+]?)\s*
    (?:R\$)?\s*
    (?P<sign2>[{_MINUS_CHARS}+]?)\s*
    (?P<body>[0-9.,{_SPACE_CHARS}]*[0-9.,])$
    """,
    re.IGNORECASE | re.VERBOSE,
)


def parse_brl(text: str) -> int:
    """Read an amount in reais, as people write it, into centavos.

    Accepts `R$ 1.234,56`, `1234,56`, `1.234,56`, `1234.56`, `0,99`, `150`, `R$1.234.567,89`,
    no-break spaces and a leading minus (`-R$ 5,00`, `R$ -5,00`): negatives are returned as such,
    and callers that need a positive amount (the importer, the payment dialog) reject them.
    A lone dot followed by exactly three digits is a thousands separator, as in pt-BR
    (`1.234` is 1234 reais); followed by one or two digits it is the decimal point (`12.34`).

    Args:
        text: the amount as typed or read from a file.

    Returns:
        The amount in centavos.

    Raises:
        InvalidAmount: empty text, letters, more than two decimals, misplaced separators, or an
            amount above `MAX_CENTS`.
    """
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise InvalidAmount(value=text)
    sign1, sign2 = match.group("sign1"), match.group("sign2")
    if sign1 and sign2:
        raise InvalidAmount(value=text)
    negative = bool(sign1 or sign2) and (sign1 or sign2) != "+"
    cents = _parse_body(match.group("body").strip(_SPACE_CHARS), text)
    if cents > MAX_CENTS:
        raise InvalidAmount(value=text)
    return -cents if negative else cents


def _parse_body(body: str, original: str) -> int:
    """Centavos of an unsigned amount made of digits, `.`, `,` and spaces."""
    integer, decimals = _split_decimals(body, original)
    digits = _ungroup(integer, original)
    if not digits and not decimals:
        raise InvalidAmount(value=original)
    reais = int(digits) if digits else 0
    return reais * 100 + (int(decimals.ljust(2, "0")) if decimals else 0)


def _split_decimals(body: str, original: str) -> tuple[str, str]:
    """Split `body` at its decimal separator, deciding which of `.`/`,` is one.

    Returns the integer part (still grouped) and the 0-2 decimal digits.
    """
    last_dot, last_comma = body.rfind("."), body.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        # Both present: the later one is the decimal separator (1.234,56 or 1,234.56).
        position = max(last_dot, last_comma)
        separator = body[position]
        other = "," if separator == "." else "."
        if body.count(separator) != 1 or other in body[position:]:
            raise InvalidAmount(value=original)
        return _checked_split(body, position, original, grouping=other)
    if last_dot < 0 and last_comma < 0:
        return body, ""
    separator = "." if last_dot >= 0 else ","
    position = max(last_dot, last_comma)
    if body.count(separator) > 1:
        # 1.234.567 (or 1,234,567): only a thousands separator repeats.
        return body, ""
    after = body[position + 1:]
    if separator == "." and len(after) == 3 and after.isdigit():
        return body, ""  # pt-BR thousands: 1.234 is one thousand two hundred and thirty-four
    return _checked_split(body, position, original, grouping="")


def _checked_split(body: str, position: int, original: str, *, grouping: str) -> tuple[str, str]:
    decimals = body[position + 1:]
    if not (1 <= len(decimals) <= 2) or not decimals.isdigit():
        raise InvalidAmount(value=original)
    integer = body[:position]
    if grouping == "" and ("." in integer or "," in integer):
        raise InvalidAmount(value=original)
    return integer, decimals


def _ungroup(integer: str, original: str) -> str:
    """Remove thousands separators from the integer part, checking groups of three."""
    groups = re.split(rf"[.,{_SPACE_CHARS}]+", integer)
    separators = re.findall(rf"[.,{_SPACE_CHARS}]+", integer)
    if len(groups) == 1:
        return groups[0]
    # A run of separators ("1..234") or mixed ones ("1.234,567.890") is a typo, not an amount.
    kinds = {sep.strip(_SPACE_CHARS) or " " for sep in separators}
    if len(kinds) != 1 or any(len(sep.strip(_SPACE_CHARS)) > 1 for sep in separators):
        raise InvalidAmount(value=original)
    first, rest = groups[0], groups[1:]
    if not (1 <= len(first) <= 3) or any(len(group) != 3 for group in rest):
        raise InvalidAmount(value=original)
    return "".join(groups)


def format_brl(cents: int, *, symbol: bool = True) -> str:
    """Format centavos the pt-BR way: `R$ 1.234,56`, `-R$ 1,00`.

    Args:
        cents: the amount in centavos.
        symbol: when false, leave out `R$ ` (`1.234,56`), for input fields and tables whose
            header already says "R$".
    """
    _require_int(cents)
    sign = "-" if cents < 0 else ""
    reais, centavos = divmod(abs(cents), 100)
    grouped = f"{reais:,}".replace(",", ".")
    prefix = "R$ " if symbol else ""
    return f"{sign}{prefix}{grouped},{centavos:02d}"


def format_decimal(cents: int) -> str:
    """Format centavos as a plain decimal with a dot: `1234.56` (PIX field 54, JSON, CSV)."""
    _require_int(cents)
    sign = "-" if cents < 0 else ""
    reais, centavos = divmod(abs(cents), 100)
    return f"{sign}{reais}.{centavos:02d}"


def _require_int(cents: object) -> None:
    # A float or Decimal here is a bug upstream; failing loudly beats rounding silently.
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"amount must be int centavos, got {type(cents).__name__}")
