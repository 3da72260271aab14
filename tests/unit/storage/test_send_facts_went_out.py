"""The caps count a message when it went out, not when it was queued: a reminder that waited in
the outbox for days (night, Sunday, a cap) and went out this morning is today's message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from cobrador_desktop.domain.policy import Decision, SendRequest, evaluate
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.repos import outbox as repo
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from tests.unit.services.test_outbox import START
from tests.unit.services.test_outbox_regua import NAME, PAYLOAD, TEXT, ZONE, _scene


def test_a_message_queued_days_ago_and_sent_today_counts_today(database: Database) -> None:
    def work(session: Session) -> Decision:
        ids = _scene(session)
        queued = START - timedelta(days=3)
        row = repo.add_outbound(
            session, conversation_id=ids["chat"], request=dict(PAYLOAD), purpose="overdue",
            kind="automated", message_type="template", text=TEXT, decision={}, operator_id=None,
            now=queued, next_attempt_at=START)
        [claimed] = repo.claim(session, [row], START,
                               lambda r, f: Decision(True, (), evaluated_at=START))
        assert claimed.to is not None
        repo.record_sent(session, row, "wamid.1", START)
        later = START + timedelta(hours=1)
        [facts] = gather(session, [FactsTarget(ids["debtor"], ids["phone"], ids["debt"], "D+15",
                                               NAME)], now=later, shop_zone=ZONE)
        assert facts.history is not None
        assert [s.at for s in facts.history.recent] == [START]
        return evaluate(SendRequest("automated", "overdue", "template", TEXT + " ",
                                    step="D+15"), facts, later)

    decision = database.run_sync(work)
    assert not decision.allowed
    assert "FREQ_DAILY_CAP" in {r.code for r in decision.reasons}
