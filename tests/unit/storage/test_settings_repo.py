"""The shop's settings in the database: defaults, checked writes (audited), bad rows survived."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.errors import InvalidDocument, InvalidInput
from cobrador_desktop.domain.holidays_br import CustomHoliday
from cobrador_desktop.domain.settings import (
    AGREEMENT_BREAK_AFTER_DAYS,
    CAPACITY,
    CONTACT_PROFILE,
    GUARD_SETTINGS,
    SHOP,
    Capacity,
    ContactWindowInvalid,
    GuardSettings,
    SettingNotChoice,
    SettingNotDate,
    SettingNotTime,
    SettingNotYesNo,
    SettingOutOfRange,
    SettingTextMissing,
    ShopDetails,
)
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Setting
from cobrador_desktop.storage.repos.settings import (
    read_guard_settings,
    read_setting,
    write_capacity,
    write_contact_profile,
    write_custom_holidays,
    write_number_quality,
    write_setting,
    write_shop,
)

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
SETTING = AGREEMENT_BREAK_AFTER_DAYS


def test_default_until_set_then_the_value_audited(database: Database) -> None:
    assert database.run_sync(lambda s: read_setting(s, SETTING)) == 30
    assert database.run_sync(
        lambda s: write_setting(s, SETTING, 45, operator_id=None, now=NOW)) == 45
    assert database.run_sync(lambda s: read_setting(s, SETTING)) == 45
    database.run_sync(lambda s: write_setting(s, SETTING, 15, operator_id=None, now=NOW))

    def check(session: Session) -> None:
        assert read_setting(session, SETTING) == 15
        row = session.get(Setting, SETTING.key)
        assert row is not None and row.value == {"value": 15}
        changes = session.execute(select(AuditEntry.object_id, AuditEntry.details).where(
            AuditEntry.action == "setting.change").order_by(AuditEntry.id)).all()
        assert [(c.object_id, c.details) for c in changes] == [
            (SETTING.key, {"from": 30, "to": 45}), (SETTING.key, {"from": 45, "to": 15})]

    database.run_sync(check)


def test_a_refused_value_stores_nothing(database: Database) -> None:
    for bad in (0, 366, "10", 10.5):
        with pytest.raises(SettingOutOfRange):
            database.run_sync(lambda s, v=bad: write_setting(s, SETTING, v, operator_id=None,
                                                             now=NOW))
    assert database.run_sync(lambda s: s.get(Setting, SETTING.key)) is None


def test_a_row_edited_by_hand_falls_back_to_the_default_and_says_so(
        database: Database, caplog: pytest.LogCaptureFixture) -> None:
    def spoil(session: Session) -> None:
        session.add(Setting(key=SETTING.key, value={"value": "trinta"}, updated_at=NOW))

    database.run_sync(spoil)
    with caplog.at_level(logging.WARNING, logger="cobrador.db"):
        assert database.run_sync(lambda s: read_setting(s, SETTING)) == 30
    assert "agreement_break_after_days holds 'trinta'" in caplog.text


# --------------------------------------------------------------------------- the guard's settings


def test_the_guard_reads_the_compliance_defaults_until_the_owner_sets_them(
        database: Database) -> None:
    settings = database.run_sync(read_guard_settings)
    assert settings.profile == ContactProfile()
    assert (settings.profile.daily_cap, settings.profile.weekly_cap) == (1, 3)
    assert settings.profile.weekday_start == time(9) and not settings.profile.saturday_enabled
    assert settings.shop is None and settings.shop_uf is None
    assert settings.custom_holidays == ()
    assert settings.capacity == Capacity(1, 40) and settings.capacity.daily_new_conversations == 40
    assert settings.number_quality is None


def test_every_guard_setting_round_trips_and_is_audited(database: Database) -> None:
    shop = ShopDetails(trade_name=" Loja Exemplo ", legal_name="Exemplo Comércio Ltda",
                       document="11.222.333/0001-81", address="Rua A, 1", uf="sp")
    holidays = [CustomHoliday(date(2026, 12, 8), "Padroeira", "SP", "Campinas"),
                CustomHoliday(date(2026, 1, 25), "Aniversário")]

    def write(session: Session) -> None:
        write_contact_profile(session, {"saturday_enabled": True, "daily_cap": 2,
                                        "weekday_start": "08:30", "weekday_end": "19:00"},
                              operator_id=None, now=NOW)
        write_shop(session, shop, operator_id=None, now=NOW)
        write_custom_holidays(session, holidays, operator_id=None, now=NOW)
        write_capacity(session, Capacity(3, 25), operator_id=None, now=NOW)
        write_number_quality(session, {"quality": "yellow", "tier": "TIER_1K"},
                             operator_id=None, now=NOW)

    database.run_sync(write)
    settings = database.run_sync(read_guard_settings)
    assert settings.profile == ContactProfile(saturday_enabled=True, daily_cap=2,
                                              weekday_start=time(8, 30), weekday_end=time(19))
    assert settings.shop is not None
    assert (settings.shop.trade_name, settings.shop.document) == ("Loja Exemplo",
                                                                  "11222333000181")
    assert settings.shop_uf == "SP" and settings.shop_details is not None
    assert settings.shop_details.address == "Rua A, 1"
    assert settings.custom_holidays == tuple(sorted(holidays, key=lambda h: h.day))
    assert settings.capacity.daily_new_conversations == 75
    assert (settings.number_quality, settings.quality.tier) == ("YELLOW", "TIER_1K")

    def audited(session: Session) -> dict[str, Any]:
        rows = session.execute(select(AuditEntry.object_id, AuditEntry.details).where(
            AuditEntry.action == "setting.change")).all()
        return {row.object_id: row.details for row in rows}

    changes = database.run_sync(audited)
    assert set(changes) == {s.key for s in GUARD_SETTINGS}
    assert changes[CAPACITY.key] == {"from": {"operators": 1, "conversations_each": 40},
                                     "to": {"operators": 3, "conversations_each": 25}}
    assert changes[SHOP.key]["from"] is None
    assert changes[CONTACT_PROFILE.key]["to"]["weekday_start"] == "08:30"


@pytest.mark.parametrize(("writer", "value", "error"), [
    ("profile", {"daily_cap": 0}, SettingOutOfRange),
    ("profile", {"weekday_start": "18:00", "weekday_end": "09:00"}, ContactWindowInvalid),
    ("profile", {"weekday_start": "07:00"}, ContactWindowInvalid),
    ("profile", {"saturday_enabled": "sim"}, SettingNotYesNo),
    ("profile", {"weekday_end": "18h"}, SettingNotTime),
    ("profile", {"contact_profile": "livre"}, SettingNotChoice),
    ("shop", {"trade_name": "Loja", "legal_name": "Loja Ltda", "document": "11.222.333/0001-82",
              "address": "Rua A"}, InvalidDocument),
    ("shop", {"trade_name": "Loja", "legal_name": "", "document": "11.222.333/0001-81",
              "address": "Rua A"}, SettingTextMissing),
    ("shop", {"trade_name": "Loja", "legal_name": "Loja Ltda", "document": "11.222.333/0001-81",
              "address": "Rua A", "uf": "XX"}, SettingNotChoice),
    ("holidays", [{"day": "2026-02-30", "name": "x"}], SettingNotDate),
    ("holidays", [{"day": "2026-02-03", "name": " "}], SettingTextMissing),
    ("capacity", {"operators": 0, "conversations_each": 10}, SettingOutOfRange),
    ("quality", {"quality": "BLUE"}, SettingNotChoice),
    ("quality", {"tier": "TIER_3"}, SettingNotChoice),
])
def test_a_refused_guard_setting_stores_nothing(database: Database, writer: str, value: object,
                                                error: type[InvalidInput]) -> None:
    write = {"profile": write_contact_profile, "shop": write_shop,
             "holidays": write_custom_holidays, "capacity": write_capacity,
             "quality": write_number_quality}[writer]
    with pytest.raises(error) as raised:
        database.run_sync(lambda s: write(s, value, operator_id=None, now=NOW))
    assert raised.value.message and "{" not in raised.value.message  # pt-BR, filled in
    assert database.run_sync(lambda s: s.scalars(select(Setting.key)).all()) == []
    assert database.run_sync(read_guard_settings) == GuardSettings()


def test_a_guard_setting_edited_by_hand_falls_back_to_its_default(
        database: Database, caplog: pytest.LogCaptureFixture) -> None:
    def spoil(session: Session) -> None:
        session.add(Setting(key=CONTACT_PROFILE.key, value={"value": {"daily_cap": "dois"}},
                            updated_at=NOW))

    database.run_sync(spoil)
    with caplog.at_level(logging.WARNING, logger="cobrador.db"):
        assert database.run_sync(read_guard_settings).profile == ContactProfile()
    assert "guard.contact_profile" in caplog.text
