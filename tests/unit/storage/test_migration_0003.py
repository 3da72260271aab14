"""Migration 0003 fills the new summaries of the debtors already there and indexes them for search."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import DebtorQuery, DebtorSort
from cobrador_desktop.storage.db import open_database, sqlite_url
from cobrador_desktop.storage.orm import Debtor
from cobrador_desktop.storage.repos import debtors as repo

GOLDEN_0002 = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "schema-0002.db"
_COLUMNS = (Debtor.id, Debtor.segment, Debtor.reach, Debtor.in_agreement, Debtor.search_text,
            Debtor.last_contact_at)


def test_upgrade_from_0002_backfills_search_and_segments(tmp_path: Path) -> None:
    copy = tmp_path / "cobrador.db"
    shutil.copyfile(GOLDEN_0002, copy)
    db = open_database(sqlite_url(copy), backup_dir=tmp_path / "backups")
    try:
        migrated = db.run_sync(lambda s: s.execute(select(*_COLUMNS).order_by(Debtor.id)).all())
        assert all(row.search_text for row in migrated)
        segments = Counter(row.segment for row in migrated)
        assert len(segments) >= 3, segments  # a real history, not everyone "novo"
        name = db.run_sync(lambda s: s.scalars(select(Debtor.name).order_by(Debtor.id)).first())
        assert name is not None
        fragment = name.split()[-1][1:5]
        page = db.run_sync(lambda s: repo.list_page(
            s, sort=DebtorSort.NAME, after=None, limit=100, query=DebtorQuery(fragment)))
        assert name in [row.name for row in page.rows]

        # what the migration computed is what a refresh computes (it ran the same code)
        today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()

        def refreshed(session: Session) -> list[Any]:
            repo.refresh_summaries(session, None, today)
            return list(session.execute(select(*_COLUMNS).order_by(Debtor.id)).all())

        assert db.run_sync(refreshed) == migrated
        # FTS5 raises if its index and the debtors' texts disagree
        db.run_sync(lambda s: s.execute(
            text("INSERT INTO debtor_search(debtor_search) VALUES ('integrity-check')")))
    finally:
        db.close()
