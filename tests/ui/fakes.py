"""An in-memory debtor list with keyset paging, shaped like `DebtorListService`."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cobrador_desktop.domain.text import fold
from cobrador_desktop.ui.viewmodels.ports import (
    DebtorCounts,
    DebtorFilter,
    DebtorPage,
    DebtorQuery,
    DebtorRow,
    DebtorSort,
    Reach,
    Segment,
)

TODAY = date(2026, 11, 23)

_FIRST = ("Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Heitor", "Isabela",
          "João", "Karina", "Lucas", "Mariana", "Nicolas", "Otávio", "Patrícia", "Rafael",
          "Sabrina", "Tiago", "Vanessa", "Wellington", "Yasmin", "Zeca", "Márcia", "Antônio")
_LAST = ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
         "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa")
_SHOPS = ("Padaria Pão Quente Ltda", "Oficina do Zé ME", "Mercadinho Boa Vista Ltda",
          "Escola Pequeno Príncipe")
_OPERATORS = ("Joana", "Marcos", None)
_DDDS = ("11", "21", "31", "41", "51", "61", "71", "81", "85", "92")


def _cpf(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(9)]
    for weight in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(weight, 1, -1), strict=False))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def make_rows(count: int, *, seed: int = 3) -> list[DebtorRow]:
    """`count` realistic debtors, the same ones for the same seed."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, count + 1):
        is_shop = i % 12 == 0
        name = (rng.choice(_SHOPS) if is_shop
                else f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.choice(_LAST)}")
        open_debts = rng.randint(0, 4)
        oldest = TODAY - timedelta(days=rng.randint(-20, 200)) if open_debts else None
        next_due = TODAY + timedelta(days=rng.randint(1, 60)) if open_debts > 1 else None
        contact = (datetime(2026, 11, 23, 13, 0, tzinfo=UTC) - timedelta(hours=rng.randint(1, 900))
                   if rng.random() < 0.7 else None)
        rows.append(DebtorRow(
            id=i, name=name,
            document=None if i % 9 == 0 else ("12345678000195" if is_shop else _cpf(rng)),
            document_type=None if i % 9 == 0 else ("cnpj" if is_shop else "cpf"),
            phone_e164=None if i % 15 == 0 else f"+55{rng.choice(_DDDS)}9{rng.randint(10**7, 10**8 - 1)}",
            open_cents=sum(rng.randint(1_500, 120_000) for _ in range(open_debts)),
            open_debts=open_debts, oldest_open_due=oldest, next_due=next_due,
            last_contact_at=contact, operator_name=rng.choice(_OPERATORS),
            segment=rng.choice(list(Segment)).value,
            reach=rng.choice((Reach.OK, Reach.OK, Reach.OK, Reach.NO_WHATSAPP, Reach.BLOCKED)).value,
            in_agreement=rng.random() < 0.1,
        ))
    return rows


def _key(row: DebtorRow, sort: DebtorSort) -> tuple[Any, ...]:
    if sort == DebtorSort.NAME:
        return (row.name.casefold(), row.id)
    if sort == DebtorSort.OPEN_AMOUNT:
        return (-row.open_cents, row.id)
    if sort == DebtorSort.OLDEST_DUE:
        return (row.oldest_open_due or date.max, row.id)
    return (row.next_due or date.max, row.id)


class FakeDebtorSource:
    """`DebtorListSource` over a list, with knobs to hold pages back and to fail."""

    def __init__(self, rows: list[DebtorRow] | None = None, *, count: int = 0) -> None:
        self.rows = rows if rows is not None else make_rows(count)
        self.calls: list[tuple[DebtorSort, tuple[Any, ...] | None, int]] = []
        self.gate: asyncio.Event | None = None  # when set, pages wait for it
        self.error: BaseException | None = None
        self.queries: list[DebtorQuery | None] = []

    def matching(self, query: DebtorQuery | None) -> list[DebtorRow]:
        """The rows `query` shows (a plain substring search on the name, document and phone)."""
        if query is None:
            return list(self.rows)
        text = fold(query.text)
        return [row for row in self.rows
                if (not text or text in fold(f"{row.name} {row.document} {row.phone_e164}"))
                and (query.segment is None or row.segment == query.segment)
                and (query.filter is None or _in_filter(row, query.filter))]

    async def page(self, sort: DebtorSort, after: tuple[Any, ...] | None = None,
                   limit: int = 200, query: DebtorQuery | None = None) -> DebtorPage:
        self.calls.append((sort, after, limit))
        self.queries.append(query)
        await asyncio.sleep(0)  # a real await, as the database thread would be
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        ordered = sorted(self.matching(query), key=lambda row: _key(row, sort))
        if after is not None:
            ordered = [row for row in ordered if _key(row, sort) > after]
        chunk = tuple(ordered[:limit])
        more = len(ordered) > limit
        return DebtorPage(rows=chunk, next_after=_key(chunk[-1], sort) if more else None)

    async def count(self, query: DebtorQuery | None = None) -> int:
        await asyncio.sleep(0)
        return len(self.matching(query))

    async def counts(self) -> DebtorCounts:
        await asyncio.sleep(0)
        return DebtorCounts(
            total=len(self.rows),
            filters={f: len(self.matching(DebtorQuery(filter=f))) for f in DebtorFilter},
            segments={s: len(self.matching(DebtorQuery(segment=s))) for s in Segment})


def _in_filter(row: DebtorRow, which: DebtorFilter) -> bool:
    if which is DebtorFilter.OVERDUE:
        return row.oldest_open_due is not None and row.oldest_open_due < TODAY
    if which is DebtorFilter.DUE_SOON:
        return row.next_due is not None and 0 <= (row.next_due - TODAY).days <= 7
    if which is DebtorFilter.AGREEMENT:
        return row.in_agreement
    if which is DebtorFilter.NO_WHATSAPP:
        return row.reach == Reach.NO_WHATSAPP
    if which is DebtorFilter.DO_NOT_CONTACT:
        return row.reach == Reach.BLOCKED
    return False
