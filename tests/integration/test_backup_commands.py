"""`backup`, `restore` and `check`'s backups line, end to end through the command line."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cobrador_desktop.app import main
from cobrador_desktop.app.config import resolve_profile
from cobrador_desktop.storage.db import open_database
from cobrador_desktop.storage.orm import AuditEntry, Debtor
from tests.unit.storage.factories import add_debtor

PG_URL = "postgresql+psycopg://cobrador:segredo@127.0.0.1:1/cobrador"


def _names(db_path: Path) -> list[str]:
    # closed here: a sqlite3 connection lives in a reference cycle (its statement cache), so one
    # left to the garbage collector may still hold the file when `restore` checks who has it open
    with closing(sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM debtors ORDER BY name")]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder whose database holds one debtor, Ana."""
    folder = tmp_path / "dados"
    profile = resolve_profile(data_dir=str(folder), database_url=None, demo=False)
    folder.mkdir()
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    db.run_sync(lambda s: add_debtor(s, "Ana"))
    db.close()
    return folder


def test_backup_prints_the_file_and_restore_brings_it_back(
        data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["--data-dir", str(data), "backup"]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == data / "backups" and written.name.endswith("-manual.db")

    db = open_database(f"sqlite:///{data / 'cobrador.db'}", backup_dir=data / "backups")
    db.run_sync(lambda s: add_debtor(s, "Bruno"))
    db.close()
    assert _names(data / "cobrador.db") == ["Ana", "Bruno"]

    # without --yes it asks; anything but "sim" changes nothing
    monkeypatch.setattr(sys, "stdin", io.StringIO("não\n"))
    assert main(["--data-dir", str(data), "restore", str(written)]) == 2
    assert "Nada foi alterado" in capsys.readouterr().err
    assert _names(data / "cobrador.db") == ["Ana", "Bruno"]

    monkeypatch.setattr(sys, "stdin", io.StringIO("sim\n"))
    assert main(["--data-dir", str(data), "restore", str(written)]) == 0
    err = capsys.readouterr().err
    assert "o que foi feito depois dela deixa de aparecer" in err
    assert _names(data / "cobrador.db") == ["Ana"]
    kept = [p for p in data.iterdir() if "substituido" in p.name and p.suffix == ".db"]
    assert len(kept) == 1 and _names(kept[0]) == ["Ana", "Bruno"]
    # the restored database says so in its audit log
    db = open_database(f"sqlite:///{data / 'cobrador.db'}", backup_dir=data / "backups")
    try:
        entries = db.run_sync(lambda s: s.scalars(
            select(AuditEntry).where(AuditEntry.action == "backup.restore")).all())
        assert [e.details["backup"] for e in entries] == [written.name]
        assert db.run_sync(lambda s: len(s.scalars(select(Debtor)).all())) == 1
    finally:
        db.close()


def test_backup_to_a_folder(data: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    usb = tmp_path / "pendrive"
    assert main(["--data-dir", str(data), "backup", "--to", str(usb)]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == usb and _names(written) == ["Ana"]


def test_backup_without_a_database_yet(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "vazio"), "backup"]) == 2
    assert "Ainda não há banco de dados" in capsys.readouterr().err


def test_restore_refuses_a_newer_schema_and_a_non_database(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data), "backup", "--to", str(tmp_path / "c")]) == 0
    newer = Path(capsys.readouterr().out.strip())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = (data / "cobrador.db").read_bytes()

    assert main(["--data-dir", str(data), "restore", str(newer), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "versão mais nova" in err and "9999" in err and "Nada foi alterado" in err

    planilha = tmp_path / "clientes.csv"
    planilha.write_text("nome;valor\nAna;10,00\n", encoding="utf-8")
    assert main(["--data-dir", str(data), "restore", str(planilha), "--yes"]) == 2
    assert "não é uma cópia de segurança" in capsys.readouterr().err
    assert main(["--data-dir", str(data), "restore", str(tmp_path / "nada.db"), "--yes"]) == 2
    assert "não existe" in capsys.readouterr().err
    assert (data / "cobrador.db").read_bytes() == before
    assert not [p for p in data.iterdir() if "substituido" in p.name]


def test_restore_refuses_while_another_program_has_the_database_open(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data), "backup"]) == 0
    written = Path(capsys.readouterr().out.strip())
    # another process (the window, serve) holds the database open
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         f"c = sqlite3.connect({str(data / 'cobrador.db')!r})\n"
         "c.execute('PRAGMA journal_mode=WAL'); c.execute('SELECT 1 FROM debtors').fetchall()\n"
         "print('open', flush=True); sys.stdin.readline()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert main(["--data-dir", str(data), "restore", str(written), "--yes"]) == 2
        assert "aberto em outro programa" in capsys.readouterr().err
        assert not [p for p in data.iterdir() if "substituido" in p.name]
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()
    assert main(["--data-dir", str(data), "restore", str(written), "--yes"]) == 0


def test_postgresql_points_to_pg_dump(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["backup"], ["restore", str(tmp_path / "x.dump"), "--yes"]):
        assert main(["--data-dir", str(tmp_path), "--database-url", PG_URL, *command]) == 2
        err = capsys.readouterr().err
        assert "pg_dump --format=custom" in err and "pg_restore" in err
        assert "segredo" not in err


def test_the_commands_run_as_a_program(data: Path) -> None:
    env = {**os.environ, "COBRADOR_DATA_DIR": str(data)}
    done = subprocess.run([sys.executable, "-m", "cobrador_desktop", "backup"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_file()
    refused = subprocess.run([sys.executable, "-m", "cobrador_desktop", "restore",
                              str(data / "cobrador.db-nada"), "--yes"], env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 2 and "não existe" in refused.stderr


def test_check_line_for_sqlite_backups(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cobrador_desktop.app.backup_check import check_backups
    from cobrador_desktop.app.checks import Level

    profile = resolve_profile(data_dir=str(data), database_url=None, demo=False)
    line = check_backups(profile)
    assert line.level is Level.WARN and "nenhuma cópia" in line.detail
    assert main(["--data-dir", str(data), "backup"]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert check_backups(profile).level is Level.OK
    # three days old: a warning that says how to make one now
    old = written.with_name(written.name.replace(
        written.name[9:25], (datetime.now(UTC) - timedelta(days=3)).strftime("%Y%m%dT%H%M%SZ")))
    written.rename(old)
    stale = check_backups(profile)
    assert stale.level is Level.WARN and "cobrador-desktop backup" in stale.detail


def test_check_line_for_pg_dump_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cobrador_desktop.app.backup_check import check_backups
    from cobrador_desktop.app.checks import Level

    dumps = tmp_path / "dumps"
    dumps.mkdir()
    monkeypatch.setenv("COBRADOR_PG_DUMP_DIR", str(dumps))
    profile = resolve_profile(data_dir=str(tmp_path / "d"), database_url=PG_URL, demo=False)
    line = check_backups(profile)
    assert line.level is Level.WARN and str(dumps) in line.detail and "pg_dump" in line.detail
    (dumps / "cobrador-20261207.dump").write_bytes(b"PGDMP")
    line = check_backups(profile)
    assert line.level is Level.OK and "cobrador-20261207.dump" in line.detail
