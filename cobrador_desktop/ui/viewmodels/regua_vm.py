"""The Régua editor as the view sees it: the saved régua, the one being edited, saving it.

The steps being edited live in a `ReguaStepsModel`; this view-model loads the saved régua into
it, knows whether it differs from what is saved (`dirty`), checks it as it changes (the same
`Regua.check` the service runs) and saves it through the service on the qasync loop. A refused
save keeps every edit on screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.regua import (
    AGREEMENT,
    ALL,
    DEFAULT_REGUA,
    OVERDUE,
    Regua,
    ReguaInvalid,
    Step,
)
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.models.regua_steps_model import ReguaStepsModel
from cobrador_desktop.ui.tasks import BusyTasks

log = logging.getLogger("cobrador.ui")


class ReguaSource(Protocol):
    """What the editor needs from the services layer (`services.regua.ReguaService`)."""

    async def load(self) -> Regua:
        """The saved régua (the default one when none was saved)."""
        ...

    async def template_names(self) -> tuple[str, ...]:
        """The template names a step may use."""
        ...

    async def save(self, regua: Regua, operator_id: int | None) -> None:
        """Replace the régua; raises `ReguaInvalid` and changes nothing when it is wrong."""
        ...


class ReguaViewModel(QObject):
    """Loads, edits and saves the shop's régua."""

    #: the saved régua is in the editor (after loading, saving or discarding)
    loaded = Signal()
    #: loading failed (`KnownError`)
    load_failed = Signal(object)
    #: the template names for the "Modelo" choice (a tuple of str)
    templates_loaded = Signal(tuple)
    #: the edits differ (True) or not (False) from the saved régua
    dirty_changed = Signal(bool)
    #: what is wrong with the edited régua, in pt-BR ("" when nothing): as it changes and
    #: when a save is refused
    problem_changed = Signal(str)
    #: the régua was saved
    saved = Signal()
    #: the save was refused (`KnownError`); the edits stay
    save_failed = Signal(object)
    #: a load or a save started (True) or finished (False)
    busy_changed = Signal(bool)

    def __init__(self, source: ReguaSource, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 parent: QObject | None = None) -> None:
        """Args:
            source: the régua service.
            operator_id: who is working (None until operators sign in): recorded with a save.
        """
        super().__init__(parent)
        self._source = source
        self._operator_id = operator_id
        self._tasks = BusyTasks("regua", self.busy_changed.emit)
        self.model = ReguaStepsModel(self)
        self._saved: tuple[Step, ...] | None = None
        self._dirty = False
        self._problem = ""
        self.model.edited.connect(self._on_edited)

    # ------------------------------------------------------------------ state
    @property
    def dirty(self) -> bool:
        """True when the edits differ from the saved régua."""
        return self._dirty

    @property
    def problem(self) -> str:
        """What is wrong with the edited régua ("" when it can be saved)."""
        return self._problem

    @property
    def busy(self) -> bool:
        """True while a load or a save is under way."""
        return self._tasks.busy

    @property
    def is_loaded(self) -> bool:
        """True once the saved régua was read."""
        return self._saved is not None

    def regua(self) -> Regua:
        """The régua as edited."""
        return Regua(self.model.steps())

    # ------------------------------------------------------------------ editing
    def add_step(self, after: int | None) -> int:
        """Add a step after row `after` (at the end for None); returns its row.

        The new step is an overdue message a week after the last day of the step above it, with
        its template and group when that one is an overdue message too.
        """
        steps = self.model.steps()
        row = len(steps) if after is None else after + 1
        above = steps[row - 1] if row > 0 else None
        offset = 7 if above is None else max(above.offsets()) + 7
        template = above.template if above is not None and above.purpose == OVERDUE else ""
        step = Step(offset_days=min(offset, 365), purpose=OVERDUE, template=template,
                    segment=ALL if above is None or above.segment == AGREEMENT else above.segment)
        self.model.insert(row, step)
        return row

    def remove_step(self, row: int) -> int | None:
        """Remove row `row`; returns the row to select next (None when none is left)."""
        self.model.remove(row)
        count = self.model.rowCount()
        return min(row, count - 1) if count else None

    def move_step(self, row: int, delta: int) -> int:
        """Move row `row` up (-1) or down (+1); returns its new row."""
        return self.model.move(row, delta)

    def change_step(self, row: int, step: Step) -> None:
        """Replace row `row` with `step` (the form's edit)."""
        self.model.replace(row, step)

    def set_active(self, row: int, active: bool) -> None:
        """Switch a step on or off."""
        self.model.replace(row, replace(self.model.step(row), active=active))

    def restore_default(self) -> None:
        """Put the default régua in the editor (saved only with "Salvar")."""
        self.model.set_steps(DEFAULT_REGUA.steps)

    def discard(self) -> None:
        """Drop the edits: the saved régua again."""
        if self._saved is not None:
            self.model.set_steps(self._saved)

    # ------------------------------------------------------------------ service
    def load(self) -> None:
        """Read the saved régua and the template names (`loaded`, `templates_loaded`)."""
        self._run(self._load())

    async def _load(self) -> None:
        try:
            regua = await self._source.load()
        except KnownError as error:
            self.load_failed.emit(error)
            return
        self._saved = regua.steps
        self.model.set_steps(regua.steps)
        self.loaded.emit()
        try:
            names = await self._source.template_names()
        except KnownError as error:  # the choice just offers fewer names; typing still works
            log.warning("template names not read: %s", error.message_source)
            return
        self.templates_loaded.emit(tuple(names))

    def save(self) -> None:
        """Save the edited régua (`saved`, or `save_failed` with the edits kept)."""
        self._run(self._save(self.regua()))

    async def _save(self, regua: Regua) -> None:
        try:
            await self._source.save(regua, self._operator_id())
        except KnownError as error:
            self._set_problem(known_text(error))
            self.save_failed.emit(error)
            return
        self._saved = regua.steps
        self._on_edited()
        self.saved.emit()

    def close(self) -> None:
        """Cancel whatever is under way (the window is closing)."""
        self._tasks.cancel_all()

    # ------------------------------------------------------------------ internals
    def _on_edited(self) -> None:
        dirty = self._saved is not None and self.model.steps() != self._saved
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        try:
            self.regua().check()
        except ReguaInvalid as error:
            self._set_problem(known_text(error))
        else:
            self._set_problem("")

    def _set_problem(self, problem: str) -> None:
        if problem != self._problem:
            self._problem = problem
            self.problem_changed.emit(problem)

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn_busy(coro, "regua")

