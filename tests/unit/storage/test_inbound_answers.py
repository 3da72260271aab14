"""A debtor's answer applied in the transaction that stores it, on both databases (COMPLIANCE §3):
"Sou eu", "Não sou eu", PARAR and VOLTAR by button and by text, each audited with its wamid, with
one reply queued through the send guard."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.webhook_events import InboundMessage
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    AuditEntry,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    Task,
)
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.inbound_answers import (
    confirm_identity_by_hand,
    opt_out_by_hand,
)
from cobrador_desktop.storage.repos.ingest import IngestSummary, ingest_events, store_delivery
from cobrador_desktop.storage.repos.settings import write_shop
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
MARIA = "+5511987654321"
WA_ID = "5511987654321"


def answer(wamid: str, text: str, *, type_: str = "text", payload: str | None = None,
           at: datetime = T, wa_id: str = WA_ID, context: str | None = None) -> InboundMessage:
    return InboundMessage(
        phone_number_id="1122334455667", wamid=wamid, from_wa_id=wa_id, from_user_id=None,
        timestamp=at, type=type_, text=text, payload=payload, context_wamid=context,
        profile_name="Maria", errors=(), raw={"id": wamid})


def ingest(db: Database, *events: InboundMessage, at: datetime = T) -> IngestSummary:
    def work(session: Session) -> IngestSummary:
        delivery = store_delivery(session, b"{}", received_at=at, parsed_ok=True, problem=None,
                                  events=len(events))
        return ingest_events(session, events, delivery_id=delivery, received_at=at)
    return db.run_sync(work)


def maria(db: Database) -> tuple[int, int, int]:
    """A debtor with a debt and her own phone: (debtor id, phone id, debt id)."""
    def work(s: Session) -> tuple[int, int, int]:
        debtor = add_debtor(s, "Maria Souza")
        return debtor, add_phone(s, debtor, MARIA), add_debt(s, debtor, 8990, date(2026, 11, 10))
    return db.run_sync(work)


def link(db: Database, debtor: int, phone: int) -> dict[str, Any]:
    def work(s: Session) -> dict[str, Any]:
        row = s.scalar(select(DebtorPhone).where(DebtorPhone.debtor_id == debtor,
                                                 DebtorPhone.phone_id == phone))
        assert row is not None
        return {"cpc_status": row.cpc_status, "cpc_at": row.cpc_at,
                "cpc_message_id": row.cpc_message_id, "wrong_party": row.wrong_party,
                "wrong_party_at": row.wrong_party_at}
    return db.run_sync(work)


def phone_flags(db: Database, phone: int) -> dict[str, Any]:
    def work(s: Session) -> dict[str, Any]:
        row = s.get(Phone, phone)
        assert row is not None
        return {c: getattr(row, c) for c in (
            "opted_out", "opted_out_at", "opt_out_source", "opt_in_source", "opt_in_at",
            "opt_in_wording", "suppressed")}
    return db.run_sync(work)


def replies(db: Database) -> list[tuple[str, str, str, str]]:
    """(purpose, kind, state, text) of every outbound row, in order."""
    return [tuple(r) for r in db.run_sync(lambda s: s.execute(  # type: ignore[misc]
        select(OutboxItem.purpose, OutboxItem.kind, OutboxItem.state, Message.text)
        .join(Message, Message.id == OutboxItem.message_id).order_by(OutboxItem.id)).all())]


def audits(db: Database) -> list[tuple[str, str | None, dict[str, Any]]]:
    def work(s: Session) -> list[tuple[str, str | None, dict[str, Any]]]:
        assert audit.verify_chain(s)
        return [(e.action, e.object_id, e.details)
                for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    return db.run_sync(work)


def tasks(db: Database) -> list[tuple[int, int | None, str]]:
    return [tuple(r) for r in db.run_sync(lambda s: s.execute(  # type: ignore[misc]
        select(Task.debtor_id, Task.phone_id, Task.kind).order_by(Task.id)).all())]


OPT_OUT_REPLY = ("Pronto. A loja não enviará mais mensagens para este número. Se quiser voltar "
                 "a receber, envie VOLTAR.")
OPT_IN_REPLY = ("Certo! Você voltará a receber mensagens da loja neste número. Para parar a "
                "qualquer momento, envie PARAR.")
WRONG_PARTY_REPLY = ("Obrigado por avisar e desculpe o incômodo. Este número foi retirado do "
                     "nosso cadastro e você não receberá mais mensagens nossas sobre este assunto.")


# --------------------------------------------------------------------------- Sou eu


@pytest.mark.parametrize(("text", "type_", "payload"), [
    ("Sou eu", "button", "CPC_YES:d{debt}"),
    ("Sou eu", "button", "SOU_EU:d{debt}"),
    ("sou eu!", "text", None),
    ("SIM, SOU EU", "text", None),
])
def test_sou_eu_confirms_the_link_with_the_message_id(database: Database, text: str, type_: str,
                                                     payload: str | None) -> None:
    debtor, phone, debt = maria(database)
    summary = ingest(database, answer("wamid.YES", text, type_=type_,
                                      payload=payload.format(debt=debt) if payload else None))
    assert summary.answers_applied == 1
    assert link(database, debtor, phone) == {
        "cpc_status": "confirmed", "cpc_at": T, "cpc_message_id": "wamid.YES",
        "wrong_party": False, "wrong_party_at": None}
    assert replies(database) == []  # the window is open: the operator or the next step goes on
    [(action, object_id, details)] = audits(database)
    assert (action, object_id) == ("phone.cpc_confirmed", str(debtor))
    assert details["message"] == "wamid.YES" and details["phone_id"] == phone
    assert details["via"] == ("button" if payload else "text")


def test_a_button_names_the_debtor_on_a_shared_number(database: Database) -> None:
    def work(s: Session) -> tuple[int, int, int, int]:
        ana, bia = add_debtor(s, "Ana"), add_debtor(s, "Bia")
        phone = add_phone(s, ana, MARIA)
        s.add(DebtorPhone(debtor_id=bia, phone_id=phone, role="own"))
        return ana, bia, phone, add_debt(s, bia, 1000, date(2026, 11, 1))
    ana, bia, phone, bia_debt = database.run_sync(work)
    ingest(database, answer("wamid.T1", "Sou eu"))  # shared number, no button: nobody decided
    assert link(database, ana, phone)["cpc_status"] == "unverified"
    assert link(database, bia, phone)["cpc_status"] == "unverified"
    ingest(database, answer("wamid.T2", "Sou eu", type_="button", payload=f"CPC_YES:d{bia_debt}"))
    assert link(database, ana, phone)["cpc_status"] == "unverified"
    assert link(database, bia, phone)["cpc_status"] == "confirmed"


def test_an_operator_confirms_by_hand_with_a_note(database: Database) -> None:
    debtor, phone, _ = maria(database)
    assert database.run_sync(lambda s: confirm_identity_by_hand(
        s, debtor_id=debtor, phone_id=phone, operator_id=None,
        note="Disse o CPF parcial e a data da compra", now=T))
    assert link(database, debtor, phone)["cpc_status"] == "confirmed"
    assert link(database, debtor, phone)["cpc_message_id"] is None
    [(action, _, details)] = audits(database)
    assert action == "phone.cpc_confirmed" and details["via"] == "operator"
    assert details["note"] == "Disse o CPF parcial e a data da compra"
    with pytest.raises(ValueError):
        database.run_sync(lambda s: confirm_identity_by_hand(
            s, debtor_id=debtor, phone_id=phone, operator_id=None, note="  ", now=T))


# --------------------------------------------------------------------------- Não sou eu


@pytest.mark.parametrize(("text", "type_", "payload"), [
    ("Não sou eu", "button", "CPC_NO:d{debt}"),
    ("Não sou eu", "button", "NAO_SOU:d{debt}"),
    ("NÃO SOU EU!!", "text", None),
    ("nao sou eu", "text", None),
    ("Número errado.", "text", None),
    ("não conheço", "text", None),
    ("Engano", "text", None),
])
def test_nao_sou_eu_marks_wrong_party_opens_a_task_and_queues_one_reply(
        database: Database, text: str, type_: str, payload: str | None) -> None:
    debtor, phone, debt = maria(database)
    ingest(database, answer("wamid.NO", text, type_=type_,
                            payload=payload.format(debt=debt) if payload else None))
    assert link(database, debtor, phone) == {
        "cpc_status": "denied", "cpc_at": T, "cpc_message_id": "wamid.NO",
        "wrong_party": True, "wrong_party_at": T}
    assert tasks(database) == [(debtor, phone, "find_phone")]
    assert replies(database) == [("system_reply", "reply", "queued", WRONG_PARTY_REPLY)]
    [(action, object_id, details)] = audits(database)
    assert (action, object_id) == ("phone.wrong_party", str(debtor))
    assert details["message"] == "wamid.NO" and details["reply_outbox_id"] is not None


def test_a_confirmed_link_later_answered_nao_sou_eu_becomes_wrong_party(
        database: Database) -> None:
    debtor, phone, _ = maria(database)
    ingest(database, answer("wamid.1", "Sou eu"))
    later = T + timedelta(days=40)  # the number changed hands
    ingest(database, answer("wamid.2", "não sou eu", at=later), at=later)
    assert link(database, debtor, phone) == {
        "cpc_status": "denied", "cpc_at": later, "cpc_message_id": "wamid.2",
        "wrong_party": True, "wrong_party_at": later}
    assert [a[0] for a in audits(database)] == ["phone.cpc_confirmed", "phone.wrong_party"]
    assert audits(database)[1][2]["previous"] == "confirmed"
    assert len(replies(database)) == 1


def test_saying_it_again_gets_no_second_reply_and_never_confirms(database: Database) -> None:
    debtor, phone, _ = maria(database)
    ingest(database, answer("wamid.1", "Não sou eu"))
    ingest(database, answer("wamid.2", "Não sou eu", at=T + timedelta(minutes=1)))
    ingest(database, answer("wamid.3", "Sou eu", at=T + timedelta(minutes=2)))
    assert link(database, debtor, phone)["wrong_party"] is True
    assert link(database, debtor, phone)["cpc_status"] == "denied"
    assert len(replies(database)) == 1 and len(tasks(database)) == 1
    assert [a[0] for a in audits(database)] == ["phone.wrong_party"]


# --------------------------------------------------------------------------- PARAR / VOLTAR


@pytest.mark.parametrize(("text", "type_", "payload", "keyword"), [
    ("Parar mensagens", "button", "STOP:d1", "STOP"),
    ("PARAR", "text", None, "parar"),
    ("Pare!", "text", None, "pare"),
    ("sair", "text", None, "sair"),
    ("Stop.", "text", None, "stop"),
    ("Cancelar", "text", None, "cancelar"),
    ("DESCADASTRAR", "text", None, "descadastrar"),
    ("Não quero receber", "text", None, "nao quero receber"),
    ("não quero mais receber!", "text", None, "nao quero mais receber"),
    ("Pare de mandar mensagem", "text", None, "pare de mandar mensagem"),
])
def test_a_stop_word_opts_the_phone_out_with_one_confirmation(
        database: Database, text: str, type_: str, payload: str | None, keyword: str) -> None:
    debtor, phone, _ = maria(database)
    ingest(database, answer("wamid.STOP", text, type_=type_, payload=payload))
    flags = phone_flags(database, phone)
    assert flags["opted_out"] is True and flags["opted_out_at"] == T
    assert flags["opt_out_source"] == f"WhatsApp: {keyword} (wamid.STOP)"
    assert replies(database) == [("system_reply", "reply", "queued", OPT_OUT_REPLY)]
    [(action, object_id, details)] = audits(database)
    assert (action, object_id) == ("phone.opt_out", str(phone))
    assert details["keyword"] == keyword and details["message"] == "wamid.STOP"
    assert link(database, debtor, phone)["wrong_party"] is False  # the debt stays open


def test_the_confirmations_name_the_shop_by_its_trade_name(database: Database) -> None:
    maria(database)
    database.run_sync(lambda s: write_shop(s, {
        "trade_name": "Loja Exemplo", "legal_name": "Loja Exemplo Comércio Ltda",
        "document": "12.345.678/0001-95", "address": "Rua A, 1, São Paulo - SP"},
        operator_id=None, now=T))
    ingest(database, answer("wamid.1", "PARAR"))
    ingest(database, answer("wamid.2", "VOLTAR", at=T + timedelta(minutes=5)))
    assert [r[3] for r in replies(database)] == [
        OPT_OUT_REPLY.replace("A loja", "A Loja Exemplo"),
        OPT_IN_REPLY.replace("da loja", "da Loja Exemplo")]


def test_a_stop_word_inside_a_longer_text_is_flagged_not_applied(database: Database) -> None:
    _, phone, _ = maria(database)
    ingest(database, answer("wamid.L", "Quero cancelar a compra que fiz ontem"))
    assert phone_flags(database, phone)["opted_out"] is False
    assert replies(database) == [] and audits(database) == []
    payload = database.run_sync(lambda s: s.scalar(
        select(Message.payload).where(Message.wamid == "wamid.L")))
    assert payload is not None and payload["answer"] == {"intent": "possible_opt_out", "keyword": "cancelar",
                                 "by_button": False, "debt_id": None}


def test_an_operator_registers_a_flagged_opt_out_with_one_confirmation(
        database: Database) -> None:
    _, phone, _ = maria(database)
    ingest(database, answer("wamid.L", "quero cancelar, não me mande mais nada"))
    outbox_id = database.run_sync(lambda s: opt_out_by_hand(
        s, phone_id=phone, operator_id=None, source="pedido no WhatsApp (registrado)",
        message_wamid="wamid.L", now=T + timedelta(minutes=3)))
    assert outbox_id is not None
    flags = phone_flags(database, phone)
    assert flags["opted_out"] is True and flags["opted_out_at"] == T + timedelta(minutes=3)
    assert flags["opt_out_source"] == "pedido no WhatsApp (registrado)"
    assert replies(database) == [("system_reply", "reply", "queued", OPT_OUT_REPLY)]
    [(action, object_id, details)] = audits(database)
    assert (action, object_id, details["via"], details["message"]) == (
        "phone.opt_out", str(phone), "operator", "wamid.L")
    with pytest.raises(ValueError):
        database.run_sync(lambda s: opt_out_by_hand(
            s, phone_id=phone, operator_id=None, source="de novo", now=T))


def test_an_opt_out_made_in_the_shop_is_recorded_without_a_message(database: Database) -> None:
    _, phone, _ = maria(database)  # never wrote: no conversation, nothing to confirm in
    assert database.run_sync(lambda s: opt_out_by_hand(
        s, phone_id=phone, operator_id=None, source="pediu no balcão da loja", now=T)) is None
    assert phone_flags(database, phone)["opted_out"] is True
    assert replies(database) == []
    assert [a[0] for a in audits(database)] == ["phone.opt_out"]


def test_parar_twice_confirms_once(database: Database) -> None:
    _, phone, _ = maria(database)
    ingest(database, answer("wamid.1", "PARAR"), answer("wamid.2", "sair",
                                                         at=T + timedelta(seconds=3)))
    assert phone_flags(database, phone)["opt_out_source"] == "WhatsApp: parar (wamid.1)"
    assert len(replies(database)) == 1 and len(audits(database)) == 1


@pytest.mark.parametrize("text", ["VOLTAR", "voltar a receber", "Start!"])
def test_voltar_after_parar_opts_back_in_with_new_evidence(database: Database, text: str) -> None:
    _, phone, _ = maria(database)
    ingest(database, answer("wamid.1", "PARAR"))
    later = T + timedelta(hours=2)
    ingest(database, answer("wamid.2", text, at=later), at=later)
    flags = phone_flags(database, phone)
    assert flags["opted_out"] is False and flags["opted_out_at"] is None
    assert flags["opt_in_source"] == "pedido do titular via WhatsApp"
    assert flags["opt_in_at"] == later and flags["opt_in_wording"] == text
    assert [r[3] for r in replies(database)] == [OPT_OUT_REPLY, OPT_IN_REPLY]
    actions = audits(database)
    assert [a[0] for a in actions] == ["phone.opt_out", "phone.opt_in"]
    assert actions[1][2]["previous_source"] == "WhatsApp: parar (wamid.1)"
    assert actions[1][2]["message"] == "wamid.2"


def test_voltar_without_an_opt_out_changes_nothing(database: Database) -> None:
    _, phone, _ = maria(database)
    ingest(database, answer("wamid.1", "voltar"))
    assert phone_flags(database, phone)["opt_in_source"] is None
    assert replies(database) == [] and audits(database) == []


def test_voltar_never_clears_a_wrong_party_or_a_suppression(database: Database) -> None:
    debtor, phone, _ = maria(database)

    def suppress(s: Session) -> None:
        row = s.get(Phone, phone)
        assert row is not None
        row.suppressed, row.suppression_source = True, "lista do Procon"
    database.run_sync(suppress)
    ingest(database, answer("wamid.1", "Não sou eu"))
    ingest(database, answer("wamid.2", "PARAR", at=T + timedelta(minutes=1)))
    ingest(database, answer("wamid.3", "VOLTAR", at=T + timedelta(minutes=2)))
    assert link(database, debtor, phone)["wrong_party"] is True
    flags = phone_flags(database, phone)
    assert flags["suppressed"] is True and flags["opted_out"] is False
    # one reply (to "não sou eu"), then silence: the later confirmations are refused by the guard
    assert [r[3] for r in replies(database)] == [WRONG_PARTY_REPLY]
    entries = audits(database)
    assert [a[0] for a in entries] == ["phone.wrong_party", "phone.opt_out", "phone.opt_in"]
    assert entries[1][2]["reply_blocked"] == "PHONE_WRONG_PARTY"


def test_an_unknown_number_can_opt_out(database: Database) -> None:
    ingest(database, answer("wamid.X", "parar", wa_id="5511912345678"))
    phone = database.run_sync(lambda s: s.scalar(
        select(Phone).where(Phone.e164 == "+5511912345678")))
    assert phone is not None and phone.opted_out
    assert len(replies(database)) == 1


def test_an_old_answer_replayed_after_the_window_gets_no_free_text_reply(
        database: Database) -> None:
    _, phone, _ = maria(database)
    ingest(database, answer("wamid.OLD", "PARAR"), at=T + timedelta(days=2))
    assert phone_flags(database, phone)["opted_out"] is True
    assert replies(database) == []
    # outside the 24 h window the confirmation would be a business-initiated message
    assert audits(database)[0][2]["reply_blocked"] == "PHONE_OPTED_OUT"


# --------------------------------------------------------------------------- Prefiro uma ligação


@pytest.mark.parametrize(("text", "type_", "payload"), [
    ("Prefiro uma ligação", "button", "CALL:d{debt}"),
    ("prefiro uma ligação!", "text", None),
    ("Pode me ligar", "text", None),
])
def test_asking_for_a_call_opens_one_call_task_with_the_tel_link(
        database: Database, text: str, type_: str, payload: str | None) -> None:
    debtor, phone, debt = maria(database)
    ingest(database, answer("wamid.CALL1", text, type_=type_,
                            payload=payload.format(debt=debt) if payload else None))
    ingest(database, answer("wamid.CALL2", "me liga", at=T + timedelta(minutes=5)))
    assert tasks(database) == [(debtor, phone, "call")]  # asking again adds nothing
    note = database.run_sync(lambda s: s.scalars(select(Task.note)).one())
    assert note.endswith("Pediu uma ligação: tel:+5511987654321")
    assert replies(database) == []  # a person calls back; no automatic message
    [(action, object_id, details)] = audits(database)
    assert (action, object_id, details["message"]) == (
        "debtor.call_requested", str(debtor), "wamid.CALL1")


def test_a_call_request_from_a_wrong_party_number_opens_no_task(database: Database) -> None:
    debtor, phone, _ = maria(database)
    ingest(database, answer("wamid.NO", "não sou eu"))
    ingest(database, answer("wamid.CALL", "me liga", at=T + timedelta(minutes=1)))
    assert tasks(database) == [(debtor, phone, "find_phone")]
