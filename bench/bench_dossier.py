"""A debtor's dossier with thousands of messages: gathering it, and laying out its PDF.

- dossier.gather[N]: `DossierService.gather` for a debtor with N messages (each sent one with
  its sent/delivered/read reports) against the floor of the very SELECTs it ran (captured from
  SQLAlchemy, same text and parameters) executed through a bare `sqlite3` connection and fetched.
  Goal ≤ 3×.
- dossier.pdf: the PDF of 4N messages against the PDF of N, per message (the floor is the time
  per message of the smaller one): linear work stays near 1; goal ≤ 1.5 (a layout that grows
  with the square of the messages would be ~4).

    python bench/bench_dossier.py            # N = 1,000 (and 4,000), 3 repetitions
    python bench/bench_dossier.py --quick    # N = 250 (and 1,000), one repetition
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _harness import parser
from _sql_floor import against_floor, reads_of
from PySide6.QtGui import QGuiApplication
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE, FakeClock
from cobrador_desktop.domain.dossier import Dossier
from cobrador_desktop.domain.text import fold
from cobrador_desktop.services.dossier import DossierService
from cobrador_desktop.storage.db import Database, open_database, sqlite_url
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    MessageEvent,
    Phone,
)
from cobrador_desktop.ui.reports.dossier_pdf import save_dossier

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
GOAL_GATHER = 3.0
GOAL_LINEAR = 1.5


def _debtor(db: Database, messages: int, number: str) -> int:
    """A debtor with `messages` messages, a third of them incoming, the rest with 3 reports."""
    def work(session: Session) -> int:
        debtor = Debtor(name=f"Devedor {number}", name_key=fold(f"Devedor {number}"),
                        document=None, created_at=NOW, updated_at=NOW)
        session.add(debtor)
        session.flush()
        session.add(Debt(debtor_id=debtor.id, amount_cents=25_000, due_date=NOW.date(),
                         description="Compra", created_at=NOW, updated_at=NOW))
        phone = Phone(e164=f"+55119{number}", kind="mobile")
        session.add(phone)
        session.flush()
        session.add(DebtorPhone(debtor_id=debtor.id, phone_id=phone.id))
        chat = Conversation(phone_id=phone.id, debtor_id=debtor.id)
        session.add(chat)
        session.flush()
        start = NOW - timedelta(days=400)
        rows: list[Any] = []
        for n in range(messages):
            at = start + timedelta(minutes=97 * n)
            inbound = n % 3 == 1
            wamid = None if inbound else f"wamid.{number}.{n}"
            rows.append(Message(
                conversation_id=chat.id, wamid=wamid, direction="in" if inbound else "out",
                type="text", text=f"Mensagem {n}: " + "lembrete da parcela " * (n % 5 + 1),
                status="received" if inbound else "read", created_at=at))
            if wamid is not None:
                rows += [MessageEvent(wamid=wamid, status=status, at=at + timedelta(minutes=k))
                         for k, status in enumerate(("sent", "delivered", "read"), 1)]
        session.add_all(rows)
        return debtor.id
    return db.run_sync(work)


def _gather(service: DossierService, debtor: int) -> Dossier:
    got: list[Dossier] = []

    async def call() -> None:  # returns nothing: asyncio.run would repr a returned dossier
        got.append(await service.gather(debtor, None))
    asyncio.run(call())
    return got[0]


def _bench_gather(db: Database, raw: sqlite3.Connection, service: DossierService, debtor: int,
                  messages: int, reps: int) -> None:
    _, selects = reads_of(db.engine, lambda: _gather(service, debtor))  # warm-up, and its SQL
    ms, floor = against_floor(lambda: _gather(service, debtor), raw, selects, reps)
    print(f"dossier.gather[{messages}]: {ms:.1f} ms | floor: {floor:.1f} ms | "
          f"ratio: {ms / floor:.2f} (goal ≤ {GOAL_GATHER:.2f})  [{len(selects)} consultas]")


def _pdf_seconds(dossier: Dossier, folder: Path, reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        save_dossier(folder / "dossie.pdf", dossier)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    reps = args.runs or (1 if args.quick else 3)
    small = 250 if args.quick else 1000
    app = QGuiApplication.instance() or QGuiApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-dossier-") as folder:
        path = Path(folder) / "cobrador.db"
        db = open_database(sqlite_url(path), backup_dir=Path(folder) / "backups")
        raw = sqlite3.connect(path)
        try:
            service = DossierService(db, FakeClock(NOW), ZoneInfo(DEFAULT_SHOP_ZONE))
            one = _debtor(db, small, "87650001")
            four = _debtor(db, 4 * small, "87650002")
            print(f"# {reps} repetições, mediana; SQLite {sqlite3.sqlite_version}")
            _bench_gather(db, raw, service, four, 4 * small, reps)
            per_small = _pdf_seconds(_gather(service, one), Path(folder), reps) / small
            per_large = _pdf_seconds(_gather(service, four), Path(folder), reps) / (4 * small)
            print(f"dossier.pdf[{4 * small} vs {small}]: {per_large * 1000:.2f} ms/mensagem | "
                  f"floor: {per_small * 1000:.2f} ms/mensagem | ratio: {per_large / per_small:.2f} "
                  f"(goal ≤ {GOAL_LINEAR:.2f})  [{per_large * 4 * small:.1f} s o PDF maior]")
        finally:
            raw.close()
            db.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
