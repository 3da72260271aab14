"""`pix VALOR [--txid ID] [--key K --name N --city C] [--qr FILE.png]` (INTERFACES.md §1).

Prints the PIX copia-e-cola on stdout; key, name and city not given come from the shop's saved
receiver (`shop.pix`). The database is opened only when something must come from it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cobrador_desktop.app.config import Profile


def run_pix(profile: Profile, args: argparse.Namespace) -> int:
    from cobrador_desktop.domain.pix import encode_brcode, parse_pix_amount
    from cobrador_desktop.services.pix import ShopPix, charge_for, read_shop_pix, write_pix_qr

    amount = parse_pix_amount(args.amount)
    given = ShopPix.from_setting({"key": args.key, "name": args.name, "city": args.city})
    saved = None
    if not (given.key and given.name and given.city):
        from cobrador_desktop.storage.db import open_database

        db = open_database(profile.database_url, backup_dir=profile.backup_dir)
        try:
            saved = read_shop_pix(db)
        finally:
            db.close()
    payload = encode_brcode(charge_for(amount, txid=args.txid, given=given, saved=saved))
    if args.qr:
        written = write_pix_qr(payload, Path(args.qr))
        print(f"QR Code gravado em {written}.", file=sys.stderr)
    print(payload, flush=True)
    return 0
