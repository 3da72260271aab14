"""The debtor screen: one debtor in full, recording a payment, adding a note.

Every write carries the operator who did it (None until operators sign in) into the audit log,
and returns the debtor as it now is, read in the same transaction, so the screen shows the result
of the change without another round trip.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.clock import Clock, SystemClock
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.notes import clean_note
from cobrador_desktop.domain.payments import validate_payment
from cobrador_desktop.domain.promises import clean_reason, validate_promise
from cobrador_desktop.domain.records import DebtorDetail, PaymentRequest, PromiseRequest
from cobrador_desktop.domain.roles import clean_reason as clean_owner_reason
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import agreements as agreements_repo
from cobrador_desktop.storage.repos import debtor_detail as repo
from cobrador_desktop.storage.repos import promises as promises_repo


class DebtorDetailService:
    """Reads and changes one debtor through the database thread."""

    def __init__(self, db: Runner, *, clock: Clock | None = None,
                 today: Callable[[], date] = date.today) -> None:
        """Args:
            db: the database runner.
            clock: where "now" comes from (audit entries, payment and note times).
            today: the shop's current date (in its time zone): days late, payment dates.
        """
        self._db = db
        self._clock = clock or SystemClock()
        self._today = today

    async def load(self, debtor_id: int) -> DebtorDetail:
        """The debtor with phones, debts, payments, notes and timeline.

        Promises whose date has passed are closed first (kept or broken), and agreements with
        an instalment long overdue are broken, so the screen never shows a stale "em aberto".

        Raises:
            DebtorNotFound: no such debtor.
        """
        today = self._today()
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            promises_repo.settle_promises(session, today, now=now, debtor_id=debtor_id)
            agreements_repo.settle_agreements(session, today, now=now, debtor_id=debtor_id)
            return repo.load(session, debtor_id)

        return await self._db.run(work)

    async def record_payment(self, request: PaymentRequest, *,
                             operator_id: int | None = None) -> DebtorDetail:
        """Record a payment (partial payments allowed) and return the debtor afterwards.

        Args:
            request: debtor, debt (None: the oldest open debts first), amount, date, method,
                note.
            operator_id: who records it (None until operators sign in).

        Raises:
            InvalidPayment: zero or negative amount, a future date, more than is owed, a debt
                that is paid, cancelled or under an agreement (the message says which).
            DebtorNotFound: no such debtor.
        """
        today = self._today()
        request = validate_payment(request, today)
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            repo.record_payment(session, request, operator_id=operator_id,
                                now=now, today=today)
            return repo.load(session, request.debtor_id)

        return await self._db.run(work)

    async def add_note(self, debtor_id: int, text: str, *,
                       operator_id: int | None = None) -> DebtorDetail:
        """Add a note (stamped with the time and the operator) and return the debtor afterwards.

        Raises:
            InvalidNote: an empty note; NoteTooLong: a note over the limit.
            DebtorNotFound, DebtorAnonymised: see `storage.repos.debtor_detail.add_note`.
        """
        note = clean_note(text)  # before the database: an empty note needs no round trip
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            repo.add_note(session, debtor_id, note, operator_id=operator_id,
                          now=now)
            return repo.load(session, debtor_id)

        return await self._db.run(work)

    async def record_promise(self, request: PromiseRequest, *,
                             operator_id: int | None = None) -> DebtorDetail:
        """Record a promise to pay and return the debtor afterwards.

        Raises:
            InvalidPromise: a non-positive amount, more than is open, a date before today or
                more than 90 days ahead (the message says which).
            NothingOpen: nothing is open on the chosen debt (or at all).
            DebtorNotFound, DebtorAnonymised: no such debtor, or their data is gone.
        """
        today = self._today()
        request = validate_promise(request, today)
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            promises_repo.create_promise(session, request, operator_id=operator_id,
                                         now=now, today=today)
            return repo.load(session, request.debtor_id)

        return await self._db.run(work)

    async def cancel_promise(self, promise_id: int, reason: str, *,
                             operator_id: int | None = None) -> DebtorDetail:
        """Cancel an open promise, saying why, and return its debtor afterwards.

        Raises:
            CancelReasonMissing: no reason given.
            PromiseNotOpen: the promise was kept, broken or cancelled already.
        """
        reason = clean_reason(reason)
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            debtor_id = promises_repo.cancel_promise(session, promise_id, reason,
                                                     operator_id=operator_id, now=now)
            return repo.load(session, debtor_id)

        return await self._db.run(work)

    async def propose_agreement(self, request: AgreementRequest, *,
                                operator_id: int | None = None) -> DebtorDetail:
        """Make an agreement (acordo) over open debts and return the debtor afterwards.

        The chosen debts become "em acordo"; the down payment and the instalments become new
        debts ("Acordo nº N – parcela k/n").

        Raises:
            InvalidAgreement: no debts, a fine above 2 % (CDC art. 52 §1º), bad interest,
                instalments, discount, down payment or first due date; debts that changed
                meanwhile (the message says which).
            DebtorNotFound, DebtorAnonymised: no such debtor, or their data is gone.
        """
        today = self._today()
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            agreements_repo.create_agreement(session, request, operator_id=operator_id,
                                             now=now, today=today)
            return repo.load(session, request.debtor_id)

        return await self._db.run(work)

    async def cancel_agreement(self, agreement_id: int, reason: str, *,
                               operator_id: int | None = None) -> DebtorDetail:
        """Cancel an active agreement, saying why, and return its debtor afterwards.

        The unpaid instalments are cancelled and the renegotiated debts are open again, less
        what the agreement received.

        Raises:
            CancelReasonMissing: no reason given.
            AgreementNotActive: the agreement was completed, broken or cancelled already.
        """
        reason = clean_reason(reason)
        today = self._today()
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            debtor_id = agreements_repo.cancel_agreement(
                session, agreement_id, reason, operator_id=operator_id, now=now, today=today)
            return repo.load(session, debtor_id)

        return await self._db.run(work)

    @owner_only("phone.clear_wrong_party",
                QT_TRANSLATE_NOOP("Roles", "desfazer um “não sou eu”"))
    async def clear_wrong_party(self, debtor_id: int, phone_id: int, reason: str, *,
                                operator_id: int | None) -> DebtorDetail:
        """Let the shop message this number for this debtor again after a "não sou eu" (the
        owner only, with a reason for the audit log); the identity check runs again first.

        Raises:
            OwnerOnly: `operator_id` is not the owner (nothing changed).
            ReasonRequired: no reason given.
            DebtorNotFound: the debtor has no such number.
        """
        reason = clean_owner_reason(reason)
        today = self._today()
        now = self._clock.now()

        def work(session: Any) -> DebtorDetail:
            repo.clear_wrong_party(session, debtor_id, phone_id, reason,
                                   operator_id=operator_id, now=now, today=today)
            return repo.load(session, debtor_id)

        return await self._db.run(work)
