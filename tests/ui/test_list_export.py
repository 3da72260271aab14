""""Exportar lista…" on the Devedores screen: file dialog, the list as shown, progress, errors."""

from __future__ import annotations

import asyncio
import threading
from asyncio import AbstractEventLoop
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from cobrador_desktop.services.export import ExportFailed
from cobrador_desktop.ui.dialogs.list_export import with_suffix
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
from cobrador_desktop.ui.viewmodels.ports import DebtorFilter, DebtorQuery, DebtorSort
from cobrador_desktop.ui.views.debtors_view import DebtorsView
from tests.ui.fakes import TODAY, FakeDebtorSource


class FakeExporter:
    """Writes nothing; reports progress from a worker thread, as the real one does."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[Path, DebtorQuery, DebtorSort]] = []
        self.error = error
        self.threads: list[str] = []

    async def export_list(self, target: Path, query: DebtorQuery, sort: DebtorSort, *,
                          progress: Callable[[int, int], None],
                          cancelled: Callable[[], bool]) -> int:
        self.calls.append((target, query, sort))

        def work() -> int:
            self.threads.append(threading.current_thread().name)
            for done in (500, 1000, 1200):
                progress(done, 1200)
            if self.error is not None:
                raise self.error
            return 1200

        return await asyncio.get_running_loop().run_in_executor(None, work)


def _view(qtbot: QtBot, exporter: FakeExporter | None) -> DebtorsView:
    vm = DebtorListViewModel(FakeDebtorSource(count=30), page_size=500)
    view = DebtorsView(vm, today=lambda: TODAY, tz=ZoneInfo("America/Sao_Paulo"))
    view.set_exporter(exporter)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignals([vm.first_page_loaded, vm.counts_changed]):
        view.start()
    return view


def _choose(monkeypatch: pytest.MonkeyPatch, path: str, chosen: str) -> list[str]:
    asked: list[str] = []

    def fake(_parent: object, _title: str, default: str, filters: str) -> tuple[str, str]:
        asked.extend([default, filters])
        return path, chosen

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return asked


def test_the_button_exports_the_list_as_shown_off_the_gui_thread(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    exporter = FakeExporter()
    view = _view(qtbot, exporter)
    assert view.export_button.isVisible() and view.export_button.text() == "Exportar lista…"
    with qtbot.waitSignal(view.vm.first_page_loaded):
        view.filter_bar.filter_changed.emit(DebtorFilter.OVERDUE)
    view.vm.set_sort(DebtorSort.OPEN_AMOUNT)
    asked = _choose(monkeypatch, str(tmp_path / "atrasados"), "CSV separado por ponto e vírgula "
                    "(*.csv)")
    assert view.list_export is not None
    with qtbot.waitSignal(view.list_export.finished, timeout=5000) as done:
        view.export_button.click()
        assert not view.export_button.isEnabled()  # one export at a time
    assert done.args == [tmp_path / "atrasados.csv"]
    assert asked[0].endswith("devedores-2026-11-23.xlsx") and "*.csv" in asked[1]
    assert exporter.calls == [(tmp_path / "atrasados.csv",
                               DebtorQuery(filter=DebtorFilter.OVERDUE), DebtorSort.OPEN_AMOUNT)]
    assert exporter.threads and exporter.threads[0] != threading.main_thread().name
    message = view.list_export.message
    assert message is not None and message.icon() == QMessageBox.Icon.Information
    assert "1.200 devedor(es) gravado(s)" in message.text()
    assert view.export_button.isEnabled()
    message.close()


def test_an_error_says_what_happened_and_what_to_do(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    exporter = FakeExporter(ExportFailed(path=str(tmp_path / "x.xlsx"), detail="disco cheio"))
    view = _view(qtbot, exporter)
    _choose(monkeypatch, str(tmp_path / "x.xlsx"), "Planilha do Excel (*.xlsx)")
    assert view.list_export is not None
    with qtbot.waitSignal(view.list_export.finished, timeout=5000) as done:
        view.export_button.click()
    assert done.args == [None]
    message = view.list_export.message
    assert message is not None and message.icon() == QMessageBox.Icon.Warning
    assert "disco cheio" in message.text() and "Escolha outra pasta" in message.text()
    assert view.export_button.isEnabled()
    message.close()


def test_cancelling_the_file_dialog_does_nothing(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    exporter = FakeExporter()
    view = _view(qtbot, exporter)
    _choose(monkeypatch, "", "")
    view.export_button.click()
    assert exporter.calls == [] and view.export_button.isEnabled()


def test_without_an_exporter_there_is_no_button(
        qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    view = _view(qtbot, None)
    assert not view.export_button.isVisible()


def test_the_chosen_type_gives_the_suffix() -> None:
    assert with_suffix("/a/lista", "CSV (*.csv)") == Path("/a/lista.csv")
    assert with_suffix("/a/lista", "Excel (*.xlsx)") == Path("/a/lista.xlsx")
    assert with_suffix("/a/lista.CSV", "Excel (*.xlsx)") == Path("/a/lista.CSV")
