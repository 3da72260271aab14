"""`check` and `export` end to end, on a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cobrador_desktop.app import main
from cobrador_desktop.app.checks import Level, check_cloud_api


def test_check_passes_on_a_new_data_folder(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "novo"
    assert main(["--data-dir", str(data), "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out, "check printed nothing"
    assert all(line.split()[0] in {"OK", "AVISO"} for line in out), out
    assert any(line.startswith("OK") and "Banco de dados" in line for line in out)
    # no number connected on a fresh install: a warning that says what to do, never a failure
    assert any(line.startswith("AVISO") and "API do WhatsApp" in line for line in out)
    assert (data / "cobrador.db").exists()


def test_check_fails_on_a_corrupt_database(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "dados"
    data.mkdir()
    garbage = b"isto nao e um banco sqlite" * 100
    (data / "cobrador.db").write_bytes(garbage)
    assert main(["--data-dir", str(data), "check"]) == 1
    out = capsys.readouterr().out
    assert "FALHA" in out and "danificado" in out
    assert (data / "cobrador.db").read_bytes() == garbage


def test_check_reports_an_unreachable_api(monkeypatch: pytest.MonkeyPatch) -> None:
    # port 9 on loopback: nothing listens there, so the connection is refused at once
    monkeypatch.setenv("WHATSAPP_API_BASE_URL", "http://127.0.0.1:9/v25.0")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "1122334455667")
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "token-de-teste")
    line = check_cloud_api()
    assert line.level is Level.FAIL
    assert "sem resposta" in line.detail
    assert "token-de-teste" not in line.render()


def test_export_writes_the_v1_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cobrador_desktop.app.config import resolve_profile
    from cobrador_desktop.services.demo import seed_demo_sync
    from cobrador_desktop.storage.db import open_database

    data = tmp_path / "dados"
    profile = resolve_profile(data_dir=str(data), database_url=None, demo=False)
    data.mkdir()
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        from datetime import date

        seed_demo_sync(db, today=date(2026, 11, 23))
    finally:
        db.close()
    target = tmp_path / "x.json"
    assert main(["--data-dir", str(data), "export", str(target)]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["format"] == "cobrador-export" and doc["version"] == 1
    assert doc["exported_at"].endswith("Z")
    assert len(doc["debtors"]) > 50
    debtor = next(d for d in doc["debtors"] if d["phones"] and d["debts"])
    assert set(debtor) >= {"id", "name", "document", "document_type", "email", "tags",
                           "opted_out", "phones", "debts"}
    assert set(debtor["phones"][0]) >= {"e164", "kind", "whatsapp_status", "opted_out",
                                        "wrong_party", "opt_in_source"}
    assert debtor["phones"][0]["e164"].startswith("+")
    debt = debtor["debts"][0]
    assert set(debt) >= {"id", "description", "amount_cents", "due_date", "status", "paid_cents"}
    assert isinstance(debt["amount_cents"], int)
    assert doc["conversations"], "the demo has conversations"
    message = doc["conversations"][0]["messages"][0]
    assert set(message) >= {"id", "wamid", "direction", "type", "text", "status", "error_code",
                            "created_at"}
    assert message["direction"] in {"in", "out"}
    assert "devedores" in capsys.readouterr().err


def test_export_to_a_missing_folder_changes_nothing(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--data-dir", str(tmp_path / "d"), "export", str(tmp_path / "nao" / "x.json")])
    assert code == 2
    assert "a pasta não existe" in capsys.readouterr().err
    assert not (tmp_path / "nao").exists()


def test_entry_point_runs_as_a_module(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "cobrador_desktop", "--version"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert "Cobrador Desktop" in result.stdout
