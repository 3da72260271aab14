"""The debtor detail repository: one debtor in full, payments and notes, each audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import (
    DebtNotPayable,
    DebtorAnonymised,
    DebtorNotFound,
    NothingOpen,
    Overpayment,
)
from cobrador_desktop.domain.records import (
    DebtorQuery,
    DebtorSort,
    PaymentMethod,
    PaymentRequest,
    TimelineKind,
)
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    AuditEntry,
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    Payment,
    Phone,
)
from cobrador_desktop.storage.repos import audit, debtors
from cobrador_desktop.storage.repos import debtor_detail as repo
from tests.unit.storage.factories import T0, add_debt, add_debtor, add_operator, add_phone

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def _seed(session: Session) -> dict[str, int]:
    """A debtor with every kind of phone, three debts (one partly paid), messages and notes."""
    carla = add_operator(session, "Carla Rezende", "carla")
    debtor = add_debtor(session, "Maria da Silva", document="12345678909", document_type="cpf",
                        email="maria@example.com", address="Rua das Flores, 10",
                        city="Campinas", uf="SP", tags=["crediário"],
                        notes="Prefere contato à tarde.", assigned_operator_id=carla)
    other = add_debtor(session, "João Souza")
    own = add_phone(session, debtor, "+5511987654321", position=0)
    wrong = add_phone(session, debtor, "+5511912345678", position=1, wrong_party=True)
    ref = add_phone(session, debtor, "+551133334444", role="reference", position=2)
    session.get(Phone, own).whatsapp_status = "yes"  # type: ignore[union-attr]
    session.get(Phone, own).opt_in_source = "balcão"  # type: ignore[union-attr]
    session.get(Phone, own).opt_in_at = T0  # type: ignore[union-attr]
    landline = session.get(Phone, ref)
    assert landline is not None
    landline.kind = "landline"
    opted = session.get(Phone, wrong)
    assert opted is not None
    opted.opted_out, opted.suppressed = True, True
    # the own number is shared with another debtor
    session.add(DebtorPhone(debtor_id=other, phone_id=own, role="own", position=0))
    old = add_debt(session, debtor, 30000, date(2026, 9, 10), description="Parcela 1/3",
                   paid_cents=10000)
    mid = add_debt(session, debtor, 30000, date(2026, 10, 10), description="Parcela 2/3")
    new = add_debt(session, debtor, 30000, date(2026, 12, 10), description="Parcela 3/3")
    session.add(Payment(debt_id=old, amount_cents=10000, paid_on=date(2026, 9, 12),
                        method="pix", recorded_by=carla, created_at=T0 + timedelta(days=254)))
    conversation = Conversation(phone_id=own, debtor_id=debtor, status="open")
    session.add(conversation)
    session.flush()
    for i, (direction, status) in enumerate([("out", "read"), ("in", "received"),
                                             ("out", "failed")]):
        session.add(Message(conversation_id=conversation.id, direction=direction,
                            text=f"mensagem {i}", status=status,
                            error_detail="Número sem WhatsApp" if status == "failed" else None,
                            created_at=NOW - timedelta(days=3 - i)))
    audit.append(session, action="debtor.opt_out", operator_id=carla, object_type="debtor",
                 object_id=debtor, details={"phone": "+55119****4321"},
                 now=NOW - timedelta(hours=1))
    audit.append(session, action="debtor.opt_out", operator_id=None, object_type="debtor",
                 object_id=other, details={}, now=NOW)
    debtors.refresh_summaries(session, [debtor, other], TODAY)
    return {"debtor": debtor, "other": other, "carla": carla, "old": old, "mid": mid, "new": new}


def _pay(ids: dict[str, int], amount: int, debt: str | None = None, **kw: Any) -> PaymentRequest:
    return PaymentRequest(debtor_id=ids["debtor"], debt_id=ids[debt] if debt else None,
                          amount_cents=amount, paid_on=kw.pop("paid_on", TODAY),
                          method=kw.pop("method", PaymentMethod.PIX), **kw)


def test_load_shows_identity_phones_debts_payments_and_timeline(database: Database) -> None:
    ids = database.run_sync(_seed)
    detail = database.run_sync(lambda s: repo.load(s, ids["debtor"]))

    assert (detail.name, detail.document, detail.email, detail.city, detail.uf) == (
        "Maria da Silva", "12345678909", "maria@example.com", "Campinas", "SP")
    assert detail.tags == ("crediário",) and detail.operator_name == "Carla Rezende"
    own, wrong, ref = detail.phones
    assert (own.e164, own.whatsapp, own.opt_in_source, own.shared, own.may_message) == (
        "+5511987654321", "yes", "balcão", True, True)
    assert wrong.wrong_party and wrong.opted_out and wrong.suppressed and not wrong.may_message
    assert (ref.role, ref.kind, ref.never_message, ref.may_message) == (
        "reference", "landline", True, False)

    assert [d.description for d in detail.debts] == ["Parcela 1/3", "Parcela 2/3", "Parcela 3/3"]
    first = detail.debts[0]
    assert (first.balance_cents, first.days_late(TODAY)) == (20000, 74)
    assert detail.debts[2].days_late(TODAY) is None
    (payment,) = first.payments
    assert (payment.amount_cents, payment.method, payment.recorded_by_name) == (
        10000, "pix", "Carla Rezende")
    assert detail.balance_cents == detail.open_cents == 80000

    kinds = [e.kind for e in detail.timeline]
    assert kinds[:4] == [TimelineKind.AUDIT, TimelineKind.MESSAGE_OUT, TimelineKind.MESSAGE_IN,
                         TimelineKind.MESSAGE_OUT]
    assert detail.timeline[0].actor == "Carla Rezende"
    assert detail.timeline[1].detail == "Número sem WhatsApp"
    assert sum(e.kind == TimelineKind.AUDIT for e in detail.timeline) == 1  # not the other's
    assert {e.kind for e in detail.timeline} >= {TimelineKind.DEBT, TimelineKind.PAYMENT}
    instants = [e.at for e in detail.timeline]
    assert instants == sorted(instants, reverse=True)
    (note,) = detail.notes
    assert (note.text, note.at, note.author) == ("Prefere contato à tarde.", None, None)


def test_unknown_debtor(database: Database) -> None:
    with pytest.raises(DebtorNotFound):
        database.run_sync(lambda s: repo.load(s, 999))


def _record(database: Database, request: PaymentRequest, operator: int | None = None
            ) -> tuple[int, ...]:
    return database.run_sync(lambda s: repo.record_payment(
        s, request, operator_id=operator, now=NOW, today=TODAY))


def test_partial_payment_updates_debt_summary_and_audit(database: Database) -> None:
    ids = database.run_sync(_seed)
    (payment_id,) = _record(database, _pay(ids, 5000, "mid", note="pagou no balcão"))

    detail = database.run_sync(lambda s: repo.load(s, ids["debtor"]))
    mid = detail.debts[1]
    assert (mid.paid_cents, mid.status, mid.balance_cents) == (5000, "open", 25000)
    (payment,) = mid.payments
    assert (payment.id, payment.note, payment.recorded_by, payment.created_at) == (
        payment_id, "pagou no balcão", None, NOW)
    assert detail.open_cents == 75000  # the list's summary, refreshed in the same transaction
    page = database.run_sync(lambda s: debtors.list_page(
        s, sort=DebtorSort.NAME, after=None, limit=5, query=DebtorQuery("Maria"), today=TODAY))
    assert page.rows[0].open_cents == 75000

    def entry(session: Session) -> AuditEntry:
        return session.scalars(select(AuditEntry).where(
            AuditEntry.action == repo.PAYMENT_ACTION)).one()

    logged = database.run_sync(entry)
    assert (logged.operator_id, logged.object_type, logged.object_id) == (
        None, "debtor", str(ids["debtor"]))
    assert logged.details["amount_cents"] == 5000 and logged.details["with_note"] is True
    assert "pagou" not in str(logged.details)  # the note's words stay out of the audit log
    assert database.run_sync(audit.verify_chain)
    # the payment is in the timeline once, with its method, not twice via the audit entry
    shown = [e for e in detail.timeline if e.kind == TimelineKind.PAYMENT and e.ref_id == payment_id]
    assert len(shown) == 1 and shown[0].status == "pix"


def test_paying_the_balance_marks_the_debt_paid(database: Database) -> None:
    ids = database.run_sync(_seed)
    _record(database, _pay(ids, 20000, "old"), operator=ids["carla"])
    detail = database.run_sync(lambda s: repo.load(s, ids["debtor"]))
    old = detail.debts[0]
    assert (old.status, old.paid_cents, old.balance_cents) == ("paid", 30000, 0)
    assert old.payments[-1].recorded_by_name == "Carla Rezende"
    assert detail.open_cents == 60000
    with pytest.raises(DebtNotPayable, match="paga"):
        _record(database, _pay(ids, 100, "old"))


def test_overpayment_is_refused_and_changes_nothing(database: Database) -> None:
    ids = database.run_sync(_seed)
    with pytest.raises(Overpayment) as caught:
        _record(database, _pay(ids, 30001, "mid"))
    assert caught.value.message == (
        "O pagamento de R$ 300,01 é maior que o saldo em aberto (R$ 300,00).")
    with pytest.raises(Overpayment):
        _record(database, _pay(ids, 80001))  # more than everything open
    counts = database.run_sync(lambda s: (
        len(s.scalars(select(Payment)).all()), len(s.scalars(select(AuditEntry)).all()),
        s.get(Debt, ids["mid"]).paid_cents))  # type: ignore[union-attr]
    assert counts == (1, 2, 0)


def test_without_a_debt_pays_the_oldest_first(database: Database) -> None:
    ids = database.run_sync(_seed)
    payment_ids = _record(database, _pay(ids, 25000))
    assert len(payment_ids) == 2
    detail = database.run_sync(lambda s: repo.load(s, ids["debtor"]))
    old, mid, new = detail.debts
    assert (old.status, old.balance_cents) == ("paid", 0)
    assert (mid.status, mid.balance_cents, new.balance_cents) == ("open", 25000, 30000)


def test_cancelled_debts_and_other_debtors_debts_are_not_payable(database: Database) -> None:
    ids = database.run_sync(_seed)

    def cancel_all(session: Session) -> int:
        for debt in session.scalars(select(Debt).where(Debt.debtor_id == ids["debtor"])):
            debt.status = "cancelled"
        return add_debt(session, ids["other"], 1000, TODAY)

    foreign = database.run_sync(cancel_all)
    with pytest.raises(DebtNotPayable, match="cancelada"):
        _record(database, _pay(ids, 100, "mid"))
    with pytest.raises(NothingOpen):
        _record(database, _pay(ids, 100))
    with pytest.raises(NothingOpen):
        _record(database, PaymentRequest(ids["debtor"], foreign, 100, TODAY, PaymentMethod.PIX))
    with pytest.raises(DebtorNotFound):
        _record(database, PaymentRequest(999, None, 100, TODAY, PaymentMethod.PIX))


def test_notes_are_stamped_audited_and_kept_in_order(database: Database) -> None:
    ids = database.run_sync(_seed)
    database.run_sync(lambda s: repo.add_note(s, ids["debtor"], "  Ligou dizendo que paga\n\n\n"
                                              "na sexta.  ", operator_id=ids["carla"], now=NOW))
    later = NOW + timedelta(minutes=5)
    database.run_sync(lambda s: repo.add_note(s, ids["debtor"], "[2026-01-01 10:00 UTC]",
                                              operator_id=None, now=later))
    detail = database.run_sync(lambda s: repo.load(s, ids["debtor"]))
    imported, first, second = detail.notes
    assert imported.at is None
    assert (first.text, first.at, first.author) == ("Ligou dizendo que paga\n\nna sexta.", NOW,
                                                    "Carla Rezende")
    assert (second.text, second.at, second.author) == ("[2026-01-01 10:00 UTC]", later, None)
    assert detail.timeline[0].kind == TimelineKind.NOTE
    actions = database.run_sync(lambda s: [(a.action, a.operator_id, a.details) for a in s.scalars(
        select(AuditEntry).where(AuditEntry.action == repo.NOTE_ACTION).order_by(AuditEntry.id))])
    assert actions == [(repo.NOTE_ACTION, ids["carla"], {"chars": 33}),
                       (repo.NOTE_ACTION, None, {"chars": 22})]


def test_no_notes_on_an_anonymised_debtor(database: Database) -> None:
    ids = database.run_sync(_seed)

    def anonymise(session: Session) -> None:
        debtor = session.get(Debtor, ids["debtor"])
        assert debtor is not None
        debtor.anonymised_at = NOW

    database.run_sync(anonymise)
    with pytest.raises(DebtorAnonymised):
        database.run_sync(lambda s: repo.add_note(s, ids["debtor"], "x", operator_id=None,
                                                  now=NOW))
    with pytest.raises(DebtorNotFound):
        database.run_sync(lambda s: repo.add_note(s, 999, "x", operator_id=None, now=NOW))
