"""The debtor list repository: keyset pages in every order, and the open-debt summaries."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import DebtorRow, DebtorSort
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Debt, Debtor
from cobrador_desktop.storage.repos import debtors as repo
from tests.unit.storage.factories import T0, add_debt, add_debtor, add_operator, add_phone

TODAY = date(2026, 11, 23)
N = 61


def _seed_many(session: Session) -> None:
    """N debtors with many ties in every sort key, and NULL dates mixed in."""
    rng = random.Random(7)
    names = ["ana", "Bruno", "carla", "Ana", "davi", "élida", "fabio"]
    dates = [None, date(2026, 1, 5), date(2026, 3, 1), date(2026, 12, 24)]
    for _ in range(N):
        add_debtor(session, rng.choice(names), open_cents=rng.choice([0, 500, 12345, 99900]),
                   open_debts=1, oldest_open_due=rng.choice(dates), next_due=rng.choice(dates))


def _expected(rows: list[Debtor], sort: DebtorSort) -> list[int]:
    if sort is DebtorSort.NAME:
        return [d.id for d in sorted(rows, key=lambda d: (d.name_key, d.id))]
    if sort is DebtorSort.OPEN_AMOUNT:
        return [d.id for d in sorted(rows, key=lambda d: (-d.open_cents, -d.id))]
    attr = "oldest_open_due" if sort is DebtorSort.OLDEST_DUE else "next_due"
    dated = sorted((d for d in rows if getattr(d, attr)), key=lambda d: (getattr(d, attr), d.id))
    undated = sorted((d for d in rows if getattr(d, attr) is None), key=lambda d: d.id)
    return [d.id for d in dated + undated]


@pytest.mark.parametrize("sort", list(DebtorSort))
@pytest.mark.parametrize("limit", [1, 7, N, N + 10])
def test_keyset_pages_return_every_row_once_in_order(
        database: Database, sort: DebtorSort, limit: int) -> None:
    database.run_sync(_seed_many)
    expected = database.run_sync(lambda s: _expected(list(s.scalars(select(Debtor))), sort))

    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = database.run_sync(partial(repo.list_page, sort=sort, after=after, limit=limit))
        assert len(page.rows) <= limit
        seen.extend(row.id for row in page.rows)
        pages += 1
        if page.next_after is None:
            break
        assert len(page.rows) == limit
        after = page.next_after
        assert pages <= N + 1, "paging does not advance"

    assert seen == expected
    assert pages == -(-N // limit)  # no empty page at the end


def test_row_fields_phone_and_operator(database: Database) -> None:
    def seed(session: Session) -> int:
        operator = add_operator(session, "Rita Operadora", "rita")
        debtor = add_debtor(session, "José da Silva", document="52998224725", document_type="cpf",
                            assigned_operator_id=operator, open_cents=15000, open_debts=2,
                            oldest_open_due=date(2026, 10, 1), next_due=date(2026, 12, 1),
                            last_contact_at=T0, opted_out=True)
        add_phone(session, debtor, "+5511911110000", role="reference", position=0)
        add_phone(session, debtor, "+5511922220000", position=0, wrong_party=True)
        add_phone(session, debtor, "+5511933330000", position=1)
        add_phone(session, debtor, "+5511944440000", position=2)
        add_debtor(session, "Sem Telefone")
        return debtor

    debtor_id = database.run_sync(seed)
    page = database.run_sync(
        lambda s: repo.list_page(s, sort=DebtorSort.NAME, after=None, limit=10))

    assert page.next_after is None
    assert page.rows[0] == DebtorRow(
        id=debtor_id, name="José da Silva", document="52998224725", document_type="cpf",
        phone_e164="+5511933330000", open_cents=15000, open_debts=2,
        oldest_open_due=date(2026, 10, 1), next_due=date(2026, 12, 1), last_contact_at=T0,
        operator_name="Rita Operadora", opted_out=True)
    assert page.rows[1].phone_e164 is None
    assert page.rows[1].operator_name is None


def test_count_all(database: Database) -> None:
    assert database.run_sync(repo.count_all) == 0
    database.run_sync(_seed_many)
    assert database.run_sync(repo.count_all) == N


def test_bad_limit(database: Database) -> None:
    with pytest.raises(ValueError, match="limit"):
        database.run_sync(lambda s: repo.list_page(s, sort=DebtorSort.NAME, after=None, limit=0))


# ------------------------------------------------------------------------- summaries


def _seed_summaries(session: Session) -> dict[str, int]:
    ids = {
        "mixed": add_debtor(session, "Mixed"),
        "none": add_debtor(session, "Stale", open_cents=999, open_debts=3,
                           oldest_open_due=date(2020, 1, 1), next_due=date(2030, 1, 1)),
        "paid": add_debtor(session, "All Paid"),
        "past": add_debtor(session, "Only Past"),
    }
    d = ids["mixed"]
    add_debt(session, d, 10_000, date(2026, 10, 1), paid_cents=2_500)    # open: 7 500
    add_debt(session, d, 5_000, date(2026, 12, 10), status="disputed")   # disputed: 5 000
    add_debt(session, d, 3_000, TODAY)                                   # due today: 3 000
    add_debt(session, d, 1_000, date(2026, 9, 1), paid_cents=1_500)      # overpaid: 0
    add_debt(session, d, 7_000, date(2026, 8, 1), status="paid", paid_cents=7_000)
    add_debt(session, d, 8_000, date(2026, 7, 1), status="cancelled")
    add_debt(session, d, 9_000, date(2026, 6, 1), status="agreement")
    add_debt(session, ids["paid"], 4_000, date(2026, 5, 1), status="paid", paid_cents=4_000)
    add_debt(session, ids["past"], 2_000, date(2026, 3, 1))
    add_debt(session, ids["past"], 2_000, date(2026, 4, 1), paid_cents=500)
    return ids


def _summary(session: Session, debtor_id: int) -> tuple[object, ...]:
    d = session.get_one(Debtor, debtor_id)
    session.refresh(d)
    return d.open_cents, d.open_debts, d.oldest_open_due, d.next_due


def test_refresh_summaries_counts_by_hand(database: Database) -> None:
    ids = database.run_sync(_seed_summaries)
    database.run_sync(lambda s: repo.refresh_summaries(s, None, TODAY))

    got = database.run_sync(lambda s: {k: _summary(s, v) for k, v in ids.items()})
    assert got == {
        "mixed": (7_500 + 5_000 + 3_000 + 0, 4, date(2026, 9, 1), TODAY),
        "none": (0, 0, None, None),
        "paid": (0, 0, None, None),
        "past": (2_000 + 1_500, 2, date(2026, 3, 1), None),
    }
    # a recomputed summary is not an edit
    updated = database.run_sync(lambda s: {d.updated_at for d in s.scalars(select(Debtor))})
    assert updated == {T0}


def test_refresh_summaries_only_touches_the_given_debtors(database: Database) -> None:
    ids = database.run_sync(_seed_summaries)
    database.run_sync(lambda s: repo.refresh_summaries(s, [ids["mixed"], ids["past"]], TODAY))
    got = database.run_sync(lambda s: {k: _summary(s, v) for k, v in ids.items()})
    assert got["mixed"][0] == 15_500
    assert got["past"][0] == 3_500
    assert got["none"] == (999, 3, date(2020, 1, 1), date(2030, 1, 1))  # not asked: unchanged


def test_refresh_summaries_next_due_follows_today(database: Database) -> None:
    ids = database.run_sync(_seed_summaries)
    later = TODAY + timedelta(days=1)
    database.run_sync(lambda s: repo.refresh_summaries(s, [ids["mixed"]], later))
    got = database.run_sync(lambda s: _summary(s, ids["mixed"]))
    assert got[3] == date(2026, 12, 10)


def test_refresh_summaries_in_many_chunks(database: Database) -> None:
    def seed(session: Session) -> list[int]:
        session.execute(insert(Debtor), [
            {"id": i + 1, "name": f"d{i}", "name_key": f"d{i}", "created_at": T0,
             "updated_at": T0} for i in range(1_203)])
        session.execute(insert(Debt), [
            {"debtor_id": i + 1, "amount_cents": 100 + i, "due_date": TODAY, "created_at": T0,
             "updated_at": T0} for i in range(1_203)])
        return list(range(1, 1_204))

    made = database.run_sync(seed)
    database.run_sync(lambda s: repo.refresh_summaries(s, made, TODAY))
    total = database.run_sync(lambda s: sum(s.scalars(select(Debtor.open_cents))))
    assert total == sum(100 + i for i in range(1_203))
