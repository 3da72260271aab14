"""The Caixa de entrada page: three panes, refusals explained, news after a poll, keyboard."""

from __future__ import annotations

from asyncio import AbstractEventLoop
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cobrador_desktop.ui.views.inbox_view import InboxView
from tests.ui.inbox_fake import FakeInboxSource
from tests.ui.inbox_helpers import settings_at, started_vm


def _view(qtbot: QtBot, source: FakeInboxSource, folder: Path) -> InboxView:
    vm = started_vm(qtbot, source, folder)
    view = InboxView(vm, settings=settings_at(folder))
    qtbot.addWidget(view)
    view.resize(1300, 760)
    view.show()
    qtbot.waitExposed(view)
    vm.reload()
    qtbot.waitUntil(lambda: view.list_model.rowCount() > 0)
    return view


def _open(qtbot: QtBot, view: InboxView, cid: int) -> None:
    with qtbot.waitSignal(view.vm.messages_reset):
        view.conversations.list.setCurrentIndex(view.list_model.index(view.list_model.row_of(cid)))


def test_a_claim_refused_for_a_second_operator_says_who_has_it(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Ana Silva")
    source.receive(cid, "Oi")
    view = _view(qtbot, source, tmp_path)
    _open(qtbot, view, cid)
    assert view.header_bar.claim_button.isVisible()
    # someone on another PC takes it first
    source._conv(cid).assigned = 2
    with qtbot.waitSignal(view.vm.failed):
        view.header_bar.claim_button.click()
    assert view.banner.isVisible()
    assert "Esta conversa já está com Marcos Lima" in view.banner.text()
    view.shutdown()


def test_a_failed_message_shows_its_reason(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Bia Costa", assigned=1)
    source.receive(cid, "Oi")
    mid = source.add_message(cid, "out", "Segue o PIX", operator=1, status="failed",
                             error_text="O número não tem WhatsApp. Confira o telefone.")
    view = _view(qtbot, source, tmp_path)
    _open(qtbot, view, cid)
    number = next(n for n in range(view.message_model.rowCount())
                  if view.message_model.row_at(n).id == mid)
    layout = view.messages.bubbles.layout_for(
        view.message_model.row_at(number), "", view.messages.viewport().width())
    errors = [b.text for b in layout.blocks if b.kind == "error"]
    assert errors == ["Não enviada. O número não tem WhatsApp. Confira o telefone."]
    view.shutdown()


def test_new_inbound_appears_after_a_poll(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Caio Reis", assigned=1)
    source.receive(cid, "Oi")
    view = _view(qtbot, source, tmp_path)
    _open(qtbot, view, cid)
    count = view.message_model.rowCount()
    source.receive(cid, "Paguei agora")
    qtbot.waitUntil(lambda: view.message_model.rowCount() == count + 1)
    assert view.message_model.row_at(count).text == "Paguei agora"
    assert view.list_model.row_at(0).last_message_preview == "Paguei agora"
    view.shutdown()


def test_alt_down_and_up_move_between_conversations(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    for n in range(3):
        source.receive(source.add_conversation(f"Pessoa {n}"), "Oi",
                       at=source.clock.now() - timedelta(minutes=n))
    view = _view(qtbot, source, tmp_path)
    first, second = view.list_model.row_at(0).id, view.list_model.row_at(1).id
    _open(qtbot, view, first)
    view.activateWindow()
    view.conversations.list.setFocus()
    with qtbot.waitSignal(view.vm.header_changed):
        qtbot.keyClick(view.conversations.list, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert view.vm.open_id == second
    with qtbot.waitSignal(view.vm.header_changed):
        qtbot.keyClick(view.conversations.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.vm.open_id == first
    view.shutdown()


def test_paging_older_messages_keeps_the_reading_position(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Duda Lima", assigned=1)
    start = source.clock.now() - timedelta(hours=200)
    for n in range(150):
        source.add_message(cid, "in" if n % 2 else "out", f"mensagem {n}",
                           at=start + timedelta(minutes=n), operator=None if n % 2 else 1)
    view = _view(qtbot, source, tmp_path)
    _open(qtbot, view, cid)
    assert view.message_model.rowCount() == 60
    bar = view.messages.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    # what is at the top of the screen when the user reaches the top
    with qtbot.waitSignal(view.vm.older_loaded):
        bar.setValue(0)
    top = view.messages.indexAt(view.messages.viewport().rect().topLeft())
    assert view.message_model.rowCount() == 120
    assert view.message_model.row_at(top.row()).text == "mensagem 90"
    view.shutdown()


def test_the_window_shows_the_inbox_when_the_app_passes_one(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    from cobrador_desktop.ui.context import UiContext
    from cobrador_desktop.ui.main_window import MainWindow, Page
    from cobrador_desktop.ui.views.coming_soon_views import InboxView as ComingSoon
    from tests.ui.fakes import FakeDebtorSource

    source = FakeInboxSource()
    source.receive(source.add_conversation("Ana Silva"), "Oi")
    context = UiContext(debtors=FakeDebtorSource(count=5), profile="normal",
                        data_dir=tmp_path / "dados", database_label="sqlite://", version="0.1.0",
                        clock=source.clock, inbox=source)
    window = MainWindow(context, autostart=False)
    qtbot.addWidget(window)
    window.start()
    assert isinstance(window.inbox_view, InboxView)
    window.show_page(Page.INBOX)
    qtbot.waitUntil(lambda: window.inbox_view.list_model.rowCount() == 1)
    window.close()
    without = MainWindow(UiContext(debtors=FakeDebtorSource(count=5), profile="normal",
                                   data_dir=tmp_path / "d2", database_label="sqlite://",
                                   version="0.1.0"), autostart=False)
    qtbot.addWidget(without)
    without.start()
    assert isinstance(without.inbox_view, ComingSoon)
    without.close()


def test_the_header_never_cuts_a_button_at_1100_px(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Gabriel Nakamura Amaral da Silva Albuquerque", assigned=2)
    source.receive(cid, "Oi")
    view = _view(qtbot, source, tmp_path)
    view.resize(876, 650)  # a 1100 px window less the sidebar
    _open(qtbot, view, cid)
    bar = view.header_bar
    qtbot.waitUntil(lambda: bar.claim_button.isVisible())
    buttons = [bar.claim_button, bar.transfer_button, bar.resolve_button, bar.labels_button,
               bar.panel_button]
    for button in buttons:
        assert button.isVisible()
        assert button.width() >= button.sizeHint().width(), button.text()
    # the long name ends in "…" and says it whole in its tooltip
    assert bar.name.is_elided()
    assert bar.name.toolTip() == "Gabriel Nakamura Amaral da Silva Albuquerque"
    # on a narrow inbox the debtor panel starts hidden and "Devedor" brings it back
    assert view.splitter.sizes()[2] == 0
    bar.panel_button.click()
    assert view.splitter.sizes()[2] > 0
    for button in buttons:
        assert button.width() >= button.sizeHint().width(), button.text()
    view.shutdown()
