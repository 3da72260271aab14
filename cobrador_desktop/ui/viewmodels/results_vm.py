"""The Resultados screen as the view sees it: the period chosen, its figures, loading them.

The figures are counted by `services.results.ResultsService` on the database thread; this
view-model awaits them on the qasync loop. Only the newest request counts: when the period
changes (or the page is shown again) while figures are on their way, the older answer is
dropped, so the screen never shows one period's numbers under another's name.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.results import Period, PeriodPreset, ResultsFigures
from cobrador_desktop.ui.formatting import format_date
from cobrador_desktop.ui.viewmodels.latest_loader import LatestLoader
from cobrador_desktop.ui.viewmodels.results_text import translate

log = logging.getLogger("cobrador.ui")

DEFAULT_PRESET = PeriodPreset.LAST_30_DAYS


class FiguresSource(Protocol):
    """What the screen needs from the services layer (`services.results.ResultsService`)."""

    async def figures(self, period: Period) -> ResultsFigures:
        """Every figure of the screen for `period`."""
        ...


class OperatorNames(Protocol):
    """Where operator ids get their names (`services.operators.OperatorService`)."""

    async def list_operators(self) -> Sequence[Any]:
        """Every account (objects with `id` and `name`)."""
        ...


class ResultsViewModel(LatestLoader):
    """Holds the period and loads its figures (`loaded` carries the `ResultsFigures`, `failed`
    the `KnownError`, `busy_changed` whether the newest request's figures are on their way)."""

    #: the period changed (`Period`): every part of the screen shows this one now
    period_changed = Signal(object)

    def __init__(self, source: FiguresSource, clock: Clock, tz: tzinfo,
                 parent: QObject | None = None, *,
                 operators: OperatorNames | None = None) -> None:
        """Args:
            source: the results service.
            clock: for the shop's today (the presets count back from it).
            tz: the shop's zone.
            operators: names the operators of the "Por operador" breakdown (None: by number).
        """
        super().__init__("results", parent)
        self._source = source
        self._clock = clock
        self._tz = tz
        self._operators = operators
        self._preset: PeriodPreset | None = DEFAULT_PRESET
        self._period = Period.preset(DEFAULT_PRESET, self.today())
        self.figures: ResultsFigures | None = None
        self.operator_names: Mapping[int, str] = {}

    # ------------------------------------------------------------------ state
    def today(self) -> date:
        """The shop's date now."""
        return self._clock.now().astimezone(self._tz).date()

    @property
    def period(self) -> Period:
        """The period chosen (the figures on screen are for it once `loaded` says so)."""
        return self._period

    @property
    def preset(self) -> PeriodPreset | None:
        """The preset chosen; None for a custom period."""
        return self._preset

    # ------------------------------------------------------------------ choosing
    def choose_preset(self, preset: PeriodPreset) -> None:
        """Show a preset period as of today and load it."""
        self._preset = preset
        self._set_period(Period.preset(preset, self.today()))

    def custom_problem(self, start: date, end: date) -> str:
        """What is wrong with a custom period, in pt-BR ("" when it can be shown)."""
        if end < start:
            return translate(
                "ResultsText", "O período termina ({ate}) antes de começar ({de}): escolha um "
                "“Até” igual ou depois do “De”.").format(ate=format_date(end),
                                                        de=format_date(start))
        today = self.today()
        if end > today:
            return translate(
                "ResultsText", "O período não pode terminar depois de hoje ({hoje}): os "
                "resultados só contam o que já aconteceu. Escolha um “Até” até hoje.").format(
                    hoje=format_date(today))
        return ""

    def choose_custom(self, start: date, end: date) -> str:
        """Show the days `start`..`end` and load them; returns why not ("" when done)."""
        problem = self.custom_problem(start, end)
        if not problem:
            self._preset = None
            self._set_period(Period(start, end))
        return problem

    def _set_period(self, period: Period) -> None:
        changed = period != self._period
        self._period = period
        if changed:
            self.period_changed.emit(period)
        self.load()

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Count the current period's figures (`loaded` or `failed`); a preset is first moved
        to today (the day may have turned since it was chosen)."""
        if self._preset is not None:
            today_period = Period.preset(self._preset, self.today())
            if today_period != self._period:
                self._period = today_period
                self.period_changed.emit(today_period)
        period = self._period
        self._start(lambda: self._count(period))

    async def _count(self, period: Period) -> tuple[ResultsFigures, Mapping[int, str]]:
        return await self._source.figures(period), await self._names()

    def _accept(self, value: Any) -> ResultsFigures:
        self.figures, self.operator_names = value
        return self.figures

    async def _names(self) -> Mapping[int, str]:
        if self._operators is None:
            return {}
        try:
            operators = await self._operators.list_operators()
        except KnownError as error:  # the breakdown shows numbers instead of names
            log.warning("operator names not read: %s", error.message_source)
            return self.operator_names
        return {operator.id: operator.name for operator in operators}
