"""Several PCs on one database (issue 8), end to end: two `serve` processes started as senders at
the same moment against one database and one emulator, talking real HTTP on 127.0.0.1.

Exactly one sends; the other answers `/healthz` saying which computer sends, refuses webhooks
(503: Meta delivers them again) and never sends; when the sender is SIGKILLed the other takes over
by itself and finishes the campaign: by the emulator's own count nothing is lost and nothing goes
twice. On SQLite the two share the data folder (the file lock beside the database); on PostgreSQL
they share the server's database (the advisory lock).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.campaign import (
    Serve,
    Where,
    check_settled,
    emulator,
    outbox,
    seed_campaign,
    wait_until,
)
from tests.e2e.ports import free_port
from tests.fixtures.db import BACKENDS


@pytest.fixture(params=BACKENDS)
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Where:
    """The one database both PCs use."""
    if request.param == "sqlite":
        return tmp_path / "shared" / "cobrador.db"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


def _health(serve: Serve) -> dict[str, Any]:
    return serve.health()


@pytest.mark.timeout(180)
def test_two_senders_started_at_once_one_sends_the_other_waits_then_takes_over(
        tmp_path: Path, shared: Where) -> None:
    # 1,200 at the sender's 80 a second: still under way when the sender dies
    campaign = seed_campaign(shared, 1200, backup_dir=tmp_path / "seed-backups")
    url = shared if isinstance(shared, str) else None
    data = {name: (shared.parent if isinstance(shared, Path) else tmp_path / name)
            for name in ("pc1", "pc2")}
    ports = {name: free_port() for name in data}
    # Meta's webhooks go to one address: PC 1's
    with emulator(tmp_path / "emu", f"http://127.0.0.1:{ports['pc1']}/webhook") as emu:
        with Serve(data["pc1"], emu.url, ports["pc1"], tmp_path, url, "pc1") as one, \
                Serve(data["pc2"], emu.url, ports["pc2"], tmp_path, url, "pc2") as two:
            one.launch()
            two.launch()  # at the same moment
            one.wait_ready()
            two.wait_ready()
            wait_until(lambda: emu.total() >= 30, 60, "the campaign to be under way")
            healths = {"pc1": _health(one), "pc2": _health(two)}
            senders = [name for name, health in healths.items() if health["sender"]]
            assert len(senders) == 1, healths
            sender = one if senders == ["pc1"] else two
            waiting = two if sender is one else one
            other = healths[waiting.name]
            computer = socket.gethostname()
            assert other["sending"] is False and other["last_send"] is None, other
            assert other["other_sender"] == computer
            assert other["sender_note"] == f"Outro computador ({computer}) está enviando"
            assert "esperando: Outro computador" in waiting.stderr(1)
            assert healths[sender.name]["sending"] is True
            # the waiting one stores no webhook: 503, Meta delivers it again later
            refused = httpx.post(f"{waiting.url}/webhook", content=b"{}", timeout=10)
            assert refused.status_code == 503

            time.sleep(0.3)
            assert _health(waiting)["last_send"] is None, "the waiting PC sent"
            sender.kill()
            killed_at = time.monotonic()
            wait_until(lambda: _health(waiting)["sender"], 30, "the other PC to take over",
                       interval=0.05)
            takeover = time.monotonic() - killed_at
            health = _health(waiting)
            assert health["other_sender"] is None and health["sender_note"] is None
            wait_until(lambda: _health(waiting)["outbox_queue"] == 0, 90,
                       "the outbox to settle", interval=0.2)
            assert _health(waiting)["last_send"] is not None
            assert waiting.stop() == 0
        rows = outbox(shared)
        sent = emu.sent()
    check_settled(rows, campaign, sent)
    assert not [r for r in rows.values() if r.state == "failed"]
    print(f"takeover after SIGKILL: {takeover:.2f} s")
    assert takeover < 10
