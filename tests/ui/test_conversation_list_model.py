"""The conversation list model: keyset pages on demand, and each change merged in place."""

from __future__ import annotations

from asyncio import AbstractEventLoop
from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.inbox import InboxFilter
from cobrador_desktop.ui.models.conversation_list_model import ConversationListModel
from tests.ui.inbox_fake import FakeInboxSource
from tests.ui.inbox_helpers import started_vm


def _ids(model: ConversationListModel) -> list[int]:
    return [model.row_at(n).id for n in range(model.rowCount())]


def test_pages_come_as_the_view_asks_and_keep_qt_rules(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path,
        qtmodeltester: ModelTester) -> None:
    source = FakeInboxSource()
    source.populate(25, messages=2)
    vm = started_vm(qtbot, source, tmp_path, poll_ms=60_000)
    vm._page_size = 10  # the next pages are small
    model = ConversationListModel(vm)
    vm.reload()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    assert model.canFetchMore(model.index(-1))
    while model.canFetchMore(model.index(-1)):
        before = model.rowCount()
        model.fetchMore(model.index(-1))
        qtbot.waitUntil(lambda before=before: model.rowCount() > before)
    assert model.rowCount() == 25 - sum(1 for c in range(1, 26)
                                        if source.row(c).status == "resolved")
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
    vm.close()


def test_a_change_moves_the_row_to_the_top_and_a_claim_takes_it_out_of_the_queue(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path,
        qtmodeltester: ModelTester) -> None:
    source = FakeInboxSource()
    ids = source.populate(8, messages=2)
    for cid in ids:
        source._conv(cid).assigned = None
        source._conv(cid).status = "open"
    vm = started_vm(qtbot, source, tmp_path)
    model = ConversationListModel(vm)
    vm.set_filter(InboxFilter.UNASSIGNED)
    qtbot.waitUntil(lambda: model.rowCount() == 8)
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
    last = _ids(model)[-1]
    with qtbot.waitSignal(model.rowsMoved):
        source.receive(last, "Oi de novo")
    assert _ids(model)[0] == last
    assert model.row_at(0).last_message_preview == "Oi de novo"
    gone = _ids(model)[3]
    with qtbot.waitSignal(model.rowsRemoved):
        source._conv(gone).assigned = 2
        source._touch(gone)
    assert gone not in _ids(model)
    assert len(_ids(model)) == 7
    vm.close()
