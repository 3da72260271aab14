"""Migration 0007 (shared inbox) on a real 0006 database: every conversation gets when it last
changed and whether the debtor waits, notes become storable, and quick replies are seeded."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cobrador_desktop.storage.db import open_database, sqlite_url
from cobrador_desktop.storage.orm import Conversation, Message, QuickReply

GOLDEN_0006 = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "schema-0006.db"


def _expected(path: Path) -> dict[int, tuple[str | None, str | None]]:
    """Per conversation, before migrating: (changed_at, waiting_since) as 0007 must fill them."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, status, last_message_at, created_at FROM conversations")
        out = {}
        for cid, status, last_at, created in rows.fetchall():
            last = conn.execute(
                "SELECT direction, created_at FROM messages WHERE conversation_id = ? "
                "ORDER BY created_at DESC, id DESC LIMIT 1", (cid,)).fetchone()
            waiting = last[1] if last and last[0] == "in" and status != "resolved" else None
            out[cid] = (last_at or created, waiting)
    conn.close()
    return out


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_upgrade_from_0006_backfills_the_inbox(tmp_path: Path) -> None:
    copy = tmp_path / "cobrador.db"
    shutil.copyfile(GOLDEN_0006, copy)
    expected = _expected(copy)
    assert any(w for _, w in expected.values()) and any(w is None for _, w in expected.values())
    db = open_database(sqlite_url(copy), backup_dir=tmp_path / "backups")
    try:
        rows = db.run_sync(lambda s: s.execute(select(
            Conversation.id, Conversation.changed_at, Conversation.waiting_since,
            Conversation.labels)).all())
        assert len(rows) == len(expected)
        for row in rows:
            changed, waiting = expected[row.id]
            assert row.changed_at == _instant(changed)
            assert row.waiting_since == (_instant(waiting) if waiting else None)
            assert row.labels == []
        shortcuts = db.run_sync(lambda s: s.scalars(select(QuickReply.shortcut)).all())
        assert {"/pix", "/boleto-nao", "/acordo", "/obrigado", "/horario"} <= set(shortcuts)
        conversation_id = rows[0].id

        def note(session: object, direction: str) -> None:
            session.add(Message(conversation_id=conversation_id, direction=direction,  # type: ignore[attr-defined]
                                type="text", text="ligar amanhã", status="note"))
            session.flush()  # type: ignore[attr-defined]

        db.run_sync(lambda s: note(s, "note"))  # a private note is storable now
        with pytest.raises(IntegrityError):  # the check still refuses anything else
            db.run_sync(lambda s: note(s, "xx"))
    finally:
        db.close()
