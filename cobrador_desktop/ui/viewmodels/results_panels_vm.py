"""The Resultados tabs Satisfação and Saúde do número as their panels see them.

Each view-model awaits its service on the qasync loop (the counting runs on the database
thread) and keeps only the newest answer: a period chosen while the previous one is still being
counted drops the older answer, so a panel never shows one period's numbers under another's name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.number_health import NumberHealth
from cobrador_desktop.domain.results import Period
from cobrador_desktop.domain.satisfaction import SatisfactionOverTime
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.session import SignedIn
from cobrador_desktop.ui.viewmodels.latest_loader import LatestLoader


class SatisfactionSource(Protocol):
    """`services.satisfaction.SatisfactionService`."""

    async def over_time(self, period: Period) -> SatisfactionOverTime: ...

    async def set_enabled(self, on: bool, operator_id: int | None) -> bool: ...


class HealthSource(Protocol):
    """`services.number_health.NumberHealthService`."""

    async def snapshot(self, now: datetime | None = None) -> NumberHealth: ...


class SurveyViewModel(LatestLoader):
    """The survey's answers over the period chosen; switching the survey on or off."""

    #: the survey was switched (the value now on), or `str`: why not, in pt-BR
    switched = Signal(object)

    def __init__(self, source: SatisfactionSource, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 session: SignedIn | None = None, parent: QObject | None = None) -> None:
        """Args:
            source: the satisfaction service.
            operator_id: who is working (the service lets only the owner switch the survey).
            session: who is signed in, to close the switch for an operator (None: no sign-in).
        """
        super().__init__("survey", parent)
        self._source = source
        self._operator_id = operator_id
        self.session = session
        self.period: Period | None = None

    def load(self, period: Period) -> None:
        """Count `period` (`loaded` with a `SatisfactionOverTime`, or `failed`)."""
        self.period = period
        self._start(lambda: self._source.over_time(period))

    def set_enabled(self, on: bool) -> None:
        """Switch the survey (owner only: the service refuses an operator); reloads after."""
        self._tasks.spawn(self._switch(on), "switch")

    async def _switch(self, on: bool) -> None:
        try:
            now_on = await self._source.set_enabled(on, self._operator_id())
        except KnownError as error:
            self.switched.emit(known_text(error))
            return
        self.switched.emit(now_on)
        if self.period is not None:
            self.load(self.period)


class HealthViewModel(LatestLoader):
    """The number's health now (the failures of the last days, whatever the period)."""

    def __init__(self, source: HealthSource, tz: tzinfo, parent: QObject | None = None) -> None:
        """Args:
            source: the number-health service.
            tz: the shop's zone (the instants are shown in it).
        """
        super().__init__("health", parent)
        self._source = source
        self.tz = tz

    def load(self) -> None:
        """Read the health now (`loaded` with a `NumberHealth`, or `failed`)."""
        self._start(lambda: self._source.snapshot())
