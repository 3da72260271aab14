"""How values look on screen (pt-BR), in one place for every table, label and dialog."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from cobrador_desktop.domain.documents import masked_for_list
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.phone_display import display_or_raw

__all__ = [
    "format_brl", "format_count", "format_date", "format_datetime", "format_document",
    "format_phone", "format_phone_masked", "overdue_days",
]


def format_count(value: int) -> str:
    """Group thousands the Brazilian way: 1234567 -> `1.234.567`."""
    return f"{value:,}".replace(",", ".")


def format_date(value: date | None) -> str:
    """`dd/mm/aaaa`, or an empty string for no date."""
    # not strftime: lists format two dates a row, and strftime costs 6x as much
    return f"{value.day:02d}/{value.month:02d}/{value.year}" if value is not None else ""


def format_datetime(value: datetime | None, tz: tzinfo) -> str:
    """An instant shown in the shop's zone as `dd/mm/aaaa hh:mm`."""
    if value is None:
        return ""
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def format_phone(e164: str | None) -> str:
    """`(11) 98765-4321` for a stored E.164 number; the raw value if it cannot be read."""
    return display_or_raw(e164)


def overdue_days(oldest_open_due: date | None, today: date) -> int | None:
    """Days since the oldest open due date; None when nothing is overdue."""
    if oldest_open_due is None or oldest_open_due >= today:
        return None
    return (today - oldest_open_due).days


def format_document(document: str | None) -> str:
    """A CPF/CNPJ as lists show it: `***.456.789-**`, `11.222.333/0001-81` (see `mask_document`)."""
    return masked_for_list(document)


def format_phone_masked(e164: str | None) -> str:
    """`(11) *****-4321`: the area code and the last four digits, for screens that list many
    people's numbers without needing them whole (COMPLIANCE.md §4.6)."""
    shown = display_or_raw(e164)
    if len(shown) < 6:
        return shown
    head, tail = shown[:-4], shown[-4:]
    start = head.find(")") + 1 if head.startswith("(") else min(3, len(head))
    return head[:start] + "".join("*" if ch.isdigit() else ch for ch in head[start:]) + tail
