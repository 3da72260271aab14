"""What the Resultados screen (and the documents made from it) reads: one record of sources.

Each source is a service of `cobrador_desktop.services` (or the app's lazy stand-in for it,
`app.results_port`); a None source hides its part of the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResultsSources:
    """Attributes:
        figures: the period's figures (`services.results.ResultsService`).
        costs: the message costs and price table (`services.costs.CostService`).
        satisfaction: the post-payment survey's answers over time
            (`services.satisfaction.SatisfactionService`).
        health: the number's health (quality, tier, templates, recent failures)
            (`services.number_health.NumberHealthService`).
        report: the monthly PDF report's content
            (`services.monthly_report.MonthlyReportService`: `default_month()`, `report(month)`).
    """

    figures: Any
    costs: Any = None
    satisfaction: Any = None
    health: Any = None
    report: Any = None
