"""Write the golden database of the current schema to tests/fixtures/golden/ (ARCHITECTURE.md §8).

Run once per released schema, then commit the file: later versions must open and migrate every
golden database without losing data (tests/unit/storage/test_golden.py).

    python scripts/dev.py tool python scripts/make_golden_db.py
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.storage.db import open_database, sqlite_url
from cobrador_desktop.storage.migrate import HEAD_REVISION

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "golden"


def main() -> int:
    target = GOLDEN / f"schema-{HEAD_REVISION}.db"
    if target.exists():
        print(f"{target} já existe: um banco dourado nunca é refeito.", file=sys.stderr)
        return 1
    GOLDEN.mkdir(parents=True, exist_ok=True)
    work = target.with_suffix(".tmp")
    work.unlink(missing_ok=True)
    db = open_database(sqlite_url(work), backup_dir=GOLDEN / ".backups")
    try:
        seed_demo_sync(db, today=date(2026, 11, 23), scale=DemoScale(25, 3.0, 120), seed=1,
                       now=datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    finally:
        db.close()
    with sqlite3.connect(work) as conn:  # one self-contained file, no -wal beside it
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    conn.close()
    work.replace(target)
    print(f"escrito {target} ({target.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
