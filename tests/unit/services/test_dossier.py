"""DossierService on SQLite and PostgreSQL: everything about one debtor, in order, and audited;
the owner only."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.dossier import DOSSIER_ACTION, Dossier
from cobrador_desktop.domain.errors import DebtorNotFound
from cobrador_desktop.domain.roles import OwnerOnly
from cobrador_desktop.services.dossier import DossierService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Conversation, Message
from cobrador_desktop.storage.repos import dossier as repo
from tests.unit.services.dossier_seed import CPF, MESSAGES, PHONE, SHOP_CNPJ, seed

ZONE = ZoneInfo("America/Sao_Paulo")


def _gather(service: DossierService, debtor_id: int, operator_id: int | None) -> Dossier:
    async def call() -> Dossier:
        return await service.gather(debtor_id, operator_id)
    return asyncio.run(call())


def _service(database: Database, clock: FakeClock) -> DossierService:
    return DossierService(database, clock, ZONE)


def test_the_dossier_holds_the_whole_case_in_order(database: Database,
                                                    clock: FakeClock) -> None:
    ids = seed(database, clock)
    dossier = _gather(_service(database, clock), ids.debtor, ids.owner)

    assert dossier.shop is not None and dossier.shop.document == SHOP_CNPJ
    assert dossier.debtor.name == "Maria Aparecida Souza" and dossier.debtor.document == CPF
    assert not dossier.anonymised
    assert dossier.generated_by == "Rita Dona" and dossier.generated_at == clock.now()
    # every message of the debtor (and none of the other one's), oldest first
    texts = [m.text for m in dossier.messages]
    assert texts == [m.text for m in MESSAGES]
    assert "Mensagem de outra pessoa" not in texts
    assert [m.at for m in dossier.messages] == sorted(m.at for m in dossier.messages)
    read, received, by_hand, failed, parar = dossier.messages[:5]
    assert [e.status for e in read.events] == ["sent", "delivered", "read"]
    assert read.operator is None and read.template_name == "lembrete_vencimento"
    assert by_hand.operator == "Bruno Atendente"
    assert received.direction == "in" and received.events == ()
    assert failed.status == "failed" and failed.events[0].error_code == 131049
    assert failed.events[0].error_title == "Não entregue (engajamento)"
    assert all(m.phone == PHONE for m in dossier.messages)

    own, wrong = dossier.consent
    assert own.opt_in_source == "ficha de cadastro na loja"
    assert own.opt_in_recorded_by == "Rita Dona"
    assert own.opted_out and own.opt_out_source == "WhatsApp: PARAR"
    assert own.opt_out_request is not None and own.opt_out_request.text == "PARAR"
    assert own.opt_out_request.at == parar.at
    assert wrong.wrong_party and not wrong.opted_out and wrong.opt_out_request is None

    assert len(dossier.debtor.debts) == 5  # three instalments, the agreement's two
    assert dossier.debtor.agreements and dossier.debtor.promises
    actions = [row.action for row in dossier.audit]
    for expected in ("payment.record", "promise.create", "agreement.create", "phone.opt_out"):
        assert expected in actions
    assert actions[-1] == DOSSIER_ACTION  # this very dossier, last
    assert dossier.audit[-1].who == "Rita Dona"
    assert [row.id for row in dossier.audit] == sorted(row.id for row in dossier.audit)


def test_generating_it_is_audited_without_the_persons_data(database: Database,
                                                           clock: FakeClock) -> None:
    ids = seed(database, clock)
    _gather(_service(database, clock), ids.debtor, ids.owner)
    entry = database.run_sync(lambda s: s.scalars(
        select(AuditEntry).where(AuditEntry.action == DOSSIER_ACTION)).one())
    assert (entry.operator_id, entry.object_type, entry.object_id) == (
        ids.owner, "debtor", str(ids.debtor))
    assert entry.details == {"messages": len(MESSAGES)}
    assert CPF not in str(entry.details) and "Maria" not in str(entry.details)


def test_an_operator_is_refused_and_nothing_is_gathered(database: Database,
                                                        clock: FakeClock) -> None:
    ids = seed(database, clock)
    with pytest.raises(OwnerOnly):
        _gather(_service(database, clock), ids.debtor, ids.operator)
    actions = database.run_sync(lambda s: list(s.scalars(
        select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1))))
    assert actions == ["access.denied"]


def test_an_unknown_debtor_is_said_and_not_audited(database: Database, clock: FakeClock) -> None:
    ids = seed(database, clock)
    with pytest.raises(DebtorNotFound):
        _gather(_service(database, clock), ids.debtor + 999, ids.owner)
    assert database.run_sync(lambda s: s.scalar(
        select(AuditEntry.id).where(AuditEntry.action == DOSSIER_ACTION))) is None


def test_thousands_of_messages_come_in_one_ordered_pass(database: Database,
                                                        clock: FakeClock) -> None:
    ids = seed(database, clock)

    def many(session: object) -> None:
        chat = session.scalars(select(Conversation).where(  # type: ignore[attr-defined]
            Conversation.debtor_id == ids.debtor)).one()
        base = clock.now() - timedelta(days=400)
        session.add_all([Message(  # type: ignore[attr-defined]
            conversation_id=chat.id, direction="in" if n % 3 else "out", type="text",
            text=f"mensagem {n}", status="received" if n % 3 else "sent",
            created_at=base + timedelta(minutes=n)) for n in range(3000)])

    database.run_sync(many)
    gathered = database.run_sync(lambda s: list(repo.messages(s, ids.debtor)))
    assert len(gathered) == 3000 + len(MESSAGES)
    assert [m.text for m in gathered[:3000]] == [f"mensagem {n}" for n in range(3000)]
    assert len({m.id for m in gathered}) == len(gathered)
