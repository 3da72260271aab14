"""The Modelos tab over a real database and the emulator: the pack before submission, the preview
for a debtor found by the search, one-click submission with per-template results, and what it
says without a WhatsApp number."""

from __future__ import annotations

import asyncio
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.domain.template_pack import PACK
from cobrador_desktop.services.templates import TemplateService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Debt, Debtor
from cobrador_desktop.storage.repos.settings import write_shop
from cobrador_desktop.ui.resources import stylesheet
from cobrador_desktop.ui.viewmodels.templates_vm import TemplatesViewModel
from cobrador_desktop.ui.views.templates_view import TemplatesView
from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.emulator.server import Emulator
from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig
from tests.fixtures.qt import run_async

SHOP = ShopDetails(trade_name="Loja Exemplo", legal_name="Loja Exemplo Ltda",
                   document="12345678000195", address="Rua A, 1 - Campinas/SP", uf="SP")
TOKEN = "emulated-token-for-the-templates-view"


@pytest.fixture
def seeded(sqlite_database: Database, clock: FakeClock) -> Database:
    def seed(session: Any) -> None:
        write_shop(session, SHOP, operator_id=None, now=clock.now())
        debtor = Debtor(name="Joana Pereira Lima", name_key="joana pereira lima",
                        search_text="joana pereira lima", open_cents=25_990, open_debts=1)
        session.add(debtor)
        session.flush()
        session.add(Debt(debtor_id=debtor.id, amount_cents=25_990, paid_cents=0,
                         due_date=date(2026, 11, 10), installment_number=1, installment_count=3))
    sqlite_database.run_sync(seed)
    return sqlite_database


def _open(qtbot: QtBot, service: TemplateService) -> TemplatesView:
    vm = TemplatesViewModel(service)
    view = TemplatesView(vm)
    view.setStyleSheet(stylesheet() + view.styleSheet())  # as in the window
    qtbot.addWidget(view)
    view.resize(1180, 700)
    with qtbot.waitSignal(vm.loaded):
        view.show()
    return view


def _cells(view: TemplatesView, column: int) -> list[str]:
    return [view.table.item(row, column).text() for row in range(view.table.rowCount())]


def test_without_a_number_the_pack_is_listed_previewed_and_submit_explains(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, seeded: Database,
        clock: FakeClock, tmp_path: Path) -> None:
    view = _open(qtbot, TemplateService(seeded, clock, lambda: None))
    assert sorted(_cells(view, 0)) == sorted(t.name for t in PACK)
    assert set(_cells(view, 3)) == {"Não enviado"} and set(_cells(view, 4)) == {"Não"}
    assert view.note.isVisible() and "Nenhum número" in view.note.text()
    assert not view.sync_button.isEnabled()

    row = _cells(view, 0).index("lembrete_vencimento_v1")
    view.table.setCurrentCell(row, 0)
    qtbot.waitUntil(lambda: "Olá, Ana. Lembrete da Loja Exemplo" in view.bubble.text())
    view.search.setText("joana")
    qtbot.waitUntil(lambda: "Joana" in view.bubble.text())
    assert view.debtor_choice.currentText() == "Joana Pereira Lima — R$ 259,90"
    assert view.bubble.text().startswith(
        "Olá, Joana. Lembrete da Loja Exemplo: a parcela 1/3 da sua compra, no valor de "
        "R$ 259,90, vence em 10/11/2026.")
    assert "Loja Exemplo Ltda - CNPJ 12.345.678/0001-95" in view.bubble.text()
    mapping = view.mapping.text()
    assert "{{1}}" in mapping and "Nome" in mapping and "Joana" in mapping
    assert "Vencimento" in mapping and "10/11/2026" in mapping

    view.confirm = lambda: pytest.fail("no number: nothing to confirm")  # type: ignore[method-assign]
    view.submit()
    assert view.result_label.isVisible()
    assert "WHATSAPP_PHONE_NUMBER_ID" in view.result_label.text()
    if os.environ.get("COBRADOR_SCREENSHOTS"):
        view.grab().save(str(Path(os.environ["COBRADOR_SCREENSHOTS"]) / "templates_view.png"))


def test_submitting_the_pack_lists_each_result_and_the_new_ones_are_not_usable(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, seeded: Database,
        clock: FakeClock) -> None:
    emulator = Emulator(EmulatorConfig(access_token=TOKEN, clock=clock))
    base_url = run_async(qasync_loop, emulator.start())
    for name in ("lembrete_acordo_v1", "pesquisa_satisfacao_v1"):  # two the account lacks
        emulator.templates.delete(name)
    config = CloudApiConfig(base_url=base_url, phone_number_id=emulator.config.phone_number_id,
                            waba_id=emulator.config.waba_id, access_token=TOKEN)
    try:
        view = _open(qtbot, TemplateService(seeded, clock, lambda: CloudApiClient(config)))
        assert not view.note.isVisible() and view.sync_button.isEnabled()
        with qtbot.waitSignal(view.vm.loaded, timeout=5000):
            view.sync()
        shown = dict(zip(_cells(view, 0), zip(_cells(view, 3), _cells(view, 4), strict=True),
                         strict=True))
        assert shown["vencimento_hoje_v1"] == ("Aprovado", "Sim")
        assert shown["pesquisa_satisfacao_v1"] == ("Não enviado", "Não")

        asked: list[bool] = []
        view.confirm = lambda: asked.append(True) or True  # type: ignore[method-assign]
        with qtbot.waitSignal(view.vm.loaded, timeout=5000):
            view.submit()
        assert asked == [True]
        text = view.result_label.text()
        assert "<b>lembrete_acordo_v1</b>: enviado, em análise na Meta." in text
        assert "<b>pesquisa_satisfacao_v1</b>: enviado, em análise na Meta." in text
        assert "5 modelo(s) já estavam na conta." in text
        shown = dict(zip(_cells(view, 0), zip(_cells(view, 3), _cells(view, 4), strict=True),
                         strict=True))
        assert shown["lembrete_acordo_v1"] == ("Em análise", "Não")
        assert shown["vencimento_hoje_v1"] == ("Aprovado", "Sim")
    finally:
        run_async(qasync_loop, emulator.stop())
