"""`remind` as a shop runs it: the dry run's JSON lines (INTERFACES.md §6) change nothing; the real
pass queues the day and sends what is due now through the local emulator."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cobrador_desktop.storage.db import open_database, sqlite_url
from tests.e2e.campaign import CLOCK_START, emulator, env, sending_env
from tests.unit.services.test_reminders import person, seed_shop

pytestmark = pytest.mark.slow
KEYS = {"debtor_id", "debt_id", "phone", "step", "purpose", "template", "allowed", "reasons",
        "next_attempt", "outbox_id"}


def cli(data: Path, *args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cobrador_desktop", "--data-dir", str(data), *args],
                          env=environ, capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False)


def seed(data: Path) -> None:
    """The sample shop: Ana confirmed (her D-3 today), Bruno never confirmed, Carla opted out."""
    data.mkdir(parents=True)
    db = open_database(sqlite_url(data / "cobrador.db"), backup_dir=data / "backups")
    try:
        seed_shop(db)
        person(db, "Ana Lima", "+5511987650001", (date(2026, 12, 10),))
        person(db, "Bruno Henrique Costa", "+5511987650002", (date(2026, 12, 7),), cpc="unverified")
        person(db, "Carla Dias", "+5511987650003", (date(2026, 11, 30),), opted_out=True,
               opted_out_at=CLOCK_START)
    finally:
        db.close()


def rows(data: Path, query: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(data / "cobrador.db")) as conn:
        return conn.execute(query).fetchall()


def lines(stdout: str) -> dict[str, dict[str, Any]]:
    found = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert all(set(line) == KEYS for line in found), found
    return {line["step"]: line for line in found}


def test_a_dry_run_prints_the_days_plan_as_json_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    seed(data)

    done = cli(data, "remind", "--dry-run", "--at", "2026-12-07T12:00", "--json",
               environ=env())

    assert done.returncode == 0, done.stderr
    plan = lines(done.stdout)
    assert set(plan) == {"D-3", "CPC1", "D+7"}
    assert plan["D-3"]["allowed"] is True and plan["D-3"]["phone"] == "+5511987650001"
    identity = plan["CPC1"]
    # paced in urgency order: Bruno's debt is due today, Ana's in three days
    assert identity["next_attempt"] == CLOCK_START.isoformat()
    assert plan["D-3"]["next_attempt"] > identity["next_attempt"]
    assert (identity["purpose"], identity["template"], identity["allowed"]) == (
        "identity_check", "confirmacao_identidade_v1", True)
    blocked = plan["D+7"]
    assert blocked["allowed"] is False and blocked["next_attempt"] is None
    assert blocked["reasons"][0]["code"] == "PHONE_OPTED_OUT"
    assert blocked["reasons"][0]["severity"] == "BLOCK"
    assert all(line["outbox_id"] is None for line in plan.values())
    assert rows(data, "SELECT count(*) FROM regua_sends") == [(0,)]
    assert rows(data, "SELECT count(*) FROM outbox") == [(0,)]

    night = cli(data, "remind", "--dry-run", "--at", "2026-12-07T21:00", environ=env())
    assert night.returncode == 0, night.stderr
    assert "liberadas: 0, aguardando o próximo horário: 2, bloqueadas: 1" in night.stdout
    assert "HOURS_OUTSIDE_WINDOW: 2" in night.stdout and "simulação" in night.stdout


def test_remind_queues_the_day_and_sends_what_is_due_now(tmp_path: Path) -> None:
    data = tmp_path / "dados"
    seed(data)
    with emulator(tmp_path / "emu", "http://127.0.0.1:9/webhook") as emu:
        done = cli(data, "remind", "--json", environ=sending_env(emu.url))
        assert done.returncode == 0, done.stderr
        plan = lines(done.stdout)
        assert plan["D-3"]["outbox_id"] is not None and plan["CPC1"]["outbox_id"] is not None
        assert plan["D+7"]["outbox_id"] is None
        sent = emu.sent()
    # the first of the day's paced sends left now; the other waits for its slot this afternoon
    assert [m["template"] for m in sent] == ["confirmacao_identidade_v1"]
    assert sent[0]["to"] == "+5511987650002"
    assert sorted(rows(data, "SELECT step, state, reason_code FROM regua_sends")) == [
        ("CPC1", "queued", None), ("D+7", "blocked", "PHONE_OPTED_OUT"), ("D-3", "queued", None)]
    assert sorted(rows(data, "SELECT state FROM outbox")) == [("queued",), ("sent",)]

    again = cli(data, "remind", "--dry-run", "--json", environ=sending_env(emu.url))
    assert again.returncode == 0, again.stderr
    # each step once: only Bruno's D0 is left, waiting for his next identity attempt
    assert [(line["step"], line["reasons"][0]["code"]) for line in lines(again.stdout).values()] \
        == [("D0", "CPC_RETRY_WAIT")]
