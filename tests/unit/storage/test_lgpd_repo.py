"""LGPD: one person's data in full, and anonymisation that keeps the accounts and the blocks."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import DebtorNotFound
from cobrador_desktop.domain.records import DebtorQuery, DebtorSort
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    AuditEntry,
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    OutboxItem,
    Payment,
    Phone,
    PhoneBlock,
    Promise,
    ReguaSend,
    Setting,
    Task,
)
from cobrador_desktop.storage.repos import audit, debtors
from cobrador_desktop.storage.repos import lgpd as repo
from tests.unit.storage.factories import T0, add_debt, add_debtor, add_phone

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
OPTED = "+5511987654321"
PLAIN = "+5511912345678"
WRONG = "+5521998887777"


def _person(session: Session) -> dict[str, int]:
    """Maria with three numbers (one opted out, one plain, one "não sou eu"), a debt partly paid,
    a promise, and a conversation with two messages and a queued send."""
    debtor = add_debtor(session, "Maria Aparecida da Silva", document="52998224725",
                        document_type="cpf", email="maria@example.com", address="Rua A, 10",
                        city="Campinas", uf="SP", notes="cliente desde 2019", tags=["vip"])
    opted = add_phone(session, debtor, OPTED)
    plain = add_phone(session, debtor, PLAIN, position=1)
    add_phone(session, debtor, WRONG, position=2, wrong_party=True)
    phone = session.get(Phone, opted)
    assert phone is not None
    phone.opted_out = True
    phone.opt_in_source = "balcão"
    phone.opt_in_wording = "Aceito receber cobranças pelo WhatsApp"
    debt = add_debt(session, debtor, 15000, date(2026, 10, 1), description="Geladeira 1/3")
    session.add(Payment(debt_id=debt, amount_cents=5000, paid_on=date(2026, 10, 5),
                        method="pix", note="pago pela irmã Joana"))
    session.get_one(Debt, debt).paid_cents = 5000
    session.add(Promise(debtor_id=debtor, amount_cents=10000, due_date=date(2026, 12, 1),
                        note="vai pagar com o 13º"))
    conversation = Conversation(phone_id=plain, debtor_id=debtor, status="open")
    session.add(conversation)
    session.flush()
    out = Message(conversation_id=conversation.id, wamid="wamid.A", direction="out",
                  text="Olá Maria, sua parcela venceu", status="queued", created_at=T0)
    inbound = Message(conversation_id=conversation.id, wamid="wamid.B", direction="in",
                      text="Pago sexta, sou a Maria", status="received", created_at=T0)
    session.add_all([out, inbound])
    session.flush()
    session.add(OutboxItem(message_id=out.id, to=PLAIN, request={"to": PLAIN}, purpose="x",
                           kind="text", state="queued"))
    audit.append(session, action="debtor.note", operator_id=None, object_type="debtor",
                 object_id=debtor, details={}, now=T0)
    session.add(ReguaSend(debt_id=debt, debtor_id=debtor, phone_id=plain, step="D+7",
                          purpose="overdue", template="parcela_em_atraso_v1",
                          planned_for=date(2026, 10, 8), state="blocked",
                          reason_code="CONTENT_ABUSIVE",
                          decision={"reasons": [{"params": {"trecho": "Maria, pague"}}]}))
    session.add(Task(debtor_id=debtor, phone_id=plain, kind="call",
                     note="Maria prefere ligação depois das 18h"))
    debtors.refresh_summaries(session, [debtor], TODAY)
    return {"debtor": debtor, "debt": debt, "conversation": conversation.id}


def test_person_data_holds_identity_phones_with_flags_debts_payments_and_messages(
        database: Database) -> None:
    ids = database.run_sync(_person)
    data = database.run_sync(lambda s: repo.person_data(s, ids["debtor"]))
    json.dumps(data)  # JSON-able as it is
    assert data["identity"]["name"] == "Maria Aparecida da Silva"
    assert data["identity"]["document"] == "52998224725"
    phones = {p["e164"]: p for p in data["phones"]}
    assert phones[OPTED]["opted_out"] is True
    assert phones[OPTED]["opt_in"]["wording"] == "Aceito receber cobranças pelo WhatsApp"
    assert phones[WRONG]["wrong_party"] is True
    assert data["debts"][0]["payments"][0]["amount_cents"] == 5000
    assert data["promises"][0]["amount_cents"] == 10000
    texts = [m["text"] for m in data["conversations"][0]["messages"]]
    assert "Pago sexta, sou a Maria" in texts
    assert [e["action"] for e in data["audit"]] == ["debtor.note"]
    assert [(r["step"], r["state"], r["planned_for"]) for r in data["reminders"]] == [
        ("D+7", "blocked", "2026-10-08")]
    assert [(t["kind"], t["note"]) for t in data["tasks"]] == [
        ("call", "Maria prefere ligação depois das 18h")]


def test_person_data_of_an_unknown_debtor_is_refused(database: Database) -> None:
    with pytest.raises(DebtorNotFound):
        database.run_sync(lambda s: repo.person_data(s, 999))


def _anonymise(database: Database, debtor_id: int) -> repo.AnonymiseResult:
    return database.run_sync(lambda s: repo.anonymise(s, debtor_id, now=NOW, today=TODAY,
                                                      operator_id=None))


def test_anonymise_keeps_the_accounts_and_removes_who_the_person_was(database: Database) -> None:
    ids = database.run_sync(_person)
    result = _anonymise(database, ids["debtor"])
    assert (result.phones_removed, result.blocks, result.messages_cleared) == (3, 2, 2)

    def check(session: Session) -> None:
        debtor = session.get_one(Debtor, ids["debtor"])
        assert debtor.name == f"Titular anonimizado nº {ids['debtor']}"
        assert (debtor.document, debtor.email, debtor.address, debtor.notes, debtor.city) == (
            None, None, None, None, None)
        assert debtor.tags == []
        assert debtor.anonymised_at == NOW
        debt = session.get_one(Debt, ids["debt"])
        assert (debt.amount_cents, debt.paid_cents, debt.due_date) == (
            15000, 5000, date(2026, 10, 1))
        payment = session.scalars(select(Payment)).one()
        assert (payment.amount_cents, payment.note) == (5000, None)
        assert session.scalars(select(Promise.note)).one() is None
        assert session.scalars(select(Task.note)).one() is None
        reminder = session.scalars(select(ReguaSend)).one()
        assert (reminder.step, reminder.reason_code, reminder.decision) == (
            "D+7", "CONTENT_ABUSIVE", None)
        assert session.scalar(select(func.count()).select_from(DebtorPhone)) == 0
        numbers = set(session.scalars(select(Phone.e164)))
        assert not numbers & {OPTED, PLAIN, WRONG}
        conversation = session.get_one(Conversation, ids["conversation"])
        assert conversation.debtor_id is None
        messages = session.scalars(select(Message)).all()
        assert {m.text for m in messages} == {""}
        assert {m.status for m in messages} == {"queued", "received"}
        outbox = session.scalars(select(OutboxItem)).one()
        assert (outbox.state, outbox.to, outbox.request) == ("cancelled", "", {})
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "debtor.anonymise"
        assert entry.object_id == str(ids["debtor"])
        assert "Maria" not in json.dumps(entry.details) and OPTED not in json.dumps(entry.details)
        assert audit.verify_chain(session)

    database.run_sync(check)
    # the list's search forgets the name and the document
    for text in ("maria", "52998224725", "987654321"):
        page = database.run_sync(lambda s, t=text: debtors.list_page(
            s, sort=DebtorSort.NAME, after=None, limit=10, query=DebtorQuery(text=t),
            today=TODAY))
        assert page.rows == (), text


def test_only_flagged_numbers_leave_a_salted_hash_block(database: Database) -> None:
    ids = database.run_sync(_person)
    _anonymise(database, ids["debtor"])

    def check(session: Session) -> dict[str, Any]:
        salt = bytes.fromhex(session.get_one(Setting, repo.SALT_KEY).value["salt"])
        assert len(salt) == 32
        blocks = {b.phone_hash: b for b in session.scalars(select(PhoneBlock))}
        opted = blocks[hashlib.sha256(salt + OPTED.encode()).hexdigest()]
        wrong = blocks[hashlib.sha256(salt + WRONG.encode()).hexdigest()]
        assert (opted.opted_out, opted.wrong_party, opted.suppressed) == (True, False, False)
        assert (wrong.opted_out, wrong.wrong_party) == (False, True)
        assert len(blocks) == 2  # the plain number leaves nothing behind
        return {
            number: repo.phone_block_for(session, number) is not None
            for number in (OPTED, WRONG, PLAIN)}

    assert database.run_sync(check) == {OPTED: True, WRONG: True, PLAIN: False}


def test_phone_block_for_finds_nothing_before_any_anonymisation(database: Database) -> None:
    assert database.run_sync(lambda s: repo.phone_block_for(s, OPTED)) is None
    # and looking does not create the salt
    assert database.run_sync(lambda s: s.get(Setting, repo.SALT_KEY)) is None


def test_the_salt_is_made_once_and_kept(database: Database) -> None:
    first = database.run_sync(lambda s: repo.phone_hash(s, OPTED))
    again = database.run_sync(lambda s: repo.phone_hash(s, OPTED))
    assert first == again != hashlib.sha256(OPTED.encode()).hexdigest()


def test_a_person_who_opted_out_blocks_all_their_own_numbers(database: Database) -> None:
    def make(session: Session) -> int:
        debtor = add_debtor(session, "João", opted_out=True)
        add_phone(session, debtor, PLAIN)
        return debtor

    debtor = database.run_sync(make)
    assert _anonymise(database, debtor).blocks == 1
    block = database.run_sync(lambda s: repo.phone_block_for(s, PLAIN))
    assert block is not None and block.opted_out


def test_a_number_shared_with_another_debtor_stays_theirs(database: Database) -> None:
    def make(session: Session) -> tuple[int, int]:
        maria = add_debtor(session, "Maria")
        phone = add_phone(session, maria, PLAIN)
        jose = add_debtor(session, "José")
        session.add(DebtorPhone(debtor_id=jose, phone_id=phone, role="own"))
        return maria, jose

    maria, jose = database.run_sync(make)
    _anonymise(database, maria)
    left = database.run_sync(lambda s: s.execute(
        select(DebtorPhone.debtor_id, Phone.e164).join(Phone)).all())
    assert [tuple(r) for r in left] == [(jose, PLAIN)]


def test_anonymising_twice_changes_nothing_more(database: Database) -> None:
    ids = database.run_sync(_person)
    _anonymise(database, ids["debtor"])
    again = _anonymise(database, ids["debtor"])
    assert again.already
    count = database.run_sync(lambda s: s.scalar(
        select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == repo.ANONYMISE_ACTION)))
    assert count == 1


def test_anonymise_an_unknown_debtor_is_refused(database: Database) -> None:
    with pytest.raises(DebtorNotFound):
        _anonymise(database, 424242)


def test_blocks_for_a_batch_of_numbers(database: Database) -> None:
    assert database.run_sync(lambda s: repo.blocks_for(s, [OPTED])) == {}
    ids = database.run_sync(_person)
    _anonymise(database, ids["debtor"])
    found = database.run_sync(lambda s: {
        n: (b.opted_out, b.wrong_party) for n, b in repo.blocks_for(
            s, [OPTED, WRONG, PLAIN, "+5511900000000"]).items()})
    assert found == {OPTED: (True, False), WRONG: (False, True)}


def test_a_reimported_number_comes_back_with_the_blocks_it_left(database: Database) -> None:
    """LGPD erased the person, not the "stop" they said: the shop's old spreadsheet brings the
    numbers back, and they come back opted out and "não sou eu" (COMPLIANCE.md)."""
    from functools import partial

    from cobrador_desktop.domain.import_columns import match_columns
    from cobrador_desktop.domain.importing import CleanRow, RowValidator
    from cobrador_desktop.storage.repos.importer import MergeOptions, merge_rows

    ids = database.run_sync(_person)
    _anonymise(database, ids["debtor"])
    validator = RowValidator(match_columns(["nome", "telefone", "valor", "vencimento"]))
    rows = [validator.validate(n, [name, phone, "10,00", "05/12/2026"]) for n, (name, phone) in
            enumerate([("Maria Silva", OPTED), ("Maria Silva", WRONG),
                       ("Maria Silva", PLAIN)], 2)]
    assert all(isinstance(r, CleanRow) for r in rows)
    options = MergeOptions(file_name="antiga.csv", now=NOW, today=TODAY,
                           opt_in_source="ficha assinada")
    database.run_sync(partial(merge_rows, rows=rows, options=options))

    def check(session: Session) -> dict[str, tuple[bool, bool, bool, bool]]:
        found = session.execute(select(Phone.e164, Phone.opted_out, Phone.suppressed,
                                       Phone.opt_in_source.is_not(None), DebtorPhone.wrong_party)
                                .join(DebtorPhone, DebtorPhone.phone_id == Phone.id)
                                .where(Phone.e164.in_([OPTED, WRONG, PLAIN]))).all()
        return {e164: (opted, suppressed, evidence, wrong)
                for e164, opted, suppressed, evidence, wrong in found}

    assert database.run_sync(check) == {
        OPTED: (True, False, False, False),  # opted out again, and no opt-in evidence given
        WRONG: (False, False, False, True),  # linked, but "não sou eu", and no consent taken
        PLAIN: (False, False, True, False),  # nothing was said about it: a normal number
    }
