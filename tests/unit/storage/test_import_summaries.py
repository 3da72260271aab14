"""An import writes new debtors with their summaries already computed and bulk-inserts on SQLite
straight through the driver: the results must be exactly what the slow paths give (SQLite and
PostgreSQL), and the search index must find every imported debtor."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.import_columns import match_columns
from cobrador_desktop.domain.importing import CleanRow, RowValidator
from cobrador_desktop.domain.records import DebtorQuery, DebtorSort
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Base, Conversation, Debt, Debtor, DebtorPhone, Phone
from cobrador_desktop.storage.repos import debtors as repo
from cobrador_desktop.storage.repos.import_write import insert_rows
from cobrador_desktop.storage.repos.importer import MergeOptions, merge_rows

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
HEADER = ["nome", "cpf", "telefone", "descricao", "valor", "vencimento", "id"]
SUMMARY = (Debtor.id, Debtor.open_cents, Debtor.open_debts, Debtor.oldest_open_due,
           Debtor.next_due, Debtor.segment, Debtor.reach, Debtor.in_agreement,
           Debtor.last_contact_at, Debtor.search_text)

LINES = [
    ("Ana Conceição", "529.982.247-25", "(11) 98765-4321 / (11) 3333-4444", "Geladeira 1/3",
     "1.000,00", "05/10/2026", ""),
    ("Ana Conceição", "52998224725", "", "Geladeira 2/3", "1.000,00", "05/11/2026", ""),
    ("Ana Conceição", "52998224725", "", "Geladeira 3/3", "1.000,00", "05/12/2026", ""),
    ("Bruno Araújo", "", "(21) 8888-7777", "Fogão", "R$ 800,00", "05/12/2026", "F-1"),
    ("Bruno Araújo", "", "(21) 8888-7777", "Fogão", "800,00", "05/12/2026", ""),  # same debt
    ("Carla Simões", "", "(31) 99999-1111", "Sofá", "2.500,00", "01/01/2027", ""),
    ("Diego Falcão", "", "", "Cadeira", "99,90", "23/11/2026", ""),
    ("Diego Falcão", "", "", "Mesa", "199,90", "20/11/2026", ""),
    ("Elaine Lima", "11.222.333/0001-81", "(48) 99123-4567", "Crediário loja", "10,00",
     "01/02/2026", ""),
]


def clean(lines: list[tuple[str, ...]]) -> list[CleanRow]:
    validator = RowValidator(match_columns(HEADER))
    out = []
    for number, cells in enumerate(lines, 2):
        row = validator.validate(number, list(cells))
        assert isinstance(row, CleanRow), row
        out.append(row)
    return out


def merge(db: Database, rows: list[CleanRow]) -> None:
    options = MergeOptions(file_name="loja.csv", now=NOW, today=TODAY)
    db.run_sync(partial(merge_rows, rows=rows, options=options))


def summaries(db: Database) -> list[tuple[Any, ...]]:
    return db.run_sync(lambda s: [tuple(r) for r in s.execute(
        select(*SUMMARY).order_by(Debtor.id))])


def test_new_debtors_carry_exactly_the_summary_a_full_refresh_gives(database: Database) -> None:
    # a number already known, without WhatsApp: the new debtor linked to it shows it
    def known_number(session: Session) -> None:
        session.add(Phone(e164="+5531999991111", kind="mobile", whatsapp_status="no",
                          created_at=NOW))
    database.run_sync(known_number)
    merge(database, clean(LINES))
    imported = summaries(database)
    assert len(imported) == 5
    assert all(row[-1] for row in imported)  # every search text written
    database.run_sync(lambda s: repo.refresh_summaries(s, None, TODAY))
    assert summaries(database) == imported
    by_name = {row[-1].split(" 5")[0].split(" 1")[0]: row for row in imported}
    assert by_name["carla simoes"][6] == "no_whatsapp"
    assert by_name["ana conceicao"][1:5] == (300000, 3, date(2026, 10, 5), date(2026, 12, 5))


def test_existing_debtors_changed_by_an_import_are_refreshed(database: Database) -> None:
    merge(database, clean(LINES[:1]))

    def talk(session: Session) -> None:  # a conversation the refresh must keep counting
        debtor_id = session.scalar(select(Debtor.id))
        phone_id = session.scalar(select(Phone.id).where(Phone.e164 == "+5511987654321"))
        session.add(Conversation(phone_id=phone_id, debtor_id=debtor_id, last_message_at=NOW,
                                 created_at=NOW))
    database.run_sync(talk)
    database.run_sync(lambda s: repo.refresh_summaries(s, None, TODAY))
    merge(database, clean(LINES))
    imported = summaries(database)
    database.run_sync(lambda s: repo.refresh_summaries(s, None, TODAY))
    assert summaries(database) == imported
    assert imported[0][1:3] == (300000, 3)
    assert imported[0][8] == NOW


def _find(db: Database, words: str) -> list[str]:
    page = db.run_sync(lambda s: repo.list_page(
        s, sort=DebtorSort.NAME, after=None, limit=50, query=DebtorQuery(text=words),
        today=TODAY))
    return [row.name for row in page.rows]


def test_imported_debtors_are_found_by_name_document_phone_and_description(
        database: Database) -> None:
    merge(database, clean(LINES))
    assert _find(database, "conceicao") == ["Ana Conceição"]
    assert _find(database, "ARAÚJO") == ["Bruno Araújo"]
    assert _find(database, "529.982.247-25") == ["Ana Conceição"]
    assert _find(database, "11222333") == ["Elaine Lima"]
    assert _find(database, "(21) 8888-7777") == ["Bruno Araújo"]
    assert _find(database, "3333-4444") == ["Ana Conceição"]  # the second number in the cell
    assert _find(database, "geladeira") == ["Ana Conceição"]
    assert _find(database, "sofá") == ["Carla Simões"]
    if database.dialect == "sqlite":  # the FTS5 index matches the table, row for row
        database.run_sync(lambda s: s.execute(text(
            "INSERT INTO debtor_search(debtor_search, rank) VALUES ('integrity-check', 1)")))


def test_the_driver_path_stores_what_sqlalchemy_stores(database: Database) -> None:
    table = Base.metadata.tables["debts"]
    columns = ("debtor_id", "external_id", "description", "amount_cents", "paid_cents",
               "due_date", "status", "created_at", "updated_at")
    values = [(1, None, "a", 100, 0, date(2026, 1, 31), "open", NOW, NOW),
              (1, "X-1", "b", 250, 50, date(2026, 2, 28), "disputed", NOW,
               datetime(2026, 1, 1, 3, 0, tzinfo=UTC))]
    debtors = Base.metadata.tables["debtors"]

    def write(session: Session) -> list[Any]:
        connection = session.connection()
        connection.execute(insert(debtors), [{
            "id": 1, "name": "A", "name_key": "a", "tags": [], "opted_out": False,
            "created_at": NOW, "updated_at": NOW}])
        insert_rows(connection, table, columns, values)
        connection.execute(insert(table), [  # external ids are unique: the second set is renamed
            dict(zip(columns, v, strict=True), external_id=v[1] and v[1] + "b") for v in values])
        # no Python-side defaults on this path: every column without a server default is given
        insert_rows(connection, debtors, ("id", "name", "name_key", "tags", "opted_out",
                                          "created_at", "updated_at", "open_cents", "open_debts"),
                    [(2, "B", "b", ["x"], True, NOW, NOW, 0, 0)], staged=True)
        session.execute(update(Debtor).where(Debtor.id == 2).values(updated_at=NOW))
        return [dict(r._mapping) for r in session.execute(select(table).order_by(table.c.id))] + [
            tuple(r) for r in session.execute(select(Debtor.tags, Debtor.opted_out,
                                                     Debtor.created_at).where(Debtor.id == 2))]
    got = database.run_sync(write)
    fast, core = got[:2], got[2:4]
    def same(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in ("id", "external_id")}
    assert [same(r) for r in fast] == [same(r) for r in core]
    assert [r["external_id"] for r in fast] == [None, "X-1"]
    assert fast[0]["created_at"] == NOW and fast[0]["due_date"] == date(2026, 1, 31)
    assert fast[1]["updated_at"] == datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    assert got[4] == (["x"], True, NOW)


def test_an_import_leaves_no_staging_table(sqlite_database: Database) -> None:
    merge(sqlite_database, clean(LINES))
    assert sqlite_database.run_sync(lambda s: s.execute(text(
        "SELECT count(*) FROM sqlite_temp_master")).scalar()) == 0
    assert sqlite_database.run_sync(lambda s: s.scalar(
        select(DebtorPhone.id).order_by(DebtorPhone.id.desc()).limit(1))) is not None
    assert sqlite_database.run_sync(lambda s: s.scalar(select(Debt.id).limit(1))) is not None
