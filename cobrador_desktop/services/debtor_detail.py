"""The debtor screen: one debtor in full, recording a payment, adding a note.

Every write carries the operator who did it (None until operators sign in) into the audit log,
and returns the debtor as it now is, read in the same transaction, so the screen shows the result
of the change without another round trip.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from cobrador_desktop.domain.clock import Clock, SystemClock
from cobrador_desktop.domain.notes import clean_note
from cobrador_desktop.domain.payments import validate_payment
from cobrador_desktop.domain.records import DebtorDetail, PaymentRequest
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import debtor_detail as repo


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

        Raises:
            DebtorNotFound: no such debtor.
        """
        return await self._db.run(lambda session: repo.load(session, debtor_id))

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
