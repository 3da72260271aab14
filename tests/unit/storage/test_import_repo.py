"""Merging import rows: same person never twice, re-import changes nothing, sticky flags stay,
all or nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from cobrador_desktop.domain.import_columns import match_columns
from cobrador_desktop.domain.importing import CleanRow, ImportCancelled, RowValidator
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Debt, Debtor, DebtorPhone, Phone
from cobrador_desktop.storage.repos.importer import MergeOptions, MergeResult, _Merge, merge_rows

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
HEADER = ["nome", "cpf", "telefone", "descricao", "valor", "vencimento", "id"]


def rows(*lines: Sequence[str]) -> list[CleanRow]:
    validator = RowValidator(match_columns(HEADER))
    out = []
    for number, cells in enumerate(lines, 2):
        row = validator.validate(number, list(cells))
        assert isinstance(row, CleanRow), row
        out.append(row)
    return out


def merge(db: Database, clean: list[CleanRow], **options: Any) -> MergeResult:
    extra = {k: options.pop(k) for k in ("cancelled", "dry_run", "progress") if k in options}
    opts = MergeOptions(file_name="clientes.csv", now=NOW, today=TODAY, **options)
    return db.run_sync(partial(merge_rows, rows=clean, options=opts, **extra))


def counts(db: Database) -> dict[str, int]:
    def q(session: Any) -> dict[str, int]:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Debtor, Phone, DebtorPhone, Debt)}
    return db.run_sync(q)


def snapshot(db: Database) -> list[Any]:
    def q(session: Any) -> list[Any]:
        return [tuple(r) for model in (Debtor, Phone, DebtorPhone, Debt)
                for r in session.execute(select(model.__table__)).all()]
    return db.run_sync(q)


FIRST = [
    ("João da Silva", "123.456.789-09", "(11) 98765-4321", "Parcela 1/2", "100,00", "05/10/2026", ""),
    ("JOÃO DA SILVA", "12345678909", "11 8765-4321", "Parcela 2/2", "100,00", "05/11/2026", ""),
    ("Ana Souza", "", "(21) 99876-5432", "Sapato", "50,00", "01/12/2026", ""),
    ("Bia Lima", "", "", "Blusa", "30,00", "01/12/2026", ""),
    ("Bia Lima", "", "", "Saia", "40,00", "01/12/2026", ""),
]


def test_the_same_person_on_several_lines_is_one_debtor(database: Database) -> None:
    got = merge(database, rows(*FIRST))
    assert (got.new_debtors, got.updated_debtors, got.new_debts) == (3, 0, 5)
    assert counts(database) == {"debtors": 3, "phones": 2, "debtor_phones": 2, "debts": 5}

    def summary(session: Any) -> Any:
        return session.execute(select(Debtor.open_cents, Debtor.open_debts, Debtor.next_due)
                               .where(Debtor.document == "12345678909")).one()
    # the list's summary columns were refreshed in the same transaction
    assert tuple(database.run_sync(summary)) == (20000, 2, None)


def test_reimport_changes_nothing(database: Database) -> None:
    merge(database, rows(*FIRST))
    before = snapshot(database)
    again = merge(database, rows(*FIRST))
    assert (again.new_debtors, again.updated_debtors, again.new_debts) == (0, 0, 0)
    assert snapshot(database) == before
    # nothing changed, so nothing is audited either: exactly one entry from the first import
    assert database.run_sync(lambda s: s.scalar(select(func.count()).select_from(AuditEntry))) == 1


def test_a_second_file_merges_by_document_phone_and_name(database: Database) -> None:
    merge(database, rows(*FIRST))
    got = merge(database, rows(
        # Ana by her phone: gets her CPF; Bia by name; João by CPF, one new debt
        ("Ana S.", "529.982.247-25", "+55 21 99876-5432", "Bolsa", "70,00", "10/12/2026", ""),
        ("bia lima", "", "", "Vestido", "90,00", "10/12/2026", ""),
        ("João", "123.456.789-09", "", "Parcela 2/2", "100,00", "05/11/2026", ""),
        ("João", "123.456.789-09", "", "Parcela extra", "10,00", "05/12/2026", ""),
    ))
    assert (got.new_debtors, got.updated_debtors, got.new_debts) == (0, 3, 3)
    ana = database.run_sync(lambda s: s.execute(
        select(Debtor.name, Debtor.document, Debtor.open_debts).where(Debtor.name == "Ana Souza")
    ).one())
    assert tuple(ana) == ("Ana Souza", "52998224725", 2)


def test_a_phone_never_joins_a_debtor_with_another_document(database: Database) -> None:
    merge(database, rows(FIRST[0]))
    got = merge(database, rows(
        ("Filho do João", "529.982.247-25", "(11) 98765-4321", "Tênis", "80,00", "01/12/2026", "")))
    assert got.new_debtors == 1
    # the shared number now belongs to both
    assert counts(database)["debtor_phones"] == 2 and counts(database)["phones"] == 1


def test_two_debtors_with_the_same_name_reject_a_row_with_only_the_name(database: Database) -> None:
    merge(database, rows(
        ("Maria Santos", "123.456.789-09", "", "A", "10,00", "01/12/2026", ""),
        ("Maria Santos", "529.982.247-25", "", "B", "10,00", "01/12/2026", "")))
    got = merge(database, rows(("Maria Santos", "", "", "C", "10,00", "01/12/2026", "")))
    assert got.new_debts == 0 and [r.text for r in got.rejected] == [
        "linha 2: há 2 devedores chamados “Maria Santos”; informe o CPF/CNPJ ou o telefone"]


def test_external_id_identifies_a_debt(database: Database) -> None:
    merge(database, rows(("Ana", "", "", "Parcela", "10,00", "01/12/2026", "NF-1")))
    got = merge(database, rows(("Ana", "", "", "Parcela (corrigida)", "12,00", "02/12/2026",
                                "NF-1")))
    assert got.new_debts == 0 and counts(database)["debts"] == 1


def test_sticky_flags_survive_and_blocked_numbers_get_no_opt_in(database: Database) -> None:
    merge(database, rows(*FIRST[:3]))

    def block(session: Any) -> None:
        session.execute(update(Phone).where(Phone.e164 == "+5511987654321")
                        .values(opted_out=True, opt_out_source="SAIR"))
        session.execute(update(DebtorPhone).values(wrong_party=True).where(
            DebtorPhone.phone_id == select(Phone.id).where(Phone.e164 == "+5521998765432")
            .scalar_subquery()))
    database.run_sync(block)
    got = merge(database, rows(*FIRST[:3], ("Carla", "", "(31) 99999-1234", "X", "5,00",
                                            "01/12/2026", "")),
                opt_in_source="formulário de crediário", imported_by="ana")

    def state(session: Any) -> dict[str, Any]:
        return {r.e164: (r.opted_out, r.opt_in_source) for r in session.execute(
            select(Phone.e164, Phone.opted_out, Phone.opt_in_source))}
    phones = database.run_sync(state)
    assert phones["+5511987654321"] == (True, None)  # opted out: still, and no evidence
    # Ana's row still finds Ana, but a number that is not hers gets no evidence from it
    assert phones["+5521998765432"] == (False, None)
    assert phones["+5531999991234"] == (
        False, "formulário de crediário (importação: clientes.csv, linha 5, por ana)")
    assert (got.opt_ins, got.new_debtors, got.updated_debtors) == (1, 1, 0)
    wrong = database.run_sync(lambda s: s.scalar(select(func.count()).select_from(DebtorPhone)
                                                 .where(DebtorPhone.wrong_party)))
    assert wrong == 1
    # a wrong-party number does not pull someone else's row onto Ana
    got = merge(database, rows(("Rita Alves", "", "(21) 99876-5432", "Novo", "5,00", "01/12/2026",
                                "")))
    assert got.new_debtors == 1


def test_a_cancelled_import_leaves_the_database_as_it_was(database: Database) -> None:
    merge(database, rows(FIRST[0]))
    before = snapshot(database)
    many = rows(*[(f"Pessoa {i}", "", f"(11) 9{i:04d}-0000", "X", "1,00", "01/12/2026", "")
                  for i in range(1500, 4000)])
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 4  # well into the writing
    with pytest.raises(ImportCancelled):
        merge(database, many, cancelled=cancelled)
    assert snapshot(database) == before


def test_dry_run_counts_exactly_and_writes_nothing(database: Database) -> None:
    before = snapshot(database)
    got = merge(database, rows(*FIRST), dry_run=True)
    assert (got.new_debtors, got.new_debts) == (3, 5)
    assert snapshot(database) == before
    # ids reserved in the dry run do not disturb a real import afterwards
    assert merge(database, rows(*FIRST)).new_debtors == 3


def test_progress_reaches_the_end(database: Database) -> None:
    seen: list[tuple[int, int]] = []
    merge(database, rows(*FIRST), progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1]


def test_cancelling_at_the_last_step_leaves_the_database_as_it_was(database: Database) -> None:
    # the last progress call comes once phones, links and debts are already in their tables (on
    # SQLite the debtors they point at go in after it): the rollback must take all of it away
    merge(database, rows(FIRST[0]))
    before = snapshot(database)
    many = rows(*[(f"Pessoa {i}", "", f"(11) 9{i:04d}-0000", f"X{i}", "1,00", "01/12/2026", "")
                  for i in range(1500, 1600)])
    steps: list[int] = []
    merge(database, many, dry_run=True, progress=lambda done, total: steps.append(done))
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) == len(steps)
    with pytest.raises(ImportCancelled):
        merge(database, many, cancelled=cancelled)
    assert snapshot(database) == before
    if database.dialect == "sqlite":  # the staging tables went with the rollback
        assert database.run_sync(lambda s: s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_temp_master").all()) == []


def test_foreign_keys_stay_checked_after_an_import(sqlite_database: Database) -> None:
    # the import defers SQLite's foreign key checks to its COMMIT; the next transaction on the
    # same connection checks them at once again
    merge(sqlite_database, rows(*FIRST))

    def orphan(session: Any) -> None:
        session.connection().exec_driver_sql(
            "INSERT INTO debts (debtor_id, description, amount_cents, paid_cents, due_date, "
            "status, created_at, updated_at) VALUES (999, 'x', 1, 0, '2026-01-01', 'open', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        raise AssertionError("the orphan debt was accepted")
    with pytest.raises(IntegrityError):
        sqlite_database.run_sync(orphan)
    assert sqlite_database.run_sync(lambda s: s.connection().exec_driver_sql(
        "PRAGMA foreign_key_check").all()) == []


def test_a_line_repeating_the_person_before_resolves_as_resolving_it_afresh(
        database: Database) -> None:
    # the merge skips resolving a line whose person is the line before's: every branch of the
    # rules must give the same debtor, links, fills and rejections as resolving each line
    merge(database, rows(
        ("Maria Santos", "123.456.789-09", "", "A", "10,00", "01/12/2026", ""),
        ("Maria Santos", "529.982.247-25", "(11) 98765-4321", "B", "10,00", "01/12/2026", ""),
        ("Pedro Dias", "", "(21) 99876-5432", "C", "10,00", "01/12/2026", "")))
    database.run_sync(lambda s: s.execute(update(DebtorPhone).values(wrong_party=True).where(
        DebtorPhone.phone_id == select(Phone.id).where(Phone.e164 == "+5521998765432")
        .scalar_subquery())))
    people = [
        ("Maria Santos", "", "", "x"),  # two Marias: rejected, each line
        ("Outra Pessoa", "", "(11) 98765-4321 / (31) 99999-1234", "x"),  # a known owner's number
        ("Pedro Dias", "", "(21) 99876-5432", "x"),  # his number, marked wrong party
        ("Rita", "111.444.777-35", "(11) 98765-4321", "x"),  # a document, a shared number
        ("Rita", "", "", "x"),  # only the name
        ("Sem Nome Igual", "", "", "x"),
    ]
    lines = [(name, doc, phone, f"P{i}", "1,00", "01/12/2026", "")
             for name, doc, phone, _ in people for i in range(3)]
    clean = rows(*lines)
    opts = MergeOptions(file_name="x.csv", now=NOW, today=TODAY, opt_in_source="ficha")

    def compare(session: Any) -> None:
        fast, slow = _Merge(session, opts, None, None), _Merge(session, opts, None, None)
        fast.load(clean)
        slow.load(clean)
        def key(merge: _Merge, debtor: Any) -> Any:
            return None if debtor is None else (debtor.id, merge.new_debtors.index(debtor)
                                                if debtor.new else None)
        for row in clean:
            assert key(fast, fast.resolve(row)) == key(slow, slow._resolve(row)), row
        def state(merge: _Merge) -> Any:
            return ([(key(merge, d), p.e164, pos) for d, p, pos in merge.new_links],
                    [(key(merge, d), p.e164, b) for (d, p), b in merge.links.items()],
                    [(d.name, d.document, d.fill) for d in merge.new_debtors],
                    [(p.e164, p.opt_in_line) for p in merge.phones.values()],
                    [r.line for r in merge.rejected])
        assert state(fast) == state(slow)
    database.run_sync(compare)
