"""Resultados in the window, built from `UiContext.results`: the screen with its tabs (Visão geral,
Custos, Satisfação, Saúde do número) and "Relatório do mês (PDF)…" in its header. The figures are
counted again each time the page is shown; each tab reads only while it is on screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from cobrador_desktop.ui.viewmodels.results_ports import ResultsSources
from cobrador_desktop.ui.viewmodels.results_vm import ResultsViewModel
from cobrador_desktop.ui.views.results_view import ResultsView

if TYPE_CHECKING:
    from cobrador_desktop.ui.main_window import MainWindow


class ResultsScreens:
    """The Resultados page and the view models behind its tabs (closed with the window)."""

    def __init__(self, window: MainWindow, sources: ResultsSources, *,
                 operator_id: Callable[[], int | None], today: Callable[[], date]) -> None:
        """Args:
            operator_id: who is signed in (what the owner-only calls are checked against).
            today: the shop's date (the monthly report's default month).
        """
        context = window.context
        self.vm = ResultsViewModel(sources.figures, context.clock, context.timezone, window,
                                   operators=context.operators)
        self.view = ResultsView(self.vm, context.timezone)
        self.costs_vm: Any = None
        self.tab_vms: list[Any] = []  # Satisfação's and Saúde do número's
        if sources.costs is not None:
            from cobrador_desktop.ui.widgets.results_costs import add_costs_tab

            self.costs_vm = add_costs_tab(self.view, sources.costs, context.clock,
                                          context.timezone, window.session)
        self._add_survey_and_health_tabs(window, sources, operator_id)
        if sources.report is not None:
            from cobrador_desktop.ui.widgets.monthly_report_button import MonthlyReportButton

            self.view.header_actions.addWidget(MonthlyReportButton(
                sources.report, self.view, today=today))

    def _add_survey_and_health_tabs(self, window: MainWindow, sources: ResultsSources,
                                    operator_id: Callable[[], int | None]) -> None:
        from cobrador_desktop.ui.viewmodels.results_panels_vm import (
            HealthViewModel,
            SurveyViewModel,
        )
        from cobrador_desktop.ui.widgets.results_health import HealthPanel
        from cobrador_desktop.ui.widgets.results_survey import SurveyPanel

        if sources.satisfaction is not None:
            survey = SurveyViewModel(sources.satisfaction, operator_id=operator_id,
                                     session=window.session, parent=window)
            self.tab_vms.append(survey)
            self.view.add_tab(SurveyPanel(survey),
                              QCoreApplication.translate("MainWindow", "Satisfação"))
        if sources.health is not None:
            health = HealthViewModel(sources.health, window.context.timezone, parent=window)
            self.tab_vms.append(health)
            self.view.add_tab(HealthPanel(health),
                              QCoreApplication.translate("MainWindow", "Saúde do número"))

    def close(self) -> None:
        for vm in (self.vm, self.costs_vm, *self.tab_vms):
            if vm is not None:
                vm.close()
