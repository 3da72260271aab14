"""The inbox's view-model: who I am, tabs, polling only what changed, read on open, news."""

from __future__ import annotations

from asyncio import AbstractEventLoop
from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.inbox import AlreadyAssigned, InboxFilter
from cobrador_desktop.ui.viewmodels.inbox_vm import OPERATOR_KEY
from tests.ui.inbox_fake import FakeInboxSource
from tests.ui.inbox_helpers import settings_at, started_vm


def test_the_operator_defaults_to_the_first_owner_and_is_remembered(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    vm = started_vm(qtbot, source, tmp_path)
    assert vm.operator_id == 1  # Carla, the owner
    vm.set_operator(3)
    vm.close()
    assert settings_at(tmp_path).value(OPERATOR_KEY) in (3, "3")
    again = started_vm(qtbot, source, tmp_path)
    assert again.operator_id == 3
    again.close()


def test_a_poll_refreshes_only_the_first_page_and_the_open_conversation(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    ids = source.populate(10)
    vm = started_vm(qtbot, source, tmp_path)
    with qtbot.waitSignal(vm.messages_reset):
        vm.open(ids[3])
    source.calls.clear()
    with qtbot.waitSignal(vm.messages_updated) as news:
        new_id = source.receive(ids[3], "Paguei agora")
    rows = news.args[0]
    assert [m.id for m in rows] == [new_id]
    methods = {name for name, _args in source.calls}
    assert "messages" not in methods  # no full reload of the conversation
    assert ("messages_since" in methods) and ("conversations" in methods)
    vm.close()


def test_opening_marks_read_and_the_unread_total_follows(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Ana Souza")
    source.receive(cid, "Oi")
    source.receive(cid, "Tem alguém aí?")
    vm = started_vm(qtbot, source, tmp_path)
    assert vm.counts is not None and vm.counts.unread_total == 2
    with qtbot.waitSignal(vm.unread_changed, check_params_cb=lambda n: n == 0):
        vm.open(cid)
    assert ("mark_read", (cid, 1)) in source.calls
    vm.close()


def test_a_debtor_writing_is_announced_but_ones_own_send_is_not(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    clock = FakeClock()
    source = FakeInboxSource(clock)
    cid = source.add_conversation("Bruno Lima", assigned=1)
    source.receive(cid, "Oi")
    vm = started_vm(qtbot, source, tmp_path)
    announced: list[tuple[int, str, str]] = []
    vm.inbound_arrived.connect(lambda *args: announced.append(args))
    clock.advance(timedelta(minutes=1))
    with qtbot.waitSignal(vm.inbound_arrived):
        source.receive(cid, "Pode mandar o PIX?")
    assert announced == [(cid, "Bruno Lima", "Pode mandar o PIX?")]
    with qtbot.waitSignal(vm.first_page_refreshed):
        source.add_message(cid, "out", "Claro!", operator=1)
    qtbot.wait(80)
    assert len(announced) == 1
    vm.close()


def test_notify_polls_at_once_without_waiting_for_the_timer(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    cid = source.add_conversation("Carla Dias")
    vm = started_vm(qtbot, source, tmp_path, poll_ms=60_000)
    source.receive(cid, "Oi")
    with qtbot.waitSignal(vm.first_page_refreshed, timeout=1000):
        vm.notify({cid})
    vm.close()


def test_tabs_follow_the_operator_and_a_refused_claim_is_reported(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    source = FakeInboxSource()
    mine = source.add_conversation("Dora", assigned=1)
    theirs = source.add_conversation("Edu", assigned=2)
    vm = started_vm(qtbot, source, tmp_path)
    rows: list[int] = []
    vm.rows_loaded.connect(lambda page: rows.extend(r.id for r in page))
    with qtbot.waitSignal(vm.first_page_loaded):
        vm.set_filter(InboxFilter.MINE)
    assert rows == [mine]
    with qtbot.waitSignal(vm.messages_reset):
        vm.open(theirs)
    with qtbot.waitSignal(vm.failed) as failure:
        vm.claim()
    assert isinstance(failure.args[0], AlreadyAssigned)
    assert failure.args[0].params["operator"] == "Marcos Lima"
    vm.close()
