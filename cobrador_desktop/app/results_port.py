"""The Resultados screen's services for the window, each built on the database the first time
it is used (`ui.viewmodels.results_ports.ResultsSources`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cobrador_desktop.app.backend import Backend, _LazyForwarder
from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.ui.viewmodels.results_ports import ResultsSources

if TYPE_CHECKING:
    from cobrador_desktop.storage.db import Database


class LazyAsync(_LazyForwarder):
    """A service made by `make(db)` once the database is open; every attribute read is one of its
    async methods (its plain methods and attributes are not reachable through it)."""

    def __init__(self, backend: Backend, make: Callable[[Database], Any]) -> None:
        super().__init__(backend)
        self._factory = make

    def _make(self, db: Database) -> Any:
        return self._factory(db)


def results_sources(backend: Backend) -> ResultsSources:
    """Every source of the Resultados screen, on `backend`'s database and the shop's zone."""
    zone = backend.profile.timezone

    def figures(db: Database) -> Any:
        from cobrador_desktop.services.results import ResultsService

        return ResultsService(db, SystemClock(), zone)

    def costs(db: Database) -> Any:
        from cobrador_desktop.services.costs import CostService

        return CostService(db, SystemClock(), zone)

    def satisfaction(db: Database) -> Any:
        from cobrador_desktop.services.satisfaction import SatisfactionService

        return SatisfactionService(db, SystemClock(), zone)

    def health(db: Database) -> Any:
        from cobrador_desktop.services.number_health import NumberHealthService

        return NumberHealthService(db, SystemClock())

    def report(db: Database) -> Any:
        from cobrador_desktop.services.monthly_report import MonthlyReportService

        return MonthlyReportService(db, SystemClock(), zone)

    return ResultsSources(figures=LazyAsync(backend, figures), costs=LazyAsync(backend, costs),
                          satisfaction=LazyAsync(backend, satisfaction),
                          health=LazyAsync(backend, health), report=LazyAsync(backend, report))
