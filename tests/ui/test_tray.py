"""The tray icon exists only where the desktop has a tray, with "Abrir" and "Sair"."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from cobrador_desktop.ui.resources import app_icon
from cobrador_desktop.ui.widgets.tray import create_tray_icon


def test_no_tray_no_icon(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    window = QWidget()
    qtbot.addWidget(window)
    assert create_tray_icon(window, app_icon(), lambda: None) is None


@pytest.mark.qt_log_ignore(
    # the offscreen platform has neither a tray nor window stacking
    r"^QObject::connect: No such signal QPlatformNativeInterface::systemTrayWindowChanged",
    r"^This plugin does not support raise\(\)$")
def test_tray_menu_opens_and_quits(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    window = QWidget()
    qtbot.addWidget(window)
    quits: list[None] = []
    tray = create_tray_icon(window, app_icon(), lambda: quits.append(None))
    assert tray is not None
    menu = tray.contextMenu()
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert list(actions) == ["Abrir", "Sair"]
    actions["Abrir"].trigger()
    assert window.isVisible()
    actions["Sair"].trigger()
    assert quits == [None]
    tray.hide()
