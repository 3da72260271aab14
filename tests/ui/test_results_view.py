"""The Resultados screen over a real ResultsService on SQLite: the figures shown are the hand
count of `tests.unit.services.test_results`, the period selector, a refused custom period, a
stale answer dropped, the empty database, other tabs following the period, the window's page."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.results import Light, Period, PeriodPreset, ResultsFigures
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.services.operators import OperatorService
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.viewmodels.results_ports import ResultsSources
from cobrador_desktop.ui.viewmodels.results_vm import ResultsViewModel
from cobrador_desktop.ui.views.results_view import ResultsView
from tests.unit.services.test_results import NOVEMBER, REMIND, ZONE, _hand_made

TZ = ZoneInfo(ZONE)
#: 12:00 in São Paulo on 2026-12-03: "últimos 30 dias" is 04/11 to 03/12
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
_H = Qt.Orientation.Horizontal


@pytest.fixture
def now() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def hand_made(sqlite_database: Database) -> Database:
    sqlite_database.run_sync(_hand_made)
    return sqlite_database


class GatedFigures:
    """The real service, holding back the answer for one period until released (to see which
    answer the screen keeps when two requests overlap)."""

    def __init__(self, service: ResultsService, held: Period) -> None:
        self.service = service
        self.held = held
        self.release = asyncio.Event()
        self.answered: list[Period] = []

    async def figures(self, period: Period) -> ResultsFigures:
        figures = await self.service.figures(period)
        if period == self.held:
            await self.release.wait()
        self.answered.append(period)
        return figures


def _open(qtbot: QtBot, source: Any, clock: FakeClock, database: Database | None = None,
          size: tuple[int, int] = (1100, 760)) -> ResultsView:
    operators = OperatorService(database, clock) if database is not None else None
    vm = ResultsViewModel(source, clock, TZ, operators=operators)
    view = ResultsView(vm, TZ)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    return view


def _load(qtbot: QtBot, view: ResultsView) -> None:
    with qtbot.waitSignal(view.vm.loaded, timeout=10_000):
        view.refresh()


def _custom(qtbot: QtBot, view: ResultsView, start: date, end: date, *,
            loads: bool = True) -> None:
    view.period_choice.setCurrentIndex(view.period_choice.findData("custom"))
    assert view.start_edit.isVisible() and view.apply_button.isVisible()
    view.start_edit.setDate(QDate(start.year, start.month, start.day))
    view.end_edit.setDate(QDate(end.year, end.month, end.day))
    if not loads:
        view.apply_button.click()
        return
    with qtbot.waitSignal(view.vm.loaded, timeout=10_000):
        view.apply_button.click()


def _tile(view: ResultsView, name: str) -> tuple[str, str]:
    tile = getattr(view.tiles, name)
    return tile.value_label.text(), tile.detail_label.text()


def _rows(view: ResultsView) -> list[list[str]]:
    model = view.breakdown.model
    return [[view.breakdown.cell(r, c) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_november_shows_the_hand_count(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                       hand_made: Database, now: FakeClock) -> None:
    view = _open(qtbot, ResultsService(hand_made, now, ZONE), now, hand_made)
    _load(qtbot, view)
    _custom(qtbot, view, NOVEMBER.start, NOVEMBER.end)
    assert view.vm.period == NOVEMBER and view.current_period() == NOVEMBER
    assert view.period_label.text() == "01/11/2026 a 30/11/2026 (30 dias)"
    assert view.overview.currentWidget() is view.content_scroll
    # payments in November: A 30,00 + B 50,00, over the 6 ISO weeks November touches
    assert _tile(view, "recovered") == ("R$ 80,00", "média de R$ 13,33 por semana (6 semanas)")
    # A1 owed 60,00 and C1 80,00 on 11-01; A paid 30,00 of it
    assert _tile(view, "overdue") == ("21,4%", "R$ 30,00 de R$ 140,00 vencidos")
    # A took 21 days, B 19: mean and median 20
    assert _tile(view, "days") == ("20 dias", "média · mediana 20 dias · 2 devedor(es)")
    assert _tile(view, "response") == ("33,3%", "1 de 3 devedores")
    assert _tile(view, "identity") == ("33,3%", "1 de 3 contatos")
    assert _tile(view, "after_reminder") == ("66,7%", "2 de 3 devedores lembrados")
    assert "primeira mensagem" in view.tiles.days.toolTip()  # the definition, on hover

    # the weekly chart: one bar per week (by its Monday), weeks without payments at zero
    weekly = view.weekly_chart
    assert not weekly.is_empty
    assert weekly.categories() == ["26/10", "02/11", "09/11", "16/11", "23/11", "30/11"]
    assert weekly.values() == [0.0, 30.0, 0.0, 0.0, 50.0, 0.0]
    # the funnel: 4 left, 3 delivered, 2 read, 1 replied, 1 paid (drawn bottom-up)
    funnel = view.funnel_chart
    assert funnel.values() == [1.0, 1.0, 2.0, 3.0, 4.0]
    assert funnel.stages() == [
        "<b>Enviadas</b><br>4 · 100,0%", "<b>Entregues</b><br>3 · 75,0%",
        "<b>Lidas</b><br>2 · 50,0%", "<b>Respondidas</b><br>1 · 25,0%",
        "<b>Pagas</b><br>1 · 25,0%"]

    # the breakdowns, keys named for people
    table = view.breakdown
    assert table.table.objectName() == "resultsBreakdownTable"
    assert table.model.headerData(0, _H) == "Etapa da régua"
    assert _rows(view) == [["Sem etapa", "3", "2", "1", "0", "0", "0,0%", "0,0%"],
                           ["D-3 · 3 dia(s) antes", "1", "1", "1", "1", "1", "100,0%", "100,0%"]]
    table.choose("by_template")
    assert table.model.headerData(0, _H) == "Modelo"
    assert _rows(view) == [[REMIND, "3", "2", "1", "1", "1", "33,3%", "33,3%"],
                           ["Texto livre", "1", "1", "1", "0", "0", "0,0%", "0,0%"]]
    table.choose("by_operator")
    assert [row[:2] for row in _rows(view)] == [["Automático", "3"], ["Ana", "1"]]
    table.choose("by_segment")
    assert [row[:2] for row in _rows(view)] == [["Novo", "2"], ["Atrasa sempre", "1"],
                                                ["Em dia", "1"]]

    # the warning lights: B's number opted out, E's was marked "não sou eu", of 3 numbers
    assert view.lights.opt_out.light is Light.RED
    assert view.lights.opt_out.value_label.text() == "Alto · 33,3% · 1 de 3 números"
    assert view.lights.wrong_party.light is Light.RED
    assert "vermelho acima de 2%" in view.lights.opt_out.toolTip()
    assert "amarelo até 5%" in view.lights.wrong_party.toolTip()


def test_the_breakdown_exports_what_it_shows(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, hand_made: Database,
        now: FakeClock, tmp_path: Path) -> None:
    view = _open(qtbot, ResultsService(hand_made, now, ZONE), now)
    _load(qtbot, view)
    _custom(qtbot, view, NOVEMBER.start, NOVEMBER.end)
    view.breakdown.choose("by_template")
    button = view.breakdown.export_button
    assert button.isEnabled() and button.name == "Resultados por modelo"
    button.choose_path = lambda fmt: tmp_path / f"modelos.{fmt}"
    with qtbot.waitSignal(button.exported):
        button.csv_action.trigger()
    rows = list(csv.reader((tmp_path / "modelos.csv").read_text("utf-8-sig").splitlines(),
                           delimiter=";"))
    assert rows[0] == ["Modelo", "Enviadas", "Entregues", "Lidas", "Respondidas", "Pagas",
                       "Taxa de resposta", "Taxa de pagamento"]
    assert rows[1] == [REMIND, "3", "2", "1", "1", "1", "33,3%", "33,3%"]
    assert rows[2] == ["Texto livre", "1", "1", "1", "0", "0", "0,0%", "0,0%"]


def test_the_period_selector_recomputes(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                        hand_made: Database, now: FakeClock) -> None:
    view = _open(qtbot, ResultsService(hand_made, now, ZONE), now)
    assert view.period_choice.currentText() == "Últimos 30 dias"
    _load(qtbot, view)
    # 04/11 to 03/12: A 30,00 (11-05) + B 50,00 (11-28) + E 30,00 (12-02)
    assert view.period_label.text() == "04/11/2026 a 03/12/2026 (30 dias)"
    assert _tile(view, "recovered")[0] == "R$ 110,00"

    with qtbot.waitSignal(view.vm.loaded, timeout=10_000) as got:
        view.choose_preset(PeriodPreset.LAST_MONTH)
    assert got.args[0].period == NOVEMBER
    assert _tile(view, "recovered")[0] == "R$ 80,00"

    # this month (01/12 to 03/12): E's payment, no message left (E's was 30/11 at 23:30)
    with qtbot.waitSignal(view.vm.loaded, timeout=10_000):
        view.choose_preset(PeriodPreset.THIS_MONTH)
    assert view.period_label.text() == "01/12/2026 a 03/12/2026 (3 dias)"
    assert _tile(view, "recovered")[0] == "R$ 30,00"
    assert view.funnel_chart.is_empty and view.funnel_chart.values() == []
    assert view.funnel_chart.empty_label.text() == "Nenhuma mensagem saiu neste período."
    assert view.breakdown.is_empty and view.breakdown.empty_label.isVisible()
    assert _tile(view, "response") == ("—", "ninguém recebeu mensagem no período")


def test_a_wrong_custom_period_is_refused_with_a_message(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, hand_made: Database,
        now: FakeClock) -> None:
    view = _open(qtbot, ResultsService(hand_made, now, ZONE), now)
    _load(qtbot, view)
    before = view.vm.period
    _custom(qtbot, view, date(2026, 11, 30), date(2026, 11, 1), loads=False)
    assert view.problem_label.isVisible()
    assert view.problem_label.text() == (
        "O período termina (01/11/2026) antes de começar (30/11/2026): escolha um “Até” igual "
        "ou depois do “De”.")
    assert view.vm.period == before and not view.vm.busy  # nothing asked
    _custom(qtbot, view, date(2026, 11, 1), date(2026, 12, 4), loads=False)
    assert view.problem_label.text().startswith(
        "O período não pode terminar depois de hoje (03/12/2026)")
    assert view.vm.period == before and not view.vm.busy
    # fixed: the message goes and the days are shown
    _custom(qtbot, view, date(2026, 11, 1), date(2026, 12, 3))
    assert not view.problem_label.isVisible()
    assert view.vm.period == Period(date(2026, 11, 1), date(2026, 12, 3))
    assert view.vm.preset is None


def test_a_newer_request_supersedes_an_older_one(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, hand_made: Database,
        now: FakeClock) -> None:
    last_30 = Period.preset(PeriodPreset.LAST_30_DAYS, date(2026, 12, 3))
    source = GatedFigures(ResultsService(hand_made, now, ZONE), held=last_30)
    view = _open(qtbot, source, now)
    shown: list[Period] = []
    view.vm.loaded.connect(lambda figures: shown.append(figures.period))
    view.refresh()  # the last 30 days: held back
    qtbot.waitUntil(lambda: view.overview.currentWidget() is view.loading_page)
    assert view.vm.busy and view.busy_label.isVisible()
    assert "Calculando os resultados de 04/11/2026 a 03/12/2026" in view.loading_label.text()
    with qtbot.waitSignal(view.vm.loaded, timeout=10_000):
        view.choose_preset(PeriodPreset.LAST_MONTH)
    assert shown == [NOVEMBER] and not view.vm.busy
    # the older answer arrives late: dropped, November stays on screen
    source.release.set()
    qtbot.waitUntil(lambda: last_30 in source.answered)
    qtbot.wait(50)
    assert shown == [NOVEMBER]
    assert view.vm.figures is not None and view.vm.figures.period == NOVEMBER
    assert _tile(view, "recovered")[0] == "R$ 80,00"
    assert view.period_label.text() == "01/11/2026 a 30/11/2026 (30 dias)"


def test_an_empty_database_says_so(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                   sqlite_database: Database, now: FakeClock) -> None:
    view = _open(qtbot, ResultsService(sqlite_database, now, ZONE), now)
    _load(qtbot, view)
    assert view.overview.currentWidget() is view.empty_state
    assert view.empty_state.title_label.text() == "Nada aconteceu neste período"
    assert view.tiles.recovered.value_label.text() == "—"  # never filled with made-up numbers


class PeriodTab(QWidget):
    """Another engineer's tab, as the screen sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.periods: list[Period] = []

    def show_period(self, period: Period) -> None:
        self.periods.append(period)


def test_added_tabs_follow_the_period(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                      hand_made: Database, now: FakeClock) -> None:
    view = _open(qtbot, ResultsService(hand_made, now, ZONE), now)
    tab = PeriodTab()
    plain = QWidget()
    assert view.add_tab(tab, "Custos") == 1 and view.add_tab(plain, "Outro") == 2
    assert view.tabs.tabText(0) == "Visão geral" and view.tabs.tabText(1) == "Custos"
    last_30 = Period(date(2026, 11, 4), date(2026, 12, 3))
    assert tab.periods == [last_30]  # once when added
    _load(qtbot, view)
    assert tab.periods == [last_30]  # the first show: nothing new
    with qtbot.waitSignal(view.period_changed) as changed:
        view.choose_preset(PeriodPreset.LAST_MONTH)
    assert changed.args == [NOVEMBER] and tab.periods == [last_30, NOVEMBER]
    qtbot.waitUntil(lambda: not view.vm.busy)
    _load(qtbot, view)  # shown again: the tabs read again
    assert tab.periods == [last_30, NOVEMBER, NOVEMBER]
    assert view.header_actions is view.header.right


def test_the_window_shows_resultados_and_loads_it_on_show(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, hand_made: Database,
        now: FakeClock, tmp_path: Path) -> None:
    context = UiContext(
        debtors=DebtorListService(hand_made), profile="normal", data_dir=tmp_path / "dados",
        database_label="sqlite", version="0.1.0", clock=now, timezone=TZ,
        results=ResultsSources(figures=ResultsService(hand_made, now, ZONE)))
    window = MainWindow(context)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded):
        window.show()
    # the screen (its charts, its view models) is only built when first shown: the window's
    # start never pays for it
    assert window.results_screens is None
    blank = window.stack.widget(Page.RESULTS)
    assert blank is not None and not isinstance(blank, ResultsView)
    window.show_page(Page.RESULTS)
    assert window.results_screens is not None
    assert window.stack.currentWidget() is window.results_view
    assert isinstance(window.results_view, ResultsView) and window.results_vm is not None
    qtbot.waitUntil(lambda: window.results_vm is not None and window.results_vm.figures is not None,
                    timeout=10_000)
    assert window.results_view.tiles.recovered.value_label.text() == "R$ 110,00"
    window.show_page(Page.DEBTORS)
    with qtbot.waitSignal(window.results_vm.loaded, timeout=10_000):  # back: counted again
        window.show_page(Page.RESULTS)


@pytest.mark.parametrize("size", [(1136, 760), (800, 640)])
def test_the_overview_fits_the_window_and_scrolls(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, hand_made: Database,
        now: FakeClock, size: tuple[int, int]) -> None:
    """The page at 1360×800 and 1024×700 (less the navigation): nothing wider than the page,
    the rest reached by scrolling."""
    view = _open(qtbot, ResultsService(hand_made, now, ZONE), now, size=size)
    _load(qtbot, view)
    content = view.content_scroll.widget()
    assert content.minimumSizeHint().width() <= view.content_scroll.viewport().width()
    assert content.width() <= view.content_scroll.viewport().width()
    if size[1] < 700:
        assert view.content_scroll.verticalScrollBar().maximum() > 0
