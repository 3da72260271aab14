"""The shop's PIX receiver (a saved setting) and PIX codes as text and QR images.

The receiver lives in the `settings` row `shop.pix`, JSON `{"key", "name", "city"}`: the key as
`parse_pix_key` normalised it, the "Nome no PIX" as the bank shows the account (≤ 25 characters)
and the city. QR images follow COMPLIANCE.md §6.6: `segno`, error correction level M, quiet zone
of 4 modules, PNG written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import segno

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.pix import PixCharge, build_charge
from cobrador_desktop.domain.pix_keys import parse_pix_key
from cobrador_desktop.domain.settings import SHOP_PIX_KEY
from cobrador_desktop.services.export import ExportFailed, write_atomically
from cobrador_desktop.services.ports import SyncRunner
from cobrador_desktop.storage.repos.bulk import dataset_marker, mark_dataset

#: QR error correction (M: 15 % of the symbol may be damaged) and quiet zone, COMPLIANCE.md §6.6
QR_ERROR, QR_BORDER = "m", 4
#: pixels per module: V1 (a version-8 symbol, 49 modules + quiet zone) is 570 px wide
QR_SCALE = 10


class ShopPixMissing(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A chave PIX da loja não está configurada (falta: {missing}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Informe no comando --key CHAVE --name \"NOME NO PIX\" --city CIDADE, por exemplo: "
        "pix 150,00 --key 11.222.333/0001-81 --name \"Loja Exemplo\" --city Campinas.")


class QrWriteFailed(ExportFailed):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não foi possível gravar o QR Code em {path}: {detail}.")


@dataclass(frozen=True)
class ShopPix:
    """Who receives the shop's PIX: the `shop.pix` setting (each part may be missing)."""

    key: str | None = None
    name: str | None = None
    city: str | None = None

    @classmethod
    def from_setting(cls, value: Mapping[str, Any] | None) -> ShopPix:
        value = value or {}

        def text(field: str) -> str | None:
            item = value.get(field)
            return item.strip() or None if isinstance(item, str) else None

        return cls(key=text("key"), name=text("name"), city=text("city"))

    def as_setting(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "city": self.city}


def read_shop_pix(db: SyncRunner) -> ShopPix:
    """The saved receiver; every part None when nothing was saved."""
    return ShopPix.from_setting(db.run_sync(lambda s: dataset_marker(s, SHOP_PIX_KEY)))


def check_shop_pix(key: str, name: str, city: str) -> ShopPix:
    """The receiver as it would be saved (the key normalised; name and city as typed).

    Raises:
        InvalidInput: the key, name or city cannot make a PIX code.
    """
    pix_key = parse_pix_key(key)
    build_charge(pix_key, name, city)  # raises when no code could carry them
    return ShopPix(key=pix_key.value, name=name.strip(), city=city.strip())


def save_shop_pix(db: SyncRunner, key: str, name: str, city: str, *, now: datetime) -> ShopPix:
    """Check and save the shop's receiver (the key normalised; name and city as typed).

    Raises:
        InvalidInput: the key, name or city cannot make a PIX code (nothing is saved).
    """
    saved = check_shop_pix(key, name, city)
    db.run_sync(lambda s: mark_dataset(s, SHOP_PIX_KEY, saved.as_setting(), now))
    return saved


def charge_for(amount_cents: int | None, *, txid: str | None, given: ShopPix,
               saved: ShopPix | None) -> PixCharge:
    """The charge of what was given, each missing part taken from the saved receiver.

    Raises:
        ShopPixMissing: key, name or city neither given nor saved.
        InvalidInput: a part cannot go into a PIX code.
    """
    saved = saved or ShopPix()
    key, name, city = (given.key or saved.key, given.name or saved.name,
                       given.city or saved.city)
    missing = [option for option, part in (("--key", key), ("--name", name), ("--city", city))
               if not part]
    if key is None or name is None or city is None:
        raise ShopPixMissing(missing=", ".join(missing))
    return build_charge(key, name, city, amount_cents=amount_cents, txid=txid)


def qr_code(payload: str) -> segno.QRCode:
    """The QR symbol of a copia-e-cola: level M exactly (not boosted), never a Micro QR."""
    return segno.make(payload, error=QR_ERROR, micro=False, boost_error=False)


def write_pix_qr(payload: str, target: Path) -> Path:
    """Write the QR image of `payload` as a PNG at `target`, atomically.

    Raises:
        QrWriteFailed: the folder is missing or the file cannot be written (nothing changed).
    """
    target = target.expanduser().resolve()
    if not target.parent.is_dir():
        raise QrWriteFailed(path=str(target), detail="a pasta não existe")
    symbol = qr_code(payload)
    try:
        write_atomically(target, lambda tmp: symbol.save(str(tmp), kind="png", scale=QR_SCALE,
                                                         border=QR_BORDER), suffix=".png")
    except ExportFailed as err:
        raise QrWriteFailed(**err.params) from err
    return target
