"""Debtor search, quick filters, segments and counts, on SQLite (FTS5) and PostgreSQL (pg_trgm)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import (
    DebtorFilter,
    DebtorQuery,
    DebtorSort,
    Reach,
    Segment,
)
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Debt, Debtor, Payment, Phone
from cobrador_desktop.storage.repos import debtor_search
from cobrador_desktop.storage.repos import debtors as repo
from tests.unit.storage.factories import T0, add_debt, add_debtor, add_phone

TODAY = date(2026, 11, 23)


def _seed(session: Session) -> dict[str, int]:
    ids = {
        "joao": add_debtor(session, "João Antônio da Conceição", document="52998224725",
                           document_type="cpf"),
        "maria": add_debtor(session, "MARIA JOSÉ SILVA"),
        "padaria": add_debtor(session, "Padaria Pão Quente Ltda", document="11222333000181",
                              document_type="cnpj"),
        "ze": add_debtor(session, "Zé Ninguém"),
    }
    add_phone(session, ids["joao"], "+5511987654321")
    add_phone(session, ids["maria"], "+552133334444")  # a landline
    add_phone(session, ids["ze"], "+5531999990000", role="reference")
    add_debt(session, ids["maria"], 50_000, TODAY - timedelta(days=10),
             description="Geladeira Brastemp Frost Free")
    add_debt(session, ids["padaria"], 9_000, TODAY + timedelta(days=3),
             description="Farinha de trigo 50 kg")
    repo.refresh_summaries(session, None, TODAY)
    return ids


def _find(database: Database, typed: str, *, filter: DebtorFilter | None = None,
          segment: Segment | None = None) -> list[str]:
    page = database.run_sync(partial(
        repo.list_page, sort=DebtorSort.NAME, after=None, limit=50,
        query=DebtorQuery(typed, filter, segment), today=TODAY))
    return [row.name for row in page.rows]


@pytest.mark.parametrize(("typed", "expected"), [
    ("conceição", ["João Antônio da Conceição"]),   # accents as typed
    ("CONCEICAO", ["João Antônio da Conceição"]),   # neither accents nor case
    ("ntôn", ["João Antônio da Conceição"]),        # any part of a word
    ("joao conceicao", ["João Antônio da Conceição"]),  # every word, in any order
    ("conceicao maria", []),
    ("maria josé", ["MARIA JOSÉ SILVA"]),
    ("529.982.247-25", ["João Antônio da Conceição"]),  # masked CPF
    ("52998224725", ["João Antônio da Conceição"]),
    ("98224", ["João Antônio da Conceição"]),
    ("11.222.333/0001-81", ["Padaria Pão Quente Ltda"]),  # masked CNPJ
    ("+55 (11) 98765-4321", ["João Antônio da Conceição"]),  # phone, every writing
    ("11 98765 4321", ["João Antônio da Conceição"]),
    ("987654321", ["João Antônio da Conceição"]),
    ("(11) 8765-4321", ["João Antônio da Conceição"]),  # without the 9th digit
    ("87654321", ["João Antônio da Conceição"]),
    ("(21) 3333-4444", ["MARIA JOSÉ SILVA"]),
    ("31 99999-0000", []),  # a reference contact's phone does not find the debtor
    ("geladeira", ["MARIA JOSÉ SILVA"]),  # debt description
    ("frost free", ["MARIA JOSÉ SILVA"]),
    ("pão quente", ["Padaria Pão Quente Ltda"]),
    ("farinha 50", ["Padaria Pão Quente Ltda"]),  # a short term narrows a long one
    ('"; DROP TABLE debtors; --', []),  # quotes and operators are plain text
    ("100%", []),
    ("jo", ["João Antônio da Conceição"]),  # short: start of the name
    ("z", ["Zé Ninguém"]),
    ("é", []),
    ("", ["João Antônio da Conceição", "MARIA JOSÉ SILVA", "Padaria Pão Quente Ltda",
          "Zé Ninguém"]),
])
def test_search_finds_by_name_document_phone_and_description(
        database: Database, typed: str, expected: list[str]) -> None:
    database.run_sync(_seed)
    assert _find(database, typed) == expected


def test_search_sees_changes_after_refresh_and_forgets_deleted_debtors(database: Database) -> None:
    ids = database.run_sync(_seed)
    assert _find(database, "conceicao") == ["João Antônio da Conceição"]

    def rename(session: Session) -> None:
        session.execute(update(Debtor).where(Debtor.id == ids["joao"])
                        .values(name="João Batista", name_key="joao batista"))
        add_debt(session, ids["ze"], 1000, TODAY, description="Bicicleta aro 29")
        repo.refresh_summaries(session, [ids["joao"], ids["ze"]], TODAY)

    database.run_sync(rename)
    assert _find(database, "conceicao") == []
    assert _find(database, "batista") == ["João Batista"]
    assert _find(database, "bicicleta") == ["Zé Ninguém"]

    database.run_sync(lambda s: s.execute(text("DELETE FROM debtors WHERE id = :i"),
                                          {"i": ids["ze"]}))
    assert _find(database, "bicicleta") == []


def test_search_combines_with_sorting_filters_and_paging(database: Database) -> None:
    def seed(session: Session) -> None:
        for i in range(30):
            debtor = add_debtor(session, f"Cliente Silva {i:02d}")
            add_debt(session, debtor, 1000 * (i + 1), TODAY + timedelta(days=i - 15),
                     description="Parcela do sofá")
        add_debtor(session, "Outra Pessoa")
        repo.refresh_summaries(session, None, TODAY)

    database.run_sync(seed)
    query = DebtorQuery("silva", DebtorFilter.OVERDUE)
    seen: list[str] = []
    after = None
    while True:
        page = database.run_sync(partial(repo.list_page, sort=DebtorSort.OPEN_AMOUNT,
                                         after=after, limit=4, query=query, today=TODAY))
        seen += [row.name for row in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [f"Cliente Silva {i:02d}" for i in range(14, -1, -1)]  # overdue, most first
    count = database.run_sync(partial(repo.count_matching, query=query, today=TODAY))
    assert count == 15
    assert database.run_sync(partial(repo.count_matching, query=DebtorQuery("sofa"),
                                     today=TODAY)) == 30


def test_a_broad_search_walks_the_sort_index_and_gives_the_same_rows(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def seed(session: Session) -> None:
        for i in range(40):
            add_debtor(session, f"Mariana {i:02d}", open_cents=(i * 7) % 13)
        repo.refresh_summaries(session, None, TODAY)

    database.run_sync(seed)

    def names(sort: DebtorSort) -> list[int]:
        page = database.run_sync(partial(repo.list_page, sort=sort, after=None, limit=100,
                                         query=DebtorQuery("mari"), today=TODAY))
        return [row.id for row in page.rows]

    narrow = {sort: names(sort) for sort in DebtorSort}
    monkeypatch.setattr(debtor_search, "_NARROW", 5)
    assert {sort: names(sort) for sort in DebtorSort} == narrow
    assert len(narrow[DebtorSort.NAME]) == 40


def _history(session: Session) -> dict[str, int]:
    def debtor(name: str, *debts: tuple[int, int | None, str], chat: str | None = None,
               **fields: object) -> int:
        """debts: (days from today to the due date, days late it was paid or None, status)"""
        debtor_id = add_debtor(session, name, **fields)
        for due_in, paid_late, status in debts:
            due = TODAY + timedelta(days=due_in)
            paid = 1000 if paid_late is not None else 0
            debt_id = add_debt(session, debtor_id, 1000, due, status=status, paid_cents=paid)
            if paid_late is not None:
                session.add(Payment(debt_id=debt_id, amount_cents=1000,
                                    paid_on=due + timedelta(days=paid_late)))
        if chat is not None:
            session.add(Conversation(phone_id=add_phone(session, debtor_id, chat),
                                     debtor_id=debtor_id, last_message_at=T0,
                                     last_inbound_at=None if name == "Calado" else T0))
        session.flush()
        return debtor_id

    return {
        "novo": debtor("Novo", (10, None, "open")),
        "em_dia": debtor("Em Dia", (-40, -2, "paid"), (-10, 0, "paid"), (20, None, "open")),
        "as_vezes": debtor("Às Vezes", (-60, 0, "paid"), (-30, 5, "paid"), (-20, 0, "paid")),
        "sempre": debtor("Sempre", (-60, 9, "paid"), (-30, 4, "paid"), (-5, None, "open")),
        "calado": debtor("Calado", (-5, None, "open"), chat="+5511911112222"),
        "respondeu": debtor("Respondeu", (-5, None, "open"), chat="+5511933334444"),
        "cancelado": debtor("Cancelado", (-90, None, "cancelled")),
        "acordo": debtor("Acordo", (-30, None, "agreement")),
    }


def test_segments_come_from_payments_due_dates_and_replies(database: Database) -> None:
    ids = database.run_sync(_history)
    database.run_sync(lambda s: repo.refresh_summaries(s, None, TODAY))
    got = database.run_sync(lambda s: dict(s.execute(select(Debtor.id, Debtor.segment)).all()))
    assert {name: got[i] for name, i in ids.items()} == {
        "novo": Segment.NEW, "em_dia": Segment.ON_TIME, "as_vezes": Segment.SOMETIMES_LATE,
        "sempre": Segment.ALWAYS_LATE, "calado": Segment.NEVER_REPLIED,
        "respondeu": Segment.SOMETIMES_LATE, "cancelado": Segment.NEW,
        "acordo": Segment.SOMETIMES_LATE}
    agreement = _find(database, "", filter=DebtorFilter.AGREEMENT)
    assert agreement == ["Acordo"]
    assert _find(database, "", segment=Segment.NEVER_REPLIED) == ["Calado"]
    contact = database.run_sync(lambda s: s.get(Debtor, ids["calado"]).last_contact_at)
    assert contact == T0  # the last message is the last contact


def test_reach_and_the_contact_filters(database: Database) -> None:
    def seed(session: Session) -> dict[str, int]:
        ids = {name: add_debtor(session, name) for name in
               ("Sem Telefone", "Com Zap", "Sem Zap", "Pediu Para Sair", "Número Errado",
                "Só Referência")}
        add_phone(session, ids["Com Zap"], "+5511900000001")
        add_phone(session, ids["Sem Zap"], "+5511900000002")
        add_phone(session, ids["Pediu Para Sair"], "+5511900000003")
        add_phone(session, ids["Número Errado"], "+5511900000004", wrong_party=True)
        add_phone(session, ids["Só Referência"], "+5511900000005", role="reference")
        session.execute(update(Phone).where(Phone.e164 == "+5511900000002")
                        .values(whatsapp_status="no"))
        session.execute(update(Phone).where(Phone.e164 == "+5511900000003")
                        .values(opted_out=True))
        session.execute(update(Debtor).where(Debtor.id == ids["Com Zap"]).values(opted_out=True))
        repo.refresh_summaries(session, None, TODAY)
        return ids

    database.run_sync(seed)
    assert _find(database, "", filter=DebtorFilter.DO_NOT_CONTACT) == [
        "Com Zap", "Número Errado", "Pediu Para Sair"]
    assert _find(database, "", filter=DebtorFilter.NO_WHATSAPP) == [
        "Sem Telefone", "Sem Zap", "Só Referência"]
    assert _find(database, "", filter=DebtorFilter.PROMISE) == []  # not recorded yet
    rows = database.run_sync(partial(repo.list_page, sort=DebtorSort.NAME, after=None, limit=9))
    assert {r.name: r.reach for r in rows.rows}["Número Errado"] == Reach.BLOCKED


def test_date_filters_and_counts_per_filter(database: Database) -> None:
    def seed(session: Session) -> None:
        _history(session)
        soon = add_debtor(session, "Vence Logo")
        add_debt(session, soon, 500, TODAY + timedelta(days=7))
        later = add_debtor(session, "Vence Depois")
        add_debt(session, later, 500, TODAY + timedelta(days=8))
        repo.refresh_summaries(session, None, TODAY)

    database.run_sync(seed)
    assert _find(database, "", filter=DebtorFilter.DUE_SOON) == ["Vence Logo"]
    assert _find(database, "", filter=DebtorFilter.OVERDUE) == [
        "Calado", "Respondeu", "Sempre"]
    counts = database.run_sync(partial(repo.count_filters, today=TODAY))
    assert counts.total == 10
    assert counts.filters == {
        DebtorFilter.OVERDUE: 3, DebtorFilter.DUE_SOON: 1, DebtorFilter.AGREEMENT: 1,
        DebtorFilter.PROMISE: 0, DebtorFilter.NO_WHATSAPP: 8, DebtorFilter.DO_NOT_CONTACT: 0}
    assert counts.segments == {
        Segment.ON_TIME: 1, Segment.SOMETIMES_LATE: 3, Segment.ALWAYS_LATE: 1,
        Segment.NEVER_REPLIED: 1, Segment.NEW: 4}
    for which, n in counts.filters.items():
        assert len(_find(database, "", filter=which)) == n


def test_refresh_leaves_updated_at_and_unchanged_rows_alone(database: Database) -> None:
    ids = database.run_sync(_seed)
    before = database.run_sync(lambda s: s.execute(
        select(Debtor.id, Debtor.updated_at, Debtor.search_text)).all())
    database.run_sync(lambda s: repo.refresh_summaries(s, list(ids.values()), TODAY))
    after = database.run_sync(lambda s: s.execute(
        select(Debtor.id, Debtor.updated_at, Debtor.search_text)).all())
    assert before == after
    assert all(row.updated_at == T0 for row in after)


def test_many_touched_debtors_rebuild_the_index_with_the_same_result(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from cobrador_desktop.storage.repos import debtor_summaries

    monkeypatch.setattr(debtor_summaries, "_REBUILD_FROM", 1)
    ids = database.run_sync(_seed)

    def rename(session: Session) -> None:
        session.execute(update(Debt).values(description="Televisão 50 polegadas"))
        repo.refresh_summaries(session, list(ids.values()), TODAY)

    database.run_sync(rename)
    assert _find(database, "televisao") == ["MARIA JOSÉ SILVA", "Padaria Pão Quente Ltda"]
    assert _find(database, "geladeira") == []


def test_the_broad_plan_really_walks_the_sort_index(
        sqlite_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_database.run_sync(_seed)
    monkeypatch.setattr(debtor_search, "_NARROW", 0)
    statements: list[tuple[str, object]] = []
    from sqlalchemy import event

    def capture(*args: object) -> None:
        statements.append((str(args[2]), args[3]))

    event.listen(sqlite_database.engine, "before_cursor_execute", capture)
    try:
        assert _find(sqlite_database, "silva") == ["MARIA JOSÉ SILVA"]
    finally:
        event.remove(sqlite_database.engine, "before_cursor_execute", capture)
    sql, params = next(s for s in statements if "ORDER BY" in s[0])
    plan = sqlite_database.run_sync(lambda s: s.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + sql, params).all())
    assert any("INDEX ix_debtors_name_key" in str(step) for step in plan), plan


def test_the_count_of_a_broad_search_is_read_off_the_search_index(
        sqlite_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_database.run_sync(_seed)
    monkeypatch.setattr(debtor_search, "_NARROW", 0)  # every search is "broad"
    statements: list[tuple[str, object]] = []
    from sqlalchemy import event

    def capture(*args: object) -> None:
        statements.append((str(args[2]), args[3]))

    query = DebtorQuery("silva", DebtorFilter.OVERDUE)
    event.listen(sqlite_database.engine, "before_cursor_execute", capture)
    try:
        count = sqlite_database.run_sync(partial(repo.count_matching, query=query, today=TODAY))
    finally:
        event.remove(sqlite_database.engine, "before_cursor_execute", capture)
    page = sqlite_database.run_sync(partial(repo.list_page, sort=DebtorSort.NAME, after=None,
                                            limit=100, query=query, today=TODAY))
    assert count == len(page.rows)
    sql, params = next(s for s in statements if "count(" in s[0] and "FROM debtors" in s[0])
    plan = sqlite_database.run_sync(lambda s: s.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + sql, params).all())
    # each match looked up by id, not the whole overdue index read and tested
    assert any("INTEGER PRIMARY KEY" in str(step) for step in plan), plan
