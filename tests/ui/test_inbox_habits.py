"""Desktop habits of the inbox on the real main window (issue 6 item 6): the unread count in the
title and on the tray icon, desktop notifications for what debtors write (not one's own, not the
conversation on screen, several summed up) that open the conversation when clicked, the
keyboard from B and C working from the page, and the layout remembered on reopen.

Set COBRADOR_SHOTS=/some/dir to save the window and the tray badge as PNGs (to look at them).
"""

from __future__ import annotations

import os
from asyncio import AbstractEventLoop
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.resources import app_icon
from cobrador_desktop.ui.widgets.composer import Composer
from cobrador_desktop.ui.widgets.tray import BADGE_SIZE, create_tray_icon
from tests.ui.fakes import FakeDebtorSource
from tests.ui.inbox_fake import FakeInboxSource

pytestmark = pytest.mark.qt_log_ignore(
    # the offscreen platform has neither a tray nor window stacking
    r"^QObject::connect: No such signal QPlatformNativeInterface::systemTrayWindowChanged",
    r"^This plugin does not support raise\(\)$",
    r"^This plugin does not support propagateSizeHints\(\)$")

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


def _shot(what: QWidget | QPixmap, name: str) -> None:
    folder = os.environ.get("COBRADOR_SHOTS")
    if folder:
        image = what if isinstance(what, QPixmap) else what.grab()
        image.save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def tray_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


@pytest.fixture
def source() -> FakeInboxSource:
    return FakeInboxSource()


@pytest.fixture
def open_window(qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path,
                source: FakeInboxSource) -> Iterator[Callable[..., MainWindow]]:
    """Shows a MainWindow over `source` (with a tray when asked); closes what it opened."""
    opened: list[tuple[MainWindow, QSystemTrayIcon | None]] = []

    def make(*, tray: bool = False) -> MainWindow:
        context = UiContext(debtors=FakeDebtorSource(count=5), profile="normal",
                            data_dir=tmp_path / "dados", database_label="sqlite://",
                            version="0.1.0", clock=source.clock, inbox=source)
        window = MainWindow(context)
        qtbot.addWidget(window)
        icon = create_tray_icon(window, app_icon(), lambda: None) if tray else None
        opened.append((window, icon))
        with qtbot.waitSignal(window.first_data_loaded):
            window.show()
        qtbot.waitExposed(window)
        assert window.inbox_vm is not None
        qtbot.waitUntil(lambda: window.inbox_vm is not None and window.inbox_vm.counts is not None)
        return window

    yield make
    for window, icon in opened:
        window.close()
        if icon is not None:
            icon.hide()


def _later(source: FakeInboxSource) -> None:
    """A minute passes (what arrives next is news to the window)."""
    source.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]


def _image(icon: QSystemTrayIcon) -> QImage:
    return icon.icon().pixmap(BADGE_SIZE, BADGE_SIZE).toImage()


# ---------------------------------------------------------------------- unread badge

def test_unread_count_goes_to_the_title_the_tray_badge_and_its_tooltip(
        qtbot: QtBot, tray_available: None, source: FakeInboxSource,
        open_window: Callable[..., MainWindow]) -> None:
    cid = source.add_conversation("Maria Souza", assigned=1)
    for text in ("Oi", "Tudo bem?", "Pode me mandar o PIX?"):
        source.receive(cid, text)
    window = open_window(tray=True)
    assert window.tray is not None
    qtbot.waitUntil(lambda: window.windowTitle() == "(3) Cobrador Desktop")
    assert window.tray.toolTip() == "Cobrador Desktop — 3 mensagens não lidas"
    plain = app_icon().pixmap(BADGE_SIZE, BADGE_SIZE).toImage()
    badged = _image(window.tray)
    assert badged != plain
    # the badge is red on the icon's top right
    corner = badged.pixelColor(BADGE_SIZE - BADGE_SIZE // 5, BADGE_SIZE // 5)
    assert corner.red() > 180 and corner.green() < 90 and corner.blue() < 90
    _shot(window.tray.icon().pixmap(BADGE_SIZE, BADGE_SIZE), "tray-badge-3")

    window.open_conversation(cid)  # reading it marks it read
    qtbot.waitUntil(lambda: window.windowTitle() == "Cobrador Desktop")
    assert window.tray.toolTip() == "Cobrador Desktop"
    assert _image(window.tray) == plain


# ---------------------------------------------------------------------- notifications

def test_a_debtor_message_is_notified_and_a_click_opens_its_conversation(
        qtbot: QtBot, tray_available: None, source: FakeInboxSource,
        open_window: Callable[..., MainWindow]) -> None:
    cid = source.add_conversation("Maria Souza", assigned=1)
    source.receive(cid, "Oi")
    window = open_window(tray=True)
    assert window.notifier is not None and window.inbox_vm is not None
    assert window.current_page() == Page.DEBTORS
    shown: list[tuple[str, str]] = []
    window.notifier.notified.connect(lambda title, text: shown.append((title, text)))

    # one's own reply is no news
    _later(source)
    source.add_message(cid, "out", "Bom dia, Maria!", operator=1)
    with qtbot.waitSignal(window.inbox_vm.counts_changed):
        window.inbox_vm.notify([cid])
    qtbot.wait(450)
    assert shown == []

    _later(source)
    source.receive(cid, "Pode me mandar o PIX?")
    with qtbot.waitSignal(window.notifier.notified, timeout=3000):
        window.inbox_vm.notify([cid])
    assert shown == [("Maria Souza", "Pode me mandar o PIX?")]

    window.showMinimized()
    window.tray.messageClicked.emit()  # the operator clicks the notification
    assert window.current_page() == Page.INBOX
    assert window.inbox_vm.open_id == cid
    qtbot.waitUntil(lambda: window.inbox_view.header_bar.name.text() == "Maria Souza")
    assert not window.isMinimized()


def test_several_at_once_are_one_notification_and_its_click_shows_the_inbox(
        qtbot: QtBot, tray_available: None, source: FakeInboxSource,
        open_window: Callable[..., MainWindow]) -> None:
    names = ("Ana Lima", "Bruno Costa", "Carla Dias", "Davi Rocha", "Elisa Melo")
    ids = [source.add_conversation(name) for name in names]
    window = open_window(tray=True)
    assert window.notifier is not None and window.inbox_vm is not None
    _later(source)
    for cid in ids:
        source.receive(cid, "Oi, recebi a mensagem")
    with qtbot.waitSignal(window.notifier.notified, timeout=3000) as blocker:
        window.inbox_vm.notify(ids)
    title, text = blocker.args
    assert title == "5 mensagens novas"
    assert text.endswith(" e mais 2") and text.count(",") == 2
    window.tray.messageClicked.emit()
    assert window.current_page() == Page.INBOX
    assert window.inbox_vm.open_id is None  # which one to read is the operator's choice


def test_nothing_is_notified_for_the_conversation_on_screen(
        qtbot: QtBot, tray_available: None, source: FakeInboxSource,
        open_window: Callable[..., MainWindow]) -> None:
    watched = source.add_conversation("Maria Souza", assigned=1)
    other = source.add_conversation("João Pereira", assigned=1)
    source.receive(watched, "Oi")
    window = open_window(tray=True)
    assert window.notifier is not None and window.inbox_vm is not None
    window.open_conversation(watched)
    qtbot.waitUntil(lambda: window.inbox_vm is not None and window.inbox_vm.header is not None)
    assert window.isActiveWindow()
    shown: list[str] = []
    window.notifier.notified.connect(lambda title, _text: shown.append(title))
    _later(source)
    source.receive(watched, "Já paguei")
    with qtbot.waitSignal(window.inbox_vm.messages_updated, timeout=3000):
        window.inbox_vm.notify([watched])
    qtbot.wait(450)
    assert shown == []
    # another conversation is news even while the inbox is on screen
    _later(source)
    source.receive(other, "Quanto fica pra quitar?")
    with qtbot.waitSignal(window.notifier.notified, timeout=3000):
        window.inbox_vm.notify([other])
    assert shown == ["João Pereira"]


def test_notifications_wait_after_one_and_then_sum_up(qtbot: QtBot, tray_available: None) -> None:
    from cobrador_desktop.ui.widgets.inbox_notifier import InboxNotifier

    parent = QWidget()
    qtbot.addWidget(parent)
    tray = QSystemTrayIcon(app_icon(), parent)
    notifier = InboxNotifier(tray, lambda cid: cid == 9, gather_ms=10, quiet_ms=400,
                             parent=parent)
    shown: list[tuple[str, str]] = []
    notifier.notified.connect(lambda title, text: shown.append((title, text)))
    with qtbot.waitSignal(notifier.notified):
        notifier.add(1, "Maria Souza", "Pode me mandar o PIX?")
    notifier.add(2, "João Pereira", "Oi")
    notifier.add(9, "Quem está na tela", "não conta")
    notifier.add(3, "Ana Lima", "x" * 300)
    qtbot.wait(150)
    assert len(shown) == 1  # still quiet
    with qtbot.waitSignal(notifier.notified):
        pass
    assert shown[1] == ("2 mensagens novas", "João Pereira, Ana Lima")
    with qtbot.waitSignal(notifier.notified, timeout=1500):
        notifier.add(3, "Ana Lima", "x" * 300)
    assert shown[2][1] == "x" * 119 + "…"


# ---------------------------------------------------------------------- keyboard

def test_keyboard_works_on_the_real_window(
        qtbot: QtBot, source: FakeInboxSource, open_window: Callable[..., MainWindow]) -> None:
    for n, name in enumerate(("Ana Lima", "Bruno Costa", "Carla Dias")):
        source.receive(source.add_conversation(name, assigned=1), "Oi",
                       at=source.clock.now() - timedelta(minutes=n))
    window = open_window()
    window.activateWindow()
    view = window.inbox_view
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.current_page() == Page.INBOX
    qtbot.waitUntil(lambda: view.list_model.rowCount() == 3)
    first, second = view.list_model.row_at(0).id, view.list_model.row_at(1).id
    with qtbot.waitSignal(view.vm.header_changed):  # the list takes the focus on its first row
        view.conversations.list.setFocus()
    assert view.vm.open_id == first

    # Alt+Down / Alt+Up: next and previous conversation
    with qtbot.waitSignal(view.vm.header_changed):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down, ALT)
    assert view.vm.open_id == second
    with qtbot.waitSignal(view.vm.header_changed):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up, ALT)
    assert view.vm.open_id == first

    # Ctrl+K: search; Esc clears it
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_K, CTRL)
    assert QApplication.focusWidget() is view.conversations.search
    qtbot.keyClicks(view.conversations.search, "Bruno")
    qtbot.keyClick(view.conversations.search, Qt.Key.Key_Escape)
    assert view.conversations.search.text() == ""

    # `/` lists quick replies in the composer; Esc closes the list and keeps the text
    composer = view.composer
    assert isinstance(composer, Composer)
    composer.editor.setFocus()
    qtbot.keyClicks(composer.editor, "Claro! /")
    qtbot.waitUntil(composer.popup.isVisible)
    qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)
    assert not composer.popup.isVisible()
    assert composer.editor.toPlainText() == "Claro! /"

    # Ctrl+Enter sends
    composer.editor.clear()
    qtbot.keyClicks(composer.editor, "Segue o PIX")
    qtbot.waitUntil(composer.send_button.isEnabled)
    with qtbot.waitSignal(composer.sent):
        qtbot.keyClick(composer.editor, Qt.Key.Key_Return, CTRL)
    assert [c for c in source.calls if c[0] == "send_text"][-1][1][:3] == (first, 1, "Segue o PIX")
    qtbot.waitUntil(lambda: view.message_model.row_at(view.message_model.rowCount() - 1).text
                    == "Segue o PIX")

    # Ctrl+1…5 still switch pages from inside the inbox
    for number, page in zip("23451", (Page.DEBTORS, Page.REMINDERS, Page.RESULTS, Page.SETTINGS,
                                      Page.INBOX), strict=True):
        qtbot.keyClick(QApplication.focusWidget() or window, getattr(Qt.Key, f"Key_{number}"),
                       CTRL)
        assert window.current_page() == page
    _shot(window, "inbox-window")


# ---------------------------------------------------------------------- layout memory

def test_window_size_and_inbox_panes_come_back_on_reopen(
        qtbot: QtBot, source: FakeInboxSource, open_window: Callable[..., MainWindow]) -> None:
    source.receive(source.add_conversation("Ana Lima"), "Oi")
    window = open_window()
    window.show_page(Page.INBOX)
    window.resize(800, 570)
    qtbot.waitUntil(lambda: window.height() == 570)
    splitter = window.inbox_view.splitter
    total = sum(splitter.sizes())
    splitter.setSizes([total // 2, total // 3, total - total // 2 - total // 3])
    sizes = splitter.sizes()
    window.close()

    again = open_window()
    again.show_page(Page.INBOX)
    assert (again.width(), again.height()) == (800, 570)
    qtbot.waitUntil(lambda: again.inbox_view.splitter.sizes() == sizes)
