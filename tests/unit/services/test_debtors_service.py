"""DebtorListService over a real database: pages through the worker thread, and the count."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import DebtorSort
from cobrador_desktop.services.debtors import MAX_PAGE_SIZE, DebtorListService
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.db import Database
from tests.unit.storage.factories import add_debtor

T = TypeVar("T")


def _seed(session: Session) -> None:
    for i, (name, cents) in enumerate([("Zé", 100), ("Ana", 900), ("Bia", 500), ("Caio", 900)]):
        add_debtor(session, name, open_cents=cents, open_debts=1,
                   oldest_open_due=date(2026, 1, 1 + i))


def test_pages_and_count_from_the_database(database: Database) -> None:
    database.run_sync(_seed)
    service = DebtorListService(database)

    async def go() -> tuple[list[str], list[str], int]:
        by_name: list[str] = []
        after = None
        while True:
            page = await service.page(DebtorSort.NAME, after, limit=3)
            by_name += [r.name for r in page.rows]
            if page.next_after is None:
                break
            after = page.next_after
        by_amount = [r.name for r in (await service.page(DebtorSort.OPEN_AMOUNT)).rows]
        return by_name, by_amount, await service.count()

    by_name, by_amount, count = asyncio.run(go())
    assert by_name == ["Ana", "Bia", "Caio", "Zé"]
    assert by_amount == ["Caio", "Ana", "Bia", "Zé"]  # ties: newest first
    assert count == 4


class _RecordingRunner:
    """A Runner that counts calls and hands them to the real database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.calls = 0

    async def run(self, fn: Callable[[Any], T]) -> T:
        self.calls += 1
        return await self.db.run(fn)


def test_the_service_only_reaches_the_database_through_the_runner(database: Database) -> None:
    runner = _RecordingRunner(database)
    service = DebtorListService(runner)
    typed: Runner = runner  # structural: mypy checks a fake fits the Protocol
    assert typed is runner

    async def go() -> None:
        await service.page(DebtorSort.NEXT_DUE)
        await service.count()

    asyncio.run(go())
    assert runner.calls == 2


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_SIZE + 1])
def test_bad_page_size_is_refused_before_touching_the_database(limit: int) -> None:
    class NoDb:
        async def run(self, fn: Callable[[Any], T]) -> T:
            raise AssertionError("must not be called")

    with pytest.raises(ValueError, match="page size"):
        asyncio.run(DebtorListService(NoDb()).page(DebtorSort.NAME, limit=limit))


def test_sort_given_as_text_is_accepted(database: Database) -> None:
    database.run_sync(_seed)
    page = asyncio.run(DebtorListService(database).page("oldest_due"))  # type: ignore[arg-type]
    assert [r.name for r in page.rows] == ["Zé", "Ana", "Bia", "Caio"]
