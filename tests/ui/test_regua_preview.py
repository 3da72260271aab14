"""The Régua page's "O que sai amanhã" over a real database: the counts are the planner's own."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.settings import NumberQuality, ShopDetails
from cobrador_desktop.services.demo_chat import template_rows
from cobrador_desktop.services.demo_data import SHOP
from cobrador_desktop.services.regua import ReguaService
from cobrador_desktop.services.reminders import ReminderService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import DebtorPhone, OutboxItem, Phone, ReguaSend, Template
from cobrador_desktop.storage.repos.settings import write_number_quality, write_shop
from cobrador_desktop.ui.models.planned_messages_model import PAGE, PlanColumn
from cobrador_desktop.ui.viewmodels.regua_preview_vm import (
    ReguaPreviewViewModel,
    decision_counts,
)
from cobrador_desktop.ui.viewmodels.regua_vm import ReguaViewModel
from cobrador_desktop.ui.views.regua_view import ReguaView
from tests.fixtures.qt import run_async
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

ZONE = "America/Sao_Paulo"
#: Sunday 6 December 2026, 10:00 in São Paulo: "amanhã" is Monday the 7th
SUNDAY = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _person(session: Session, name: str, e164: str, due: date, *, cpc: str = "confirmed",
            opted_out: bool = False) -> None:
    debtor = add_debtor(session, name)
    phone_id = add_phone(session, debtor, e164)
    phone = session.get(Phone, phone_id)
    assert phone is not None
    phone.whatsapp_status, phone.opt_in_at, phone.opt_in_source = (
        "yes", SUNDAY - timedelta(days=60), "ficha de cadastro")
    if opted_out:
        phone.opted_out, phone.opted_out_at, phone.opt_out_source = True, SUNDAY, "PARAR"
    link = session.scalars(select(DebtorPhone).where(DebtorPhone.phone_id == phone_id)).one()
    link.cpc_status = cpc
    add_debt(session, debtor, 15_000, due)


def _seed(session: Session) -> None:
    write_shop(session, ShopDetails(trade_name=SHOP.name, legal_name=SHOP.name,
                                    document=SHOP.cnpj, address="Rua das Flores, 10, Campinas",
                                    uf="SP"), operator_id=None, now=SUNDAY)
    write_number_quality(session, NumberQuality("GREEN", "TIER_1K"), operator_id=None, now=SUNDAY)
    for row in template_rows(SHOP, SUNDAY):
        session.add(Template(**{k: v for k, v in row.items() if k != "id"}))
    _person(session, "Ana Lima", "+5511987650001", date(2026, 12, 10))  # D-3: goes out
    _person(session, "Bia Rocha", "+5511987650002", date(2026, 12, 6))  # D+1; D0 superseded
    _person(session, "Caio Prado", "+5511987650003", date(2026, 11, 30), opted_out=True)
    _person(session, "Dora Acre", "+5568987650004", date(2026, 12, 7))  # 07:00 in Acre: held
    _person(session, "Edu Novo", "+5511987650005", date(2026, 12, 10), cpc="unverified")


@pytest.fixture
def planner(sqlite_database: Database) -> ReminderService:
    sqlite_database.run_sync(_seed)
    return ReminderService(sqlite_database, FakeClock(SUNDAY), shop_zone=ZONE)


def test_the_preview_shows_the_plans_counts_and_writes_nothing(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        planner: ReminderService, qtmodeltester: ModelTester) -> None:
    tz = ZoneInfo(ZONE)
    clock = FakeClock(SUNDAY)
    preview_vm = ReguaPreviewViewModel(planner, clock=clock, tz=tz)
    view = ReguaView(ReguaViewModel(ReguaService(sqlite_database, clock)), preview_vm, tz=tz)
    qtbot.addWidget(view)
    view.resize(1200, 760)
    view.show()
    preview = view.preview
    assert preview is not None
    assert preview.day.date().toPython() == date(2026, 12, 7)  # tomorrow, by the app's clock
    view.tabs.setCurrentWidget(preview)

    with qtbot.waitSignal(preview_vm.planned, timeout=10_000):
        preview.calculate_button.click()
    at = datetime(2026, 12, 7, 9, 0, tzinfo=tz)
    expected = run_async(qasync_loop, planner.plan(at))
    assert preview_vm.plan is not None and preview_vm.plan.at == at

    counts = decision_counts(expected)
    assert all(counts[key] > 0 for key in ("allowed", "held", "blocked", "skipped")), counts
    shown = {key: int(card.value.text()) for key, card in preview.cards.items()}
    assert shown == counts
    assert [card.caption.text() for card in preview.cards.values()] == [
        "Vão sair", "Adiadas para o próximo horário", "Bloqueadas", "Puladas"]
    reasons = {_cell(preview.reasons, r, 0): int(_cell(preview.reasons, r, 1))
               for r in range(preview.reasons.rowCount())}
    assert sorted(reasons.values(), reverse=True) == sorted(
        expected.counts_by_reason().values(), reverse=True)
    assert any(text.startswith("O titular deste número pediu para não receber mensagens")
               for text in reasons), reasons
    assert any(text.startswith("A etapa D0 deu lugar") for text in reasons), reasons

    assert preview.messages_label.text() == "6 mensagens em 07/12/2026 09:00"
    model = preview.model
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
    assert model.total() == len(expected.items) + len(expected.skipped) < PAGE
    rows = {model.index(r, PlanColumn.DEBTOR).data(): r for r in range(model.rowCount())}
    ana = rows["Ana Lima"]
    assert model.index(ana, PlanColumn.PHONE).data() == "(11) *****-0001"
    assert model.index(ana, PlanColumn.STEP).data() == "D-3"
    assert model.index(ana, PlanColumn.DECISION).data() == "Vai sair"
    assert model.index(rows["Caio Prado"], PlanColumn.DECISION).data() == "Bloqueada"
    dora = rows["Dora Acre"]
    assert model.index(dora, PlanColumn.DECISION).data() == "Adiada"
    assert model.index(dora, PlanColumn.REASON).data().startswith("Fora do horário permitido")
    assert model.index(dora, PlanColumn.WHEN).data().startswith("07/12/2026 ")
    assert model.index(rows["Edu Novo"], PlanColumn.STEP).data() == "CPC1"

    # a dry run: nothing queued, nothing logged
    assert sqlite_database.run_sync(lambda s: (
        s.scalar(select(func.count()).select_from(OutboxItem)),
        s.scalar(select(func.count()).select_from(ReguaSend)))) == (0, 0)
    view.window().grab().save("/tmp/regua_preview_test.png")
