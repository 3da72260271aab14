"""The debtor's self-service buttons applied as the tap is stored, on both databases
(WHATSAPP_CLOUD_API.md §10.2, COMPLIANCE.md §3): the PIX copia e cola, "Já paguei", "Negociar"
and the option picked, "Falar com atendente" — identity first, audited, one reply through the
guard, a repeated tap changing nothing, silence to opted-out and wrong-party numbers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.pix import decode_brcode
from cobrador_desktop.domain.policy import SendRequest, evaluate
from cobrador_desktop.domain.settings import NEGOTIATION
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Debt, Message, OutboxItem, Task
from cobrador_desktop.storage.repos.bulk import mark_dataset
from cobrador_desktop.storage.repos.inbound_answers import confirm_identity_by_hand
from cobrador_desktop.storage.repos.send_facts import FactsTarget, gather
from cobrador_desktop.storage.repos.settings import write_json_setting
from tests.unit.storage.factories import add_debt, add_operator
from tests.unit.storage.test_inbound_answers import (
    T,
    answer,
    audits,
    ingest,
    maria,
    replies,
)

RECEIVER = {"key": "11.222.333/0001-81", "name": "Loja Exemplo", "city": "Campinas"}
PAID_REPLY = ("Obrigado por avisar! Para confirmarmos, envie aqui uma foto ou o PDF do "
              "comprovante. Enquanto conferimos, você não receberá lembretes sobre isso.")


def confirmed(db: Database, *, receiver: bool = True) -> tuple[int, int, int]:
    """Maria, her identity confirmed by hand, and (by default) the shop's PIX receiver saved."""
    debtor, phone, debt = maria(db)

    def work(s: Session) -> None:
        confirm_identity_by_hand(s, debtor_id=debtor, phone_id=phone, operator_id=None,
                                 note="confirmou na loja", now=T - timedelta(days=1))
        if receiver:
            mark_dataset(s, "shop.pix", RECEIVER, T - timedelta(days=1))
    db.run_sync(work)
    return debtor, phone, debt


def sent(db: Database) -> list[dict[str, Any]]:
    """The outbox requests, in order."""
    return list(db.run_sync(lambda s: [dict(r) for r in s.scalars(
        select(OutboxItem.request).order_by(OutboxItem.id))]))


def conversation(db: Database) -> tuple[int | None, str, Any]:
    row = db.run_sync(lambda s: s.execute(select(
        Conversation.assigned_operator_id, Conversation.status,
        Conversation.waiting_since)).one())
    return row[0], row[1], row[2]


def tasks(db: Database) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.run_sync(lambda s: s.execute(  # type: ignore[misc]
        select(Task.kind, Task.note).order_by(Task.id)).all())]


def actions(db: Database) -> list[str]:
    return [a for a, _, _ in audits(db) if not a.startswith("phone.")]


def assign_to_someone(db: Database) -> None:
    def work(s: Session) -> None:
        operator = add_operator(s, "Ana", "ana")
        for c in s.scalars(select(Conversation)):
            c.assigned_operator_id = operator
    db.run_sync(work)


# --------------------------------------------------------------------------- PIX


def test_a_pix_tap_gets_the_copia_e_cola_of_the_balance(database: Database) -> None:
    _, _, debt = confirmed(database)
    tap = answer("wamid.P1", "Quero o código PIX", type_="button", payload=f"PIX:d{debt}",
                 context="wamid.TEMPLATE1")
    ingest(database, tap)
    [(purpose, kind, state, text)] = replies(database)
    assert (purpose, kind, state) == ("system_reply", "reply", "queued")
    assert "Valor: R$ 89,90 · vencimento 10/11/2026." in text
    code = text.rsplit("\n", 1)[1]
    charge = decode_brcode(code).charge  # the CRC is checked
    assert (charge.amount_cents, charge.key, charge.txid) == (8990, "11222333000181", f"COB{debt}")
    assert sent(database)[0]["context"] == {"message_id": "wamid.P1"}
    [(_, _, details)] = [a for a in audits(database) if a[0] == "debtor.pix_requested"]
    assert details["debt_id"] == debt and details["balance_cents"] == 8990
    assert details["reply_outbox_id"] is not None and "queued" not in details

    # the same button on the same message again: nothing new; typed soon after: nothing new
    ingest(database, answer("wamid.P2", "Quero o código PIX", type_="button",
                            payload=f"PIX:d{debt}", context="wamid.TEMPLATE1",
                            at=T + timedelta(minutes=1)))
    assert len(replies(database)) == 1 and len(actions(database)) == 1
    # the button of another message is a new request
    ingest(database, answer("wamid.P3", "Quero o código PIX", type_="button",
                            payload=f"PIX:d{debt}", context="wamid.TEMPLATE2",
                            at=T + timedelta(minutes=2)))
    assert len(replies(database)) == 2


def test_typed_pix_uses_the_oldest_open_debt(database: Database) -> None:
    debtor, _, _ = confirmed(database)
    database.run_sync(lambda s: add_debt(s, debtor, 5000, date(2026, 12, 10)))
    ingest(database, answer("wamid.P1", "manda o pix", at=T))
    [(*_, text)] = replies(database)
    assert decode_brcode(text.rsplit("\n", 1)[1]).charge.amount_cents == 8990
    ingest(database, answer("wamid.P2", "Manda o PIX!", at=T + timedelta(minutes=3)))
    assert len(replies(database)) == 1  # the same typed request again, minutes later


def test_before_identity_the_person_is_asked_sou_eu_and_sees_no_detail(
        database: Database) -> None:
    _, _, debt = maria(database)
    database.run_sync(lambda s: mark_dataset(s, "shop.pix", RECEIVER, T))
    ingest(database, answer("wamid.P1", "Quero o código PIX", type_="button",
                            payload=f"PIX:d{debt}", context="wamid.CHECK"))
    [(_, _, _, text)] = replies(database)
    assert "Maria S." in text and "R$" not in text and "000201" not in text
    [request] = sent(database)
    assert request["type"] == "interactive"
    assert [b["reply"]["id"] for b in request["interactive"]["action"]["buttons"]] == [
        f"CPC_YES:d{debt}", f"CPC_NO:d{debt}"]
    # "Sou eu" confirms; the PIX tap again gets the code
    ingest(database, answer("wamid.Y", "Sou eu", type_="button", payload=f"CPC_YES:d{debt}",
                            context="wamid.Q", at=T + timedelta(minutes=1)))
    ingest(database, answer("wamid.P2", "Quero o código PIX", type_="interactive",
                            payload=f"PIX:d{debt}", context="wamid.OTHER",
                            at=T + timedelta(minutes=2)))
    text = replies(database)[-1][3]
    assert "R$ 89,90" in text
    assert decode_brcode(text.rsplit("\n", 1)[1]).charge.amount_cents == 8990


def test_without_a_pix_key_an_operator_gets_a_task_and_the_queue(database: Database) -> None:
    _, _, debt = confirmed(database, receiver=False)
    ingest(database, answer("wamid.P1", "pix"))
    assign_to_someone(database)
    ingest(database, answer("wamid.P2", "Quero o código PIX", type_="button",
                            payload=f"PIX:d{debt}", context="wamid.T2",
                            at=T + timedelta(minutes=20)))
    assert replies(database) == []
    [(kind, note), _] = tasks(database)
    assert kind == "send_pix" and "R$ 89,90" in note and "Configurações" in note
    assert conversation(database)[:2] == (None, "open")
    assert conversation(database)[2] is not None


# --------------------------------------------------------------------------- Já paguei


def test_ja_paguei_pauses_the_regua_opens_a_task_and_asks_for_the_receipt(
        database: Database) -> None:
    debtor, phone, debt = confirmed(database)
    other = database.run_sync(lambda s: add_debt(s, debtor, 5000, date(2026, 12, 10)))
    assign_to_someone(database)
    ingest(database, answer("wamid.J1", "Já paguei", type_="button", payload=f"PAID:d{debt}",
                            context="wamid.T1"))
    claimed = database.run_sync(lambda s: {d.id: d.payment_claimed_at
                                           for d in s.scalars(select(Debt))})
    assert claimed == {debt: T, other: None}
    assert [k for k, _ in tasks(database)] == ["confirm_payment"]
    assert replies(database) == [("system_reply", "reply", "queued", PAID_REPLY)]
    assert conversation(database)[0] is None and conversation(database)[2] is not None

    def regua_decision(s: Session) -> list[str]:
        [facts] = gather(s, [FactsTarget(debtor, phone, debt, "D+3", None)],
                         now=T + timedelta(hours=1), shop_zone="America/Sao_Paulo")
        decision = evaluate(SendRequest("automated", "overdue", "text", "Olá"), facts,
                            T + timedelta(hours=1))
        return [r.code for r in decision.blocking]
    assert "DEBT_PAYMENT_CLAIMED" in database.run_sync(regua_decision)

    # again, typed: the other open debt is claimed too, no second task nor reply
    ingest(database, answer("wamid.J2", "já paguei", at=T + timedelta(minutes=30)))
    assert database.run_sync(lambda s: s.get_one(Debt, other).payment_claimed_at) == \
        T + timedelta(minutes=30)
    assert [k for k, _ in tasks(database)] == ["confirm_payment"]
    assert len(replies(database)) == 2  # one reply per request that changed something
    ingest(database, answer("wamid.J3", "Já paguei", type_="button", payload=f"PAID:d{debt}",
                            context="wamid.T9", at=T + timedelta(hours=1)))
    assert len(replies(database)) == 2  # all claimed, the task still open: nothing new
    assert actions(database) == ["debt.payment_claimed"] * 2


def test_an_opted_out_number_gets_no_reply_but_the_claim_is_kept(database: Database) -> None:
    _, _, debt = confirmed(database)
    ingest(database, answer("wamid.S", "PARAR"))
    ingest(database, answer("wamid.J", "Já paguei", type_="button", payload=f"PAID:d{debt}",
                            context="wamid.T1", at=T + timedelta(minutes=1)))
    assert [r[3][:6] for r in replies(database)] == ["Pronto"]  # only the opt-out's
    assert [k for k, _ in tasks(database)] == ["confirm_payment"]
    [(_, _, details)] = [a for a in audits(database) if a[0] == "debt.payment_claimed"]
    assert details["reply_withheld"] == "opted_out"


def test_a_wrong_party_number_gets_nothing(database: Database) -> None:
    _, _, debt = confirmed(database)
    ingest(database, answer("wamid.N", "Não sou eu"))
    for i, (label, payload) in enumerate([("Quero o código PIX", "PIX"), ("Já paguei", "PAID"),
                                          ("Negociar", "NEGOTIATE"),
                                          ("Falar com atendente", "AGENT")]):
        ingest(database, answer(f"wamid.W{i}", label, type_="button",
                                payload=f"{payload}:d{debt}", context="wamid.T1",
                                at=T + timedelta(minutes=i + 1)))
    assert len(replies(database)) == 1  # the "não sou eu" acknowledgement only
    assert actions(database) == [] and [k for k, _ in tasks(database)] == ["find_phone"]
    assert database.run_sync(lambda s: s.get_one(Debt, debt).payment_claimed_at) is None


# --------------------------------------------------------------------------- Negociar


def test_negociar_offers_the_owners_options_and_records_the_choice(database: Database) -> None:
    debtor, _, _ = confirmed(database)
    debt = database.run_sync(lambda s: add_debt(s, debtor, 20000, date(2026, 9, 1)))
    database.run_sync(lambda s: write_json_setting(
        s, NEGOTIATION, {"installments": [2, 3, 4], "min_installment_cents": 5000},
        operator_id=None, now=T - timedelta(days=1)))
    ingest(database, answer("wamid.N1", "Negociar", type_="button",
                            payload=f"NEGOTIATE:d{debt}", context="wamid.T1"))
    [request] = sent(database)
    buttons = request["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        (f"NEGOTIATE_OPT:d{debt}:2", "2x de R$ 100,00"),
        (f"NEGOTIATE_OPT:d{debt}:3", "3x de R$ 66,66"),
        (f"NEGOTIATE_OPT:d{debt}:4", "4x de R$ 50,00")]
    assert "3x de R$ 66,66 (a 1ª de R$ 66,68)" in request["interactive"]["body"]["text"]
    assert tasks(database) == []

    assign_to_someone(database)
    pick = answer("wamid.N2", "3x de R$ 66,66", type_="interactive",
                  payload=f"NEGOTIATE_OPT:d{debt}:3", context="wamid.OFFER",
                  at=T + timedelta(minutes=2))
    ingest(database, pick)
    [(kind, note)] = tasks(database)
    assert kind == "negotiation" and "3x de R$ 66,66 (a 1ª de R$ 66,68)" in note
    assert conversation(database)[0] is None
    assert replies(database)[-1][3].startswith(
        "Recebemos sua escolha: 3x de R$ 66,66 (a 1ª de R$ 66,68). Um atendente vai confirmar")
    [(_, _, details)] = [a for a in audits(database) if a[0] == "debtor.negotiation_chosen"]
    assert details["plan"] == {"count": 3, "first_cents": 6668, "each_cents": 6666,
                               "total_cents": 20000}
    ingest(database, answer("wamid.N3", "3x de R$ 66,66", type_="interactive",
                            payload=f"NEGOTIATE_OPT:d{debt}:3", context="wamid.OFFER",
                            at=T + timedelta(minutes=3)))
    assert len(tasks(database)) == 1 and len(replies(database)) == 2


def test_a_balance_too_small_to_split_goes_to_an_operator(database: Database) -> None:
    _, _, debt = confirmed(database)  # R$ 89,90: 2x R$ 44,95 is under the R$ 50,00 minimum
    ingest(database, answer("wamid.N1", "Negociar", type_="button",
                            payload=f"NEGOTIATE:d{debt}", context="wamid.T1"))
    assert replies(database)[0][3].startswith("Para este valor não temos parcelamento")
    assert [k for k, _ in tasks(database)] == ["negotiation"]
    assert conversation(database)[0] is None and conversation(database)[2] is not None


# --------------------------------------------------------------------------- atendente


def test_falar_com_atendente_puts_the_conversation_in_the_queue(database: Database) -> None:
    maria(database)
    ingest(database, answer("wamid.A0", "Oi"))
    assign_to_someone(database)
    ingest(database, answer("wamid.A1", "Falar com atendente", type_="button",
                            payload="AGENT:d1", context="wamid.T1", at=T + timedelta(minutes=1)))
    assigned, status, waiting = conversation(database)
    assert (assigned, status) == (None, "open") and waiting is not None
    assert replies(database) == [("system_reply", "reply", "queued",
                                  "Certo! Um atendente vai responder em breve (atendimento de "
                                  "segunda a sexta, das 09:00 às 18:00).")]
    assert actions(database) == ["conversation.agent_requested"]


def test_an_unknown_number_asking_for_a_person_is_queued_too(database: Database) -> None:
    ingest(database, answer("wamid.A1", "quero falar com alguém", wa_id="5511912345678"))
    assert conversation(database)[0] is None and conversation(database)[2] is not None
    assert len(replies(database)) == 1
    assert database.run_sync(lambda s: s.scalar(select(Message.text).where(
        Message.direction == "in"))) == "quero falar com alguém"


def test_an_old_tap_replayed_after_the_window_gets_no_reply(database: Database) -> None:
    _, _, debt = confirmed(database)
    old = answer("wamid.OLD", "Quero o código PIX", type_="button", payload=f"PIX:d{debt}",
                 context="wamid.T1", at=T - timedelta(days=2))
    ingest(database, old, at=T)  # the guard refuses free text outside the 24-hour window
    assert replies(database) == []
    [(_, _, details)] = [a for a in audits(database) if a[0] == "debtor.pix_requested"]
    assert details["reply_outbox_id"] is None
    assert details["reply_blocked"] == "WA_TEMPLATE_REQUIRED"
