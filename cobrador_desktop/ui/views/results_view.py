"""Resultados: what the collection brought in over a period, and what works.

The period selector (presets or "Personalizado…" with two dates) sits above the tabs and rules
all of them. The first tab, "Visão geral", shows the period's figures as tiles, the warning
lights, the weekly recovery and funnel charts and the funnel's breakdown; other parts of the
screen (costs, satisfaction, the number's health) join as tabs through `add_tab`.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.results import PRESET_LABELS, Period, PeriodPreset, ResultsFigures
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.viewmodels.results_text import is_empty, period_text
from cobrador_desktop.ui.viewmodels.results_vm import ResultsViewModel
from cobrador_desktop.ui.widgets.empty_state import EmptyState
from cobrador_desktop.ui.widgets.page_header import PageHeader
from cobrador_desktop.ui.widgets.results_breakdown import BreakdownTable
from cobrador_desktop.ui.widgets.results_charts import FunnelChart, WeeklyChart
from cobrador_desktop.ui.widgets.results_tiles import HealthLights, KpiTiles
from cobrador_desktop.ui.widgets.scrolling import scroll_area

CUSTOM = "custom"
_STYLE = """
#resultsCard, #resultsTile, #resultsLight { background: #ffffff; border: 1px solid #e3e8ee;
    border-radius: 8px; }
#resultsCardTitle { color: #0f172a; font-size: 14px; font-weight: 600; }
#resultsCardCaption, #resultsTileDetail { color: #64748b; font-size: 12px; }
#resultsCardEmpty { color: #64748b; font-size: 13px; padding: 24px; }
#resultsTileTitle { color: #475569; font-size: 13px; font-weight: 600; }
#resultsTileValue { color: #0f172a; font-size: 24px; font-weight: 600; }
#resultsLightValue { color: #0f172a; font-size: 14px; font-weight: 600; }
#resultsSection { color: #334155; font-size: 13px; font-weight: 600; }
#resultsPeriod { color: #475569; }
#resultsBusy { color: #0f766e; font-weight: 600; }
#resultsProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
#resultsOverview { background: #f8fafc; }
#resultsBreakdownTable QHeaderView::section { padding: 4px 6px; }
"""


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ResultsView(QWidget):
    """The Resultados page."""

    #: the period changed (`Period`): every tab shows this one now
    period_changed = Signal(object)

    def __init__(self, vm: ResultsViewModel, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(_STYLE)
        self.vm = vm
        self._tz = tz
        self._shown_once = False
        self._period_tabs: list[Any] = []
        self.header = PageHeader(self.tr("Resultados"),
                                 self.tr("Quanto foi recuperado e o que funciona melhor"))
        #: room on the header's right for actions over the whole screen ("Relatório do mês")
        self.header_actions: QHBoxLayout = self.header.right

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_overview(), self.tr("Visão geral"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addLayout(self._build_period_bar())
        layout.addWidget(self.problem_label)
        layout.addWidget(self.tabs, 1)

        vm.period_changed.connect(self._on_period_changed)
        vm.busy_changed.connect(self._on_busy)
        vm.loaded.connect(self._on_loaded)
        vm.failed.connect(self._on_failed)
        self._show_period(vm.period)

    # ------------------------------------------------------------------ building
    def _build_period_bar(self) -> QHBoxLayout:
        self.period_choice = QComboBox(self)
        self.period_choice.setAccessibleName(self.tr("Período"))
        for preset, label in PRESET_LABELS.items():
            self.period_choice.addItem(QCoreApplication.translate("Results", label), preset.value)
        self.period_choice.addItem(self.tr("Personalizado…"), CUSTOM)
        if self.vm.preset is not None:
            self.period_choice.setCurrentIndex(self.period_choice.findData(self.vm.preset.value))
        self.period_choice.currentIndexChanged.connect(self._on_choice)
        self.start_edit, self.end_edit = QDateEdit(self), QDateEdit(self)
        for edit, name in ((self.start_edit, self.tr("Início do período")),
                           (self.end_edit, self.tr("Fim do período"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setAccessibleName(name)
        self.start_label = QLabel(self.tr("&De"), self)
        self.start_label.setBuddy(self.start_edit)
        self.end_label = QLabel(self.tr("&Até"), self)
        self.end_label.setBuddy(self.end_edit)
        self.apply_button = QPushButton(self.tr("A&plicar"), self)
        self.apply_button.setToolTip(self.tr("Mostrar os resultados destas datas"))
        self.apply_button.clicked.connect(self.apply_custom)
        self.period_label = QLabel("", self)
        self.period_label.setObjectName("resultsPeriod")
        self.busy_label = QLabel(self.tr("Calculando…"), self)
        self.busy_label.setObjectName("resultsBusy")
        self.busy_label.hide()
        self.problem_label = QLabel("", self)
        self.problem_label.setObjectName("resultsProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        choice_label = QLabel(self.tr("P&eríodo"), self)
        choice_label.setBuddy(self.period_choice)
        row = QHBoxLayout()
        row.setSpacing(8)
        for widget in (choice_label, self.period_choice, self.start_label, self.start_edit,
                       self.end_label, self.end_edit, self.apply_button):
            row.addWidget(widget)
        row.addSpacing(8)
        row.addWidget(self.period_label)
        row.addWidget(self.busy_label)
        row.addStretch(1)
        self._show_custom(False)
        return row

    def _build_overview(self) -> QWidget:
        self.overview = QStackedWidget(self)
        # loading: the first figures of a period are on their way
        self.loading_page = QWidget(self.overview)
        self.loading_label = QLabel("", self.loading_page)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setObjectName("emptyText")
        progress = QProgressBar(self.loading_page)
        progress.setRange(0, 0)
        progress.setMaximumWidth(260)
        progress.setTextVisible(False)
        column = QVBoxLayout(self.loading_page)
        column.addStretch(1)
        column.addWidget(self.loading_label)
        column.addWidget(progress, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        # the figures
        content = QWidget()
        content.setObjectName("resultsOverview")
        self.tiles = KpiTiles(content)
        self.lights = HealthLights(content)
        self.weekly_chart = WeeklyChart(content)
        self.funnel_chart = FunnelChart(content)
        self.breakdown = BreakdownTable(content)
        charts = QHBoxLayout()
        charts.setSpacing(12)
        charts.addWidget(self.weekly_chart, 1)
        charts.addWidget(self.funnel_chart, 1)
        lights_title = QLabel(self.tr("Saúde do envio"), content)
        lights_title.setObjectName("resultsSection")
        body = QVBoxLayout(content)
        body.setContentsMargins(12, 12, 12, 12)
        body.setSpacing(12)
        body.addWidget(self.tiles)
        body.addWidget(lights_title)
        body.addWidget(self.lights)
        body.addLayout(charts)
        body.addWidget(self.breakdown)
        body.addStretch(1)
        self.content_scroll = scroll_area(content, self.overview)
        # nothing happened in the period; counting failed
        self.empty_state = EmptyState(
            "results", self.tr("Nada aconteceu neste período"),
            self.tr("Nenhuma mensagem saiu e nenhum pagamento foi registrado no período "
                    "escolhido, então ainda não há números para mostrar. Escolha um período "
                    "maior, ou volte depois que a régua enviar os primeiros lembretes."),
            parent=self.overview)
        self.error_state = EmptyState(
            "results", self.tr("Não foi possível calcular os resultados"), "",
            action=self.tr("Tentar de novo"), parent=self.overview)
        self.error_state.action_triggered.connect(self.vm.load)
        for page in (self.loading_page, self.content_scroll, self.empty_state, self.error_state):
            self.overview.addWidget(page)
        return self.overview

    # ------------------------------------------------------------------ public
    def current_period(self) -> Period:
        """The period every tab shows."""
        return self.vm.period

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab (Custos, Satisfação, Saúde do número…); returns its index.

        A widget with a `show_period(period: Period)` method gets the current period now, again
        whenever the period changes, and when the page is shown again (the data may have
        changed meanwhile).
        """
        index = self.tabs.addTab(widget, title)
        if callable(getattr(widget, "show_period", None)):
            self._period_tabs.append(widget)
            widget.show_period(self.vm.period)  # type: ignore[attr-defined]
        return index

    def refresh(self) -> None:
        """The page is on screen: count the figures again (data may have changed), and let the
        other tabs read theirs again (not the first time: they got the period when added)."""
        self.vm.load()
        if self._shown_once:
            self._tell_tabs(self.vm.period)
        self._shown_once = True

    def choose_preset(self, preset: PeriodPreset) -> None:
        """Select a preset in the period choice (as the user does)."""
        self.period_choice.setCurrentIndex(self.period_choice.findData(preset.value))

    def apply_custom(self) -> None:
        """Show the dates in De/Até, or say what is wrong with them."""
        problem = self.vm.choose_custom(self.start_edit.date().toPython(),  # type: ignore[arg-type]
                                        self.end_edit.date().toPython())  # type: ignore[arg-type]
        self._set_problem(problem)

    def shutdown(self) -> None:
        """The window is closing: stop loading."""
        self.vm.close()

    # ------------------------------------------------------------------ reactions
    def _on_choice(self, _index: int) -> None:
        value = self.period_choice.currentData()
        custom = value == CUSTOM
        self._show_custom(custom)
        self._set_problem("")
        if custom:
            period = self.vm.period
            self.start_edit.setDate(_qdate(period.start))
            self.end_edit.setDate(_qdate(period.end))
            self.start_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.vm.choose_preset(PeriodPreset(value))

    def _show_custom(self, visible: bool) -> None:
        for widget in (self.start_label, self.start_edit, self.end_label, self.end_edit,
                       self.apply_button):
            widget.setVisible(visible)

    def _set_problem(self, problem: str) -> None:
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))

    def _on_period_changed(self, period: Period) -> None:
        self._show_period(period)
        self._tell_tabs(period)
        self.period_changed.emit(period)

    def _tell_tabs(self, period: Period) -> None:
        for tab in self._period_tabs:
            tab.show_period(period)

    def _show_period(self, period: Period) -> None:
        self.period_label.setText(period_text(period))
        self.loading_label.setText(self.tr("Calculando os resultados de {periodo}…").format(
            periodo=period_text(period)))

    def _on_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)
        shown = self.vm.figures
        if busy and (shown is None or shown.period != self.vm.period
                     or self.overview.currentWidget() is self.error_state):
            # the figures on screen are another period's: never show them under this one
            self.overview.setCurrentWidget(self.loading_page)

    def _on_loaded(self, figures: ResultsFigures) -> None:
        if is_empty(figures):
            self.overview.setCurrentWidget(self.empty_state)
            return
        self.tiles.show_figures(figures)
        self.lights.show_figures(figures)
        self.weekly_chart.show_figures(figures)
        self.funnel_chart.show_figures(figures)
        self.breakdown.show_figures(figures, self.vm.operator_names)
        self.overview.setCurrentWidget(self.content_scroll)

    def _on_failed(self, error: Any) -> None:
        self.error_state.text_label.setText(known_text(error))
        self.overview.setCurrentWidget(self.error_state)
