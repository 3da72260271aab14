"""The tray icon: open the window, or quit — only where the desktop has a tray."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


def create_tray_icon(window: QWidget, icon: QIcon,
                     quit_app: Callable[[], None]) -> QSystemTrayIcon | None:
    """A tray icon with "Abrir" and "Sair", or None where no system tray exists.

    Args:
        window: the main window that "Abrir" (and a click on the icon) brings to the front.
        icon: the application icon.
        quit_app: what "Sair" does (the app's orderly shutdown).
    """
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(icon, window)
    tray.setToolTip("Cobrador Desktop")
    menu = QMenu(window)
    open_action = QAction(QCoreApplication.translate("Tray", "Abrir"), menu)
    quit_action = QAction(QCoreApplication.translate("Tray", "Sair"), menu)
    menu.addAction(open_action)
    menu.addSeparator()
    menu.addAction(quit_action)
    tray.setContextMenu(menu)

    def bring_to_front() -> None:
        window.showNormal()
        window.raise_()
        window.activateWindow()

    def on_activated(reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            bring_to_front()

    open_action.triggered.connect(bring_to_front)
    quit_action.triggered.connect(quit_app)
    tray.activated.connect(on_activated)
    tray.show()
    return tray
