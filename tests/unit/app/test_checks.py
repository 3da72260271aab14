"""`check`'s Qt probe runs apart, and reports a platform plugin that cannot start."""

from __future__ import annotations

import pytest

from cobrador_desktop.app.checks import Level, check_qt_platform


def test_working_platform_is_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    line = check_qt_platform()
    assert line.level is Level.OK and "offscreen" in line.detail


def test_broken_platform_is_a_failure_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "nao-existe")
    line = check_qt_platform()
    assert line.level is Level.FAIL
    assert "Reinstale" in line.detail


def test_no_display_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    line = check_qt_platform()
    assert line.level is Level.WARN and "sem tela" in line.detail
