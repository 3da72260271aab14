"""`import FILE --payments` as a shop runs it: debts in, a bank statement in (Windows-1252),
the report with one reason per refused line, the same statement again registers nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cobrador_desktop", "--data-dir", str(data), *args],
                          env=dict(os.environ), capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False)


DEBTS = ("Cliente;CPF;Celular;Produto;Valor;Vencimento\r\n"
         "João da Conceição;123.456.789-09;(11) 98765-4321;Parcela 1/2;200,00;05/01/2026\r\n"
         "João da Conceição;123.456.789-09;(11) 98765-4321;Parcela 2/2;200,00;05/02/2026\r\n"
         "Maria Simões;;(21) 3333-4444;Geladeira;1.500,00;10/03/2026\r\n")
STATEMENT = ("Data;Histórico;CPF/CNPJ;Telefone;Valor pago;Forma de pagamento\r\n"
             "02/01/2026;PIX RECEBIDO JOAO;123.456.789-09;;250,00;PIX\r\n"
             "15/01/2026;Depósito;;(21) 3333-4444;500,00;Dinheiro\r\n"
             "16/01/2026;PIX;;(48) 99999-0000;30,00;PIX\r\n"
             "17/01/2026;PIX;123.456.789-09;;1.000,00;PIX\r\n"
             "18/01/2026;PIX;123.456.789-09;;abc;PIX\r\n")


def test_payments_from_a_statement_are_registered_once(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    debts, statement = tmp_path / "dividas.csv", tmp_path / "extrato.csv"
    debts.write_bytes(DEBTS.encode("cp1252"))
    statement.write_bytes(STATEMENT.encode("cp1252"))
    assert cli(data, "import", str(debts)).returncode == 0

    first = cli(data, "import", str(statement), "--payments")
    assert first.returncode == 0, first.stderr
    out = first.stdout.splitlines()
    assert out[0] == "Importação de pagamentos de extrato.csv concluída."
    assert out[1] == "Arquivo: Windows-1252, separador “;”; 5 linhas de dados."
    assert out[3:] == [
        "pagamentos registrados: 2", "já registrados: 0", "dívidas quitadas: 1",
        "linhas rejeitadas: 3",
        "linha 4: nenhum devedor com o telefone (48) 99999-0000",
        "linha 5: valor pago R$ 1.000,00 é maior que o saldo em aberto de João da Conceição "
        "(R$ 150,00)",
        "linha 6: valor pago “abc” ilegível (escreva 1.234,56)"]
    assert "Traceback" not in first.stderr

    again = cli(data, "import", str(statement), "--payments")
    assert again.stdout.splitlines()[3:5] == ["pagamentos registrados: 0", "já registrados: 2"]

    assert cli(data, "export", str(tmp_path / "tudo.json")).returncode == 0
    exported = json.loads((tmp_path / "tudo.json").read_text("utf-8"))["debtors"]
    joao = next(d for d in exported if d["document"] == "12345678909")
    paid = {d["description"]: (d["paid_cents"], d["status"]) for d in joao["debts"]}
    assert paid == {"Parcela 1/2": (20000, "paid"), "Parcela 2/2": (5000, "open")}


def test_a_statement_without_amount_column_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Data;CPF\n01/01/2026;12345678909\n", encoding="utf-8")
    result = cli(tmp_path, "import", str(path), "--payments")
    assert result.returncode == 2 and "faltam as colunas de valor pago (amount)" in result.stderr
    assert "Traceback" not in result.stderr
