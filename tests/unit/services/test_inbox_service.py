"""InboxService on real databases: replies pass the inbox's checks and the send guard before the
outbox (nothing queued on a refusal), collisions, someone else's conversation, the window, the
change feed, quick replies filled from the debt, and failed messages explained in pt-BR."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.inbox import (
    Collision,
    InboxFilter,
    NotYours,
    SendRefused,
    SomeoneTyping,
    WindowClosed,
)
from cobrador_desktop.domain.inbox_actions import (
    OperatorNotActive,
    PixNotConfigured,
    ShopPhoneMissing,
)
from cobrador_desktop.domain.pix import decode_brcode
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.domain.template_pack import build_pack
from cobrador_desktop.services.events import ChangeFeed
from cobrador_desktop.services.inbox import InboxService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    DebtorPhone,
    Message,
    Operator,
    OutboxItem,
    Phone,
    Template,
)
from cobrador_desktop.storage.repos import inbox as repo
from cobrador_desktop.storage.repos.bulk import mark_dataset
from cobrador_desktop.storage.repos.settings import write_shop
from tests.unit.storage.factories import add_debt, add_operator
from tests.unit.storage.test_inbox_repo import chat

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
R = TypeVar("R")


def run(coro: Awaitable[R]) -> R:
    async def main() -> R:
        return await coro
    return asyncio.run(main())


def shop(database: Database) -> tuple[InboxService, int, int, int]:
    """(service, Ana, Bruno, Maria's conversation: she wrote a minute ago, owes R$ 89,90)."""
    def work(session: Session) -> tuple[int, int, int]:
        ana, bruno = add_operator(session, "Ana", "ana"), add_operator(session, "Bruno", "bruno")
        cid = chat(session, at=T - timedelta(minutes=1))
        debtor = session.scalar(select(func.max(Phone.id)))  # the factories' first debtor is 1
        del debtor
        add_debt(session, 1, 8990, date(2026, 11, 10))
        session.execute(update(repo.Conversation).values(waiting_since=T))
        return ana, bruno, cid
    ana, bruno, cid = database.run_sync(work)
    return InboxService(database, FakeClock(T), shop_zone="America/Sao_Paulo"), ana, bruno, cid


def queued(database: Database) -> int:
    return database.run_sync(lambda s: s.scalar(select(func.count()).select_from(OutboxItem)))


def test_a_reply_to_a_wrong_party_is_refused_and_nothing_queued(database: Database) -> None:
    service, ana, _, cid = shop(database)
    database.run_sync(lambda s: s.execute(update(DebtorPhone).values(
        wrong_party=True, wrong_party_at=T)))
    with pytest.raises(SendRefused):
        run(service.send_text(cid, ana, "Oi Maria", seen_message_id=None))
    assert queued(database) == 0


def test_reply_claims_the_queue_and_clears_the_wait(database: Database) -> None:
    service, ana, bruno, cid = shop(database)
    header = run(service.header(cid))
    outcome = run(service.send_text(cid, ana, "Oi Maria, tudo bem?",
                                    seen_message_id=header.last_message_id))
    assert outcome.verdict.level in ("allow", "warn") and queued(database) == 1
    row = run(service.header(cid)).row
    assert (row.assigned_operator_name, row.waiting_since) == ("Ana", None)
    page = run(service.messages(cid))
    assert page.messages[-1].text == "Oi Maria, tudo bem?"
    assert page.messages[-1].operator_name == "Ana"
    with pytest.raises(NotYours):  # Ana's now
        run(service.send_text(cid, bruno, "Sou o Bruno", seen_message_id=outcome.message_id))
    assert [r.id for r in run(service.conversations(InboxFilter.MINE, ana)).rows] == [cid]


def test_collision_typing_and_the_closed_window(database: Database) -> None:
    service, ana, bruno, cid = shop(database)
    seen = run(service.header(cid)).last_message_id
    database.run_sync(lambda s: s.add(Message(
        conversation_id=cid, direction="in", type="text", text="Alô?", status="received",
        created_at=T)))
    with pytest.raises(Collision) as info:
        run(service.send_text(cid, ana, "Oi", seen_message_id=seen))
    assert info.value.params["count"] == 1 and queued(database) == 0
    run(service.set_typing(cid, bruno, True))
    with pytest.raises(SomeoneTyping):
        run(service.send_text(cid, ana, "Oi", seen_message_id=seen, force=True))
    run(service.set_typing(cid, bruno, False))
    run(service.send_text(cid, ana, "Oi", seen_message_id=seen, force=True))
    late = InboxService(database, FakeClock(T + timedelta(days=2)), shop_zone="America/Sao_Paulo")
    with pytest.raises(WindowClosed):
        run(late.send_text(cid, ana, "Ainda aí?", seen_message_id=None, force=True))
    assert queued(database) == 1


def test_quick_reply_is_filled_from_the_debt_and_failures_explained(database: Database) -> None:
    service, ana, _, cid = shop(database)
    replies = {q.shortcut: q for q in run(service.quick_replies())}
    assert "/acordo" in replies
    text = run(service.fill_quick_reply(cid, "Olá {nome}, são {valor} desde {vencimento}."))
    assert text.replace("\xa0", " ") == "Olá Maria, são R$ 89,90 desde 10/11/2026."
    out = run(service.send_text(cid, ana, text, seen_message_id=None, force=True))
    database.run_sync(lambda s: s.execute(update(Message).where(Message.id == out.message_id)
                                          .values(status="failed", error_code=131026)))
    failed = run(service.messages_since(cid, out.message_id - 1))
    assert failed[-1].error_text and "WhatsApp" in failed[-1].error_text


def test_changes_and_the_feed(database: Database) -> None:
    service, ana, _, cid = shop(database)
    first = run(service.changes(()))
    assert first.all
    assert run(service.changes(first.cursor)).conversation_ids == frozenset()
    run(service.add_note(cid, ana, "Ligar amanhã"))
    change = run(service.changes(first.cursor))
    assert change.conversation_ids == {cid} and change.cursor != first.cursor
    feed = ChangeFeed()
    got: list[frozenset[int]] = []
    unsubscribe = InboxService(database, FakeClock(T), shop_zone="America/Sao_Paulo",
                               feed=feed).subscribe(got.append)
    feed.publish([cid])
    unsubscribe()
    feed.publish([cid])
    assert got == [frozenset({cid})]


# --------------------------------------------------------------------------- templates, actions

#: the legal name is the trade name: the pack's footer (trade name + CNPJ) then identifies the
#: supplier for a first debt detail too
SHOP = ShopDetails(trade_name="Loja Exemplo", legal_name="Loja Exemplo",
                   document="11222333000181", address="Rua A, 1 - Campinas/SP", uf="SP",
                   phone="+55 11 3333-4444")
RECEIVER = {"key": "11.222.333/0001-81", "name": "Loja Exemplo", "city": "Campinas"}


def templates_shop(database: Database, statuses: dict[str, str], *, shop_phone: bool = True,
                   pix: bool = True) -> tuple[InboxService, int, int, int]:
    """`shop` with the pack's templates stored in `statuses` (others APPROVED), the shop's
    identification (with or without its phone) and PIX receiver."""
    service, ana, bruno, cid = shop(database)

    def work(session: Session) -> None:
        details = SHOP if shop_phone else ShopDetails(SHOP.trade_name, SHOP.legal_name,
                                                      SHOP.document, SHOP.address, SHOP.uf)
        write_shop(session, details, operator_id=None, now=T)
        if pix:
            mark_dataset(session, "shop.pix", RECEIVER, T)
        session.execute(update(Phone).values(opt_in_at=T - timedelta(days=30),
                                             opt_in_source="ficha de cadastro na loja"))
        session.execute(update(DebtorPhone).values(cpc_status="confirmed"))
        for entry in build_pack(SHOP.trade_name, SHOP.document):
            session.add(Template(name=entry.name, language="pt_BR", category="UTILITY",
                                 status=statuses.get(entry.name, "APPROVED"), quality="GREEN",
                                 components=entry.spec["components"], purpose=entry.purpose,
                                 synced_at=T))
    database.run_sync(work)
    return service, ana, bruno, cid


def outbox_rows(database: Database) -> list[tuple[str, str, dict[str, Any]]]:
    return [tuple(r) for r in database.run_sync(lambda s: s.execute(
        select(OutboxItem.purpose, Message.text, OutboxItem.request)
        .join(Message, Message.id == OutboxItem.message_id).order_by(OutboxItem.id)).all())]


def test_templates_are_filled_from_the_oldest_open_debt_and_unusable_ones_say_why(
        database: Database) -> None:
    service, _, _, cid = templates_shop(database, {
        "vencimento_hoje_v1": "PENDING", "parcela_em_atraso_v1": "REJECTED",
        "lembrete_acordo_v1": "PAUSED", "pesquisa_satisfacao_v1": "DISABLED"})
    choices = {c.name: c for c in run(service.templates(cid))}
    reminder = choices["lembrete_vencimento_v1"]
    assert reminder.blocked_reason is None and reminder.purpose == "reminder"
    assert reminder.values[0] == "Maria" and "10/11/2026" in reminder.values
    assert "R$ 89,90" in reminder.preview.replace("\xa0", " ") and "{{" not in reminder.preview
    assert reminder.buttons == ("Quero o código PIX", "Já paguei", "Parar mensagens")
    assert reminder.debt_id is not None
    reasons = {choices[n].blocked_reason for n in ("vencimento_hoje_v1", "parcela_em_atraso_v1",
                                                  "lembrete_acordo_v1", "pesquisa_satisfacao_v1")}
    assert len(reasons) == 4 and None not in reasons  # each status its own words
    assert "análise" in (choices["vencimento_hoje_v1"].blocked_reason or "")
    identity = choices["confirmacao_identidade_v1"]
    assert identity.values == ("Maria S.",) and identity.blocked_reason is None
    # paid off: debt templates miss their values, the identity check still needs none
    database.run_sync(lambda s: s.execute(update(Debt).values(paid_cents=Debt.amount_cents,
                                                              status="paid")))
    after = {c.name: c for c in run(service.templates(cid))}
    assert "aberto" in (after["lembrete_vencimento_v1"].blocked_reason or "")
    assert after["confirmacao_identidade_v1"].blocked_reason is None
    # an unknown number: debt templates are refused
    database.run_sync(lambda s: s.execute(update(Conversation).values(debtor_id=None)))
    unknown = {c.name: c for c in run(service.templates(cid))}
    assert "devedor" in (unknown["lembrete_vencimento_v1"].blocked_reason or "")


def test_a_template_goes_without_the_window_with_debt_button_payloads(
        database: Database) -> None:
    _, ana, bruno, cid = templates_shop(database, {"vencimento_hoje_v1": "PAUSED"})
    late = InboxService(database, FakeClock(T + timedelta(days=2)), shop_zone="America/Sao_Paulo")
    with pytest.raises(WindowClosed):
        run(late.send_text(cid, ana, "Oi", seen_message_id=None))
    with pytest.raises(SendRefused):
        run(late.send_template(cid, ana, "vencimento_hoje_v1", "pt_BR", seen_message_id=None))
    assert queued(database) == 0
    later = T + timedelta(days=2, hours=1)
    outcome = run(late.send_template(cid, ana, "lembrete_vencimento_v1", "pt_BR",
                                     seen_message_id=None, send_at=later))
    assert outcome.verdict.level in ("allow", "warn") and outcome.scheduled_for == later
    [(purpose, text, request)] = outbox_rows(database)
    assert purpose == "reminder" and "Maria" in text
    template = request["template"]
    assert template["name"] == "lembrete_vencimento_v1"
    debt = database.run_sync(lambda s: s.scalar(select(func.min(Debt.id))))
    payloads = [c["parameters"][0]["payload"] for c in template["components"]
                if c["type"] == "button"]
    assert payloads == [f"PIX:d{debt}", f"PAID:d{debt}", f"STOP:d{debt}"]
    with pytest.raises(NotYours):
        run(late.send_template(cid, bruno, "lembrete_vencimento_v1", "pt_BR",
                               seen_message_id=None))


def test_a_template_to_an_opted_out_number_is_refused_and_nothing_queued(
        database: Database) -> None:
    service, ana, _, cid = templates_shop(database, {})
    database.run_sync(lambda s: s.execute(update(Phone).values(opted_out=True, opted_out_at=T)))
    with pytest.raises(SendRefused):
        run(service.send_template(cid, ana, "lembrete_vencimento_v1", "pt_BR",
                                  seen_message_id=None))
    assert queued(database) == 0


def test_actions_send_the_pix_the_wa_me_link_and_a_call_offer(database: Database) -> None:
    service, ana, _, cid = templates_shop(database, {})
    seen = run(service.header(cid)).last_message_id
    run(service.send_action(cid, ana, "pix", seen_message_id=seen))
    run(service.send_action(cid, ana, "wa_link", seen_message_id=seen, force=True))
    run(service.send_action(cid, ana, "call_offer", seen_message_id=seen, force=True))
    pix, link, call = outbox_rows(database)
    code = pix[1].splitlines()[-1]
    assert decode_brcode(code).charge.amount_cents == 8990
    assert "Loja Exemplo · CNPJ 11.222.333/0001-81" in pix[1] and "10/11/2026" in pix[1]
    assert "https://wa.me/551133334444" in link[1]
    assert "tel:+551133334444" in call[1]
    filled = run(service.fill_quick_reply(cid, "Pix: {pix} ou pelo link {link_pagamento}."))
    assert filled == f"Pix: {code} ou pelo link https://wa.me/551133334444."
    with pytest.raises(KnownError):
        run(service.send_action(cid, ana, "boleto", seen_message_id=None, force=True))
    late = InboxService(database, FakeClock(T + timedelta(days=2)), shop_zone="America/Sao_Paulo")
    with pytest.raises(WindowClosed):
        run(late.send_action(cid, ana, "call_offer", seen_message_id=None, force=True))
    assert queued(database) == 3


def test_without_the_shops_phone_or_pix_the_actions_say_what_to_configure(
        database: Database) -> None:
    service, ana, _, cid = templates_shop(database, {}, shop_phone=False, pix=False)
    with pytest.raises(PixNotConfigured):
        run(service.send_action(cid, ana, "pix", seen_message_id=None))
    with pytest.raises(ShopPhoneMissing):
        run(service.send_action(cid, ana, "wa_link", seen_message_id=None))
    run(service.send_action(cid, ana, "call_offer", seen_message_id=None))
    [(_, call, _)] = outbox_rows(database)
    assert "tel:" not in call and "telefone" in call
    filled = run(service.fill_quick_reply(
        cid, "{nome}, pague por PIX ({pix}) ou pelo link {link_pagamento}, ou na loja."))
    assert filled == "Maria, pague por PIX ou pelo link, ou na loja."


def test_an_action_to_a_wrong_party_is_refused_and_nothing_queued(database: Database) -> None:
    service, ana, _, cid = templates_shop(database, {})
    database.run_sync(lambda s: s.execute(update(DebtorPhone).values(
        wrong_party=True, wrong_party_at=T)))
    with pytest.raises(SendRefused):
        run(service.send_action(cid, ana, "call_offer", seen_message_id=None))
    assert queued(database) == 0


def test_transfer_only_to_an_active_operator(database: Database) -> None:
    service, ana, bruno, cid = shop(database)
    run(service.claim(cid, ana))
    with pytest.raises(OperatorNotActive):
        run(service.transfer(cid, ana, 999))
    database.run_sync(lambda s: s.execute(update(Operator).where(Operator.id == bruno)
                                          .values(active=False)))
    with pytest.raises(OperatorNotActive):
        run(service.transfer(cid, ana, bruno))
    assert run(service.header(cid)).row.assigned_operator_id == ana
    run(service.transfer(cid, ana, None))
    assert run(service.header(cid)).row.assigned_operator_id is None
