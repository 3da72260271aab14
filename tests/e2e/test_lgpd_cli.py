"""`export-person` and `anonymise` as an owner runs them after an import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cobrador_desktop", "--data-dir", str(data), *args],
                          env=dict(os.environ), capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False)


def test_export_person_then_anonymise(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    assert cli(data, "import", str(FIXTURES / "second_bom.csv"),
               "--opt-in", "ficha de crediário").returncode == 0
    assert cli(data, "export", str(tmp_path / "tudo.json")).returncode == 0
    everyone = json.loads((tmp_path / "tudo.json").read_text("utf-8"))["debtors"]
    joao = next(d for d in everyone if d["document"] == "12345678909")

    person = cli(data, "export-person", joao["id"], str(tmp_path / "joao.json"))
    assert person.returncode == 0, person.stderr
    assert f"Dados do devedor {joao['id']} gravados" in person.stderr
    mine = json.loads((tmp_path / "joao.json").read_text("utf-8"))
    assert (mine["format"], mine["version"]) == ("cobrador-person-export", 1)
    assert mine["identity"]["document"] == "12345678909"
    assert mine["phones"][0]["opt_in"]["source"].startswith("ficha de crediário")
    # the export is audited: the next one lists it
    assert cli(data, "export-person", joao["id"], str(tmp_path / "de-novo.json")).returncode == 0
    again = json.loads((tmp_path / "de-novo.json").read_text("utf-8"))
    assert [e["action"] for e in again["audit"]][-1] == "debtor.export_personal_data"

    refused = cli(data, "anonymise", joao["id"])
    assert refused.returncode == 2
    assert "Nada foi alterado" in refused.stderr and "--yes" in refused.stderr

    done = cli(data, "anonymise", joao["id"], "--yes")
    assert done.returncode == 0, done.stderr
    assert f"Devedor {joao['id']} anonimizado" in done.stderr
    assert cli(data, "export", str(tmp_path / "depois.json")).returncode == 0
    after = {d["id"]: d for d in json.loads((tmp_path / "depois.json").read_text("utf-8"))["debtors"]}
    gone = after[joao["id"]]
    assert gone["name"] == f"Titular anonimizado nº {joao['id']}"
    assert (gone["document"], gone["email"], gone["phones"]) == (None, None, [])
    assert [d["amount_cents"] for d in gone["debts"]] == [d["amount_cents"] for d in joao["debts"]]
    assert "12345678909" not in (tmp_path / "depois.json").read_text("utf-8")

    twice = cli(data, "anonymise", joao["id"], "--yes")
    assert twice.returncode == 0 and "já estava anonimizado" in twice.stderr


def test_unknown_debtor_and_bad_code_say_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    missing = cli(data, "export-person", "999", str(tmp_path / "x.json"))
    assert missing.returncode == 1
    assert "Devedor não encontrado (código 999)" in missing.stderr
    # a command line has no list to go back to: the hint says where the code is
    assert "campo Código" in missing.stderr and "Volte à lista" not in missing.stderr
    assert not (tmp_path / "x.json").exists()
    bad = cli(data, "anonymise", "abc", "--yes")
    assert bad.returncode == 2 and "não é um código de devedor" in bad.stderr
