"""The saved régua: the default until saved, replaced whole, audited, refused when wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from cobrador_desktop.domain.regua import DEFAULT_REGUA, OVERDUE, REMINDER, Regua, ReguaInvalid, Step
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, ReguaStep
from cobrador_desktop.storage.repos.regua import load_regua, save_regua

NOW = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)


def test_default_then_saved_then_switched_off(database: Database) -> None:
    assert database.run_sync(load_regua) == DEFAULT_REGUA
    mine = Regua((Step(-5, REMINDER, "a"),
                  Step(10, OVERDUE, "b", repeat_every_days=10, repeat_until_days=40, grace_days=1)))
    database.run_sync(lambda s: save_regua(s, mine, operator_id=None, now=NOW))
    assert database.run_sync(load_regua) == mine
    off = Regua(())
    database.run_sync(lambda s: save_regua(s, off, operator_id=None, now=NOW))
    assert database.run_sync(load_regua) == off  # not the default again
    changes = database.run_sync(lambda s: s.scalars(select(AuditEntry.details).where(
        AuditEntry.action == "regua.change").order_by(AuditEntry.id)).all())
    assert len(changes) == 2
    assert changes[0]["to"] == ["D-5 reminder a (*)",
                                "D+10 a cada 10 até D+40 overdue b (*)"]
    assert changes[1]["to"] == []


def test_a_wrong_regua_changes_nothing(database: Database) -> None:
    with pytest.raises(ReguaInvalid):
        database.run_sync(lambda s: save_regua(
            s, Regua((Step(2, REMINDER, "a"),)), operator_id=None, now=NOW))
    assert database.run_sync(load_regua) == DEFAULT_REGUA
    assert database.run_sync(lambda s: s.scalar(select(func.count()).select_from(ReguaStep))) == 0
