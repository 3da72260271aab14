"""`COBRADOR_CLOCK_START` moves serve's clock, and only against the local emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cobrador_desktop.app.config import ClockStartInvalid, ClockStartNeedsEmulator, process_clock
from cobrador_desktop.domain.clock import ShiftedClock, SystemClock


def test_without_the_variable_the_computers_clock_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COBRADOR_CLOCK_START", raising=False)
    assert isinstance(process_clock(), SystemClock)


def test_against_the_emulator_the_clock_starts_at_the_instant_and_runs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_API_BASE_URL", "http://127.0.0.1:8999/v25.0")
    monkeypatch.setenv("COBRADOR_CLOCK_START", "2026-12-07T15:00:00Z")
    clock = process_clock()
    assert isinstance(clock, ShiftedClock)
    assert timedelta(0) <= clock.now() - datetime(2026, 12, 7, 15, tzinfo=UTC) < timedelta(
        seconds=5)


def test_a_shifted_clock_moves_with_real_time() -> None:
    ticks = iter([100.0, 100.0, 160.5])
    clock = ShiftedClock(datetime(2026, 12, 7, 12, tzinfo=UTC), monotonic=lambda: next(ticks))
    assert clock.now() == datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert clock.now() == datetime(2026, 12, 7, 12, 1, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize("url", ["https://graph.facebook.com/v25.0", "http://10.0.0.5:8080/v25.0"])
def test_a_real_cloud_api_refuses_a_moved_clock(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("WHATSAPP_API_BASE_URL", url)
    monkeypatch.setenv("COBRADOR_CLOCK_START", "2026-12-07T15:00:00Z")
    with pytest.raises(ClockStartNeedsEmulator) as caught:
        process_clock()
    assert caught.value.exit_code == 2 and "emulador" in caught.value.message


@pytest.mark.parametrize("value", ["amanhã", "2026-12-07T15:00:00"])
def test_an_unreadable_or_zoneless_instant_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                      value: str) -> None:
    monkeypatch.setenv("WHATSAPP_API_BASE_URL", "http://127.0.0.1:8999/v25.0")
    monkeypatch.setenv("COBRADOR_CLOCK_START", value)
    with pytest.raises(ClockStartInvalid):
        process_clock()
