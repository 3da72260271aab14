"""A long history read far up: the list keeps a bounded window of messages, what the user reads
stays put, and "↓ Mensagens mais recentes" brings the newest page back."""

from __future__ import annotations

from asyncio import AbstractEventLoop
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cobrador_desktop.ui.models.message_list_model import MessageListModel
from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel
from cobrador_desktop.ui.widgets.message_bubbles import MessageList
from tests.ui.inbox_fake import FakeInboxSource
from tests.ui.inbox_helpers import TZ, started_vm

CAP = 150


def _list(qtbot: QtBot, vm: InboxViewModel) -> tuple[MessageList, MessageListModel]:
    model = MessageListModel(vm, today=lambda: date(2026, 11, 23), tz=TZ, max_rows=CAP)
    view = MessageList(TZ)
    qtbot.addWidget(view)
    view.setModel(model)
    view.older_wanted.connect(lambda: vm.fetch_older(model.first_id or 0))
    view.resize(520, 420)
    view.show()
    qtbot.waitExposed(view)
    return view, model


def _top_text(view: MessageList, model: MessageListModel) -> tuple[str, int]:
    """The message at the top of the screen and how far above the screen it starts."""
    index = view.indexAt(view.viewport().rect().topLeft())
    return model.row_at(index.row()).text, view.visualRect(index).top()


def test_reading_far_up_keeps_a_window_and_comes_back_to_the_newest(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Duda Lima", assigned=1)
    start = source.clock.now() - timedelta(hours=400)
    ids = [source.add_message(cid, "in" if n % 2 else "out", f"mensagem {n}",
                              at=start + timedelta(minutes=n), operator=None if n % 2 else 1)
           for n in range(400)]
    vm = started_vm(qtbot, source, tmp_path)
    view, model = _list(qtbot, vm)
    with qtbot.waitSignal(vm.messages_reset):
        vm.open(cid)
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    assert not view.newer_button.isVisible()

    # the user scrolls up page after page: what is on screen stays put each time
    for _ in range(4):
        reading = model.row_at(0).text  # at the top of the screen once scrolled to the top
        with qtbot.waitSignal(vm.older_loaded):
            bar.setValue(0)
        assert _top_text(view, model) == (reading, 0)
        assert model.rowCount() <= CAP
    assert model.first_id == ids[400 - 5 * 60]
    assert model.trimmed_newer
    assert model.row_at(model.rowCount() - 1).id == ids[400 - 5 * 60 + CAP - 1]
    assert view.newer_button.isVisible()
    assert view.newer_button.text() == "↓ Mensagens mais recentes"
    assert view.viewport().geometry().contains(view.newer_button.geometry())

    # while the newest are dropped a new message is not added, but a loaded one's tick is
    loaded_out = next(model.row_at(n) for n in range(model.rowCount())
                      if model.row_at(n).direction == "out")
    source.tick(loaded_out.id, "read")
    newest = source.receive(cid, "chegou agora")
    qtbot.waitUntil(lambda: any(model.row_at(n).status == "read"
                                for n in range(model.rowCount())), timeout=3000)
    assert newest not in {model.row_at(n).id for n in range(model.rowCount())}
    assert view.newer_button.isVisible()

    # "↓ Mensagens mais recentes": the newest page again, at the bottom
    with qtbot.waitSignal(vm.messages_reset):
        qtbot.mouseClick(view.newer_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert model.rowCount() == 60
    assert model.row_at(59).id == newest
    assert not model.trimmed_newer
    assert not view.newer_button.isVisible()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    assert vm.has_older
    vm.close()
