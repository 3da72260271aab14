"""The "O que sai amanhã" preview: a dry run of the reminder planner for a chosen instant.

The planner (`services.reminders.ReminderService.plan`) reads and judges on the database thread,
so the GUI loop only awaits it. Nothing is written and nothing is sent. A newer "Calcular" drops
the answer of an older one still running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.regua_text import (
    ALLOWED,
    BLOCKED,
    HELD,
    SKIPPED,
    reason_source,
    reason_summary,
)

#: when the preview pretends the planner runs on the chosen day (the usual start of contact hours)
DEFAULT_RUN_TIME = time(9, 0)


class PlanLike(Protocol):
    """What the preview reads of `services.reminders.Plan`."""

    @property
    def at(self) -> datetime:
        """The instant planned."""
        ...

    @property
    def items(self) -> Sequence[Any]:
        """The messages judged by the guard (`PlannedMessage`s)."""
        ...

    @property
    def skipped(self) -> Sequence[Any]:
        """The steps skipped."""
        ...

    def counts_by_decision(self) -> dict[str, int]:
        """"allowed", "held", "blocked" -> count."""
        ...

    def counts_by_reason(self) -> dict[str, int]:
        """Main reason code -> count."""
        ...


class ReminderPlanner(Protocol):
    """What the preview needs from the services layer (`ReminderService`)."""

    async def plan(self, at: datetime) -> Any:
        """A dry run at `at` (a `Plan`); writes nothing."""
        ...


@dataclass(frozen=True)
class ReasonSeen:
    """A main reason as the preview words it: code, source text and parameters."""

    code: str
    message_pt: str
    params: Mapping[str, str]


def reason_of(message: Any) -> ReasonSeen | None:
    """The main reason of a planned (or skipped) message, or None (allowed, no warning)."""
    reason = message.decision.main_reason
    if reason is None:
        return None
    return ReasonSeen(reason.code, reason_source(reason.code, reason.message_pt), reason.params)


def decision_counts(plan: PlanLike) -> dict[str, int]:
    """Vão sair / adiadas / bloqueadas (the planner's own counts) / puladas, in that order."""
    counts = plan.counts_by_decision()
    result = {key: int(counts.get(key, 0)) for key in (ALLOWED, HELD, BLOCKED)}
    result[SKIPPED] = len(plan.skipped)
    return result


def reason_rows(plan: PlanLike) -> list[tuple[str, str, int]]:
    """(code, words, count) per reason of `plan.counts_by_reason()`, most frequent first."""
    seen: dict[str, list[ReasonSeen]] = {}
    for message in (*plan.items, *plan.skipped):
        found = reason_of(message)
        if found is not None:
            seen.setdefault(found.code, []).append(found)
    rows = []
    for code, count in plan.counts_by_reason().items():
        group = seen.get(code, [])
        source = group[0].message_pt if group else reason_source(code, "")
        rows.append((code, reason_summary(source, [r.params for r in group]), int(count)))
    rows.sort(key=lambda row: (-row[2], row[0]))
    return rows


class ReguaPreviewViewModel(QObject):
    """Runs the planner's dry run and hands the plan to the view."""

    #: the plan to show (a `Plan`)
    planned = Signal(object)
    #: the dry run failed (`KnownError`)
    failed = Signal(object)
    #: a dry run started (True) or finished (False)
    busy_changed = Signal(bool)

    def __init__(self, planner: ReminderPlanner, *, clock: Clock, tz: tzinfo,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._planner = planner
        self._clock = clock
        self._tz = tz
        self._tasks = TaskRunner("regua-preview")
        self._generation = 0
        self.plan: PlanLike | None = None

    def tomorrow(self) -> date:
        """The shop's tomorrow, by the app's clock."""
        return self._clock.now().astimezone(self._tz).date() + timedelta(days=1)

    def instant(self, day: date, at: time = DEFAULT_RUN_TIME) -> datetime:
        """`day` at `at`, shop time, as the aware instant the planner takes."""
        return datetime.combine(day, at, tzinfo=self._tz)

    def calculate(self, at: datetime) -> None:
        """Plan at `at` (`planned` or `failed`); an older run still going is dropped."""
        self._generation += 1
        self._tasks.cancel_all()
        self._tasks.spawn(self._calculate(at, self._generation), "plan")

    async def _calculate(self, at: datetime, generation: int) -> None:
        self.busy_changed.emit(True)
        try:
            plan = await self._planner.plan(at)
        except KnownError as error:
            if generation == self._generation:
                self.failed.emit(error)
            return
        finally:
            if generation == self._generation:
                self.busy_changed.emit(False)
        if generation == self._generation:
            self.plan = plan
            self.planned.emit(plan)

    def close(self) -> None:
        """Cancel a run under way (the window is closing)."""
        self._tasks.cancel_all()
