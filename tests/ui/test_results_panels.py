"""Resultados › Satisfação and Saúde do número over real services on SQLite: the hand-counted
rows of the service tests on screen, the empty states, the survey switch (owner only), and both
panels rendered at 1360×800 and 1024×700 without clipping their text."""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.results import Period, PeriodPreset
from cobrador_desktop.domain.roles import Actor, Role
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.services.number_health import NumberHealthService
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.services.satisfaction import SatisfactionService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.resources import stylesheet
from cobrador_desktop.ui.session import SignedIn
from cobrador_desktop.ui.viewmodels.results_panels_vm import HealthViewModel, SurveyViewModel
from cobrador_desktop.ui.viewmodels.results_ports import ResultsSources
from cobrador_desktop.ui.views.results_view import ResultsView
from cobrador_desktop.ui.widgets import results_health
from cobrador_desktop.ui.widgets.results_health import HealthPanel
from cobrador_desktop.ui.widgets.results_survey import SurveyPanel
from tests.unit.services import test_number_health as health_data
from tests.unit.services import test_satisfaction as survey_data
from tests.unit.storage.factories import add_operator

ZONE = ZoneInfo("America/Sao_Paulo")
NOVEMBER = survey_data.NOVEMBER
SIZES = ((1360, 800), (1024, 700))


def _survey(qtbot: QtBot, db: Database, operator: int | None = None) -> SurveyPanel:
    service = SatisfactionService(db, FakeClock(health_data.NOW), "America/Sao_Paulo")
    panel = SurveyPanel(SurveyViewModel(service, operator_id=lambda: operator))
    qtbot.addWidget(panel)
    panel.resize(1100, 640)
    panel.show()
    return panel


def _health(qtbot: QtBot, db: Database) -> HealthPanel:
    panel = HealthPanel(HealthViewModel(NumberHealthService(db, FakeClock(health_data.NOW)), ZONE))
    panel.setStyleSheet(stylesheet() + panel.styleSheet())  # the app's (cell padding) and its own
    qtbot.addWidget(panel)
    panel.resize(1100, 640)
    panel.show()
    return panel


def _load(qtbot: QtBot, panel: SurveyPanel | HealthPanel, period: Period = NOVEMBER) -> None:
    with qtbot.waitSignal(panel.vm.loaded, timeout=5000):
        panel.show_period(period)


def _cells(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def _shot(widget: QWidget, name: str) -> None:
    """Render to a PNG when COBRADOR_SHOTS names a folder (to look at the panels by eye)."""
    folder = os.environ.get("COBRADOR_SHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _labels_fit(widget: QWidget) -> list[str]:
    """The visible labels whose text needs more room than they have (cut off)."""
    cut = []
    for label in widget.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + 2:
                cut.append(label.text())
        elif label.sizeHint().width() > label.width() + 2:
            cut.append(label.text())
    return cut


def _cells_cut(table: QTableWidget) -> list[str]:
    """The cells whose text, wrapped in its column (less the cells' 6 px padding a side), is
    taller than its row."""
    metrics = QFontMetrics(table.font())
    cut = []
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            text = table.item(r, c).text()
            box = metrics.boundingRect(QRect(0, 0, table.columnWidth(c) - 12, 10_000),
                                       int(Qt.TextFlag.TextWordWrap), text)
            if box.height() > table.rowHeight(r) or box.width() > table.columnWidth(c) - 12:
                cut.append(text)
    return cut


def test_the_survey_panel_shows_the_hand_count(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                               sqlite_database: Database) -> None:
    sqlite_database.run_sync(survey_data._hand_made)
    panel = _survey(qtbot, sqlite_database)
    _load(qtbot, panel)

    assert panel.categories() == ["01/11", "02/11", "09/11", "16/11", "23/11", "30/11"]
    assert panel.series_values() == {"Ótimo": [1, 1, 0, 0, 0, 0], "Regular": [0, 0, 0, 0, 1, 0],
                                     "Ruim": [0, 0, 1, 0, 0, 0]}
    assert panel.answers_tile.value_label.text() == "4"
    assert panel.answers_tile.detail_label.text() == "Ótimo 2 · Regular 1 · Ruim 1"
    assert panel.rate_tile.value_label.text() == "75,0%"
    assert panel.rate_tile.detail_label.text() == "3 de 4 pesquisas enviadas"
    assert panel.index_tile.value_label.text() == "62,5"
    assert "desligada" in panel.notice_label.text()
    assert panel.switch_button.text() == "Ligar a pesquisa"
    for width, height in SIZES:
        panel.resize(width, height - 160)  # the tab below the header and the period bar
        qtbot.wait(20)
        assert _labels_fit(panel) == [], (width, height)
        _shot(panel, f"survey_{width}")


def test_the_owner_switches_the_survey_on_and_an_operator_is_refused(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database) -> None:
    clerk = sqlite_database.run_sync(lambda s: add_operator(s, "Bia", "bia"))
    panel = _survey(qtbot, sqlite_database, operator=clerk)
    _load(qtbot, panel)
    with qtbot.waitSignal(panel.vm.switched, timeout=5000):
        panel.switch_button.click()
    assert "Só o dono da loja pode" in panel.problem_label.text()
    assert panel.problem_label.isVisible() and panel.switch_button.text() == "Ligar a pesquisa"

    owner = SurveyPanel(SurveyViewModel(SatisfactionService(
        sqlite_database, FakeClock(health_data.NOW), "America/Sao_Paulo")))  # the system
    qtbot.addWidget(owner)
    owner.show()
    _load(qtbot, owner)
    with qtbot.waitSignal(owner.vm.loaded, timeout=5000):  # switched, then counted again
        owner.switch_button.click()
    assert "ligada" in owner.notice_label.text()
    assert owner.switch_button.text() == "Desligar a pesquisa"


def test_the_survey_panel_empty_states(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                       sqlite_database: Database) -> None:
    panel = _survey(qtbot, sqlite_database)
    _load(qtbot, panel)
    assert panel.chart_is_empty
    assert panel.empty_label.text() == "Nenhuma pesquisa enviada ou respondida neste período."
    assert panel.rate_tile.value_label.text() == "—" and panel.index_tile.value_label.text() == "—"

    sqlite_database.run_sync(survey_data._hand_made)
    _load(qtbot, panel, Period(date(2026, 11, 16), date(2026, 11, 22)))  # Fábio's, unanswered
    assert panel.chart_is_empty
    assert panel.empty_label.text() == "Nenhuma resposta neste período (1 pesquisas enviadas)."


def test_the_health_panel_shows_quality_failures_and_templates(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database) -> None:
    sqlite_database.run_sync(health_data._hand_made)
    panel = _health(qtbot, sqlite_database)
    _load(qtbot, panel)

    assert "Amarela" in panel.quality_value.text()
    assert panel.quality_caption.text() == ("Registrada em 01/12/2026 12:00. Última leitura da "
                                            "Meta: 03/12/2026 07:00.")
    assert panel.tier_value.text() == "até 1.000 clientes por dia"
    failures = _cells(panel.failures_table)
    assert [row[2:] for row in failures] == [["131026", "3", "02/12/2026 12:00"],
                                             ["—", "2", "28/11/2026 12:00"],
                                             ["131047", "1", "23/11/2026 12:00"],
                                             ["132015", "1", "01/12/2026 12:00"]]
    assert failures[0][0] == "Não entregue: o número pode não ter WhatsApp."
    assert failures[3][0] == "Modelo pausado pela Meta por baixa qualidade."
    assert all(row[1] for row in failures)  # what to do, for each
    assert "qualquer que seja o período" in panel.failures_caption.text()
    templates = _cells(panel.templates_table)
    assert [row[:4] for row in templates] == [
        ["promo_v1 (pt_BR)", "Marketing", "Rejeitado", "Sem avaliação"],
        ["parcela_em_atraso_v1 (pt_BR)", "Utilidade", "Pausado", "Baixa"],
        ["acordo_v1 (pt_BR)", "Utilidade", "Em análise", "Sem avaliação"],
        ["lembrete_vencimento_v1 (pt_BR)", "Utilidade", "Aprovado", "Alta"]]
    assert templates[0][4] == "INCORRECT_CATEGORY"
    red = panel.templates_table.item(0, 0).foreground().color().name()
    assert red == panel.templates_table.item(1, 2).foreground().color().name() != (
        panel.templates_table.item(2, 0).foreground().color().name())
    assert "2 modelo(s)" in panel.templates_caption.text()
    for width, height in SIZES:
        panel.resize(width, height - 160)
        qtbot.wait(20)
        qtbot.waitUntil(lambda: not panel.failures_box._refit_queued)
        assert _labels_fit(panel) == [], (width, height)
        assert _cells_cut(panel.failures_table) == [] and _cells_cut(panel.templates_table) == []
        _shot(panel, f"health_{width}")


def test_the_health_panel_of_a_new_shop(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                        sqlite_database: Database) -> None:
    panel = _health(qtbot, sqlite_database)
    _load(qtbot, panel)
    assert "Ainda sem avaliação" in panel.quality_value.text()
    assert "Ainda não lida da Meta" in panel.quality_caption.text()
    assert panel.tier_value.text() == "ainda não definido pela Meta"
    assert panel.failures_box.currentWidget() is panel.failures_empty
    assert panel.templates_box.currentWidget() is panel.templates_empty


def test_a_hidden_tab_reads_its_data_only_when_shown(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database) -> None:
    sqlite_database.run_sync(survey_data._hand_made)
    panel = _survey(qtbot, sqlite_database)
    panel.hide()
    panel.show_period(NOVEMBER)  # another tab is in front: nothing is read
    qtbot.wait(50)
    assert panel.data is None and not panel.vm.busy
    with qtbot.waitSignal(panel.vm.loaded, timeout=5000):
        panel.show()
    assert panel.data is not None and panel.data.period == NOVEMBER


def test_the_window_has_both_tabs_and_reads_each_when_chosen(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        tmp_path: Path) -> None:
    sqlite_database.run_sync(survey_data._hand_made)
    sqlite_database.run_sync(health_data._hand_made)
    clock = FakeClock(health_data.NOW)
    zone = "America/Sao_Paulo"
    context = UiContext(
        debtors=DebtorListService(sqlite_database), profile="normal",
        data_dir=tmp_path / "dados", database_label="sqlite", version="0.1.0", clock=clock,
        timezone=ZONE, results=ResultsSources(
            figures=ResultsService(sqlite_database, clock, zone),
            satisfaction=SatisfactionService(sqlite_database, clock, zone),
            health=NumberHealthService(sqlite_database, clock)))
    window = MainWindow(context)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded):
        window.show()
    view = window.results_view
    assert isinstance(view, ResultsView)
    titles = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert titles[-2:] == ["Satisfação", "Saúde do número"]
    survey, health = view.tabs.widget(len(titles) - 2), view.tabs.widget(len(titles) - 1)
    assert isinstance(survey, SurveyPanel) and isinstance(health, HealthPanel)
    with qtbot.waitSignal(window.results_vm.loaded, timeout=10_000):  # type: ignore[union-attr]
        window.show_page(Page.RESULTS)
    assert survey.data is None and health.data is None  # hidden tabs read nothing
    view.choose_preset(PeriodPreset.LAST_90_DAYS)  # 05/09..03/12: by month
    with qtbot.waitSignal(survey.vm.loaded, timeout=10_000):
        view.tabs.setCurrentWidget(survey)
    assert survey.data is not None and survey.data.period == view.current_period()
    assert survey.chart_title.text() == "Respostas por mês"
    # November's four and Carla's Ótimo of 12-02; every survey but Fábio's answered in time
    assert survey.categories() == ["09/2026", "10/2026", "11/2026", "12/2026"]
    assert survey.series_values()["Ótimo"] == [0, 0, 2, 1]
    assert survey.rate_tile.detail_label.text() == "4 de 5 pesquisas enviadas"
    with qtbot.waitSignal(health.vm.loaded, timeout=10_000):
        view.tabs.setCurrentWidget(health)
    assert health.failures_table.rowCount() == 4 and health.templates_table.rowCount() == 4


def test_a_wrapped_cell_gets_the_lines_its_padded_width_needs(qtbot: QtBot) -> None:
    """A column wide enough for two lines of a text without the cells' padding, but needing three
    with it (app.qss: 6 px a side), gets rows for three lines instead of a cut "…"."""
    holder = QWidget()
    holder.setStyleSheet(stylesheet())
    qtbot.addWidget(holder)
    table = results_health._table(holder, ["Motivo"], ())
    text = ("Confirme o telefone com o cliente por outro meio; o programa não tenta de novo "
            "sozinho.")
    metrics = QFontMetrics(table.font())

    def lines(width: int) -> int:
        box = metrics.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text)
        return round(box.height() / metrics.lineSpacing())

    width = next(w for w in range(600, 100, -1) if lines(w) == 2 and lines(w - 12) == 3)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
    table.setColumnWidth(0, width)
    results_health._fill(table, [[text]])
    holder.show()
    table.resizeRowsToContents()
    assert _cells_cut(table) == []


def test_the_switch_is_closed_for_an_operator(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database) -> None:
    session = SignedIn()
    service = SatisfactionService(sqlite_database, FakeClock(health_data.NOW), "America/Sao_Paulo")
    panel = SurveyPanel(SurveyViewModel(service, operator_id=lambda: session.operator_id,
                                        session=session))
    qtbot.addWidget(panel)
    panel.show()
    _load(qtbot, panel)
    session.set_actor(Actor(7, "Bia", Role.OPERATOR))
    assert not panel.switch_button.isEnabled()
    assert "Só o dono da loja pode ligar ou desligar a pesquisa" in panel.switch_button.toolTip()
    session.set_actor(Actor(1, "Rita", Role.OWNER))
    assert panel.switch_button.isEnabled()


def test_the_health_tables_export_what_they_show(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        tmp_path: Path) -> None:
    sqlite_database.run_sync(health_data._hand_made)
    panel = _health(qtbot, sqlite_database)
    _load(qtbot, panel)
    with qtbot.waitSignal(panel.failures_export.exported):
        panel.failures_export.export_to(tmp_path / "falhas.xlsx")
    rows = [list(r) for r in load_workbook(tmp_path / "falhas.xlsx").worksheets[0]
            .iter_rows(values_only=True)]
    assert rows[0] == ["Motivo", "O que fazer", "Código", "Mensagens", "Última vez"]
    assert [r[2:4] for r in rows[1:]] == [[131026, 3], ["—", 2], [131047, 1], [132015, 1]]
    assert rows[1][4] == datetime(2026, 12, 2, 12, 0)  # in the shop's zone
    with qtbot.waitSignal(panel.templates_export.exported):
        panel.templates_export.export_to(tmp_path / "modelos.csv")
    lines = (tmp_path / "modelos.csv").read_text("utf-8-sig").splitlines()
    assert lines[0] == "Modelo;Categoria;Situação;Qualidade;Motivo da Meta"
    assert lines[1] == "promo_v1 (pt_BR);Marketing;Rejeitado;Sem avaliação;INCORRECT_CATEGORY"
