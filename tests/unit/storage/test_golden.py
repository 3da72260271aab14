"""Every released schema's golden database opens (and migrates) with its data intact.

The files in tests/fixtures/golden/ are written once per released schema by
scripts/make_golden_db.py and never rewritten.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cobrador_desktop.domain.records import DebtorSort
from cobrador_desktop.storage import migrate
from cobrador_desktop.storage.db import open_database, sqlite_url
from cobrador_desktop.storage.repos import debtors as debtor_repo

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
TABLES = ("debtors", "phones", "debtor_phones", "debts", "payments", "conversations", "messages",
          "templates", "operators")


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    conn.close()
    return counts


def test_there_is_a_golden_database_for_the_current_schema() -> None:
    assert (GOLDEN / f"schema-{migrate.HEAD_REVISION}.db").exists(), (
        "new schema: run scripts/make_golden_db.py and commit the file")


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("schema-*.db")), ids=lambda p: p.stem)
def test_golden_database_opens_at_head_with_its_data(golden: Path, tmp_path: Path) -> None:
    copy = tmp_path / "cobrador.db"
    shutil.copyfile(golden, copy)
    before = _counts(copy)
    assert before["debtors"] > 0 and before["messages"] > 0
    db = open_database(sqlite_url(copy), backup_dir=tmp_path / "backups")
    try:
        assert migrate.current_revision(db) == migrate.HEAD_REVISION
        page = db.run_sync(lambda s: debtor_repo.list_page(
            s, sort=DebtorSort.NAME, after=None, limit=1000))
        assert len(page.rows) == before["debtors"]
    finally:
        db.close()
    assert _counts(copy) == before
