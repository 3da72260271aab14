"""The daily upkeep in the database: promises and agreements the calendar settles, every
debtor's summaries moved to the new day, once per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.records import PromiseRequest
from cobrador_desktop.domain.settings import AGREEMENT_BREAK_AFTER_DAYS
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Agreement, Debtor, Promise, Setting
from cobrador_desktop.storage.repos import agreements, debtors, promises
from cobrador_desktop.storage.repos.settings import write_setting
from cobrador_desktop.storage.repos.upkeep import (
    UPKEEP_KEY,
    UpkeepResult,
    daily_upkeep,
    last_upkeep_day,
)
from tests.unit.storage.factories import add_debt, add_debtor

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
FIRST_DUE = TODAY + timedelta(days=10)
LATER = FIRST_DUE + timedelta(days=31)  # the agreement's first instalment 31 days late
LATER_NOW = datetime.combine(LATER, NOW.timetz())


def _seed(session: Session) -> dict[str, int]:
    ana = add_debtor(session, "Ana Lima", document="52998224725")
    a = add_debt(session, ana, 30000, date(2026, 9, 10))
    b = add_debt(session, ana, 30000, date(2026, 10, 10))
    bruno = add_debtor(session, "Bruno Souza")
    add_debt(session, bruno, 15000, TODAY + timedelta(days=3))
    debtors.refresh_summaries(session, None, TODAY)
    agreement, _ = agreements.create_agreement(
        session, AgreementRequest(ana, (a, b), 2, FIRST_DUE), operator_id=None, now=NOW,
        today=TODAY)
    promise = promises.create_promise(
        session, PromiseRequest(bruno, 15000, TODAY + timedelta(days=1)), operator_id=None,
        now=NOW, today=TODAY)
    return {"ana": ana, "bruno": bruno, "agreement": agreement, "promise": promise}


def test_settles_everyone_and_moves_summaries_once_a_day(database: Database) -> None:
    ids = database.run_sync(_seed)
    assert database.run_sync(lambda s: s.get(Debtor, ids["bruno"]).next_due) == (  # type: ignore[union-attr]
        TODAY + timedelta(days=3))
    assert database.run_sync(last_upkeep_day) is None

    result = database.run_sync(lambda s: daily_upkeep(s, LATER, LATER_NOW))
    assert result == UpkeepResult(LATER, promises_broken=1, agreements_broken=1,
                                  break_after_days=30)

    def check(session: Session) -> None:
        promise = session.get(Promise, ids["promise"])
        assert promise is not None and promise.status == "broken"
        agreement = session.get(Agreement, ids["agreement"])
        assert agreement is not None and agreement.status == "broken"
        bruno = session.get(Debtor, ids["bruno"])
        # his only debt fell due weeks ago: no next due date any more, and it counts as overdue
        assert bruno is not None and bruno.next_due is None
        assert bruno.oldest_open_due == TODAY + timedelta(days=3)
        ana = session.get(Debtor, ids["ana"])
        # the agreement is undone: her original debts are open again
        assert ana is not None and not ana.in_agreement and ana.open_cents == 60000
        setting = session.get(Setting, UPKEEP_KEY)
        assert setting is not None and setting.value == {"day": LATER.isoformat()}
        assert last_upkeep_day(session) == LATER

    database.run_sync(check)

    # the same day again (another PC, another process): nothing is done
    def late_debt(session: Session) -> int:
        # a debt added meanwhile with a stale summary shows the second run leaves it alone
        debtor = add_debtor(session, "Carla Dias", next_due=TODAY)
        add_debt(session, debtor, 5000, TODAY)
        return debtor

    carla = database.run_sync(late_debt)
    again = database.run_sync(lambda s: daily_upkeep(s, LATER, LATER_NOW + timedelta(hours=2)))
    assert again == UpkeepResult(LATER, 0, 0, already_ran=True)
    assert database.run_sync(lambda s: s.get(Debtor, carla).next_due) == TODAY  # type: ignore[union-attr]
    # an earlier date (a PC with a clock behind) does not run either
    assert database.run_sync(lambda s: daily_upkeep(s, TODAY, NOW)).already_ran

    # the next day it runs again and picks Carla up
    following = database.run_sync(
        lambda s: daily_upkeep(s, LATER + timedelta(days=1), LATER_NOW + timedelta(days=1)))
    assert following == UpkeepResult(LATER + timedelta(days=1), 0, 0, break_after_days=30)
    assert database.run_sync(lambda s: s.get(Debtor, carla).next_due) is None  # type: ignore[union-attr]


def test_a_failed_upkeep_leaves_the_day_unrecorded(database: Database) -> None:
    """All or nothing: an error after the settling rolls everything back, the day included."""
    ids = database.run_sync(_seed)

    def failing(session: Session) -> None:
        daily_upkeep(session, LATER, LATER_NOW)
        raise RuntimeError("disk full")

    try:
        database.run_sync(failing)
    except RuntimeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("expected the error")
    assert database.run_sync(last_upkeep_day) is None
    status = database.run_sync(lambda s: s.get(Promise, ids["promise"]).status)  # type: ignore[union-attr]
    assert status == "open"


def test_the_upkeep_breaks_agreements_by_the_shops_setting(database: Database) -> None:
    """With the setting at 10 days, an instalment 11 days late breaks the agreement; at 45, one
    31 days late (the default's limit) does not."""
    ids = database.run_sync(_seed)
    database.run_sync(lambda s: write_setting(s, AGREEMENT_BREAK_AFTER_DAYS, 45, operator_id=None,
                                              now=NOW))
    result = database.run_sync(lambda s: daily_upkeep(s, LATER, LATER_NOW))
    assert (result.agreements_broken, result.break_after_days) == (0, 45)

    database.run_sync(lambda s: write_setting(s, AGREEMENT_BREAK_AFTER_DAYS, 10, operator_id=None,
                                              now=NOW))
    # a new agreement whose first instalment falls due on LATER

    def fresh(session: Session) -> int:
        debtor = add_debtor(session, "Carla Dias")
        debt = add_debt(session, debtor, 20000, date(2026, 10, 1))
        debtors.refresh_summaries(session, [debtor], LATER)
        number, _ = agreements.create_agreement(
            session, AgreementRequest(debtor, (debt,), 2, LATER), operator_id=None,
            now=LATER_NOW, today=LATER)
        return number

    number = database.run_sync(fresh)
    # 11 days later: the new one is 11 days late, Ana's 42 days; both are past 10
    day = LATER + timedelta(days=11)
    result = database.run_sync(lambda s: daily_upkeep(s, day, datetime.combine(day, NOW.timetz())))
    assert (result.agreements_broken, result.break_after_days) == (2, 10)
    statuses = database.run_sync(lambda s: {s.get(Agreement, n).status  # type: ignore[union-attr]
                                            for n in (ids["agreement"], number)})
    assert statuses == {"broken"}
