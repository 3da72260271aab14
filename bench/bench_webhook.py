"""Webhook ingest over real HTTP: signed, parsed and committed one request at a time, vs a bare 200.

The receiver runs in its own process (`--serve ingest`): the app's `WebhookServer` and
`WebhookIngest` on a fresh SQLite database opened with `open_database` (WAL, migrated), logging to
a file at INFO as `serve` does. The floor (`--serve bare`) is the same aiohttp server set-up with a
POST handler that reads the body and answers 200: no signature check, no parsing, no storing.
This process is the load generator: it pre-builds and pre-signs every body (Meta's work, not
ours), then posts them one at a time on one keep-alive connection (stdlib `http.client`, the
lightest client, so the floor is as high as it can be) and times the whole sequence.

Two mixes, the same bodies for ingest and floor:
- `webhook.ingest_single`: 1 event per POST (Meta's usual shape at low traffic);
- `webhook.ingest_batch10`: 10 events per POST, one `entry` each (Meta batches under load).
Events are 40 % inbound texts from 500 numbers (new wamids) and 60 % statuses sent → delivered →
read for outbound messages seeded in the database. Afterwards the database is counted: every
delivery, inbound message and status must be there, or the run is not a measurement (exit 1).

Loop stall: inside the server a task sleeps 1 ms in a loop and records the time between its
wake-ups while the timed requests run; p99 and max are printed (the 1 ms sleep is included).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _harness import REPO, bench_env, precompile, python

SECRET = b"segredo-do-bench"
VERIFY = "token-do-bench"
NUMBERS = 500
INBOUND_SHARE = 0.4
IN_FLIGHT = 20  # outbound messages whose statuses interleave at any moment
WABA, PHONE_ID, DISPLAY = "102290129340398", "1122334455667", "5511999990000"
T0 = 1_795_000_000  # unix seconds of the first event (Nov 2026)
GOAL_RATIO, GOAL_RATE, GOAL_STALL_MS = 0.5, 2000.0, 16.0


def wa_id(n: int) -> str:
    """Number n as Meta's wa_id: Brazilian mobiles arrive without the 9th digit."""
    return f"5511{87000000 + n:08d}"


def e164(n: int) -> str:
    return f"+55119{87000000 + n:08d}"


def out_wamid(k: int) -> str:
    return f"wamid.bench.out.{k:06d}"


# --------------------------------------------------------------------------- the load


@dataclass
class Load:
    """Pre-signed bodies, split into warm-up and timed, and what the database must hold after."""

    warmup: list[tuple[bytes, str]]
    timed: list[tuple[bytes, str]]
    events_timed: int
    inbound: int
    statuses: int
    read: int


def _events(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """`count` changes' values: inbound texts and in-order statuses of outbound messages."""
    values: list[dict[str, Any]] = []
    inflight: list[list[int]] = []  # [outbound index, next status position]
    next_out = 0
    for i in range(count):
        ts = str(T0 + i)
        if rng.random() < INBOUND_SHARE:
            n = rng.randrange(NUMBERS)
            values.append({
                "contacts": [{"profile": {"name": f"Cliente {n}"}, "wa_id": wa_id(n)}],
                "messages": [{"from": wa_id(n), "id": f"wamid.bench.in.{i:07d}", "timestamp": ts,
                              "type": "text", "text": {"body": f"Já paguei a parcela {i}, obrigado"}}],
            })
            continue
        if not inflight or (len(inflight) < IN_FLIGHT and rng.random() < 1 / 3):
            inflight.append([next_out, 0])
            next_out += 1
        slot = rng.randrange(len(inflight))
        k, pos = inflight[slot]
        status = ("sent", "delivered", "read")[pos]
        item: dict[str, Any] = {"id": out_wamid(k), "status": status, "timestamp": ts,
                                "recipient_id": wa_id(k % NUMBERS)}
        if status != "read":
            item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "utility",
                               "type": "regular"}
        values.append({"statuses": [item]})
        if pos == 2:
            inflight.pop(slot)
        else:
            inflight[slot][1] = pos + 1
    return values


def _body(values: list[dict[str, Any]]) -> tuple[bytes, str]:
    from cobrador_desktop.whatsapp.webhook.verify import sign

    entries = [{"id": WABA, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY, "phone_number_id": PHONE_ID}, **value}}]}
        for value in values]
    raw = json.dumps({"object": "whatsapp_business_account", "entry": entries},
                     ensure_ascii=True).encode()  # Meta escapes non-ASCII and signs these bytes
    return raw, sign(raw, SECRET)


def make_load(requests: int, per_post: int, warmup: int, seed: int = 7) -> Load:
    values = _events((warmup + requests) * per_post, random.Random(seed))
    bodies = [_body(values[i:i + per_post]) for i in range(0, len(values), per_post)]
    statuses = [v["statuses"][0]["status"] for v in values if "statuses" in v]
    return Load(warmup=bodies[:warmup], timed=bodies[warmup:], events_timed=requests * per_post,
                inbound=len(values) - len(statuses), statuses=len(statuses),
                read=statuses.count("read"))


def build_template(path: Path, outbound: int) -> None:
    """A migrated database with 500 debtors, their phones and conversations, and `outbound`
    messages we sent (the ones the statuses are about)."""
    from cobrador_desktop.domain.text import fold
    from cobrador_desktop.storage.db import open_database, sqlite_url
    from cobrador_desktop.storage.orm import Conversation, Debtor, DebtorPhone, Message, Phone

    db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
    at = datetime.fromtimestamp(T0 - 3600, UTC)

    def seed(session: Any) -> None:
        conversations = []
        for n in range(NUMBERS):
            debtor = Debtor(name=f"Cliente {n}", name_key=fold(f"Cliente {n}"), created_at=at,
                            updated_at=at)
            phone = Phone(e164=e164(n), kind="mobile")
            session.add_all([debtor, phone])
            session.flush()
            session.add(DebtorPhone(debtor_id=debtor.id, phone_id=phone.id, role="own"))
            conversation = Conversation(phone_id=phone.id, debtor_id=debtor.id, status="open")
            session.add(conversation)
            conversations.append(conversation)
        session.flush()
        session.add_all(Message(conversation_id=conversations[k % NUMBERS].id, wamid=out_wamid(k),
                                direction="out", type="text", text="Lembrete da parcela",
                                status="sending", created_at=at) for k in range(outbound))

    db.run_sync(seed)
    db.close()


# --------------------------------------------------------------------------- the server process


async def _serve(mode: str, db_path: str | None) -> None:
    from aiohttp import web

    loop = asyncio.get_running_loop()
    recording = False
    gaps: list[float] = []
    stores: list[float] = []  # seconds each `ingest` call took, verify and parse excluded
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.001)
            now = time.monotonic()
            if recording:
                gaps.append(now - last)
            last = now

    def commands() -> None:  # stdin is portable where loop readers are not (Windows)
        nonlocal recording
        for line in sys.stdin:
            if line.strip() == "start":
                loop.call_soon_threadsafe(lambda: (gaps.clear(), stores.clear()))
                recording = True
            elif line.strip() == "stop":
                recording = False
                break
        loop.call_soon_threadsafe(done.set)

    db = None
    if mode == "ingest":
        assert db_path is not None
        from cobrador_desktop.app.logs import setup_logging
        from cobrador_desktop.domain.clock import SystemClock
        from cobrador_desktop.services.ingest import WebhookIngest
        from cobrador_desktop.storage.db import open_database, sqlite_url
        from cobrador_desktop.whatsapp.webhook.parse import ParseResult
        from cobrador_desktop.whatsapp.webhook.server import WebhookServer

        path = Path(db_path)
        setup_logging(path.parent / "logs")  # serve logs every webhook at INFO to its file
        db = open_database(sqlite_url(path), backup_dir=path.parent / "backups")
        ingest = WebhookIngest(db, SystemClock())

        async def deliver(raw: bytes, result: ParseResult) -> None:
            start = time.perf_counter()
            await ingest.deliver(raw, result)
            stores.append(time.perf_counter() - start)

        server = WebhookServer(app_secrets=[SECRET], verify_token=VERIFY, deliver=deliver)
        url = await server.start("127.0.0.1", 0)
        stop = server.stop
    else:
        async def bare(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(status=200, text="ok")

        app = web.Application(client_max_size=1 << 20)  # as WebhookServer.application()
        app.router.add_post("/webhook", bare)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        stop = runner.cleanup

    tick = asyncio.create_task(ticker())
    threading.Thread(target=commands, daemon=True).start()
    print(f"READY {url.rsplit(':', 1)[1]}", flush=True)
    await done.wait()
    tick.cancel()
    await stop()
    if db is not None:
        db.close()
    ms = sorted(g * 1000 for g in gaps)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else float("nan")
    print("STALL " + json.dumps({"p99": p99, "max": ms[-1] if ms else float("nan"),
                                 "median": statistics.median(ms) if ms else float("nan"),
                                 "ticks": len(ms),
                                 "store_ms": statistics.fmean(stores) * 1000 if stores else 0.0}),
          flush=True)


# --------------------------------------------------------------------------- the load generator


@dataclass
class Result:
    events_per_s: float
    stall: dict[str, float]


class NotMeasured(Exception):
    pass


def _post(conn: http.client.HTTPConnection, raw: bytes, signature: str) -> None:
    conn.request("POST", "/webhook", body=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise NotMeasured(f"the server answered {response.status}")


def drive(mode: str, load: Load, db_path: Path | None) -> Result:
    command = [python(), str(Path(__file__).resolve()), "--serve", mode]
    if db_path is not None:
        command += ["--db", str(db_path)]
    proc = subprocess.Popen(command, cwd=REPO, env=bench_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        ready = proc.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "READY":
            raise NotMeasured(f"{mode} server did not start: {proc.stderr.read() if proc.stderr else ''}")
        conn = http.client.HTTPConnection("127.0.0.1", int(ready[1]), timeout=30)
        for raw, signature in load.warmup:
            _post(conn, raw, signature)
        proc.stdin.write("start\n")
        proc.stdin.flush()
        time.sleep(0.05)  # the recorder is on before the first timed request
        start = time.perf_counter()
        for raw, signature in load.timed:
            _post(conn, raw, signature)
        elapsed = time.perf_counter() - start
        conn.close()
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stall = next((json.loads(line[6:]) for line in out.splitlines() if line.startswith("STALL ")),
                 None)
    if stall is None or proc.returncode != 0:
        raise NotMeasured(f"{mode} server ended {proc.returncode}: {err[-2000:]}")
    return Result(events_per_s=load.events_timed / elapsed, stall=stall)


def verify(db_path: Path, load: Load) -> None:
    """Every delivery, inbound message and status is in the database, and the statuses applied."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        got = {
            "deliveries": con.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0],
            "inbound": con.execute(
                "SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0],
            "statuses": con.execute("SELECT count(*) FROM message_events").fetchone()[0],
            "read": con.execute(
                "SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'read'"
            ).fetchone()[0],
        }
    finally:
        con.close()
    want = {"deliveries": len(load.warmup) + len(load.timed), "inbound": load.inbound,
            "statuses": load.statuses, "read": load.read}
    if got != want:
        raise NotMeasured(f"the database does not hold every event: {got} != {want}")


def _rate(value: float) -> str:
    return f"{value:,.0f} events/s"


def scenario(name: str, requests: int, per_post: int, template: Path, work: Path) -> list[str]:
    load = make_load(requests, per_post, warmup=max(20, requests // 20))
    floor = drive("bare", load, None)
    db_path = work / f"{name}.db"
    shutil.copyfile(template, db_path)
    ingest = drive("ingest", load, db_path)
    verify(db_path, load)
    ratio = ingest.events_per_s / floor.events_per_s
    s, f = ingest.stall, floor.stall
    return [
        f"webhook.{name}: {_rate(ingest.events_per_s)} | floor: {_rate(floor.events_per_s)} | "
        f"ratio: {ratio:.2f} (goal ≥ {GOAL_RATIO:.2f}, and ≥ {GOAL_RATE:,.0f} events/s: "
        f"{'met' if ingest.events_per_s >= GOAL_RATE else 'NOT met'}) "
        f"[{requests:,} POSTs × {per_post} event{'s' if per_post > 1 else ''}, all stored]",
        f"webhook.{name}.loop_stall_p99: {s['p99']:.1f} ms | floor: {f['p99']:.1f} ms | "
        f"ratio: {s['p99'] / f['p99']:.2f} (goal p99 < {GOAL_STALL_MS:.0f} ms; "
        f"max {s['max']:.1f} ms, floor max {f['max']:.1f} ms, {s['ticks']:,} ticks)",
        f"  (where the time goes: the store and commit on the database thread takes on average "
        f"{s['store_ms']:.2f} ms per POST of the {1000 / ingest.events_per_s * per_post:.2f} ms "
        f"a POST takes end to end; the bare round trip is "
        f"{1000 / floor.events_per_s * per_post:.2f} ms)",
    ]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke run: 300 POSTs per mix")
    p.add_argument("--requests", type=int, default=None,
                   help="timed POSTs of 1 event (default 3,000; 300 with --quick); "
                        "the 10-event mix sends a fifth as many")
    p.add_argument("--serve", choices=("ingest", "bare"), help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve, args.db))
        return 0
    single = args.requests or (300 if args.quick else 3000)
    batch = max(10, single // 5)
    precompile()
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        work = Path(tmp)
        template = work / "template.db"
        # enough outbound messages for every status of the larger mix (warm-up included)
        build_template(template, outbound=int(max(single * 1.1, batch * 10 * 1.1)) + 100)
        try:
            lines = scenario("ingest_single", single, 1, template, work)
            lines += scenario("ingest_batch10", batch, 10, template, work)
        except NotMeasured as exc:
            print(f"webhook: not measured: {exc}", file=sys.stderr)
            return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
