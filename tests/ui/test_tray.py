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


def test_badge_draws_the_count_in_red_on_the_icon(qtbot: QtBot) -> None:
    from cobrador_desktop.ui.widgets.tray import BADGE_SIZE, badge_pixmap, badge_text

    plain = app_icon().pixmap(BADGE_SIZE, BADGE_SIZE).toImage()
    assert badge_pixmap(app_icon(), 0).toImage() == plain
    three, many = badge_pixmap(app_icon(), 3).toImage(), badge_pixmap(app_icon(), 150).toImage()
    assert three != plain and many != three
    corner = three.pixelColor(BADGE_SIZE - BADGE_SIZE // 5, BADGE_SIZE // 5)
    assert corner.red() > 180 and corner.green() < 90 and corner.blue() < 90
    # the bottom left keeps the icon as it was
    assert three.pixelColor(4, BADGE_SIZE - 4) == plain.pixelColor(4, BADGE_SIZE - 4)
    assert [badge_text(n) for n in (1, 42, 99, 100, 2500)] == ["1", "42", "99", "99+", "99+"]


def test_tooltip_says_how_many_are_unread() -> None:
    from cobrador_desktop.ui.widgets.tray import unread_tooltip

    assert unread_tooltip(0) == "Cobrador Desktop"
    assert unread_tooltip(1) == "Cobrador Desktop — 1 mensagem não lida"
    assert unread_tooltip(3) == "Cobrador Desktop — 3 mensagens não lidas"
