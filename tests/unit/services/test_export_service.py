"""The export service on both databases: v1 shape, streaming in batches, nothing half-written."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cobrador_desktop.services import export as export_service
from cobrador_desktop.services.demo import seed_demo_sync
from cobrador_desktop.services.demo_data import DemoScale
from cobrador_desktop.services.export import ExportFailed, export_json
from cobrador_desktop.storage.db import Database

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def test_export_streams_every_debtor_and_message(database: Database, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    seed_demo_sync(database, today=date(2026, 11, 23), scale=DemoScale(40, 2.5, 200), seed=3,
                   now=NOW)
    monkeypatch.setattr(export_service, "BATCH", 7)  # many batches, with a partial last one
    target = tmp_path / "export.json"
    summary = export_json(database, target, now=NOW)
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["exported_at"] == "2026-11-23T13:00:00Z"
    assert summary.debtors == len(doc["debtors"]) == 40
    ids = [int(d["id"]) for d in doc["debtors"]]
    assert ids == sorted(set(ids))  # every debtor once, in order
    messages = sum(len(c["messages"]) for c in doc["conversations"])
    assert messages == 200
    assert summary.conversations == len(doc["conversations"])
    for debtor in doc["debtors"]:
        assert debtor["document_type"] in {"cpf", "cnpj", None}
        for debt in debtor["debts"]:
            assert debt["status"] in {"open", "paid", "cancelled", "disputed", "agreement"}
            assert debt["paid_cents"] >= 0 and isinstance(debt["amount_cents"], int)
    assert not list(tmp_path.glob(".export-*"))


def test_a_failed_export_keeps_the_old_file(database: Database, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.json"
    target.write_text("exportação anterior", encoding="utf-8")

    def broken(*_args: object, **_kwargs: object) -> list[dict[str, object]]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_service.export_repo, "debtor_batch", broken)
    with pytest.raises(ExportFailed):
        export_json(database, target, now=NOW)
    assert target.read_text(encoding="utf-8") == "exportação anterior"
    assert not list(tmp_path.glob(".export-*"))
