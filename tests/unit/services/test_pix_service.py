"""The shop's PIX receiver setting, the charge the `pix` command makes, and the QR image."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cobrador_desktop.domain.pix import InvalidPixName, build_charge, encode_brcode
from cobrador_desktop.domain.pix_keys import InvalidPixKey
from cobrador_desktop.domain.settings import SHOP_PIX_KEY
from cobrador_desktop.services.pix import (
    QR_BORDER,
    QR_SCALE,
    QrWriteFailed,
    ShopPix,
    ShopPixMissing,
    charge_for,
    qr_code,
    read_shop_pix,
    save_shop_pix,
    write_pix_qr,
)
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.repos.bulk import dataset_marker
from tests.unit.services.qr_reader import read_qr

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
V1 = ("00020126360014br.gov.bcb.pix0114112223330001815204000053039865406159.905802BR5918LOJA SAO "
      "JOAO LTDA6009SAO PAULO62170513CB00001234P0363041F06")
V4 = ("00020126580014br.gov.bcb.pix0136123e4567-e89b-12d3-a456-42661417400052040000530398654040.01"
      "5802BR5913OFICINA DO ZE6014BELO HORIZONTE62060502T16304EE5B")


def test_nothing_saved_reads_as_nothing(database: Database) -> None:
    assert read_shop_pix(database) == ShopPix()


def test_saved_receiver_is_read_back_and_replaced(database: Database) -> None:
    saved = save_shop_pix(database, "11.222.333/0001-81", " Loja São João Ltda ", "São Paulo",
                          now=NOW)
    assert saved == ShopPix(key="11222333000181", name="Loja São João Ltda", city="São Paulo")
    assert read_shop_pix(database) == saved
    stored = database.run_sync(lambda s: dataset_marker(s, SHOP_PIX_KEY))
    assert stored == {"key": "11222333000181", "name": "Loja São João Ltda", "city": "São Paulo"}
    save_shop_pix(database, "Financeiro@Loja.com.br", "Loja", "Campinas", now=NOW)
    assert read_shop_pix(database).key == "financeiro@loja.com.br"


@pytest.mark.parametrize(("key", "name", "error"), [
    ("123", "Loja", InvalidPixKey), ("11222333000181", "???", InvalidPixName)])
def test_a_receiver_no_code_could_carry_is_not_saved(database: Database, key: str, name: str,
                                                     error: type[Exception]) -> None:
    with pytest.raises(error):
        save_shop_pix(database, key, name, "Campinas", now=NOW)
    assert read_shop_pix(database) == ShopPix()


def test_from_setting_ignores_junk() -> None:
    assert ShopPix.from_setting({"key": 5, "name": "  ", "city": " Campinas "}) == \
        ShopPix(None, None, "Campinas")
    assert ShopPix.from_setting(None) == ShopPix()


def test_given_parts_win_and_missing_ones_come_from_the_setting() -> None:
    saved = ShopPix(key="11222333000181", name="Loja São João Ltda", city="São Paulo")
    charge = charge_for(15990, txid="CB00001234P03", given=ShopPix(), saved=saved)
    assert encode_brcode(charge) == V1
    mixed = charge_for(1, txid="T1", saved=saved, given=ShopPix(
        key="123e4567-e89b-12d3-a456-426614174000", name="Oficina do Zé", city="Belo Horizonte"))
    assert encode_brcode(mixed) == V4
    only_city = charge_for(None, txid=None, given=ShopPix(city="Campinas"), saved=saved)
    assert (only_city.key, only_city.name, only_city.city) == (
        "11222333000181", "LOJA SAO JOAO LTDA", "CAMPINAS")


def test_missing_parts_are_named() -> None:
    with pytest.raises(ShopPixMissing, match=r"falta: --key, --city") as caught:
        charge_for(100, txid=None, given=ShopPix(name="Loja"), saved=None)
    assert caught.value.exit_code == 2 and "--key CHAVE" in caught.value.hint


@pytest.mark.parametrize("payload", [V1, V4, encode_brcode(build_charge(
    "financeiro@lojaexemplo.com.br", "Comércio de Materiais Araújo e Filhos", "Florianópolis",
    amount_cents=123456, txid="ACORDO77P1", info="Parcela 1 de 3"))])
def test_qr_png_reads_back_to_the_payload(payload: str, tmp_path: Path) -> None:
    target = tmp_path / "pix.png"
    assert write_pix_qr(payload, target) == target.resolve()
    read = read_qr(target)
    assert read.data.decode("ascii") == payload
    assert (read.level, read.border, read.scale) == ("M", QR_BORDER, QR_SCALE)
    expected = qr_code(payload)
    assert read.version == expected.version
    assert read.modules == tuple(tuple(bool(m) for m in row) for row in expected.matrix)
    assert [p.name for p in tmp_path.iterdir()] == ["pix.png"]  # no temporary file left


def test_v1_fits_a_version_8_symbol(tmp_path: Path) -> None:
    write_pix_qr(V1, tmp_path / "v1.png")
    assert read_qr(tmp_path / "v1.png").version == 8


def test_qr_into_a_missing_folder_changes_nothing(tmp_path: Path) -> None:
    with pytest.raises(QrWriteFailed, match="QR Code"):
        write_pix_qr(V1, tmp_path / "nao-existe" / "pix.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root ignores permissions")
def test_qr_into_a_read_only_folder_keeps_the_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "somente-leitura"
    folder.mkdir()
    old = folder / "pix.png"
    old.write_bytes(b"old")
    folder.chmod(0o555)
    try:
        with pytest.raises(QrWriteFailed) as caught:
            write_pix_qr(V1, old)
        assert caught.value.exit_code == 2
        assert old.read_bytes() == b"old"
    finally:
        folder.chmod(0o755)
