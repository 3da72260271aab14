"""The audit log: append-only and hash-chained (COMPLIANCE.md §4.4).

Each entry's hash is sha256(previous hash + canonical JSON of the entry), so changing, removing or
reordering any past entry breaks every hash after it, and `verify_chain` notices.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cobrador_desktop.storage.orm import AuditEntry

#: the "previous hash" of the first entry
GENESIS = "0" * 64
#: PostgreSQL advisory lock key that serialises appends from several PCs ("cobrador" in hex-ish)
_PG_LOCK_KEY = 0x636F6272


def canonical(*, at: datetime, operator_id: int | None, action: str, object_type: str | None,
              object_id: str | None, details: Mapping[str, Any]) -> str:
    """The entry as canonical JSON: sorted keys, no spaces, UTC instant to the microsecond."""
    if at.tzinfo is None:
        raise ValueError("audit instants must be aware datetimes")
    return json.dumps(
        {
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "operator_id": operator_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "details": details,
        },
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
    )


def chain_hash(prev_hash: str, canonical_json: str) -> str:
    """sha256 over the previous hash followed by the canonical entry."""
    return hashlib.sha256((prev_hash + canonical_json).encode("utf-8")).hexdigest()


def append(session: Session, *, action: str, operator_id: int | None, object_type: str | None,
           object_id: str | int | None, details: Mapping[str, Any], now: datetime) -> int:
    """Add one entry at the end of the chain and return its id.

    Args:
        session: the worker thread's session.
        action: what happened, e.g. "debtor.anonymise".
        operator_id: who did it (None for the system).
        object_type: the kind of thing it happened to, e.g. "debtor".
        object_id: its id.
        details: JSON-able facts (ints, strings, bools, None, lists, dicts; no floats).
        now: when.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Several PCs may append at once; without this two entries could share a predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    prev = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    prev_hash = prev or GENESIS
    obj_id = None if object_id is None else str(object_id)
    body = canonical(at=now, operator_id=operator_id, action=action, object_type=object_type,
                     object_id=obj_id, details=details)
    # store what was hashed, so verification rebuilds exactly the same JSON
    entry = AuditEntry(
        at=now.astimezone(UTC), operator_id=operator_id, action=action, object_type=object_type,
        object_id=obj_id, details=json.loads(body)["details"], prev_hash=prev_hash,
        hash=chain_hash(prev_hash, body),
    )
    session.add(entry)
    session.flush()
    return entry.id


def first_broken(session: Session) -> int | None:
    """The id of the first entry whose hash or link does not match, or None if all hold."""
    expected_prev = GENESIS
    stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    # close the (server-side, on PostgreSQL) cursor even when we stop early
    with session.scalars(stmt) as entries:
        for entry in entries:
            body = canonical(at=entry.at, operator_id=entry.operator_id, action=entry.action,
                             object_type=entry.object_type, object_id=entry.object_id,
                             details=entry.details)
            if entry.prev_hash != expected_prev or entry.hash != chain_hash(entry.prev_hash,
                                                                            body):
                return entry.id
            expected_prev = entry.hash
    return None


def verify_chain(session: Session) -> bool:
    """True when every entry is intact and in its place."""
    return first_broken(session) is None
