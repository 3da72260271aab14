"""A campaign in `serve`'s database, and `serve` and `emulator` as processes, for the fault tests.

The campaign goes in through the project's own services (`OutboxService.enqueue` with the send
guard's decision); what happened is read back from the outbox as a person would see it (the SQLite
file, or a PostgreSQL database given by its URL) and from the emulator's own record
(`/_emulator/sent`), never from the sender's internals.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

import httpx
import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.policy import SendFacts, SendRequest, evaluate
from cobrador_desktop.domain.text import fold
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.storage.db import open_database, sqlite_url
from cobrador_desktop.storage.orm import Conversation, Debtor, DebtorPhone, Phone
from tests.e2e.ports import free_port
from tests.unit.storage.factories import T0

T = TypeVar("T")
SECRET = "segredo-de-teste"
VERIFY = "verifica"
TOKEN = "emulator-token"
PHONE_NUMBER_ID = "1122334455667"
WABA_ID = "102290129340398"
#: a Monday afternoon in every Brazilian zone: `serve`'s clock starts here (COBRADOR_CLOCK_START)
CLOCK_START = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
#: an approved template of the emulator, with its four body parameters
REMINDER: dict[str, Any] = {"messaging_product": "whatsapp", "type": "template", "template": {
    "name": "lembrete_vencimento_v1", "language": {"code": "pt_BR"},
    "components": [{"type": "body", "parameters": [
        {"type": "text", "text": v} for v in ("Maria", "2/6", "R$ 89,90", "15/12/2026")]}]}}
#: where an outbox row may end once its campaign is quiet
SETTLED = frozenset({"sent", "failed", "unknown"})


def phone_number(index: int) -> str:
    """A distinct São Paulo mobile per debtor (one each: no per-recipient spacing in the way)."""
    return f"+55119{70_000_000 + index:08d}"


class _OneTransaction:
    """A `Runner` that runs every unit of work in the session it was given: the whole campaign is
    enqueued in one transaction (2,000 commits would cost seconds on a loaded machine)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def run(self, fn: Callable[[Session], T]) -> T:
        return fn(self._session)


#: where a campaign lives: a SQLite file, or a PostgreSQL database's URL
Where = Path | str


def database_url(where: Where) -> str:
    return sqlite_url(where) if isinstance(where, Path) else where


def seed_campaign(where: Where, count: int, backup_dir: Path | None = None) -> list[int]:
    """`count` debtors with one phone and conversation each, and one reminder template queued for
    each through the outbox service with the send guard's decision; returns the outbox row ids."""
    if backup_dir is None:
        assert isinstance(where, Path), "a PostgreSQL campaign needs a backup_dir"
        backup_dir = where.parent / "backups"
    database = open_database(database_url(where), backup_dir=backup_dir)

    async def enqueue(service: OutboxService, conversations: list[int]) -> list[int]:
        request = SendRequest("business_initiated", "reminder", "template")
        ids = []
        for conversation in conversations:
            # a fresh number: never wrote, no flags; a template may go outside the 24 h window
            decision = evaluate(request, SendFacts(), CLOCK_START)
            ids.append(await service.enqueue(
                conversation_id=conversation, payload=REMINDER, purpose="reminder",
                kind="business_initiated", message_type="template",
                text="Lembrete de vencimento", decision=decision))
        return ids

    def campaign(session: Session) -> list[int]:
        # one flush per table, not per row: the people are scenery, the outbox is under test
        names = [f"Devedor {i:04d}" for i in range(count)]
        debtors = [Debtor(name=name, name_key=fold(name), created_at=T0, updated_at=T0)
                   for name in names]
        phones = [Phone(e164=phone_number(i), kind="mobile") for i in range(count)]
        session.add_all([*debtors, *phones])
        session.flush()
        links = [DebtorPhone(debtor_id=d.id, phone_id=p.id, role="own", position=0)
                 for d, p in zip(debtors, phones, strict=True)]
        threads = [Conversation(phone_id=p.id, debtor_id=d.id)
                   for d, p in zip(debtors, phones, strict=True)]
        session.add_all([*links, *threads])
        session.flush()
        conversations = [c.id for c in threads]
        service = OutboxService(_OneTransaction(session), FakeClock(CLOCK_START))
        return asyncio.run(enqueue(service, conversations))  # the database thread has no loop

    try:
        return database.run_sync(campaign)
    finally:
        database.close()


@dataclass(frozen=True)
class Row:
    """One outbox row with its message, as the operator's screens show it."""

    id: int
    state: str
    status: str
    wamid: str | None
    error_code: int | None
    error_detail: str | None
    attempts: int


_OUTBOX = ("SELECT o.id, o.state, m.status, m.wamid, m.error_code, m.error_detail, o.attempts "
           "FROM outbox o JOIN messages m ON m.id = o.message_id ORDER BY o.id")


def outbox(where: Where) -> dict[int, Row]:
    """Every outbox row by id (read with plain sqlite3 or psycopg: works while `serve` is dead or
    alive)."""
    if isinstance(where, Path):
        with closing(sqlite3.connect(where, timeout=30)) as conn:
            rows = conn.execute(_OUTBOX).fetchall()
    else:
        libpq = make_url(where).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(libpq) as pg:
            rows = pg.execute(_OUTBOX).fetchall()
    return {r[0]: Row(*r) for r in rows}


def in_state(where: Where, state: str) -> set[int]:
    return {row.id for row in outbox(where).values() if row.state == state}


def check_settled(rows: dict[int, Row], campaign: list[int],
                  sent_by_emulator: list[dict[str, object]]) -> None:
    """What every fault test demands of the end state: no row lost or added, none sent twice by
    the emulator's count, each settled with the answer that explains it."""
    assert sorted(rows) == sorted(campaign), "rows were lost or added"
    accepted: dict[int, list[str]] = {}
    for message in sent_by_emulator:
        callback = str(message["biz_opaque_callback_data"])
        assert callback.startswith("ob:"), callback
        accepted.setdefault(int(callback[3:]), []).append(str(message["id"]))
    twice = {row: ids for row, ids in accepted.items() if len(ids) > 1}
    assert not twice, f"sent more than once: {twice}"
    assert set(accepted) <= set(rows), "the emulator got a message no row names"
    for row in rows.values():
        assert row.state in SETTLED, row
        if row.state == "sent":
            # Meta accepted it exactly once, and the row keeps the id Meta gave
            assert accepted.get(row.id) == [row.wamid], row
            assert row.status in ("sent", "delivered", "read"), row
        elif row.state == "failed":
            assert row.status == "failed" and row.error_detail, row
        else:
            assert row.status == "unknown", row


def env(**extra: str) -> dict[str, str]:
    return dict(os.environ, WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY, **extra)


def sending_env(emulator_url: str) -> dict[str, str]:
    """`serve` sends through the emulator (INTERFACES.md §2), its clock starting on a weekday
    afternoon: the send guard holds reminders at night, on Sundays and holidays."""
    return env(WHATSAPP_API_BASE_URL=f"{emulator_url}/v25.0", WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
               WHATSAPP_WABA_ID=WABA_ID, WHATSAPP_ACCESS_TOKEN=TOKEN,
               COBRADOR_CLOCK_START=CLOCK_START.isoformat())


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


def answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.TransportError:
        return False
    return True


def stop(process: subprocess.Popen[Any], timeout: float = 30) -> int:
    """SIGTERM (a clean stop) and its exit code; SIGKILL only if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


class Emulator:
    """The `emulator` command as a process, and its control API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}/_emulator/{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def sent(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.control("GET", "sent")["messages"]
        return messages

    def total(self) -> int:
        return int(self.control("GET", "sent")["total"])

    def by_callback(self) -> Counter[str]:
        """How many times the emulator accepted each `biz_opaque_callback_data` (`ob:<row id>`)."""
        return Counter(str(m["biz_opaque_callback_data"]) for m in self.sent())


@contextmanager
def emulator(data_dir: Path, webhook_url: str) -> Iterator[Emulator]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with subprocess.Popen([sys.executable, "-m", "cobrador_desktop", "--data-dir", str(data_dir),
                           "emulator", "--port", str(port), "--webhook-url", webhook_url],
                          env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        try:
            wait_until(lambda: answers(f"{url}/_emulator/sent") or process.poll() is not None, 60,
                       "the emulator", interval=0.1)
            assert process.poll() is None, "the emulator exited early"
            emu = Emulator(url)
            # never throttle nor cap by tier: the sender's own pacing (80/s) is what is under test
            emu.control("PUT", "phone", {"throughput_per_second": 100_000,
                                         "messaging_limit": "TIER_UNLIMITED"})
            yield emu
        finally:
            stop(process)


class Serve:
    """`serve` as a process that can be started, killed and started again on the same port.

    Use it in a `with` block: whatever happens, no `serve` outlives the test.
    """

    def __init__(self, data_dir: Path, emulator_url: str, port: int, log_dir: Path,
                 database: str | None = None, name: str = "serve") -> None:
        """`database`: a PostgreSQL URL (`--database-url`); else the SQLite file in `data_dir`.
        `name` tells several `serve`s' logs apart."""
        self.data_dir = data_dir
        self.database = database
        self.name = name
        self.emulator_url = emulator_url
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_dir = log_dir
        self.runs = 0
        self.process: subprocess.Popen[Any] | None = None
        self._stderr: TextIO | None = None

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
        self._close()

    @property
    def db_path(self) -> Path:
        return self.data_dir / "cobrador.db"

    @property
    def where(self) -> Where:
        """The database `outbox()` reads."""
        return self.database if self.database is not None else self.db_path

    def start(self) -> None:
        """Start serve and return once `/healthz` answers."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start serve without waiting for it (several at once)."""
        assert self.process is None or self.process.poll() is not None
        self.runs += 1
        self._stderr = self.stderr_path(self.runs).open("w", encoding="utf-8")
        database = ["--database-url", self.database] if self.database is not None else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cobrador_desktop", "--data-dir", str(self.data_dir),
             *database, "serve", "--port", str(self.port)], env=sending_env(self.emulator_url),
            stdout=subprocess.DEVNULL, stderr=self._stderr)

    def wait_ready(self) -> None:
        """Return once the launched serve answers `/healthz`."""
        process = self.process
        assert process is not None
        wait_until(lambda: process.poll() is not None or answers(f"{self.url}/healthz"), 60,
                   "serve to answer /healthz", interval=0.02)
        assert process.poll() is None, self.stderr(self.runs)

    def stderr_path(self, run: int) -> Path:
        return self.log_dir / f"{self.name}-{run}.stderr"

    def stderr(self, run: int) -> str:
        return self.stderr_path(run).read_text(encoding="utf-8", errors="replace")

    def health(self) -> dict[str, Any]:
        health: dict[str, Any] = httpx.get(f"{self.url}/healthz", timeout=10).json()
        return health

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or marked."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self._close()

    def stop(self) -> int:
        assert self.process is not None
        code = stop(self.process)
        self._close()
        return code

    def _close(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
