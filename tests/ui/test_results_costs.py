"""Resultados › Custos over a real CostService on SQLite: the tiles and the table against spend
counted by hand (a period across the switch from dollars to reais), the price table edited in
its dialog changing the figures, a wrong line refused in Portuguese with every typed line kept,
and an operator who cannot save (Salvar off on screen; the service refuses and records it).

The shop is in São Paulo (UTC-3). Prices (domain.pricing.SHIPPED, R$ 5,40 per dollar):
utility outside the 24 h window US$ 0.0068 = R$ 0,03672 until 2026-06-30, R$ 0,03672 from
2026-07-01; marketing US$ 0.0625 = R$ 0,3375, then R$ 0,3375; free-form (service) inside the
window: free until 2026-09-30. Amounts below are micros of reais.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.results import Period
from cobrador_desktop.domain.roles import Actor, Role
from cobrador_desktop.services.costs import CostService
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.services.results import ResultsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Operator, Payment, Template
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.dialogs.price_table_dialog import Column, PriceTableDialog
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.session import SignedIn
from cobrador_desktop.ui.viewmodels.costs_vm import CostsViewModel
from cobrador_desktop.ui.viewmodels.results_ports import ResultsSources
from cobrador_desktop.ui.widgets.results_costs import CostsPanel
from tests.unit.storage.factories import add_debt
from tests.unit.storage.test_costs_repo import Chat

ZONE = "America/Sao_Paulo"
#: shop days 2026-06-20 to 2026-07-10: Meta billed in dollars before July 1, in reais after
ACROSS = Period(date(2026, 6, 20), date(2026, 7, 10))


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _history(session: Session) -> dict[str, int]:
    session.add_all([Template(name="lembrete_v1", category="UTILITY", status="APPROVED"),
                     Template(name="oferta_v1", category="MARKETING", status="APPROVED")])
    owner = Operator(name="Rita", login="rita", role="owner")
    operator = Operator(name="Ana", login="ana", role="operator")
    session.add_all([owner, operator])
    maria = Chat(session, "Maria", "+5511987654321")
    joao = Chat(session, "João", "+5511987654322")
    maria.out(_utc(2026, 6, 5, 15), "lembrete_v1")  # before the period: 36 720
    maria.out(_utc(2026, 6, 25, 15), "lembrete_v1")  # US$ 0.0068 × 5,40 = 36 720
    maria.out(_utc(2026, 6, 26, 15), "oferta_v1", status="read")  # US$ 0.0625 × 5,40 = 337 500
    maria.out(_utc(2026, 7, 2, 15), "lembrete_v1")  # R$ 0,03672 = 36 720
    joao.out(_utc(2026, 7, 3, 15), "oferta_v1")  # R$ 0,3375 = 337 500
    joao.inbound(_utc(2026, 7, 3, 15, 30))
    joao.out(_utc(2026, 7, 3, 16), None)  # free-form inside the window: 0
    maria.out(_utc(2026, 7, 4, 15), "lembrete_v1", status="failed")  # not delivered: nothing
    maria.out(_utc(2026, 7, 20, 15), "lembrete_v1")  # July, after the period: 36 720
    debt = add_debt(session, maria.debtor, 50_000, date(2026, 5, 10))
    for day, cents in ((date(2026, 6, 28), 5_000), (date(2026, 7, 5), 3_000),
                       (date(2026, 7, 15), 10_000)):
        session.add(Payment(debt_id=debt, amount_cents=cents, paid_on=day))
    session.flush()
    return {"owner": owner.id, "operator": operator.id}


@pytest.fixture
def people(sqlite_database: Database) -> dict[str, int]:
    return sqlite_database.run_sync(_history)


def _panel(qtbot: QtBot, database: Database, clock: FakeClock, who: Actor) -> CostsPanel:
    session = SignedIn()
    session.set_actor(who)
    vm = CostsViewModel(CostService(database, clock, ZONE), clock, ZoneInfo(ZONE),
                        operator_id=lambda: session.operator_id, session=session)
    vm.setParent(session)
    panel = CostsPanel(vm)
    panel._session = session  # type: ignore[attr-defined]  # kept alive with the panel
    qtbot.addWidget(panel)
    panel.resize(1100, 640)
    with qtbot.waitSignal(vm.loaded):
        panel.show_period(ACROSS)
        panel.show()
    return panel


def _table(panel: CostsPanel) -> list[list[str]]:
    table = panel.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
            for r in range(table.rowCount())]


def _tiles(panel: CostsPanel) -> list[tuple[str, str, str]]:
    return [(t.title.text(), t.value.text(), t.detail.text())
            for t in (panel.month_tile, panel.period_tile, panel.per_real_tile)]


def _chart(panel: CostsPanel) -> list[tuple[str, float]]:
    """The bars, bottom to top: the axis's label and the bar's value in reais."""
    bars = panel.chart.series()[0].barSets()[0]  # type: ignore[attr-defined]
    names = panel.chart.axes(Qt.Orientation.Vertical)[0].categories()  # type: ignore[attr-defined]
    return list(zip(names, [bars.at(i) for i in range(bars.count())], strict=True))


def _price_cell(rows: QTableWidget, row: int) -> QLineEdit:
    edit = rows.cellWidget(row, Column.PRICE)
    assert isinstance(edit, QLineEdit)
    return edit


def _row_of(dialog: PriceTableDialog, **wanted: str) -> int:
    for row in range(dialog.table.rowCount()):
        values = dialog.row_values(row)
        if all(values[k] == v for k, v in wanted.items()):
            return row
    raise AssertionError(f"no line {wanted}")


def test_tiles_and_table_are_the_spend_counted_by_hand_across_the_dollar_switch(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        clock: FakeClock, people: dict[str, int], tmp_path: Path) -> None:
    panel = _panel(qtbot, sqlite_database, clock, Actor(people["owner"], "Rita", Role.OWNER))
    # period: 36 720 + 337 500 (dollars) + 36 720 + 337 500 + 0 (reais) = 748 440 -> R$ 0,75
    # July (the period's last month): 36 720 + 337 500 + 0 + 36 720 = 410 940 -> R$ 0,41
    # per R$ 100: 0,74844 / 80,00 × 100 = 0,93555 -> R$ 0,94
    assert _tiles(panel) == [
        ("Gasto em julho de 2026", "R$ 0,41", "4 mensagens entregues"),
        ("Gasto no período", "R$ 0,75", "20/06/2026 a 10/07/2026 · 5 mensagens entregues"),
        ("Custo por R$ 100 recuperados", "R$ 0,94", "R$ 80,00 recuperados no período"),
    ]
    # oferta: 2 × 337 500 = 675 000 -> R$ 0,68; lembrete: 2 × 36 720 = 73 440 -> R$ 0,07,
    # R$ 0,0367 each (four decimals: not R$ 0,04)
    assert _table(panel) == [
        ["oferta_v1", "marketing", "2", "R$ 0,68", "R$ 0,3375"],
        ["lembrete_v1", "utilidade", "2", "R$ 0,07", "R$ 0,0367"],
        ["Mensagens livres (sem modelo)", "serviço", "1", "R$ 0,00", "R$ 0,0000"],
    ]
    assert panel.table.objectName() == "costsByTemplate"
    note = panel.note.text()
    assert "Até 30/06/2026 os preços são em dólar" in note and "(R$ 5,40 por US$ 1)" in note
    assert "cobradas desde 01/10/2026" in note
    assert panel.chart_choice.currentData() == "category"
    assert _chart(panel) == [("serviço · R$ 0,00", 0.0), ("autenticação · R$ 0,00", 0.0),
                             ("utilidade · R$ 0,07", 0.07), ("marketing · R$ 0,68", 0.68)]
    panel.chart_choice.setCurrentIndex(panel.chart_choice.findData("template"))
    assert _chart(panel) == [("sem modelo · R$ 0,00", 0.0), ("lembrete_v1 · R$ 0,07", 0.07),
                             ("oferta_v1 · R$ 0,68", 0.68)]

    # the table exports with its amounts as numbers (the price per message exact)
    with qtbot.waitSignal(panel.export_button.exported):
        panel.export_button.export_to(tmp_path / "custos.xlsx")
    sheet = load_workbook(tmp_path / "custos.xlsx").worksheets[0]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Modelo", "Categoria", "Entregues", "Gasto", "Por mensagem"],
        ["oferta_v1", "marketing", 2, 0.68, 0.3375],
        ["lembrete_v1", "utilidade", 2, 0.07, 0.03672],
        ["Mensagens livres (sem modelo)", "serviço", 1, 0, 0]]

    # a month with nothing delivered and nothing paid
    with qtbot.waitSignal(panel.vm.loaded):
        panel.show_period(Period(date(2026, 8, 1), date(2026, 8, 31)))
    assert [value for _, value, _ in _tiles(panel)] == ["R$ 0,00", "R$ 0,00", "—"]
    assert panel.table.rowCount() == 0 and not panel.empty_label.isHidden()


def test_editing_the_price_table_changes_the_figures(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        clock: FakeClock, people: dict[str, int]) -> None:
    panel = _panel(qtbot, sqlite_database, clock, Actor(people["owner"], "Rita", Role.OWNER))
    dialog = panel.open_price_table()
    assert dialog is not None and dialog.save_button.isEnabled()
    assert dialog.rate_edit.text() == "5,40"
    utility = _row_of(dialog, category="utility", window="outside", **{"from": "2026-07-01"})
    assert _price_cell(dialog.table, utility).text() == "0,03672"
    _price_cell(dialog.table, utility).setText("0,05")
    dialog.rate_edit.setText("5,00")
    dialog.table.selectRow(_row_of(dialog, category="authentication", **{"from": "2026-07-01"}))
    dialog.remove_row()  # no authentication messages here: the figures stay
    with qtbot.waitSignals([dialog.finished, panel.vm.loaded]):
        dialog.save_button.click()
    assert panel.dialog is None
    # period: 6 800 × 5 + 62 500 × 5 + 50 000 + 337 500 + 0 = 734 000 -> R$ 0,73
    # July: 50 000 + 337 500 + 0 + 50 000 = 437 500 -> R$ 0,44 (0,4375 half up)
    # per R$ 100: 0,734 / 80 × 100 = 0,9175 -> R$ 0,92
    assert [value for _, value, _ in _tiles(panel)] == ["R$ 0,44", "R$ 0,73", "R$ 0,92"]
    assert _table(panel)[1] == ["lembrete_v1", "utilidade", "2", "R$ 0,08", "R$ 0,0420"]
    saved = sqlite_database.run_sync(lambda s: s.scalars(
        select(AuditEntry).where(AuditEntry.object_id == "costs.price_table")).one())
    assert saved.operator_id == people["owner"]
    assert saved.details["to"]["usd_brl"] == 50_000
    assert len(saved.details["to"]["rows"]) == len(saved.details["from"]["rows"]) - 1
    assert not [r for r in saved.details["to"]["rows"]
                if r["category"] == "authentication" and r["from"] == "2026-07-01"]
    changed = [r for r in saved.details["to"]["rows"] if r["micros"] == 50_000]
    assert changed == [{"category": "utility", "window": "outside", "from": "2026-07-01",
                        "currency": "BRL", "micros": 50_000, "basis": "owner"}]


@pytest.mark.parametrize(("edit", "message"), [
    ("price", "“0,0x” não é um preço para utilidade a partir de 01/07/2026"),
    ("negative", "O preço de utilidade a partir de 01/07/2026 não pode ser negativo (-0,01)"),
    ("duplicate", "Há dois preços para marketing (dentro ou fora da janela) a partir de "
                  "01/07/2026"),
    ("rate", "“cinco” não serve como cotação do dólar"),
])
def test_a_wrong_line_is_refused_in_portuguese_and_nothing_typed_is_lost(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        clock: FakeClock, people: dict[str, int], edit: str, message: str) -> None:
    panel = _panel(qtbot, sqlite_database, clock, Actor(people["owner"], "Rita", Role.OWNER))
    dialog = panel.open_price_table()
    assert dialog is not None
    utility = _row_of(dialog, category="utility", window="outside", **{"from": "2026-07-01"})
    if edit == "price":
        _price_cell(dialog.table, utility).setText("0,0x")
    elif edit == "negative":
        _price_cell(dialog.table, utility).setText("-0,01")
    elif edit == "duplicate":
        marketing = _row_of(dialog, category="marketing", **{"from": "2026-07-01"})
        dialog.table.selectRow(marketing)
        added = dialog.add_row()
        _price_cell(dialog.table, added).setText("0,40")
    else:
        dialog.rate_edit.setText("cinco")
    typed = [dialog.row_values(r) for r in range(dialog.table.rowCount())]
    rate = dialog.rate_edit.text()
    dialog.save_button.click()
    assert not dialog.problem_label.isHidden()
    assert message in dialog.problem_label.text()
    assert "nada foi salvo" in dialog.problem_label.text()
    assert dialog.isVisible()
    assert [dialog.row_values(r) for r in range(dialog.table.rowCount())] == typed
    assert dialog.rate_edit.text() == rate
    if edit in ("price", "negative"):  # the wrong line is the one selected
        assert dialog.table.currentRow() == utility
    elif edit == "duplicate":
        assert dialog.table.currentRow() == added
    assert sqlite_database.run_sync(lambda s: s.scalars(
        select(AuditEntry).where(AuditEntry.object_id == "costs.price_table")).all()) == []


def test_an_operator_cannot_save_the_table(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        clock: FakeClock, people: dict[str, int]) -> None:
    panel = _panel(qtbot, sqlite_database, clock, Actor(people["operator"], "Ana", Role.OPERATOR))
    dialog = panel.open_price_table()
    assert dialog is not None
    assert not dialog.save_button.isEnabled()
    assert dialog.save_button.toolTip().startswith(
        "Só o dono da loja pode mudar a tabela de preços do WhatsApp.")
    dialog.rate_edit.setText("6,00")
    # the service refuses anyway (a call that gets past the screen), says why, and records it
    with qtbot.waitSignal(panel.vm.save_failed) as refused:
        panel.vm.save_table(dialog.edited_table())
    assert str(refused.args[0]).startswith(
        "Só o dono da loja pode mudar a tabela de preços do WhatsApp.")
    assert dialog.problem_label.text() == refused.args[0] and dialog.isVisible()
    assert dialog.rate_edit.text() == "6,00"
    denied = sqlite_database.run_sync(lambda s: s.scalars(select(AuditEntry.details).where(
        AuditEntry.action == "access.denied")).all())
    assert denied == [{"action": "costs.price_table", "operator_id": people["operator"]}]
    assert _tiles(panel)[1][1] == "R$ 0,75"  # figures unchanged


def test_the_window_shows_custos_as_a_tab_of_resultados_following_the_period(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        clock: FakeClock, people: dict[str, int], tmp_path: Path) -> None:
    context = UiContext(
        debtors=DebtorListService(sqlite_database), profile="normal",
        data_dir=tmp_path / "dados", database_label="sqlite", version="0.1.0", clock=clock,
        timezone=ZoneInfo(ZONE),
        results=ResultsSources(figures=ResultsService(sqlite_database, clock, ZONE),
                               costs=CostService(sqlite_database, clock, ZONE)))
    window = MainWindow(context)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded):
        window.show()
    with qtbot.waitSignal(window.results_vm.loaded, timeout=10_000):  # type: ignore[union-attr]
        window.show_page(Page.RESULTS)
    view = window.results_view
    panel = view.findChild(CostsPanel)
    assert panel is not None and view.tabs.tabText(view.tabs.indexOf(panel)) == "Custos"
    assert window.costs_vm is panel.vm and panel.vm.overview is None  # hidden: not read yet
    with qtbot.waitSignal(panel.vm.loaded):
        view.tabs.setCurrentWidget(panel)
    # the selector's default (últimos 30 dias to 2026-11-23): nothing delivered then
    assert panel.vm.period == Period(date(2026, 10, 25), date(2026, 11, 23))
    assert panel.period_tile.value.text() == "R$ 0,00"
    with qtbot.waitSignal(panel.vm.loaded):
        view.vm.choose_custom(ACROSS.start, ACROSS.end)
    assert panel.period_tile.value.text() == "R$ 0,75"
