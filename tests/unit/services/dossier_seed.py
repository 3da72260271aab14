"""A debtor whose dossier is known by heart: debts, a payment, a promise, an agreement, messages
(read, delivered, failed, received), an opt-in, an opt-out by WhatsApp, a "não sou eu" and the
audit entries they leave — written through the program's own services and repositories."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.agreements import AgreementRequest
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.records import PaymentMethod, PaymentRequest, PromiseRequest
from cobrador_desktop.services.debtor_detail import DebtorDetailService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Conversation,
    DebtorPhone,
    Message,
    MessageEvent,
    Operator,
    Phone,
)
from cobrador_desktop.storage.repos.inbound_answers import opt_out_by_hand
from cobrador_desktop.storage.repos.settings import write_shop
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

TODAY = date(2026, 11, 23)
CPF = "52998224725"
CPF_SHOWN = "529.982.247-25"
CPF_MASKED = "***.982.247-**"
PHONE = "+5511987654321"
WRONG_PHONE = "+5511912345678"
SHOP_CNPJ = "11222333000181"
T = datetime(2026, 11, 10, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo


@dataclass(frozen=True)
class Said:
    """A message the dossier must list: its text, and the status label the PDF shows."""

    text: str
    status: str


#: every message of the debtor, in time order
MESSAGES = (
    Said("Olá, Maria! A parcela da Geladeira venceu em 01/11. Loja Exemplo.", "read"),
    Said("Quem está falando?", "received"),
    Said("Aqui é o Bruno, da Loja Exemplo, sobre a parcela da geladeira.", "delivered"),
    Said("Lembrete: a parcela 2/3 vence amanhã.", "failed"),
    Said("PARAR", "received"),
)


@dataclass(frozen=True)
class Seeded:
    debtor: int
    other: int
    owner: int
    operator: int
    phone: int


def seed(database: Database, clock: FakeClock) -> Seeded:
    """Write the debtor and their history; the clock ends at `T` + a few days."""
    ids = database.run_sync(_rows)
    service = DebtorDetailService(database, clock=clock, today=lambda: TODAY)
    debtor, owner, operator = ids.debtor, ids.owner, ids.operator
    detail = asyncio.run(service.load(debtor))
    first, second, third = (d.id for d in detail.debts)
    asyncio.run(service.record_payment(PaymentRequest(
        debtor, first, 5000, date(2026, 11, 12), PaymentMethod.PIX, note="comprovante 881"),
        operator_id=operator))
    asyncio.run(service.record_promise(PromiseRequest(
        debtor, 7000, TODAY + timedelta(days=7), debt_id=first, channel="whatsapp"),
        operator_id=operator))
    asyncio.run(service.propose_agreement(AgreementRequest(
        debtor, (second, third), 2, TODAY + timedelta(days=30), fine_bp=200),
        operator_id=owner))
    return ids


def _rows(session: Session) -> Seeded:
    owner = Operator(name="Rita Dona", login="rita", role="owner")
    operator = Operator(name="Bruno Atendente", login="bruno", role="operator")
    session.add_all([owner, operator])
    session.flush()
    write_shop(session, {"trade_name": "Loja Exemplo", "legal_name": "Loja Exemplo Ltda",
                         "document": SHOP_CNPJ, "address": "Rua Barão de Jaguara, 1000, Campinas",
                         "uf": "SP", "phone": "+551933334444"},
               operator_id=owner.id, now=T - timedelta(days=30))
    debtor = add_debtor(session, "Maria Aparecida Souza", document=CPF, document_type="cpf",
                        email="maria@example.com", address="Rua das Flores, 12", city="Campinas",
                        uf="SP")
    for n, due in enumerate((date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)), 1):
        add_debt(session, debtor, 12000 if n == 1 else 8000, due,
                 description=f"Geladeira {n}/3", installment_number=n, installment_count=3)
    phone = add_phone(session, debtor, PHONE)
    wrong = add_phone(session, debtor, WRONG_PHONE, position=1, wrong_party=True)
    session.execute(update(DebtorPhone).where(DebtorPhone.phone_id == wrong).values(
        wrong_party_at=T - timedelta(days=2), cpc_status="denied", cpc_at=T - timedelta(days=2)))
    row = session.get_one(Phone, phone)
    row.opt_in_source, row.opt_in_at = "ficha de cadastro na loja", T - timedelta(days=60)
    row.opt_in_wording, row.opt_in_recorded_by = "Aceito receber avisos pelo WhatsApp.", owner.id
    conversation = Conversation(phone_id=phone, debtor_id=debtor)
    session.add(conversation)
    session.flush()
    at = T
    wamids = []
    for n, message in enumerate(MESSAGES):
        inbound = message.status == "received"
        wamid = f"wamid.dossier.{n}"
        wamids.append(wamid)
        session.add(Message(
            conversation_id=conversation.id, wamid=wamid, direction="in" if inbound else "out",
            type="template" if n in (0, 3) else "text", text=message.text,
            template_name="lembrete_vencimento" if n in (0, 3) else None,
            status=message.status, created_at=at,
            operator_id=operator.id if n == 2 else None,
            error_code=131049 if message.status == "failed" else None,
            error_detail="Mensagem não entregue para manter o engajamento" if
            message.status == "failed" else None))
        if not inbound:
            steps = {"read": ("sent", "delivered", "read"), "delivered": ("sent", "delivered"),
                     "failed": ("failed",)}[message.status]
            for k, status in enumerate(steps):
                session.add(MessageEvent(
                    wamid=wamid, status=status, at=at + timedelta(minutes=k + 1),
                    error_code=131049 if status == "failed" else None,
                    error_title="Não entregue (engajamento)" if status == "failed" else None))
        at += timedelta(hours=5)
    session.flush()
    opt_out_by_hand(session, phone_id=phone, operator_id=operator.id, source="WhatsApp: PARAR",
                    now=at, message_wamid=wamids[-1])
    other = add_debtor(session, "Outro Devedor")
    other_phone = add_phone(session, other, "+5511955554444")
    other_chat = Conversation(phone_id=other_phone, debtor_id=other)
    session.add(other_chat)
    session.flush()
    session.add(Message(conversation_id=other_chat.id, direction="out", type="text",
                        text="Mensagem de outra pessoa", status="sent", created_at=T))
    session.flush()
    return Seeded(debtor, other, owner.id, operator.id, phone)
