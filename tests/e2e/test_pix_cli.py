"""`pix VALOR …` as a shop runs it: the copia-e-cola of COMPLIANCE.md §6.5, the QR, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cobrador_desktop.services.pix import save_shop_pix
from cobrador_desktop.storage.db import open_database, sqlite_url
from tests.unit.services.qr_reader import read_qr

pytestmark = pytest.mark.slow

V1 = ("00020126360014br.gov.bcb.pix0114112223330001815204000053039865406159.905802BR5918LOJA SAO "
      "JOAO LTDA6009SAO PAULO62170513CB00001234P0363041F06")
V4 = ("00020126580014br.gov.bcb.pix0136123e4567-e89b-12d3-a456-42661417400052040000530398654040.01"
      "5802BR5913OFICINA DO ZE6014BELO HORIZONTE62060502T16304EE5B")
V1_RECEIVER = ("--key", "11.222.333/0001-81", "--name", "Loja São João Ltda", "--city", "São Paulo")


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cobrador_desktop", "--data-dir", str(data), *args],
                          env=dict(os.environ), capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False)


def test_pix_prints_the_v1_copia_e_cola_and_writes_its_qr(tmp_path: Path) -> None:
    qr = tmp_path / "parcela.png"
    done = cli(tmp_path / "dados", "pix", "159,90", "--txid", "CB00001234P03", *V1_RECEIVER,
               "--qr", str(qr))
    assert done.returncode == 0, done.stderr
    assert done.stdout == V1 + "\n"
    assert "QR Code gravado em" in done.stderr
    assert read_qr(qr).data.decode("ascii") == V1
    # 150.00 with a dot works too, and an EVP key
    v4 = cli(tmp_path / "dados", "pix", "0.01", "--txid", "T1", "--key",
             "123E4567-E89B-12D3-A456-426614174000", "--name", "Oficina do Zé",
             "--city", "Belo Horizonte")
    assert (v4.returncode, v4.stdout) == (0, V4 + "\n")


def test_pix_uses_the_shops_saved_receiver(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    data.mkdir()
    db = open_database(sqlite_url(data / "cobrador.db"), backup_dir=data / "backups")
    try:
        save_shop_pix(db, "11222333000181", "Loja São João Ltda", "São Paulo",
                      now=datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    finally:
        db.close()
    done = cli(data, "pix", "159,90", "--txid", "CB00001234P03")
    assert (done.returncode, done.stdout) == (0, V1 + "\n"), done.stderr
    other_city = cli(data, "pix", "159,90", "--txid", "CB00001234P03", "--city", "Campinas")
    assert other_city.returncode == 0 and "6008CAMPINAS62" in other_city.stdout


def test_without_a_receiver_pix_says_how_to_give_one(tmp_path: Path) -> None:
    done = cli(tmp_path / "dados", "pix", "150,00", "--name", "Loja")
    assert done.returncode == 2 and done.stdout == ""
    assert "A chave PIX da loja não está configurada (falta: --key, --city)" in done.stderr
    assert "--key CHAVE" in done.stderr


@pytest.mark.parametrize(("args", "says"), [
    (("0,00", *V1_RECEIVER), "Valor do PIX fora do permitido"),
    (("cento e cinquenta", *V1_RECEIVER), "Valor em reais inválido"),
    (("150,00", "--txid", "pedido 1", *V1_RECEIVER), "txid"),
    (("150,00", "--key", "123.456.789-08", "--name", "Loja", "--city", "Campinas"),
     "Chave PIX inválida"),
    (("150,00", "--key", "(11) 3333-4444", "--name", "Loja", "--city", "Campinas"),
     "não serve como chave PIX"),
    (("150,00", "--key", "11222333000181", "--name", "!!!", "--city", "Campinas"),
     "Nome do recebedor PIX inválido"),
    (("150,00", *V1_RECEIVER, "--qr", "/nao/existe/pix.png"), "Não foi possível gravar o QR Code"),
])
def test_bad_input_exits_2_in_portuguese(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    done = cli(tmp_path / "dados", "pix", *args)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and done.stdout == ""


def test_missing_amount_is_a_usage_error(tmp_path: Path) -> None:
    done = cli(tmp_path / "dados", "pix")
    assert done.returncode == 2 and "faltam os argumentos: VALOR" in done.stderr
