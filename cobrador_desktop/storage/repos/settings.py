"""The shop's settings in the `settings` table, one row per setting declared in
`domain.settings` (its value kept as `{"value": …}`); changes are audited."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from cobrador_desktop.domain.settings import IntSetting, SettingOutOfRange
from cobrador_desktop.storage.orm import Setting
from cobrador_desktop.storage.repos import audit

log = logging.getLogger("cobrador.db")

CHANGE_ACTION = "setting.change"


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
    row = session.get(Setting, setting.key, with_for_update=True, populate_existing=True)
    before = _value_of(setting, row)
    if row is None:
        session.add(Setting(key=setting.key, value={"value": checked}, updated_at=now))
    else:
        # a new dict, not an in-place change: the JSON column only notices assignments
        row.value = {"value": checked}
        row.updated_at = now
    session.flush()
    audit.append(session, action=CHANGE_ACTION, operator_id=operator_id, object_type="setting",
                 object_id=setting.key, now=now, details={"from": before, "to": checked})
    return checked
