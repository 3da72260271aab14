"""The debtor screen as the view sees it: the debtor on screen, and the changes asked of it.

Loading and writing go through coroutines on the qasync loop, so the GUI never waits for the
database. Opening another debtor bumps a *generation*: an answer for the previous one (the user
went back and opened someone else while it loaded) is dropped. A write returns the debtor as it
now is, which replaces what is shown; `payment_recorded` tells the window the list changed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.records import DebtorDetail, PaymentRequest, PromiseRequest
from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.viewmodels.dossier_vm import DossierSource, DossierViewModel

log = logging.getLogger("cobrador.ui")


class DebtorDetailSource(Protocol):
    """What the debtor screen needs from the services layer (`DebtorDetailService`)."""

    async def load(self, debtor_id: int) -> DebtorDetail:
        """The debtor in full."""
        ...

    async def record_payment(self, request: PaymentRequest, *,
                             operator_id: int | None = None) -> DebtorDetail:
        """Record a payment; the debtor afterwards."""
        ...

    async def add_note(self, debtor_id: int, text: str, *,
                       operator_id: int | None = None) -> DebtorDetail:
        """Add a note; the debtor afterwards."""
        ...

    async def record_promise(self, request: PromiseRequest, *,
                             operator_id: int | None = None) -> DebtorDetail:
        """Record a promise to pay; the debtor afterwards."""
        ...

    async def cancel_promise(self, promise_id: int, reason: str, *,
                             operator_id: int | None = None) -> DebtorDetail:
        """Cancel an open promise; the debtor afterwards."""
        ...

    async def propose_agreement(self, request: AgreementRequest, *,
                                operator_id: int | None = None) -> DebtorDetail:
        """Make an agreement; the debtor afterwards."""
        ...

    async def cancel_agreement(self, agreement_id: int, reason: str, *,
                               operator_id: int | None = None) -> DebtorDetail:
        """Cancel an active agreement; the debtor afterwards."""
        ...

    async def clear_wrong_party(self, debtor_id: int, phone_id: int, reason: str, *,
                                operator_id: int | None) -> DebtorDetail:
        """Lift a "não sou eu" on one of the debtor's numbers (the owner only, with a reason;
        OwnerOnly otherwise); the debtor afterwards."""
        ...


class DebtorDetailViewModel(QObject):
    """Loads one debtor and records payments and notes for it."""

    #: the debtor to show (`DebtorDetail`), after opening or after a change
    loaded = Signal(object)
    #: opening failed with an error the user can act on (`KnownError`)
    failed = Signal(object)
    #: a load or a write started (True) or finished (False)
    busy_changed = Signal(bool)
    #: a payment was recorded for this debtor id (its list row changed)
    payment_recorded = Signal(int)
    #: the payment was refused (`KnownError`): the dialog shows why
    payment_failed = Signal(object)
    #: a note was added for this debtor id
    note_added = Signal(int)
    #: the note was refused (`KnownError`)
    note_failed = Signal(object)
    #: a promise was recorded or cancelled for this debtor id
    promise_changed = Signal(int)
    #: the promise (or its cancellation) was refused (`KnownError`)
    promise_failed = Signal(object)
    #: an agreement was made for this debtor id (its debts and list row changed)
    agreement_made = Signal(int)
    #: the agreement was refused (`KnownError`)
    agreement_failed = Signal(object)
    #: an agreement was cancelled for this debtor id (its debts and list row changed)
    agreement_changed = Signal(int)
    #: a "não sou eu" was lifted for this debtor id (its phones and list row changed)
    wrong_party_cleared = Signal(int)
    #: lifting it was refused (`KnownError`: not the owner, no reason)
    wrong_party_failed = Signal(object)

    def __init__(self, source: DebtorDetailSource, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 dossier: DossierSource | None = None,
                 parent: QObject | None = None) -> None:
        """Args:
            source: the debtor-detail service.
            operator_id: who is working (None until operators sign in): recorded with changes.
            dossier: the dossier service ("Dossiê (PDF)…"); None: no dossier.
        """
        super().__init__(parent)
        #: writes the debtor's dossier PDF (None without a dossier service)
        self.dossier = (DossierViewModel(dossier, operator_id=operator_id, parent=self)
                        if dossier is not None else None)
        self._source = source
        self._operator_id = operator_id
        self._tasks = TaskRunner("debtor-detail")
        self._generation = 0
        self._debtor_id: int | None = None
        self._detail: DebtorDetail | None = None
        self._busy = 0

    @property
    def debtor_id(self) -> int | None:
        """The debtor being shown (or loading)."""
        return self._debtor_id

    @property
    def detail(self) -> DebtorDetail | None:
        """The debtor as last read, once loaded."""
        return self._detail

    @property
    def busy(self) -> bool:
        """True while a load or a write is under way."""
        return self._busy > 0

    def open(self, debtor_id: int) -> None:
        """Show `debtor_id` (loads it; whatever was loading for another debtor is dropped)."""
        self._generation += 1
        self._tasks.cancel_all()
        self._busy = 0
        self._debtor_id = debtor_id
        self._detail = None
        self._run(self._source.load(debtor_id), self.failed, None)

    def reload(self) -> None:
        """Read the debtor on screen again."""
        if self._debtor_id is not None:
            self._run(self._source.load(self._debtor_id), self.failed, None)

    def record_payment(self, request: PaymentRequest) -> None:
        """Record a payment for the debtor on screen (`payment_recorded` or `payment_failed`)."""
        if request.debtor_id != self._debtor_id:
            raise ValueError("a payment for a debtor that is not on screen")
        self._run(self._source.record_payment(request, operator_id=self._operator_id()),
                  self.payment_failed, self.payment_recorded)

    def add_note(self, text: str) -> None:
        """Add a note to the debtor on screen (`note_added` or `note_failed`)."""
        if self._debtor_id is None:
            return
        self._run(self._source.add_note(self._debtor_id, text, operator_id=self._operator_id()),
                  self.note_failed, self.note_added)

    def record_promise(self, request: PromiseRequest) -> None:
        """Record a promise for the debtor on screen (`promise_changed` or `promise_failed`)."""
        if request.debtor_id != self._debtor_id:
            raise ValueError("a promise for a debtor that is not on screen")
        self._run(self._source.record_promise(request, operator_id=self._operator_id()),
                  self.promise_failed, self.promise_changed)

    def cancel_promise(self, promise_id: int, reason: str) -> None:
        """Cancel one of the on-screen debtor's promises (`promise_changed` or `promise_failed`)."""
        if self._debtor_id is None:
            return
        self._run(self._source.cancel_promise(promise_id, reason,
                                              operator_id=self._operator_id()),
                  self.promise_failed, self.promise_changed)

    def propose_agreement(self, request: AgreementRequest) -> None:
        """Make an agreement for the debtor on screen (`agreement_made` or `agreement_failed`)."""
        if request.debtor_id != self._debtor_id:
            raise ValueError("an agreement for a debtor that is not on screen")
        self._run(self._source.propose_agreement(request, operator_id=self._operator_id()),
                  self.agreement_failed, self.agreement_made)

    def cancel_agreement(self, agreement_id: int, reason: str) -> None:
        """Cancel one of the on-screen debtor's agreements (`agreement_changed` or
        `agreement_failed`)."""
        if self._debtor_id is None:
            return
        self._run(self._source.cancel_agreement(agreement_id, reason,
                                                operator_id=self._operator_id()),
                  self.agreement_failed, self.agreement_changed)

    def clear_wrong_party(self, phone_id: int, reason: str) -> None:
        """Lift a "não sou eu" on one of the on-screen debtor's numbers (`wrong_party_cleared`
        or `wrong_party_failed`)."""
        if self._debtor_id is None:
            return
        self._run(self._source.clear_wrong_party(self._debtor_id, phone_id, reason,
                                                 operator_id=self._operator_id()),
                  self.wrong_party_failed, self.wrong_party_cleared)

    def close(self) -> None:
        """Stop loading (the window is closing)."""
        self._generation += 1
        self._tasks.cancel_all()
        if self.dossier is not None:
            self.dossier.close()

    # ------------------------------------------------------------------ running
    def _run(self, work: Awaitable[DebtorDetail], failed: SignalInstance,
             done: SignalInstance | None) -> None:
        self._set_busy(+1)
        self._tasks.spawn(self._await(self._generation, work, failed, done), "debtor-detail")

    async def _await(self, generation: int, work: Awaitable[DebtorDetail], failed: SignalInstance,
                     done: SignalInstance | None) -> None:
        try:
            detail = await work
        except KnownError as error:
            if generation == self._generation:
                self._set_busy(-1)
                failed.emit(error)
            return
        except BaseException:
            if generation == self._generation:
                self._set_busy(-1)
            raise
        if generation != self._generation:
            log.debug("dropping the answer for a debtor no longer on screen")
            return
        self._set_busy(-1)
        self._detail = detail
        self.loaded.emit(detail)
        if done is not None:
            done.emit(detail.id)

    def _set_busy(self, step: int) -> None:
        was = self.busy
        self._busy = max(self._busy + step, 0)
        if self.busy != was:
            self.busy_changed.emit(self.busy)
