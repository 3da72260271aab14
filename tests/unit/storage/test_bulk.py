"""Bulk loading: explicit ids, summaries, sequences and the all-or-nothing transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Debt, Debtor, Phone
from cobrador_desktop.storage.repos import bulk

TODAY = date(2026, 11, 23)
AT = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)


def _debtor(debtor_id: int, name: str) -> dict[str, Any]:
    return {"id": debtor_id, "name": name, "name_key": name.lower(), "document": None,
            "document_type": None, "email": None, "tags": ["crediário"], "address": None,
            "city": None, "uf": None, "notes": None, "opted_out": False,
            "assigned_operator_id": None, "anonymised_at": None, "created_at": AT,
            "updated_at": AT, "open_cents": 0, "open_debts": 0, "oldest_open_due": None,
            "next_due": None, "last_contact_at": None}


def _debt(debt_id: int, debtor_id: int, amount: int, paid: int, due: date,
          status: str = "open") -> dict[str, Any]:
    return {"id": debt_id, "debtor_id": debtor_id, "external_id": None, "description": "Parcela",
            "amount_cents": amount, "paid_cents": paid, "due_date": due, "status": status,
            "installment_number": None, "installment_count": None, "created_at": AT,
            "updated_at": AT}


def _phone(phone_id: int, e164: str) -> dict[str, Any]:
    return {"id": phone_id, "e164": e164, "kind": "mobile", "wa_id": None,
            "whatsapp_status": "unknown", "whatsapp_checked_at": None, "opted_out": False,
            "opted_out_at": None, "opt_out_source": None, "opt_in_source": None,
            "opt_in_at": None, "opt_in_wording": None, "opt_in_recorded_by": None,
            "suppressed": False, "suppression_source": None, "created_at": AT}


CHUNKS: list[bulk.RowChunk] = [
    ("debtors", [_debtor(10, "Maria José"), _debtor(11, "João")]),
    ("debts", [_debt(100, 10, 15000, 5000, date(2026, 10, 5)),
               _debt(101, 10, 9990, 0, date(2026, 12, 5)),
               _debt(102, 10, 20000, 20000, date(2026, 9, 5), "paid")]),
    ("debts", [_debt(103, 11, 5000, 0, date(2027, 1, 5), "cancelled")]),
    ("phones", []),
]


def test_rows_go_in_with_their_ids_and_summaries_are_computed(database: Database) -> None:
    counts = database.run_sync(lambda s: bulk.insert_dataset(s, CHUNKS, today=TODAY))
    assert counts == {"debtors": 2, "debts": 4}

    def read(session: Session) -> list[tuple[Any, ...]]:
        return [(d.id, d.open_cents, d.open_debts, d.oldest_open_due, d.next_due,
                 d.created_at, d.tags)
                for d in session.scalars(select(Debtor).order_by(Debtor.id))]

    assert database.run_sync(read) == [
        (10, 10000 + 9990, 2, date(2026, 10, 5), date(2026, 12, 5), AT, ["crediário"]),
        (11, 0, 0, None, None, AT, ["crediário"]),
    ]


def test_ids_continue_after_the_loaded_ones(database: Database) -> None:
    database.run_sync(lambda s: bulk.insert_dataset(
        s, [("phones", [_phone(7, "+5511987654321")]), *CHUNKS], today=TODAY))

    def add(session: Session) -> tuple[int, int, int]:
        debtor = Debtor(name="Novo", name_key="novo")
        phone = Phone(e164="+5511987650000")
        session.add_all([debtor, phone])
        session.flush()
        debt = Debt(debtor_id=debtor.id, amount_cents=100, due_date=TODAY)
        session.add(debt)
        session.flush()
        return debtor.id, phone.id, debt.id

    assert database.run_sync(add) == (12, 8, 104)


def test_a_failing_chunk_leaves_nothing_behind(database: Database) -> None:
    duplicate = [("debtors", [_debtor(1, "Ana")]), ("debtors", [_debtor(1, "Ana de novo")])]
    with pytest.raises(IntegrityError):
        database.run_sync(lambda s: bulk.insert_dataset(s, duplicate, today=TODAY))
    assert database.run_sync(lambda s: bulk.table_counts(s, ["debtors"])) == {"debtors": 0}
    assert not database.run_sync(bulk.has_data)


def test_marker_round_trip(database: Database) -> None:
    assert database.run_sync(lambda s: bulk.dataset_marker(s, "demo_dataset")) is None
    database.run_sync(lambda s: bulk.mark_dataset(s, "demo_dataset", {"seed": 1}, AT))
    database.run_sync(lambda s: bulk.mark_dataset(s, "demo_dataset", {"seed": 2}, AT))
    assert database.run_sync(lambda s: bulk.dataset_marker(s, "demo_dataset")) == {"seed": 2}
    # a marker is a setting, not data: the database still counts as unused
    assert not database.run_sync(bulk.has_data)
