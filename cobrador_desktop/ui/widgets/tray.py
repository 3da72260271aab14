"""The tray icon: open the window, or quit — only where the desktop has a tray — and the inbox's
unread count drawn on it (`show_unread`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

APP_NAME = "Cobrador Desktop"
# the badge's red (STYLE.md's danger colour) and the size the icon is drawn at
BADGE_COLOR = QColor("#D93025")
BADGE_SIZE = 64


def create_tray_icon(window: QWidget, icon: QIcon,
                     quit_app: Callable[[], None]) -> QSystemTrayIcon | None:
    """A tray icon with "Abrir" and "Sair", or None where no system tray exists.

    Args:
        window: the main window that "Abrir" (and a click on the icon) brings to the front; when
            it has `attach_tray(tray)` (the `MainWindow`), it gets the tray for the unread badge
            and the desktop notifications of the inbox.
        icon: the application icon.
        quit_app: what "Sair" does (the app's orderly shutdown).
    """
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(icon, window)
    tray.setToolTip(APP_NAME)
    menu = QMenu(window)
    open_action = QAction(QCoreApplication.translate("Tray", "Abrir"), menu)
    quit_action = QAction(QCoreApplication.translate("Tray", "Sair"), menu)
    menu.addAction(open_action)
    menu.addSeparator()
    menu.addAction(quit_action)
    tray.setContextMenu(menu)

    def on_activated(reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            bring_to_front(window)

    open_action.triggered.connect(lambda: bring_to_front(window))
    quit_action.triggered.connect(quit_app)
    tray.activated.connect(on_activated)
    tray.show()
    attach = getattr(window, "attach_tray", None)
    if callable(attach):
        attach(tray)
    return tray


def bring_to_front(window: QWidget) -> None:
    """Show `window` (restored if minimised or hidden) in front of the others."""
    window.showNormal()
    window.raise_()
    window.activateWindow()


def unread_tooltip(count: int) -> str:
    """ "Cobrador Desktop — 3 mensagens não lidas" (just the name with none)."""
    if count <= 0:
        return APP_NAME
    if count == 1:
        return QCoreApplication.translate("Tray", "Cobrador Desktop — 1 mensagem não lida")
    return QCoreApplication.translate(
        "Tray", "Cobrador Desktop — {n} mensagens não lidas").format(n=count)


def badge_text(count: int) -> str:
    """What the badge says: the count, "99+" above 99."""
    return "99+" if count > 99 else str(count)


def badge_pixmap(icon: QIcon, count: int, size: int = BADGE_SIZE) -> QPixmap:
    """`icon` at `size` px with `count` in a red badge on its top right (no badge for 0).

    The badge takes most of the icon's height so the number still reads at the tray's 16 px."""
    pixmap = icon.pixmap(size, size)
    if pixmap.isNull():  # an icon without that size: start from a transparent square
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
    if count <= 0:
        return pixmap
    text = badge_text(count)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    height = size * 0.62
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(height * (0.72 if len(text) == 1 else 0.6 if len(text) == 2 else 0.46)))
    painter.setFont(font)
    width = max(height, painter.fontMetrics().horizontalAdvance(text) + height * 0.4)
    badge = QRectF(size - width, 0, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))  # a thin ring parts the badge from the icon
    painter.drawRoundedRect(badge, height / 2, height / 2)
    painter.setBrush(BADGE_COLOR)
    inner = badge.adjusted(size * 0.03, size * 0.03, -size * 0.03, -size * 0.03)
    painter.drawRoundedRect(inner, inner.height() / 2, inner.height() / 2)
    painter.setPen(QColor("white"))
    painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


def show_unread(tray: QSystemTrayIcon, icon: QIcon, count: int) -> None:
    """Draw `count` on the tray's icon (`icon` is the plain one) and say it in the tooltip."""
    tray.setIcon(QIcon(badge_pixmap(icon, count)) if count > 0 else icon)
    tray.setToolTip(unread_tooltip(count))
