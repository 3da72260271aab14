"""The durable outbox against the Cloud API emulator at its 80 msg/s: the sustained rate, no doubles.

Three processes, as in production: the emulator (`python -m cobrador_desktop emulator`, its default
configuration: 80 msg/s over a sliding second, answering 130429 above it), the sender (`--send`:
`OutboxSender` with the project's `CloudApiClient`, default settings, on a fresh migrated SQLite
database opened with `open_database` and logging to a file as `serve` does) and this process,
which seeds the database beforehand and checks everything afterwards.

The campaign: one approved reminder template to each of N debtors (distinct numbers: the
per-recipient spacing is tested elsewhere), enqueued through the outbox repository with the send
guard's decision before the sender starts. The sender runs `run_forever` until nothing waits.

- `outbox.rate`: messages over the time between the first and the last the emulator accepted, by
  the emulator's own clock and record, against the floor, the emulator's configured 80 msg/s
  (nobody sends faster without being refused). Goal: ≥ 0.95 of it.
- Duplicates by the emulator's count (`/_emulator/sent`: per recipient and per outbox row); every
  row must end `sent` with its wamid; otherwise the run is not a measurement (exit 1).
- `outbox.loop_stall_p99`: in the sender process a task sleeps 1 ms in a loop and records the
  gaps between its wake-ups while sending (p99, max); the floor is the same loop idle for a
  second before the sender starts, with the database and the client open.
- The sender process's CPU time per message (loop and database threads), which does not depend
  on what else the machine runs, and the load average: three processes share the machine, so a
  busy one lowers the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from _harness import REPO, bench_env, precompile, python

TOKEN = "emulator-token"  # the emulator's default fake token
#: a Monday afternoon in every Brazilian zone: the send guard holds reminders at night, on Sundays
#: and holidays, and the bench must measure the same whenever it runs
START = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
PHONE_ID, WABA = "1122334455667", "102290129340398"
EMULATOR_RATE = 80.0  # EmulatorConfig.throughput_per_second, the default the command runs with
GOAL_RATIO, GOAL_STALL_MS = 0.95, 16.0
REMINDER: dict[str, Any] = {"messaging_product": "whatsapp", "type": "template", "template": {
    "name": "lembrete_vencimento_v1", "language": {"code": "pt_BR"},
    "components": [{"type": "body", "parameters": [
        {"type": "text", "text": v} for v in ("Maria", "2/6", "R$ 89,90", "15/12/2026")]}]}}


class NotMeasured(Exception):
    pass


def e164(n: int) -> str:
    return f"+55119{60_000_000 + n:08d}"


# --------------------------------------------------------------------------- the campaign


def seed(path: Path, count: int) -> None:
    """A migrated database with `count` debtors, each with a phone, a conversation and one
    reminder queued in the outbox with an allowing guard decision."""
    from cobrador_desktop.domain.policy import SendFacts, SendRequest, evaluate
    from cobrador_desktop.domain.text import fold
    from cobrador_desktop.storage.db import open_database, sqlite_url
    from cobrador_desktop.storage.orm import Conversation, Debtor, DebtorPhone, Phone
    from cobrador_desktop.storage.repos.outbox import add_outbound

    db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    now = START
    # a campaign typed by the shop (business-initiated): automated sends need the facts the régua
    # gathers, and the outbox's throughput is what is measured here, not the guard
    decision = evaluate(SendRequest("business_initiated", "reminder", "template"), SendFacts(),
                        now)
    assert decision.allowed, decision

    def work(session: Any) -> None:
        debtors = [Debtor(name=f"Cliente {n}", name_key=fold(f"Cliente {n}")) for n in range(count)]
        phones = [Phone(e164=e164(n), kind="mobile") for n in range(count)]
        session.add_all(debtors + phones)
        session.flush()
        conversations = [Conversation(phone_id=p.id, debtor_id=d.id)
                         for d, p in zip(debtors, phones, strict=True)]
        session.add_all(conversations + [DebtorPhone(debtor_id=d.id, phone_id=p.id, role="own")
                                         for d, p in zip(debtors, phones, strict=True)])
        session.flush()
        request = {k: v for k, v in REMINDER.items() if k != "to"}
        for conversation in conversations:  # the repository's own insert, as `enqueue` does
            add_outbound(session, conversation_id=conversation.id, request=request,
                         purpose="reminder", kind="business_initiated", message_type="template",
                         text="Lembrete da parcela", decision=decision.to_json(),
                         operator_id=None, now=now)

    db.run_sync(work)
    db.close()


# --------------------------------------------------------------------------- the sender process


async def _send(db_path: str, api: str) -> None:
    from cobrador_desktop.app.logs import setup_logging
    from cobrador_desktop.domain.clock import ShiftedClock
    from cobrador_desktop.services.outbox import OutboxSender
    from cobrador_desktop.storage.db import open_database, sqlite_url
    from cobrador_desktop.storage.repos.outbox import queue_length
    from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig

    path = Path(db_path)
    setup_logging(path.parent / "logs")
    db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.001)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    config = CloudApiConfig(base_url=api, phone_number_id=PHONE_ID, waba_id=WABA,
                            access_token=TOKEN)
    async with CloudApiClient(config) as client:
        # real time passing from a weekday afternoon: the guard re-judges each row at send time
        sender = OutboxSender(db, client, ShiftedClock(START))
        tick = asyncio.create_task(ticker())
        await asyncio.sleep(1.0)  # the floor: the same loop, idle
        idle = sorted(g * 1000 for g in gaps)
        gaps.clear()
        stop = asyncio.Event()
        cpu_start = time.process_time()
        started = time.monotonic()
        running = asyncio.create_task(sender.run_forever(stop))
        while not sender.stopped and await db.run(queue_length) > 0:
            await asyncio.sleep(0.5)
        stop.set()
        await running
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_start
        tick.cancel()
    db.close()
    busy = sorted(g * 1000 for g in gaps)
    print("RESULT " + json.dumps({"stall": _stats(busy), "idle": _stats(idle),
                                  "elapsed": elapsed, "cpu": cpu, "alert": sender.alert}),
          flush=True)


def _stats(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"p99": float("nan"), "max": float("nan"), "median": float("nan"), "ticks": 0}
    return {"p99": ms[min(len(ms) - 1, int(len(ms) * 0.99))], "max": ms[-1],
            "median": statistics.median(ms), "ticks": len(ms)}


# --------------------------------------------------------------------------- orchestration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Emulator:
    process: subprocess.Popen[str]
    control: str
    api: str


def start_emulator(work: Path) -> Emulator:
    port = _free_port()
    env = bench_env()
    for key in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_WABA_ID"):
        env.pop(key, None)  # the emulator's defaults, which the sender uses too
    log = (work / "emulator.log").open("w")
    process = subprocess.Popen(
        [python(), "-m", "cobrador_desktop", "--data-dir", str(work / "emulator"), "emulator",
         "--port", str(port)], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=log, text=True)
    control = f"http://127.0.0.1:{port}/_emulator"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{control}/sent", timeout=2).raise_for_status()
            break
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise NotMeasured("the emulator did not start: "
                                  + (work / "emulator.log").read_text()[-2000:]) from None
            time.sleep(0.2)
    return Emulator(process, control, f"http://127.0.0.1:{port}/v25.0")


def run_sender(db_path: Path, api: str, count: int) -> dict[str, Any]:
    command = [python(), str(Path(__file__).resolve()), "--send", "--db", str(db_path),
               "--api", api]
    try:
        done = subprocess.run(command, cwd=REPO, env=bench_env(), capture_output=True, text=True,
                              timeout=60 + count / 40, check=False)
    except subprocess.TimeoutExpired as exc:
        raise NotMeasured(f"the sender did not finish in {exc.timeout:.0f} s") from None
    result = next((json.loads(line[7:]) for line in done.stdout.splitlines()
                   if line.startswith("RESULT ")), None)
    if done.returncode != 0 or result is None:
        raise NotMeasured(f"the sender ended {done.returncode}: {done.stderr[-2000:]}")
    if result["alert"]:
        raise NotMeasured(f"the sender stopped: {result['alert']}")
    return dict(result)


def check_database(db_path: Path, count: int) -> dict[str, int]:
    """Every row `sent` with its wamid; how many needed more than one try."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        states = dict(con.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        with_wamid = con.execute(
            "SELECT count(*) FROM outbox JOIN messages ON messages.id = outbox.message_id "
            "WHERE messages.wamid IS NOT NULL").fetchone()[0]
        retried = con.execute("SELECT count(*) FROM outbox WHERE attempts > 1").fetchone()[0]
    finally:
        con.close()
    if states != {"sent": count} or with_wamid != count:
        raise NotMeasured(f"not every row ended sent: {states}, {with_wamid} with a wamid")
    return {"retried": int(retried)}


def check_emulator(control: str, count: int) -> tuple[float, int]:
    """(rate by the emulator's clock, duplicates by its count)."""
    sent = httpx.get(f"{control}/sent", timeout=60).json()
    messages = sent["messages"]
    by_row = Counter(m["biz_opaque_callback_data"] for m in messages)
    duplicates = sum(n - 1 for n in by_row.values() if n > 1) + sum(
        n - 1 for n in sent["per_recipient"].values() if n > 1)
    if duplicates:
        raise NotMeasured(f"the emulator received {duplicates} duplicate(s)")
    if sent["total"] != count or len(by_row) != count:
        raise NotMeasured(f"the emulator accepted {sent['total']} of {count} messages")
    times = sorted(datetime.fromisoformat(m["accepted_at"]) for m in messages)
    span = (times[-1] - times[0]).total_seconds()
    if os.environ.get("BENCH_OUTBOX_GAPS"):  # where the time went, when the rate is short
        gaps = sorted(((b - a).total_seconds(), i) for i, (a, b) in enumerate(pairwise(times)))
        print("largest gaps (ms, index):", [(round(g * 1000, 1), i) for g, i in gaps[-15:]],
              file=sys.stderr)
    return (count - 1) / span, duplicates


def measure(count: int) -> list[str]:
    precompile()
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        work = Path(tmp)
        db_path = work / "cobrador.db"
        seed(db_path, count)
        emulator = start_emulator(work)
        try:
            result = run_sender(db_path, emulator.api, count)
            rate, duplicates = check_emulator(emulator.control, count)
        finally:
            emulator.process.terminate()
            try:
                emulator.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                emulator.process.kill()
        checked = check_database(db_path, count)
    s, idle = result["stall"], result["idle"]
    ratio = rate / EMULATOR_RATE
    return [
        f"outbox.rate: {rate:.1f} msg/s | floor: {EMULATOR_RATE:.1f} msg/s (the emulator's "
        f"throughput limit) | ratio: {ratio:.3f} (goal ≥ {GOAL_RATIO:.2f}: "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}) [{count:,} messages, all sent, "
        f"{duplicates} duplicates by the emulator's count, {checked['retried']} retried; "
        f"{result['elapsed']:.1f} s from start to an empty queue]",
        f"outbox.loop_stall_p99: {s['p99']:.1f} ms | floor: {idle['p99']:.1f} ms (idle loop) | "
        f"ratio: {s['p99'] / idle['p99']:.2f} (goal p99 < {GOAL_STALL_MS:.0f} ms: "
        f"{'met' if s['p99'] < GOAL_STALL_MS else 'NOT met'}; max {s['max']:.1f} ms, "
        f"{s['ticks']:,} ticks)",
        f"  (where the time goes: the sending process used {result['cpu'] * 1000 / count:.2f} ms "
        f"of CPU per message, both its threads, of the {1000 / EMULATOR_RATE:.1f} ms a message "
        f"may take at 80 msg/s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
    ]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke run: 800 messages")
    p.add_argument("--messages", type=int, default=None,
                   help="messages in the campaign (default 10,000; 800 with --quick)")
    p.add_argument("--send", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--api", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.send:
        asyncio.run(_send(args.db, args.api))
        return 0
    count = args.messages or (800 if args.quick else 10_000)
    try:
        lines = measure(count)
    except NotMeasured as exc:
        print(f"outbox: not measured: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
