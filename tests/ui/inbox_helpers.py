"""Shared set-up of the inbox's UI tests: a started view-model over `FakeInboxSource`."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel
from tests.ui.inbox_fake import FakeInboxSource

TZ = ZoneInfo("America/Sao_Paulo")


def settings_at(folder: Path) -> QSettings:
    return QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)


def started_vm(qtbot: QtBot, source: FakeInboxSource, folder: Path, *,
               poll_ms: int = 20) -> InboxViewModel:
    """A view-model whose operators, first page and counts are in."""
    assert isinstance(source.clock, FakeClock)
    vm = InboxViewModel(source, source.clock, TZ, settings_at(folder), poll_ms=poll_ms,
                        hidden_poll_ms=poll_ms)
    with qtbot.waitSignals([vm.first_page_loaded, vm.counts_changed], timeout=5000):
        vm.start()
    return vm
