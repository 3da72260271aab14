"""Migrations at start-up: schema == ORM, newer databases refused, corrupt files untouched,
backup before upgrading, and a failed or killed migration leaves the database as it was."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import DatabaseCorrupt, DatabaseTooNew, MigrationFailed
from cobrador_desktop.storage import migrate
from cobrador_desktop.storage.backup import backup_sqlite
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.orm import Base, Debt, Debtor
from tests.unit.storage.factories import add_debt, add_debtor

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


#: the test-only revision `_chain` adds on top of the real head
TEST_REVISION = "9001"


def _chain(tmp_path: Path, step: str) -> Path:
    """A copy of the real migrations plus a test-only revision on top, with the given upgrade body."""
    location = tmp_path / "migrations"
    (location / "versions").mkdir(parents=True)
    for name in ("env.py", "script.py.mako"):
        shutil.copy(migrate.MIGRATIONS_DIR / name, location / name)
    for script in (migrate.MIGRATIONS_DIR / "versions").glob("[0-9]*.py"):
        shutil.copy(script, location / "versions")
    body = textwrap.indent(textwrap.dedent(step).strip(), "    ")
    (location / "versions" / f"{TEST_REVISION}_test.py").write_text(
        'import os\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f'revision = "{TEST_REVISION}"\ndown_revision = "{migrate.HEAD_REVISION}"\n'
        'branch_labels = None\ndepends_on = None\n\n\n'
        f"def upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n")
    return location


def _seed(db: Database) -> None:
    def seed(session: Session) -> None:
        for i in range(5):
            debtor = add_debtor(session, f"Cliente {i}")
            add_debt(session, debtor, 1000 * (i + 1), date(2026, 10, 1))
    db.run_sync(seed)


def _snapshot(db: Database) -> tuple[list[str], int]:
    return db.run_sync(lambda s: (
        sorted(s.scalars(select(Debtor.name)).all()), len(s.scalars(select(Debt.id)).all())))


def _state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# ------------------------------------------------------------------------- schema


def test_migrations_build_exactly_the_orm_schema(db_url: str, backup_dir: Path) -> None:
    database = open_database(db_url, backup_dir=backup_dir)  # an empty database: runs 0001

    def diff() -> list[object]:
        with database.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": migrate.include_name})
            return list(compare_metadata(context, Base.metadata))

    try:
        assert database.call_on_worker(diff) == []
        assert migrate.current_revision(database) == migrate.head_revision() == migrate.HEAD_REVISION
    finally:
        database.close()


def test_opening_a_migrated_database_again_changes_nothing(
        sqlite_db_path: Path, backup_dir: Path) -> None:
    open_database(sqlite_url(sqlite_db_path), backup_dir=backup_dir).close()
    before = _state(sqlite_db_path)
    open_database(sqlite_url(sqlite_db_path), backup_dir=backup_dir).close()
    assert _state(sqlite_db_path)[0] == before[0]
    assert not backup_dir.exists()  # nothing to upgrade: no backup either


# ------------------------------------------------------------------------- refusals


def test_database_from_a_newer_version_is_refused_untouched(db_url: str, backup_dir: Path) -> None:
    db = open_database(db_url, backup_dir=backup_dir)
    db.run_sync(lambda s: s.execute(text("UPDATE alembic_version SET version_num = 'f00d9999'")))
    path = db.sqlite_path
    db.close()
    before = _state(path) if path else None

    with pytest.raises(DatabaseTooNew) as info:
        open_database(db_url, backup_dir=backup_dir)

    assert info.value.params == {"found": "f00d9999", "known": migrate.HEAD_REVISION}
    assert "versão mais nova" in info.value.message
    if path is not None:
        assert _state(path) == before
    else:
        again = Database(db_url)
        assert migrate.current_revision(again) == "f00d9999"
        again.close()
    assert not backup_dir.exists()


@pytest.mark.parametrize("content", [
    b"isto n\xc3\xa3o \xc3\xa9 um banco de dados\n" * 100,
    b"SQLite format 3\x00" + b"\xff" * 4000,
])
def test_corrupt_file_is_refused_untouched_and_names_the_latest_backup(
        tmp_path: Path, backup_dir: Path, content: bytes) -> None:
    good = tmp_path / "good.db"
    sqlite3.connect(good).close()
    backup_sqlite(good, backup_dir, reason="manual", now=datetime(2026, 11, 1, tzinfo=UTC))
    latest = backup_sqlite(good, backup_dir, reason="pre-migracao", now=NOW)
    bad = tmp_path / "data" / "cobrador.db"
    bad.write_bytes(content)
    before = _state(bad)

    with pytest.raises(DatabaseCorrupt) as info:
        open_database(sqlite_url(bad), backup_dir=backup_dir)

    assert info.value.params["backup"] == str(latest)
    assert info.value.params["path"] == str(bad)
    assert str(latest) in info.value.hint
    assert _state(bad) == before
    assert sorted(p.name for p in bad.parent.iterdir()) == ["backups", "cobrador.db"]


def test_corrupt_file_without_backups_says_none(tmp_path: Path) -> None:
    bad = tmp_path / "cobrador.db"
    bad.write_bytes(b"\x00" * 512)
    with pytest.raises(DatabaseCorrupt) as info:
        open_database(sqlite_url(bad), backup_dir=tmp_path / "nowhere")
    assert info.value.params["backup"] == "nenhuma"


def test_another_programs_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "cobrador.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE clientes (id INTEGER PRIMARY KEY)")
    conn.close()
    before = _state(other)
    with pytest.raises(DatabaseCorrupt):
        open_database(sqlite_url(other), backup_dir=tmp_path / "b")
    assert _state(other) == before


def test_our_tables_without_a_revision_are_refused(
        db_url: str, backup_dir: Path, sqlite_db_path: Path) -> None:
    # e.g. a half-restored dump: never guess which version it is
    sqlite_db_path.parent.mkdir(parents=True, exist_ok=True)
    raw = Database(db_url)
    raw.run_sync(lambda s: s.execute(text("CREATE TABLE debtors (id INTEGER PRIMARY KEY)")))
    raw.close()
    with pytest.raises(DatabaseCorrupt):
        open_database(db_url, backup_dir=backup_dir)


def _damage_last_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(len(data) // page_size - 3, len(data) // page_size):
        data[page * page_size:(page + 1) * page_size] = b"\xa5" * page_size
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged_db(sqlite_db_path: Path, backup_dir: Path) -> Path:
    """A database whose first page (schema) is fine but whose last pages are garbage."""
    db = open_database(sqlite_url(sqlite_db_path), backup_dir=backup_dir)
    db.run_sync(lambda s: [add_debtor(s, f"Cliente {i:04d} " + "x" * 150) for i in range(400)])
    db.close()
    _damage_last_pages(sqlite_db_path)
    return sqlite_db_path


def test_thorough_check_finds_damage_beyond_the_first_page(
        damaged_db: Path, backup_dir: Path) -> None:
    before = _state(damaged_db)
    with pytest.raises(DatabaseCorrupt):
        open_database(sqlite_url(damaged_db), backup_dir=backup_dir, thorough_check=True)
    assert _state(damaged_db) == before


def test_every_page_is_checked_before_a_migration(
        damaged_db: Path, backup_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate, "head_revision", lambda script_location=None: TEST_REVISION)
    before = _state(damaged_db)
    with pytest.raises(DatabaseCorrupt):
        open_database(sqlite_url(damaged_db), backup_dir=backup_dir)
    assert _state(damaged_db) == before
    assert not backup_dir.exists()  # no backup of a damaged file either


def test_empty_file_is_a_new_database(tmp_path: Path) -> None:
    empty = tmp_path / "cobrador.db"
    empty.touch()
    db = open_database(sqlite_url(empty), backup_dir=tmp_path / "b")
    assert migrate.current_revision(db) == migrate.HEAD_REVISION
    db.close()


# ------------------------------------------------------------------------- upgrades


def test_upgrade_backs_up_first_and_keeps_data(
        tmp_path: Path, sqlite_database: Database, backup_dir: Path) -> None:
    _seed(sqlite_database)
    # batch mode rebuilds "debtors"; with foreign keys on, that would cascade into "debts"
    chain = _chain(tmp_path, """
        with op.batch_alter_table("debtors", recreate="always") as batch:
            batch.add_column(sa.Column("nickname", sa.String(40), nullable=True))
    """)

    backup = migrate.upgrade(sqlite_database, backup_dir, script_location=chain, now=NOW)

    assert backup == backup_dir / "cobrador-20261123T130000Z-pre-migracao.db"
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (migrate.HEAD_REVISION,)
        assert conn.execute("SELECT count(*) FROM debtors").fetchone() == (5,)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(debtors)")]
    conn.close()
    assert "nickname" not in columns
    assert migrate.current_revision(sqlite_database) == TEST_REVISION
    assert _snapshot(sqlite_database) == ([f"Cliente {i}" for i in range(5)], 5)
    assert "nickname" in sqlite_database.call_on_worker(
        lambda: [c["name"] for c in inspect(sqlite_database.engine).get_columns("debtors")])
    assert sqlite_database.run_sync(lambda s: s.execute(text("PRAGMA foreign_keys")).scalar()) == 1


def test_new_empty_database_needs_no_backup(tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "new.db"), backup_dir=tmp_path / "backups")
    db.close()
    assert not (tmp_path / "backups").exists()


def test_failed_migration_rolls_back_everything(
        tmp_path: Path, database: Database, backup_dir: Path) -> None:
    _seed(database)
    before = _snapshot(database)
    chain = _chain(tmp_path, """
        op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))
        op.add_column("debts", sa.Column("extra", sa.Integer, nullable=True))
        op.execute("UPDATE debtors SET name = 'estragado'")
        op.execute("DELETE FROM debts")
        raise RuntimeError("falhou no meio")
    """)

    with pytest.raises(MigrationFailed) as info:
        migrate.upgrade(database, backup_dir, script_location=chain, now=NOW)

    assert "falhou no meio" in info.value.params["detail"]
    if database.dialect == "sqlite":
        assert info.value.params["backup"].endswith("pre-migracao.db")
    assert migrate.current_revision(database) == migrate.HEAD_REVISION
    assert _snapshot(database) == before
    tables, debt_columns = database.call_on_worker(lambda: (
        inspect(database.engine).get_table_names(),
        [c["name"] for c in inspect(database.engine).get_columns("debts")]))
    assert "scratch" not in tables
    assert "extra" not in debt_columns


def test_killed_migration_leaves_a_database_that_opens(tmp_path: Path, backup_dir: Path) -> None:
    path = tmp_path / "data" / "cobrador.db"
    db = open_database(sqlite_url(path), backup_dir=backup_dir)
    _seed(db)
    before = _snapshot(db)
    db.close()
    chain = _chain(tmp_path, """
        op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("DELETE FROM debts")
        op.execute("UPDATE debtors SET name = 'estragado'")
        os._exit(9)  # the process dies here, as if killed
    """)
    script = textwrap.dedent(f"""
        from pathlib import Path
        from cobrador_desktop.storage import migrate
        from cobrador_desktop.storage.db import Database
        db = Database({sqlite_url(path)!r})
        migrate.upgrade(db, Path({str(backup_dir)!r}), script_location=Path({str(chain)!r}))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                            cwd=Path(__file__).parents[3])
    assert result.returncode == 9, result.stderr.decode()

    db = open_database(sqlite_url(path), backup_dir=backup_dir)
    try:
        assert migrate.current_revision(db) == migrate.HEAD_REVISION
        assert _snapshot(db) == before
        assert "scratch" not in db.call_on_worker(lambda: inspect(db.engine).get_table_names())
    finally:
        db.close()


# ------------------------------------------------------------------------- start-up speed


def test_head_revision_constant_matches_the_scripts() -> None:
    assert migrate.scripts_head() == migrate.HEAD_REVISION


def test_opening_an_up_to_date_database_does_not_load_alembic(tmp_path: Path) -> None:
    """Alembic costs ~150 ms at start-up; a database already at head must not pay it."""
    import subprocess
    import sys

    url = sqlite_url(tmp_path / "c.db")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cobrador_desktop.storage.db import open_database\n"
        f"db = open_database({url!r}, backup_dir=Path({str(tmp_path / 'b')!r}))\n"
        "db.close()\n"
        "print('alembic' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=120)
    assert first.stdout.strip() == "True"  # a new database is migrated with Alembic
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    assert second.stdout.strip() == "False"
