"""The owner's monthly PDF: the hand-counted month of `tests.unit.services.test_results`, read
back from the PDF's pages; an empty month says so; the pages are not blank."""

from __future__ import annotations

import asyncio
from asyncio import AbstractEventLoop
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.services.export import ExportFailed
from cobrador_desktop.services.monthly_report import (
    MonthlyReport,
    MonthlyReportService,
    month_period,
)
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.repos.settings import write_shop
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow
from cobrador_desktop.ui.reports.monthly_report import month_label, save_monthly_report
from cobrador_desktop.ui.viewmodels.results_ports import ResultsSources
from cobrador_desktop.ui.widgets.monthly_report_button import MonthlyReportButton
from tests.ui.pdf_helpers import ink_fraction, page_texts, render_pages, squeeze
from tests.unit.services.test_results import ZONE, _hand_made

NOW = datetime(2026, 12, 3, 15, tzinfo=UTC)
SHOP = ShopDetails(trade_name="Ótica Boa Vista", legal_name="Boa Vista Comércio de Óculos Ltda",
                   document="11222333000181", address="Rua XV de Novembro, 100 — Campinas/SP",
                   uf="SP")


def _report(database: Database, month: date, now: datetime = NOW) -> MonthlyReport:
    service = MonthlyReportService(database, FakeClock(now), ZONE)
    return asyncio.run(service.report(month))


def _seed(database: Database) -> None:
    database.run_sync(_hand_made)
    database.run_sync(lambda s: write_shop(s, SHOP, operator_id=None, now=NOW))


def _text(path: Path) -> str:
    return "".join(page_texts(path))


def test_the_month_counted_by_hand(qapp: QApplication, database: Database,
                                   tmp_path: Path) -> None:
    _seed(database)
    record = _report(database, date(2026, 11, 17))
    assert record.period == month_period(date(2026, 11, 1)) and not record.partial
    pdf = tmp_path / "relatorio.pdf"
    save_monthly_report(pdf, record)
    text = _text(pdf)
    for expected in (
            "Relatório de cobrança — novembro de 2026",
            "Ótica Boa Vista — Boa Vista Comércio de Óculos Ltda · CNPJ 11.222.333/0001-81",
            "01/11/2026 a 30/11/2026 (30 dias)", "Gerado em 03/12/2026 12:00",
            # payments in November: A 30,00 (11-05) + B 50,00 (11-28)
            "Recuperado no mês R$ 80,00",
            # overdue on 11-01: A1 owed 60,00 and got 30,00, C1 owed 80,00
            "recuperado 21,4% (R$ 30,00 de R$ 140,00)",
            # A 21 days, B 19 days
            "média 20 dias, mediana 20 dias (2 devedor(es))",
            "Devedores contatados que responderam 33,3% (1 de 3)",
            "Contatos com identidade confirmada 33,3% (1 de 3)",
            "Lembrados que pagaram em até 7 dias 66,7% (2 de 3)",
            # November's days by ISO week: 11-01 is a Sunday, 11-30 a Monday
            "01/11 a 01/11 R$ 0,00 02/11 a 08/11 R$ 30,00 09/11 a 15/11 R$ 0,00",
            "23/11 a 29/11 R$ 50,00 30/11 a 30/11 R$ 0,00 Total do mês R$ 80,00",
            # the funnel: 4 left, 3 delivered, 2 read, 1 replied, 1 paid
            "Enviadas 4 100,0% Entregues 3 75,0% Lidas 2 50,0% Respondidas 1 25,0% Pagas 1 25,0%",
            # by step: D-3 is A's reminder; the others were queued by no step
            "D-3 · 3 dia(s) antes 1 1 1 1 1 100,0% (1 de 1)",
            "Sem etapa 3 2 1 0 0 0,0% (0 de 3)",
            # by template and by operator (Ana sent one free text)
            "lembrete_vencimento_v1 3 2 1 1 1 33,3% (1 de 3)", "Texto livre 1 1 1 0 0",
            "Ana 1 1 1 0 0",
            "Pesquisa de satisfação",
            # B's number opted out, F marked E's number: 1 of the 3 numbers each, both red
            "Pedidos para parar as mensagens: 33,3% (1 de 3) — Alto.",
            "Marcados como pessoa errada: 33,3% (1 de 3) — Alto."):
        assert squeeze(expected) in text, expected
    spend = record.spend
    assert squeeze(f"Gasto no mês R$ {spend.cents // 100},{spend.cents % 100:02d}") in text
    assert "Nenhumpagamento" not in text
    pages = render_pages(pdf)
    assert all(ink_fraction(page) > 0.01 for page in pages)
    pages[0].save(str(tmp_path / "pagina1.png"))


def test_an_empty_month_says_so(qapp: QApplication, database: Database, tmp_path: Path) -> None:
    database.run_sync(_hand_made)  # no shop identity either
    record = _report(database, date(2026, 6, 1))
    pdf = tmp_path / "junho.pdf"
    save_monthly_report(pdf, record)
    text = _text(pdf)
    for expected in ("Relatório de cobrança — junho de 2026",
                     "identificação não cadastrada (Configurações › Loja)",
                     "Nenhum pagamento, nenhuma mensagem enviada e ninguém contatado neste mês",
                     "Recuperado no mês R$ 0,00", "Devedores contatados que responderam —",
                     "Nenhum pagamento registrado no mês.", "Nenhuma mensagem enviada no mês.",
                     "Nenhuma mensagem cobrada no mês.",
                     "Pedidos para parar as mensagens: nenhum número contatado — Normal."):
        assert squeeze(expected) in text, expected
    assert all(ink_fraction(page) > 0.005 for page in render_pages(pdf))


def test_the_current_month_counts_up_to_today(qapp: QApplication, database: Database,
                                              tmp_path: Path) -> None:
    _seed(database)
    service = MonthlyReportService(database, FakeClock(NOW), ZONE)
    assert asyncio.run(service.default_month()) == date(2026, 11, 1)
    record = _report(database, date(2026, 12, 1))
    assert record.partial and record.period.end == date(2026, 12, 3)
    save_monthly_report(tmp_path / "dez.pdf", record)
    assert squeeze("mês em andamento: conta até 03/12/2026") in _text(tmp_path / "dez.pdf")
    with pytest.raises(ValueError, match="has not started"):
        _report(database, date(2027, 1, 1))


def test_a_failed_write_keeps_the_old_report(qapp: QApplication, database: Database,
                                             tmp_path: Path) -> None:
    _seed(database)
    with pytest.raises(ExportFailed):
        save_monthly_report(tmp_path / "nao-existe" / "r.pdf", _report(database, NOW.date()))
    assert month_label(date(2026, 3, 9)) == "março de 2026"


def test_the_button_asks_month_and_file_and_writes_off_the_gui_thread(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, database: Database,
        tmp_path: Path) -> None:
    _seed(database)
    window = QMainWindow()
    qtbot.addWidget(window)
    button = MonthlyReportButton(MonthlyReportService(database, FakeClock(NOW), ZONE), window,
                                 today=lambda: date(2026, 12, 3))
    window.setCentralWidget(button)
    offered: list[tuple[list[date], int]] = []

    def choose_month(months: list[date], default: int) -> date:
        offered.append((months, default))
        return months[default]

    button.choose_month = choose_month
    button.choose_path = lambda month: tmp_path / f"relatorio-{month:%Y-%m}.pdf"
    assert button.text() == "Relatório do mês (PDF)…"
    with qtbot.waitSignal(button.saved, timeout=20_000) as saved:
        button.click()
        assert not button.isEnabled() and button.text() == "Gerando relatório…"
    months, default = offered[0]
    assert months[:3] == [date(2026, 12, 1), date(2026, 11, 1), date(2026, 10, 1)]
    assert len(months) == 25 and months[default] == date(2026, 11, 1)  # last month by default
    assert saved.args == [tmp_path / "relatorio-2026-11.pdf"] and button.isEnabled()
    assert squeeze("Recuperado no mês R$ 80,00") in _text(tmp_path / "relatorio-2026-11.pdf")
    assert window.statusBar().currentMessage() == (
        f"Relatório de novembro de 2026 gravado em {tmp_path / 'relatorio-2026-11.pdf'}.")

    with qtbot.waitSignal(button.failed, timeout=20_000) as failed:
        button.run(date(2026, 10, 1), tmp_path / "nao-existe" / "r.pdf")
    assert "Não foi possível gravar" in failed.args[0] and button.isEnabled()
    box = window.findChildren(QMessageBox)[0]
    assert "Escolha outra pasta" in box.informativeText() + box.text()
    box.close()


def test_the_resultados_header_offers_the_report(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, database: Database,
        tmp_path: Path) -> None:
    _seed(database)
    clock = FakeClock(NOW)
    context = UiContext(
        debtors=DebtorListService(database), profile="normal", data_dir=tmp_path / "dados",
        database_label="sqlite", version="0.1.0", clock=clock, timezone=ZoneInfo(ZONE),
        results=ResultsSources(figures=ResultsService(database, clock, ZONE),
                               report=MonthlyReportService(database, clock, ZONE)))
    window = MainWindow(context)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded):
        window.show()
    header = window.results_view.header_actions
    buttons = [header.itemAt(i).widget() for i in range(header.count())]
    button = next(b for b in buttons if isinstance(b, MonthlyReportButton))
    button.choose_month = lambda months, default: months[default]
    button.choose_path = lambda month: tmp_path / "r.pdf"
    with qtbot.waitSignal(button.saved, timeout=20_000):
        button.click()  # the shop's today (12-03) makes November the default
    assert squeeze("Relatório de cobrança — novembro de 2026") in _text(tmp_path / "r.pdf")
