"""The shop's settings in the database: defaults, checked writes (audited), bad rows survived."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.settings import AGREEMENT_BREAK_AFTER_DAYS, SettingOutOfRange
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Setting
from cobrador_desktop.storage.repos.settings import read_setting, write_setting

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
