"""The dossier PDF of a debtor known by heart, read back with QtPdf and drawn as images: every
message with its delivery status, the consent evidence, the audit trail, the CPF masked."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.dossier import Dossier
from cobrador_desktop.services.dossier import DossierService
from cobrador_desktop.services.lgpd import anonymise_person
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Conversation, Message
from cobrador_desktop.ui.reports.dossier_pdf import save_dossier
from tests.ui.pdf_helpers import ink_fraction, page_texts, render_pages, squeeze
from tests.unit.services.dossier_seed import (
    CPF,
    CPF_MASKED,
    CPF_SHOWN,
    MESSAGES,
    PHONE,
    TODAY,
    seed,
)

ZONE = ZoneInfo("America/Sao_Paulo")
#: how the PDF says each status (the debtor screen's words)
STATUS = {"read": "Lida", "delivered": "Entregue", "failed": "Falhou", "received": "Recebida"}


def _dossier(database: Database, clock: FakeClock, debtor: int, who: int) -> Dossier:
    async def gather() -> Dossier:
        return await DossierService(database, clock, ZONE).gather(debtor, who)
    return asyncio.run(gather())


def test_the_pdf_lists_every_message_with_its_status_and_masks_the_cpf(
        qtbot: QtBot, sqlite_database: Database, clock: FakeClock, tmp_path: Path) -> None:
    ids = seed(sqlite_database, clock)
    target = tmp_path / "dossie.pdf"
    save_dossier(target, _dossier(sqlite_database, clock, ids.debtor, ids.owner))

    pages = page_texts(target)
    everything = "".join(pages)
    assert len(pages) >= 2
    first = pages[0]  # the header names the shop and the debtor
    for said in ("Dossiê de cobrança — Maria Aparecida Souza", "Loja Exemplo Ltda",
                 "CNPJ 11.222.333/0001-81", f"CPF/CNPJ {CPF_MASKED}",
                 "Gerado em23/11/2026 10:00 por Rita Dona"):
        assert squeeze(said) in first, said
    # each message's text, then its delivery status in the next cell
    for message in MESSAGES:
        assert squeeze(message.text) + STATUS[message.status] in everything, message
    # with the times of its reports, date and hour in the shop's zone
    for said in ("enviada 10/11/2026 10:01", "entregue 10/11/2026 10:02",
                 "lida 10/11/2026 10:03", "Erro 131049: Não entregue (engajamento)",
                 "Enviada por Bruno Atendente", "Enviada automaticamente",
                 "Modelo lembrete_vencimento:"):
        assert squeeze(said) in everything, said
    # opt-in and opt-out evidence, the wrong-party mark
    for said in ("ficha de cadastro na loja, em 11/09/2026 10:00",
                 "Texto: “Aceito receber avisos pelo WhatsApp.”", "Registrado por: Rita Dona",
                 "Pediu para não receber em 11/11/2026 11:00", "Mensagem: “PARAR” (11/11/2026 06:00)",
                 "Marcado “não sou eu” em 08/11/2026 10:00"):
        assert squeeze(said) in everything, said
    # money, the agreement, the audit trail with this very dossier
    for said in ("Geladeira 1/3", "R$ 120,00", "comprovante 881", "Total R$ 163,20 em 2 parcela(s)",
                 "Pagamento registrado", "Acordo feito", "Pediu para não receber mensagens",
                 "Dossiê do devedor gerado (PDF)"):
        assert squeeze(said) in everything, said
    # personal data masked: never the whole CPF nor a whole number
    for whole in (CPF, CPF_SHOWN, PHONE, "98765-4321", "maria@example.com", "Rua das Flores"):
        assert squeeze(whole) not in everything, whole
    assert squeeze("(11) *****-4321") in everything

    images = render_pages(target)
    assert all(0.005 < ink_fraction(image) < 0.5 for image in images)


def test_a_debtor_with_hundreds_of_messages_gets_them_all_over_many_pages(
        qtbot: QtBot, sqlite_database: Database, clock: FakeClock, tmp_path: Path) -> None:
    ids = seed(sqlite_database, clock)

    def many(session: Session) -> None:
        chat = session.scalars(select(Conversation).where(
            Conversation.debtor_id == ids.debtor)).one()
        base = clock.now() - timedelta(days=300)
        session.add_all([Message(
            conversation_id=chat.id, direction="in", type="text", text=f"resposta número {n}",
            status="received", created_at=base + timedelta(hours=n)) for n in range(600)])

    sqlite_database.run_sync(many)
    target = tmp_path / "longo.pdf"
    save_dossier(target, _dossier(sqlite_database, clock, ids.debtor, ids.owner))
    pages = page_texts(target)
    everything = "".join(pages)
    assert len(pages) > 10
    assert squeeze("8. Mensagens (605)") in everything
    for n in range(600):
        assert squeeze(f"resposta número {n}Recebida") in everything
    assert all(page.strip() for page in pages)


def test_an_anonymised_debtor_says_so(qtbot: QtBot, sqlite_database: Database,
                                      clock: FakeClock, tmp_path: Path) -> None:
    ids = seed(sqlite_database, clock)
    anonymise_person(sqlite_database, ids.debtor, now=clock.now(), today=TODAY)
    target = tmp_path / "anonimo.pdf"
    save_dossier(target, _dossier(sqlite_database, clock, ids.debtor, ids.owner))
    everything = "".join(page_texts(target))
    assert squeeze("Titular anonimizado em 23/11/2026 10:00 (LGPD)") in everything
    assert squeeze("Dados anonimizados") in everything  # the audit entry of the anonymisation
    assert "Maria" not in everything and "PARAR" not in everything
    assert squeeze("R$ 120,00") in everything  # the amounts stay
