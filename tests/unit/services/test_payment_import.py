"""`import FILE --payments`: payments from a statement applied oldest debt first, partial payments,
paid debts marked paid, rejections with their reasons, idempotent, audited, summaries refreshed,
all or nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cobrador_desktop.domain.importing import ImportCancelled
from cobrador_desktop.services.importer import import_file
from cobrador_desktop.services.payment_import import PaymentImportReport, import_payments
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Debt, Debtor, Payment

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)

DEBTS = """nome;cpf;telefone;descricao;valor;vencimento
Ana Souza;529.982.247-25;(11) 98765-4321;Parcela 1/3;100,00;05/09/2026
Ana Souza;529.982.247-25;(11) 98765-4321;Parcela 2/3;100,00;05/10/2026
Ana Souza;529.982.247-25;(11) 98765-4321;Parcela 3/3;100,00;05/11/2026
Bruno Lima;;(21) 99876-5432;Fogão;80,00;01/10/2026
Carla Dias;123.456.789-09;(31) 3333-4444;Sofá;500,00;01/11/2026
Davi Dias;987.654.321-00;(31) 3333-4444;Mesa;50,00;01/11/2026
"""

PAYMENTS = """Data do pagamento;CPF/CNPJ;Telefone;Histórico;Valor pago
20/11/2026;529.982.247-25;;PIX RECEBIDO ANA;150,00
21/11/2026;;(21) 99876-5432;TED BRUNO;80,00
21/11/2026;;(31) 3333-4444;PIX;10,00
21/11/2026;111.444.777-35;;PIX;10,00
21/11/2026;;(48) 99999-0000;PIX;10,00
22/11/2026;529.982.247-25;;PIX RECEBIDO ANA;500,00
22/11/2026;;(21) 99876-5432;PIX;5,00
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return path


def pay(db: Database, path: Path, **kwargs: Any) -> PaymentImportReport:
    return import_payments(db, path, now=NOW, today=TODAY, imported_by="loja", **kwargs)


@pytest.fixture
def shop(database: Database, tmp_path: Path) -> Database:
    import_file(database, write(tmp_path, "dividas.csv", DEBTS), now=NOW, today=TODAY,
                imported_by="loja")
    return database


def debts(db: Database) -> dict[str, tuple[int, str]]:
    return db.run_sync(lambda s: {
        f"{r.name}:{r.description}": (r.paid_cents, r.status) for r in s.execute(
            select(Debtor.name, Debt.description, Debt.paid_cents, Debt.status)
            .join(Debtor, Debtor.id == Debt.debtor_id))})


def test_payments_pay_the_oldest_debts_first_and_say_why_rows_are_refused(
        shop: Database, tmp_path: Path) -> None:
    report = pay(shop, write(tmp_path, "extrato.csv", PAYMENTS))
    lines = report.lines()
    assert lines[3:8] == ["pagamentos registrados: 2", "já registrados: 0",
                          "dívidas quitadas: 2", "linhas rejeitadas: 5",
                          "linha 4: o telefone (31) 3333-4444 é de 2 devedores; informe o CPF/CNPJ"]
    assert lines[8:] == [
        "linha 5: nenhum devedor com o CPF/CNPJ 11144477735",
        "linha 6: nenhum devedor com o telefone (48) 99999-0000",
        "linha 7: valor pago R$ 500,00 é maior que o saldo em aberto de Ana Souza (R$ 150,00)",
        "linha 8: Bruno Lima não tem dívida em aberto"]
    assert debts(shop) == {
        "Ana Souza:Parcela 1/3": (10000, "paid"), "Ana Souza:Parcela 2/3": (5000, "open"),
        "Ana Souza:Parcela 3/3": (0, "open"), "Bruno Lima:Fogão": (8000, "paid"),
        "Carla Dias:Sofá": (0, "open"), "Davi Dias:Mesa": (0, "open")}

    def facts(session: Any) -> Any:
        notes = sorted(session.scalars(select(Payment.note)))
        audits = session.scalar(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "payments.import"))
        summary = session.execute(select(Debtor.open_cents, Debtor.open_debts)
                                  .where(Debtor.name == "Ana Souza")).one()
        methods = sorted(session.scalars(select(Payment.method)))
        return notes, audits, tuple(summary), methods
    notes, audits, summary, methods = shop.run_sync(facts)
    assert len(notes) == 3  # Ana's R$ 150,00 split over two debts, Bruno's R$ 80,00
    assert all("importado de extrato.csv, linha" in n and "chave" not in n for n in notes)
    assert audits == 2
    assert summary == (15000, 2)  # the list's summary refreshed in the same transaction
    assert methods == ["pix", "pix", "transferencia"]


def test_reimporting_registers_nothing_twice(shop: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "extrato.csv", PAYMENTS)
    pay(shop, path)
    before = debts(shop)
    # the same statement exported again a day later: one more line on top, lines moved
    later = PAYMENTS.replace("Valor pago\n", "Valor pago\n23/11/2026;;(21) 99876-5432;x;1,00\n")
    again = pay(shop, write(tmp_path, "extrato2.csv", later))
    assert (again.registered, again.already) == (0, 2)
    assert debts(shop) == before
    assert shop.run_sync(lambda s: s.scalar(select(func.count()).select_from(Payment))) == 3


def test_two_equal_payments_the_same_day_are_two_payments(shop: Database, tmp_path: Path) -> None:
    text = ("data;cpf;valor\n20/11/2026;52998224725;50,00\n20/11/2026;52998224725;50,00\n")
    first = pay(shop, write(tmp_path, "a.csv", text))
    assert (first.registered, first.already) == (2, 0)
    again = pay(shop, write(tmp_path, "b.csv", text))
    assert (again.registered, again.already) == (0, 2)
    assert debts(shop)["Ana Souza:Parcela 1/3"] == (10000, "paid")


def test_dry_run_and_cancel_change_nothing(shop: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "extrato.csv", PAYMENTS)
    before = debts(shop)
    dry = pay(shop, path, dry_run=True)
    assert dry.registered == 2 and dry.lines()[0].startswith("Simulação (--dry-run)")
    assert debts(shop) == before
    stop = threading.Event()

    def progress(p: Any) -> None:
        if p.phase == "Gravando no banco de dados":
            stop.set()
    with pytest.raises(ImportCancelled):
        pay(shop, path, progress=progress, cancelled=stop.is_set)
    assert debts(shop) == before
    assert shop.run_sync(lambda s: s.scalar(select(func.count()).select_from(Payment))) == 0
