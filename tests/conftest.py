"""Test-wide set-up: offscreen Qt, hermetic environment, shared fixtures.

Fixture modules live in `tests/fixtures/` and are loaded here as plugins:
- `tests.fixtures.db`: a fresh database per test, on SQLite and (when available) PostgreSQL;
- `tests.fixtures.qt`: the qasync event loop per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# Must happen before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["COBRADOR_TESTING"] = "1"

from cobrador_desktop.domain.clock import FakeClock

pytest_plugins = ["tests.fixtures.db", "tests.fixtures.qt"]

_SECRET_ENV = (
    "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_WABA_ID", "WHATSAPP_API_BASE_URL",
    "COBRADOR_DATA_DIR", "COBRADOR_DATABASE_URL", "COBRADOR_TIMEZONE", "COBRADOR_WEBHOOK_PORT",
)


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's real data folder, secrets or keyring."""
    for name in _SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COBRADOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COBRADOR_PG_DUMP_DIR", raising=False)  # the developer's dump folders
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    yield


@pytest.fixture
def clock() -> FakeClock:
    """A clock standing at 2026-11-23 13:00 UTC (10:00 in São Paulo, a Monday)."""
    return FakeClock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path
