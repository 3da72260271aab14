"""The hash-chained audit log notices any change to past entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry
from cobrador_desktop.storage.repos import audit
from tests.unit.storage.factories import add_operator

NOW = datetime(2026, 11, 23, 13, 0, 0, 123456, tzinfo=UTC)


def _fill(session: Session) -> list[int]:
    operator = add_operator(session, "Dona Lúcia", "lucia")
    ids = []
    for i in range(5):
        ids.append(audit.append(
            session, action="debtor.update", operator_id=operator if i % 2 else None,
            object_type="debtor", object_id=100 + i,
            details={"campo": "nome", "de": f"José {i}", "para": "Zé", "valores": [1, None, True]},
            now=NOW + timedelta(minutes=i)))
    return ids


def test_appended_chain_verifies(database: Database) -> None:
    assert database.run_sync(audit.verify_chain)  # an empty log is intact
    ids = database.run_sync(_fill)
    assert ids == sorted(ids)
    assert database.run_sync(audit.verify_chain)
    entries = database.run_sync(lambda s: list(s.scalars(select(AuditEntry).order_by(AuditEntry.id))))
    assert entries[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert entries[1].at == NOW + timedelta(minutes=1)
    assert entries[2].object_id == "102"


@pytest.mark.parametrize("tamper", [
    update(AuditEntry).values(details={"campo": "nome", "de": "outro"}),
    update(AuditEntry).values(action="debtor.view"),
    update(AuditEntry).values(at=NOW + timedelta(days=1)),
    update(AuditEntry).values(object_id="999"),
], ids=["details", "action", "at", "object"])
def test_a_changed_entry_breaks_the_chain_there(database: Database, tamper: object) -> None:
    ids = database.run_sync(_fill)
    database.run_sync(lambda s: s.execute(tamper.where(AuditEntry.id == ids[2])))  # type: ignore[attr-defined]
    assert not database.run_sync(audit.verify_chain)
    assert database.run_sync(audit.first_broken) == ids[2]


def test_a_removed_entry_breaks_the_chain(database: Database) -> None:
    ids = database.run_sync(_fill)
    database.run_sync(lambda s: s.execute(delete(AuditEntry).where(AuditEntry.id == ids[1])))
    assert database.run_sync(audit.first_broken) == ids[2]


def test_rehashing_a_changed_entry_is_still_caught_by_the_next(database: Database) -> None:
    ids = database.run_sync(_fill)

    def forge(session: Session) -> None:
        entry = session.get_one(AuditEntry, ids[2])
        entry.details = {"forjado": True}
        body = audit.canonical(at=entry.at, operator_id=entry.operator_id, action=entry.action,
                               object_type=entry.object_type, object_id=entry.object_id,
                               details=entry.details)
        entry.hash = audit.chain_hash(entry.prev_hash, body)

    database.run_sync(forge)
    assert database.run_sync(audit.first_broken) == ids[3]


def test_naive_instants_are_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="aware"):
        database.run_sync(lambda s: audit.append(
            s, action="x", operator_id=None, object_type=None, object_id=None, details={},
            now=datetime(2026, 1, 1)))
