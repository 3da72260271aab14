"""Contact hours in the debtor's local time, and the next allowed slot (COMPLIANCE.md §2.2-§2.3).

Where the debtor is: the state (UF) of their address, else the phone's area code (DDD 61 serves
DF and part of GO: both apply), foreign numbers the shop's zone, and nothing known: all of Brazil.
Every candidate zone and state must allow the instant: a UF that spans two zones (AM, PE with
Fernando de Noronha) or an unknown place narrows the window to what holds everywhere, so missing
information can only make the guard stricter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from cobrador_desktop.domain.data_files import data_table
from cobrador_desktop.domain.errors import InvalidPhone
from cobrador_desktop.domain.holidays_br import ALL_UFS, CustomHoliday, holiday_on
from cobrador_desktop.domain.phone import known_ddds, parse_phone, timezones_for_ddd, ufs_for_ddd
from cobrador_desktop.domain.policy_messages import DAY_PHRASES, WINDOW_PHRASE

#: states whose enacted or proposed rule has no Saturday: the optional Saturday never applies there
NO_SATURDAY_UFS = frozenset({"ES", "RJ", "AM"})
#: how far ahead the next slot is searched (the longest run of no-contact days is far shorter)
LOOKAHEAD_DAYS = 40
#: automated sends moved by time spread over this much of their new slot
SPREAD = timedelta(hours=1)
DEFAULT, STATE_LAW = "default", "state_law"


@dataclass(frozen=True)
class ContactProfile:
    """The owner's contact settings, with the defaults of COMPLIANCE.md §2.1.

    The defaults are the safe choice: the default window sits inside every enacted state window,
    Saturday is off, optional holidays count, and the caps are the market's usual 1 a day and 3 a
    week. An owner may loosen them (a Saturday, `state_law`) or tighten them (`min_gap_hours`).
    """

    contact_profile: str = DEFAULT  # or STATE_LAW: the debtor's state rule where verified
    weekday_start: time = time(9)
    weekday_end: time = time(18)
    saturday_enabled: bool = False
    saturday_start: time = time(10)
    saturday_end: time = time(12)
    reply_grace_minutes: int = 60
    daily_cap: int = 1
    weekly_cap: int = 3
    min_gap_hours: int = 0
    include_optional_holidays: bool = True
    old_debt_years: int = 5
    identity_attempts_max: int = 2
    identity_retry_days: int = 3
    #: days after a promised date before automated reminders resume (not in COMPLIANCE's table)
    promise_grace_days: int = 3

    def __post_init__(self) -> None:
        if self.contact_profile not in (DEFAULT, STATE_LAW):
            raise ValueError(f"unknown contact profile {self.contact_profile!r}")
        if not (self.weekday_start < self.weekday_end and self.saturday_start < self.saturday_end):
            raise ValueError("a contact window must start before it ends")
        if min(self.daily_cap, self.weekly_cap, self.min_gap_hours, self.reply_grace_minutes,
               self.old_debt_years, self.promise_grace_days) < 0:
            raise ValueError("caps, gaps and ages cannot be negative")


#: the hard floor that holds whatever the facts (`night_floor`): no contact outside 08:00-20:00 (the
#: widest enacted state window, SP and AL), on Sundays or on national holidays
FLOOR_START, FLOOR_END = time(8), time(20)


@dataclass(frozen=True)
class DebtorPlace:
    """Where the debtor may be: IANA zones (most likely first) and states (empty: only national
    holidays are considered)."""

    zones: tuple[str, ...]
    ufs: tuple[str, ...]


@dataclass(frozen=True)
class Slot:
    """An interval of allowed contact, aware UTC instants [start, end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class HoursBlock:
    """Why now is not a contact time: a HOURS_* code, its params, and the next slot (None: none
    in `LOOKAHEAD_DAYS`)."""

    code: str
    params: dict[str, str]
    slot: Slot | None


@cache
def uf_zones() -> dict[str, tuple[str, ...]]:
    """Every zone each state's area codes fall in (AM: Manaus and Eirunepé; PE: Recife and
    Noronha), derived from the DDD table so there is one source."""
    table: dict[str, list[str]] = {}
    for ddd in known_ddds():
        for uf in ufs_for_ddd(ddd):
            zones = table.setdefault(uf, [])
            zones.extend(z for z in timezones_for_ddd(ddd) if z not in zones)
    return {uf: tuple(zones) for uf, zones in table.items()}


@cache
def all_zones() -> tuple[str, ...]:
    """Every Brazilian zone, São Paulo first."""
    zones: list[str] = []
    for uf in ("SP", *sorted(uf_zones())):
        zones.extend(z for z in uf_zones()[uf] if z not in zones)
    return tuple(zones)


def debtor_place(*, address_uf: str | None, phone_e164: str | None, shop_zone: str | None = None,
                 shop_uf: str | None = None) -> DebtorPlace:
    """Where the debtor may be, from what is known (unknown parts widen to all of Brazil)."""
    uf = (address_uf or "").strip().upper()
    if uf in uf_zones():
        return DebtorPlace(uf_zones()[uf], (uf,))
    phone = None
    if phone_e164:
        try:
            phone = parse_phone(phone_e164)
        except InvalidPhone:
            phone = None
    if phone is not None and phone.is_brazilian and phone.timezones:
        return DebtorPlace(phone.timezones, phone.ufs)
    if phone is not None and not phone.is_brazilian and shop_zone:
        return DebtorPlace((shop_zone,), (shop_uf,) if shop_uf in uf_zones() else ALL_UFS)
    return DebtorPlace(all_zones(), ALL_UFS)


def check_hours(now: datetime, place: DebtorPlace, profile: ContactProfile,
                custom: Iterable[CustomHoliday] = ()) -> HoursBlock | None:
    """None when `now` is a contact time everywhere the debtor may be; else why not, and when."""
    custom = tuple(custom)
    slot = next_slot(now, place, profile, custom)
    if slot is not None and slot.start == now:
        return None
    proximo = format_local(slot.start, place) if slot is not None else "—"
    locals_ = [now.astimezone(ZoneInfo(z)) for z in place.zones]
    for local in locals_:
        found = holiday_on(local.date(), place.ufs, custom=custom,
                           include_optional=profile.include_optional_holidays)
        if found is not None:
            return HoursBlock("HOURS_HOLIDAY", {"local": found.where, "feriado": found.name,
                                                "proximo": proximo}, slot)
    for local in locals_:
        day = local.date()
        if any(day_window(day, uf, profile) is None for uf in place.ufs or ("",)):
            return HoursBlock("HOURS_DAY_NOT_ALLOWED", {
                "dia": DAY_PHRASES.get(day.isoweekday(), day.strftime("%d/%m/%Y")),
                "proximo": proximo}, slot)
    window = day_window(locals_[0].date(), (place.ufs or ("",))[0], profile) or (
        profile.weekday_start, profile.weekday_end)
    janela = WINDOW_PHRASE.format(inicio=window[0].strftime("%H:%M"),
                                  fim=window[1].strftime("%H:%M"))
    return HoursBlock("HOURS_OUTSIDE_WINDOW", {"janela": janela, "proximo": proximo}, slot)


def check_floor(now: datetime, zones: tuple[str, ...]) -> HoursBlock | None:
    """The hard floor: night (outside 08:00-20:00), Sunday or national holiday in any of `zones`.

    What the guard applies when it was given too little to apply the owner's profile: it needs
    no fact but the instant, so no missing fact can let a message out at night.
    """
    return check_hours(now, DebtorPlace(zones, ()), night_floor())


@cache
def night_floor() -> ContactProfile:
    """The floor as a profile: Monday to Saturday 08:00-20:00, national holidays only."""
    return ContactProfile(weekday_start=FLOOR_START, weekday_end=FLOOR_END, saturday_enabled=True,
                          saturday_start=FLOOR_START, saturday_end=FLOOR_END,
                          include_optional_holidays=False)


def next_slot(after: datetime, place: DebtorPlace, profile: ContactProfile,
              custom: Iterable[CustomHoliday] = ()) -> Slot | None:
    """The first allowed interval that ends after `after`, cut to start no earlier than it."""
    custom = tuple(custom)
    zones = [ZoneInfo(z) for z in place.zones]
    first = after.astimezone(zones[0]).date() - timedelta(days=1)
    for offset in range(LOOKAHEAD_DAYS):
        day = first + timedelta(days=offset)
        slot = _day_slot(day, zones, place.ufs, profile, custom)
        if slot is not None and slot.end > after:
            return Slot(max(slot.start, after), slot.end)
    return None


def day_window(day: date, uf: str, profile: ContactProfile) -> tuple[time, time] | None:
    """The local contact window of `day` for a debtor in `uf` (holidays aside); None: no contact."""
    weekday = day.isoweekday()
    if weekday == 7:
        return None
    rule = _state_rule(uf) if profile.contact_profile == STATE_LAW else None
    if weekday == 6:
        if not profile.saturday_enabled or uf in NO_SATURDAY_UFS:
            return None
        if rule is not None:
            return rule.saturday
        return profile.saturday_start, profile.saturday_end
    if rule is not None:
        return rule.weekdays
    return profile.weekday_start, profile.weekday_end


def _day_slot(day: date, zones: list[ZoneInfo], ufs: tuple[str, ...], profile: ContactProfile,
              custom: tuple[CustomHoliday, ...]) -> Slot | None:
    """The interval of `day` allowed in every zone and state, or None."""
    windows = set()
    for uf in ufs or ("",):
        window = day_window(day, uf, profile)
        if window is None:
            return None
        windows.add(window)
    if holiday_on(day, ufs, include_optional=profile.include_optional_holidays, custom=custom):
        return None
    start = max(datetime.combine(day, w[0], tzinfo=z) for w in windows for z in zones)
    end = min(datetime.combine(day, w[1], tzinfo=z) for w in windows for z in zones)
    if start >= end:
        return None
    return Slot(start.astimezone(UTC), end.astimezone(UTC))


def format_local(instant: datetime, place: DebtorPlace) -> str:
    """`24/11/2026 09:00` in the debtor's (most likely) zone."""
    return instant.astimezone(ZoneInfo(place.zones[0])).strftime("%d/%m/%Y %H:%M")


def spread_over_first_hour(slot: Slot, key: str) -> datetime:
    """A stable instant in the first hour of `slot` for `key` (e.g. the outbox row id), so that
    automated sends moved to the same slot do not all leave at once (COMPLIANCE.md §2.2)."""
    span = int(min(SPREAD, slot.end - slot.start - timedelta(minutes=1)).total_seconds())
    if span <= 0:
        return slot.start
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return slot.start + timedelta(seconds=int.from_bytes(digest[:8], "big") % span)


@dataclass(frozen=True)
class StateRule:
    """A state's verified contact windows (`saturday` None: no Saturday)."""

    weekdays: tuple[time, time]
    saturday: tuple[time, time] | None


@cache
def _state_rules() -> dict[str, StateRule]:
    table = data_table("contact_profiles.toml")
    return {uf: StateRule(_window(row["weekdays"]),
                          _window(row["saturday"]) if "saturday" in row else None)
            for uf, row in table.items() if row.get("status") == "verified"}


def _state_rule(uf: str) -> StateRule | None:
    return _state_rules().get(uf)


def _window(pair: list[str]) -> tuple[time, time]:
    start, end = (time.fromisoformat(v) for v in pair)
    if start >= end:
        raise ValueError(f"contact window {pair} starts after it ends")
    return start, end
