"""Showing a stored phone number, fast.

Lists format hundreds of numbers per page, and the `phonenumbers` library costs ~100 ms to import:
a stored Brazilian E.164 number (`+55` + DDD + 8 or 9 digits) is formatted here directly; anything
else goes through `domain.phone` and its library.
"""

from __future__ import annotations

import re

from cobrador_desktop.domain.errors import InvalidPhone

_BR_E164 = re.compile(r"^\+55([1-9][0-9])([0-9]{4,5})([0-9]{4})$")


def national_display(e164: str) -> str:
    """`(11) 98765-4321` / `(11) 3333-4444` for Brazil; the international form otherwise.

    Raises:
        InvalidPhone: `e164` is not a phone number.
    """
    match = _BR_E164.match(e164)
    if match:
        return f"({match[1]}) {match[2]}-{match[3]}"
    from cobrador_desktop.domain.phone import parse_phone

    return parse_phone(e164).national


def display_or_raw(e164: str | None) -> str:
    """`(11) 98765-4321` for a stored E.164 number; the raw value if it cannot be read."""
    if not e164:
        return ""
    try:
        return national_display(e164)
    except InvalidPhone:
        return e164
