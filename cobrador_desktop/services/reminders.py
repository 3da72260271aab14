"""The reminder scheduler's pass (régua): what goes out today, judged by the send guard.

`ReminderService.plan(at)` works out the day without writing anything (the preview, `remind
--dry-run`); `run(at)` does the same and records it: allowed and held messages go to the outbox,
state-blocked and skipped steps are logged in `regua_sends` (a (debt, step) is dealt with once,
ever). The day's rules (`services.reminder_day`):

- the open debts whose due date lies in the régua's window are read at once; each gets at most
  one step (`Regua.plan_day`; steps whose grace passed while the PC was off are skipped, logged);
- each debtor gets at most one message a day: that of their most overdue debt;
- identity first (COMPLIANCE.md §3): on a number whose link is not `confirmed` the message is
  the identity check, without debt details, at most `identity_attempts_max` times
  `identity_retry_days` apart; then the step is skipped (`CPC_ATTEMPTS_EXHAUSTED`) and the
  debtor gets a `no_contact` task;
- every message goes through the guard (`domain.policy.evaluate`) on facts gathered in bulk;
- at most the team's capacity of new conversations a day: debtors are judged in urgency order a
  batch at a time until it is full (blocked messages take none); the rest wait for tomorrow
  (`CAPACITY_FULL`, not logged, not evaluated);
- allowed sends are spread over the rest of the day's contact hours, never a burst; held ones
  (night, Sunday, holiday, caps) wait for their next slot, and the sender judges them again;
- after payment (`services.reminder_receipts`): a thank-you per paid debt, once, one a day per
  debtor, outside the capacity; with the setting on, a one-question survey when the window is open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.services.gc_pause import no_full_collection
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.services.reminder_day import DayWork, plan_day, record_day
from cobrador_desktop.services.reminder_plan import ALLOWED, BLOCKED, HELD, Plan, PlannedMessage
from cobrador_desktop.services.reminder_receipts import plan_receipts, with_receipts

__all__ = ["ALLOWED", "BLOCKED", "HELD", "Plan", "PlannedMessage", "ReminderService"]

class ReminderService:
    """Plans (and runs) the régua's pass for a day, on the database thread."""

    def __init__(self, db: Runner, clock: Clock, *, shop_zone: str,
                 outbox: OutboxService | None = None) -> None:
        """Args:
            db: the database runner; the whole pass is one unit of work on its thread, so the
                GUI's loop never waits for the planning.
            clock: when things are recorded (`created_at`); the pass itself is planned `at`.
            shop_zone: the shop's IANA zone (COBRADOR_TIMEZONE): whose calendar day it is.
            outbox: puts allowed and held messages in the outbox (default: one on `db`).
        """
        self._db = db
        self._clock = clock
        self._zone = shop_zone
        self._outbox = outbox or OutboxService(db, clock)

    async def plan(self, at: datetime) -> Plan:
        """The day's messages at `at`, judged by the guard; writes nothing (dry run).

        Both passes run without full garbage collections (`gc_pause`): at 100,000 debts those
        would stop the GUI's loop for tens of milliseconds several times."""
        def work(session: Any) -> Plan:
            with no_full_collection():
                return self._day(session, at).plan

        return await self._db.run(work)

    async def run(self, at: datetime) -> Plan:
        """Plan the day at `at` and record it in the same transaction: allowed and held messages
        go to the outbox, state-blocked and skipped steps to the régua's log."""
        now = self._clock.now()

        def work(session: Any) -> Plan:
            with no_full_collection():
                return record_day(session, self._day(session, at), outbox=self._outbox,
                                  shop_zone=self._zone, now=now)

        return await self._db.run(work)

    def _day(self, session: Any, at: datetime) -> DayWork:
        """The régua's day and the thank-yous of the payments, judged (nothing written)."""
        return with_receipts(plan_day(session, at, shop_zone=self._zone),
                             plan_receipts(session, at, shop_zone=self._zone))
