"""The shop's settings in the `settings` table, one row per setting declared in
`domain.settings` (its value kept as `{"value": …}`); changes are audited."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.holidays_br import CustomHoliday
from cobrador_desktop.domain.settings import (
    CAPACITY,
    CONTACT_PROFILE,
    CUSTOM_HOLIDAYS,
    GUARD_SETTINGS,
    NUMBER_QUALITY,
    SHOP,
    Capacity,
    GuardSettings,
    IntSetting,
    JsonSetting,
    NumberQuality,
    SettingOutOfRange,
    ShopDetails,
)
from cobrador_desktop.storage.orm import Setting
from cobrador_desktop.storage.repos import audit

log = logging.getLogger("cobrador.db")

CHANGE_ACTION = "setting.change"
T = TypeVar("T")


def read_setting(session: Session, setting: IntSetting) -> int:
    """The setting's value, or its default when it was never set.

    A stored value its declaration refuses (a row edited by hand) is logged and the default
    used: the daily upkeep and the debtor screen must keep working.
    """
    return _value_of(setting, session.get(Setting, setting.key))


def _value_of(setting: IntSetting, row: Setting | None) -> int:
    if row is None:
        return setting.default
    raw = row.value.get("value") if isinstance(row.value, dict) else row.value
    try:
        return setting.check(raw)
    except SettingOutOfRange:
        log.warning("setting %s holds %r, not a whole number from %d to %d: using %d",
                    setting.key, raw, setting.minimum, setting.maximum, setting.default)
        return setting.default


def write_setting(session: Session, setting: IntSetting, value: object, *,
                  operator_id: int | None, now: datetime) -> int:
    """Set the setting (for every PC on this database) and audit the change.

    Returns:
        The value stored.

    Raises:
        SettingOutOfRange: a value the declaration refuses; nothing is stored.
    """
    checked = setting.check(value)
    _store(session, setting.key, checked, lambda row: _value_of(setting, row),
           operator_id=operator_id, now=now)
    return checked


def _store(session: Session, key: str, stored: object, before_of: Callable[[Setting | None], object],
           *, operator_id: int | None, now: datetime) -> None:
    """Put `{"value": stored}` in the setting's row (locked while it changes) and audit the
    change from what `before_of(row)` says it held."""
    row = session.get(Setting, key, with_for_update=True, populate_existing=True)
    before = before_of(row)
    if row is None:
        session.add(Setting(key=key, value={"value": stored}, updated_at=now))
    else:
        # a new dict, not an in-place change: the JSON column only notices assignments
        row.value = {"value": stored}
        row.updated_at = now
    session.flush()
    audit.append(session, action=CHANGE_ACTION, operator_id=operator_id, object_type="setting",
                 object_id=key, now=now, details={"from": before, "to": stored})


def read_json_setting(session: Session, setting: JsonSetting[T]) -> T:
    """The setting's value, or its default when it was never set (or the row is unreadable)."""
    return _json_value_of(setting, session.get(Setting, setting.key))


def _json_value_of(setting: JsonSetting[T], row: Setting | None) -> T:
    if row is None:
        return setting.default
    raw = row.value.get("value") if isinstance(row.value, dict) else row.value
    try:
        return setting.check(raw)
    except KnownError:
        log.warning("setting %s holds %r, which it refuses: using the default", setting.key, raw)
        return setting.default


def write_json_setting(session: Session, setting: JsonSetting[T], value: object, *,
                       operator_id: int | None, now: datetime) -> T:
    """Set the setting (its domain value or JSON form) and audit the change.

    Returns:
        The value stored, as the domain sees it.

    Raises:
        InvalidInput: what the declaration refuses (in pt-BR); nothing is stored.
    """
    checked = setting.check(value)
    _store(session, setting.key, setting.dump(checked),
           lambda row: setting.dump(_json_value_of(setting, row)), operator_id=operator_id,
           now=now)
    return checked


def read_guard_settings(session: Session) -> GuardSettings:
    """Everything the send guard reads from the settings, in one query."""
    keys = [s.key for s in GUARD_SETTINGS]
    rows = {row.key: row for row in session.scalars(select(Setting).where(Setting.key.in_(keys)))}
    return GuardSettings(
        profile=_json_value_of(CONTACT_PROFILE, rows.get(CONTACT_PROFILE.key)),
        shop_details=_json_value_of(SHOP, rows.get(SHOP.key)),
        custom_holidays=_json_value_of(CUSTOM_HOLIDAYS, rows.get(CUSTOM_HOLIDAYS.key)),
        capacity=_json_value_of(CAPACITY, rows.get(CAPACITY.key)),
        quality=_json_value_of(NUMBER_QUALITY, rows.get(NUMBER_QUALITY.key)))


def write_contact_profile(session: Session, profile: object, *, operator_id: int | None,
                          now: datetime) -> ContactProfile:
    """Save the contact hours and caps (a `ContactProfile` or a form's fields), audited."""
    return write_json_setting(session, CONTACT_PROFILE, profile, operator_id=operator_id, now=now)


def write_shop(session: Session, shop: object, *, operator_id: int | None,
               now: datetime) -> ShopDetails | None:
    """Save the shop's identity (names, CNPJ, address), audited."""
    return write_json_setting(session, SHOP, shop, operator_id=operator_id, now=now)


def write_custom_holidays(session: Session, holidays: object, *, operator_id: int | None,
                          now: datetime) -> tuple[CustomHoliday, ...]:
    """Replace the owner's holidays, audited."""
    return write_json_setting(session, CUSTOM_HOLIDAYS, holidays, operator_id=operator_id,
                              now=now)


def write_capacity(session: Session, capacity: object, *, operator_id: int | None,
                   now: datetime) -> Capacity:
    """Save how many operators and new conversations each a day, audited."""
    return write_json_setting(session, CAPACITY, capacity, operator_id=operator_id, now=now)


def write_number_quality(session: Session, quality: object, *, operator_id: int | None,
                         now: datetime) -> NumberQuality:
    """Record the number's quality rating and tier as learned from Meta, audited."""
    return write_json_setting(session, NUMBER_QUALITY, quality, operator_id=operator_id, now=now)
