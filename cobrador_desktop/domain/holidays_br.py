"""No-contact days: national, state, optional and the owner's own holidays (COMPLIANCE.md §2.3).

National and state holidays come from the `holidays` package (pinned in the lock file), which
knows state holidays (SP 9 Jul, RJ 23 Apr and Carnival Tuesday, AL 24 and 29 Jun…) but almost no
municipal ones, so the owner enters those (`CustomHoliday`). The package's optional category
(Carnival Monday/Tuesday, Ash Wednesday, Corpus Christi, 24/12, 31/12) counts unless the owner
turns it off; Public Servant's Day (28/10) is left out: it concerns the civil service only.

Where the debtor's state is unknown the caller passes every state (`ALL_UFS`): a holiday in any
of them is a no-contact day, so an unknown state never lets a message through on a holiday.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays

from cobrador_desktop.domain.policy_messages import WHOLE_COUNTRY
from cobrador_desktop.domain.text import fold

#: every Brazilian state and the Federal District
ALL_UFS: tuple[str, ...] = (
    "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA", "PB", "PE",
    "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO")
#: optional-category days that are *not* no-contact days, as (month, day)
EXCLUDED_OPTIONAL: frozenset[tuple[int, int]] = frozenset({(10, 28)})  # Dia do Servidor Público


@dataclass(frozen=True)
class CustomHoliday:
    """A holiday the owner entered (municipal, or the shop's own day off).

    Attributes:
        day: the date.
        name: as the owner wrote it (`Aniversário da cidade`).
        uf: the state it applies to; None: everywhere.
        municipality: the municipality it applies to; None: the whole state. The debtor's
            municipality is rarely known, so a municipal holiday applies to every debtor of its
            state unless the debtor's municipality is known to be another one.
    """

    day: date
    name: str
    uf: str | None = None
    municipality: str | None = None


@dataclass(frozen=True)
class Holiday:
    """Why a day is a no-contact day: `where` (`todo o Brasil`, a UF, a municipality) and its name."""

    where: str
    name: str


def holiday_on(day: date, ufs: Iterable[str], *, include_optional: bool = True,
               custom: Iterable[CustomHoliday] = (), municipality: str | None = None
               ) -> Holiday | None:
    """The holiday that makes `day` a no-contact day for a debtor in any of `ufs`, else None.

    National first, then the states' own, then the optional days, then the owner's.

    Args:
        day: a date in the debtor's local time.
        ufs: the states the debtor may be in (pass `ALL_UFS` when unknown).
        include_optional: the owner's `include_optional_holidays` setting.
        custom: the owner's holidays.
        municipality: the debtor's municipality when known.
    """
    national = _calendar(None, day.year, "public")
    if day in national:
        return Holiday(WHOLE_COUNTRY, national[day])
    states = tuple(uf for uf in ufs if uf)
    for uf in states:
        name = _calendar(uf, day.year, "public").get(day)
        if name is not None:
            return Holiday(uf, name)
    if include_optional and (day.month, day.day) not in EXCLUDED_OPTIONAL:
        name = _calendar(None, day.year, "optional").get(day)
        if name is not None:
            return Holiday(WHOLE_COUNTRY, name)
    for entry in custom:
        if entry.day != day or (entry.uf is not None and entry.uf not in states):
            continue
        if (entry.municipality is not None and municipality is not None
                and fold(entry.municipality) != fold(municipality)):
            continue
        return Holiday(entry.municipality or entry.uf or WHOLE_COUNTRY, entry.name)
    return None


@cache
def _calendar(uf: str | None, year: int, category: str) -> dict[date, str]:
    """One year of one category, names in Portuguese; a state's own days exclude the national ones."""
    days = holidays.country_holidays("BR", subdiv=uf, years=year, categories=(category,),
                                     language="pt_BR")
    found = {d: str(n) for d, n in days.items()}
    if uf is not None and category == "public":
        national = _calendar(None, year, "public")
        found = {d: n for d, n in found.items() if d not in national}
    return found
