"""`import` as a shop runs it: a messy Windows export, a second file, a re-import, then `export`."""

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


def test_import_merge_reimport_and_export(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    first = cli(data, "import", str(FIXTURES / "shop_cp1252.csv"))
    assert first.returncode == 0, first.stderr
    out = first.stdout.splitlines()
    assert out[3:8] == ["devedores novos: 4", "devedores atualizados: 0", "dívidas novas: 5",
                        "linhas rejeitadas: 5", "linha 4: nome vazio"]
    assert any(line.startswith("linha 5: CPF/CNPJ “111.222.333-44” inválido") for line in out)
    assert "linha 11: valor “0” é zero" in out and "linha 12: vencimento vazio" in out
    assert "Traceback" not in first.stderr

    second = cli(data, "import", str(FIXTURES / "second_bom.csv"), "--opt-in", "ficha de crediário")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[3:7] == [
        "devedores novos: 1", "devedores atualizados: 2", "dívidas novas: 3",
        "linhas rejeitadas: 0"]

    again = cli(data, "import", str(FIXTURES / "shop_cp1252.csv"))
    assert again.stdout.splitlines()[3:6] == [
        "devedores novos: 0", "devedores atualizados: 0", "dívidas novas: 0"]

    exported = cli(data, "export", str(tmp_path / "tudo.json"))
    assert exported.returncode == 0, exported.stderr
    debtors = {d["document"] or d["name"]: d
               for d in json.loads((tmp_path / "tudo.json").read_text("utf-8"))["debtors"]}
    joao = debtors["12345678909"]
    # the second file filled the e-mail João lacked and kept the name he had
    assert (joao["name"], joao["email"]) == ("João da Conceição", "joao@example.com")
    assert sorted(d["description"] for d in joao["debts"]) == [
        "Parcela 1/3", "Parcela 2/3", "Parcela 3/3"]
    assert [p["e164"] for p in joao["phones"]] == ["+5511987654321"]
    assert joao["phones"][0]["opt_in_source"].startswith("ficha de crediário (importação: "
                                                        "second_bom.csv, linha 2")
    assert debtors["12ABC34501DE35"]["document_type"] == "cnpj"
    assert len(debtors) == 5


@pytest.mark.parametrize(("name", "words"), [("image.csv", "não é uma planilha"),
                                             ("nada.csv", "não existe")])
def test_unreadable_input_exits_2_with_a_message(tmp_path: Path, name: str, words: str) -> None:
    result = cli(tmp_path, "import", str(FIXTURES / name))
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_bad_map_exits_2(tmp_path: Path) -> None:
    result = cli(tmp_path, "import", str(FIXTURES / "tabs.csv"), "--map", "Total=amount")
    assert result.returncode == 2 and "“Total” de --map não existe" in result.stderr
