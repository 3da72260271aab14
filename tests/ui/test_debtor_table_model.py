"""The lazy debtor table: consistent for Qt's model tester, paged, formatted, sortable by header."""

from __future__ import annotations

from asyncio import AbstractEventLoop
from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cobrador_desktop.ui.models.debtor_table_model import ROW_ROLE, Column, DebtorTableModel
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
from cobrador_desktop.ui.viewmodels.ports import DebtorRow, DebtorSort
from tests.ui.fakes import TODAY, FakeDebtorSource

SP = ZoneInfo("America/Sao_Paulo")


def _model(source: FakeDebtorSource, page_size: int = 10) -> DebtorTableModel:
    vm = DebtorListViewModel(source, page_size=page_size)
    return DebtorTableModel(vm, today=lambda: TODAY, tz=SP)


def _load_first(qtbot: QtBot, model: DebtorTableModel) -> None:
    with qtbot.waitSignal(model._vm.first_page_loaded):
        model._vm.start()


def test_model_passes_qt_model_tester_while_pages_arrive(qtbot: QtBot, qasync_loop: AbstractEventLoop,
        qtmodeltester: ModelTester) -> None:
    model = _model(FakeDebtorSource(count=35))
    # from here on the tester checks every reset and insert the pages cause
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]
    _load_first(qtbot, model)
    while model.canFetchMore(QModelIndex()):
        with qtbot.waitSignal(model.rowsInserted):
            model.fetchMore(QModelIndex())
    assert model.rowCount() == 35
    model.sort(Column.OPEN)
    qtbot.waitUntil(lambda: model.rowCount() >= 10)
    qtmodeltester.check(model, force_py=False)  # type: ignore[no-untyped-call]


def test_fetch_more_is_guarded_while_a_page_is_in_flight(qtbot: QtBot,
                                                        qasync_loop: AbstractEventLoop) -> None:
    import asyncio

    source = FakeDebtorSource(count=40)
    model = _model(source)
    _load_first(qtbot, model)
    source.gate = asyncio.Event()
    for _ in range(5):  # a view scrolled fast calls fetchMore again and again
        model.fetchMore(QModelIndex())
        qtbot.wait(1)
    assert len(source.calls) == 2
    with qtbot.waitSignal(model.rowsInserted):
        source.gate.set()
    assert model.rowCount() == 20


def _row(**changes: Any) -> DebtorRow:
    base = DebtorRow(id=1, name="Maria José da Silva", document="52998224725",
                     document_type="cpf", phone_e164="+5511987654321", open_cents=123456,
                     open_debts=2, oldest_open_due=date(2026, 11, 3), next_due=date(2026, 12, 5),
                     last_contact_at=None, operator_name="Joana")
    return replace(base, **changes)


def test_cells_are_formatted_for_brazil(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    from datetime import UTC, datetime

    row = _row(last_contact_at=datetime(2026, 11, 20, 18, 30, tzinfo=UTC))
    model = _model(FakeDebtorSource([row]))
    _load_first(qtbot, model)

    def cell(column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.data(model.index(0, column), role)

    assert cell(Column.NAME) == "Maria José da Silva"
    assert cell(Column.DOCUMENT) == "***.982.247-**"
    assert "52998224725" not in str(cell(Column.DOCUMENT))
    assert cell(Column.PHONE) == "(11) 98765-4321"
    assert cell(Column.OPEN) == "R$ 1.234,56"
    assert cell(Column.OVERDUE) == "20 dias"
    assert cell(Column.NEXT_DUE) == "05/12/2026"
    assert cell(Column.LAST_CONTACT) == "20/11/2026"
    assert cell(Column.LAST_CONTACT, Qt.ItemDataRole.ToolTipRole) == "20/11/2026 15:30"  # São Paulo
    assert cell(Column.OPERATOR) == "Joana"
    assert cell(Column.NAME, ROW_ROLE) == row
    assert cell(Column.OPEN, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight


@pytest.mark.parametrize(("oldest", "expected"), [
    (date(2026, 11, 22), "1 dia"),
    (date(2026, 11, 23), "em dia"),
    (date(2026, 12, 1), "em dia"),
    (date(2025, 11, 23), "365 dias"),
    (None, ""),
])
def test_overdue_days_count_from_today(qtbot: QtBot, qasync_loop: AbstractEventLoop,
                                     oldest: date | None, expected: str) -> None:
    model = _model(FakeDebtorSource([_row(oldest_open_due=oldest)]))
    _load_first(qtbot, model)
    assert model.data(model.index(0, Column.OVERDUE)) == expected


def test_empty_optional_fields_show_blank(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    row = _row(document=None, document_type=None, phone_e164=None, next_due=None,
               operator_name=None, open_cents=0, open_debts=0, oldest_open_due=None)
    model = _model(FakeDebtorSource([row]))
    _load_first(qtbot, model)
    shown = [model.data(model.index(0, c)) for c in Column]
    assert shown == ["Maria José da Silva", "", "", "R$ 0,00", "", "", "Quitado", "", ""]


def test_headers_map_to_service_orders(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    source = FakeDebtorSource(count=5)
    model = _model(source)
    _load_first(qtbot, model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["Nome", "CPF/CNPJ", "Telefone", "Em aberto", "Maior atraso",
                       "Próx. venc.", "Situação", "Últ. contato", "Operador"]
    expected = {Column.OPEN: DebtorSort.OPEN_AMOUNT, Column.OVERDUE: DebtorSort.OLDEST_DUE,
                Column.NEXT_DUE: DebtorSort.NEXT_DUE, Column.NAME: DebtorSort.NAME}
    for column, sort in expected.items():
        with qtbot.waitSignal(model.modelReset):
            model.sort(column, Qt.SortOrder.AscendingOrder)
        qtbot.waitUntil(lambda: model.rowCount() == 5)
        assert source.calls[-1][0] == sort
        assert model.sort_indicator()[0] == column
    calls = len(source.calls)
    model.sort(Column.PHONE)  # not sortable yet: nothing happens
    model.sort(Column.OPERATOR)
    assert len(source.calls) == calls
    assert model.sort_indicator() == (Column.NAME, Qt.SortOrder.AscendingOrder)


def test_opted_out_debtor_is_marked(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    model = _model(FakeDebtorSource([_row(opted_out=True), _row(id=2, name="Zé")]))
    _load_first(qtbot, model)
    tip = Qt.ItemDataRole.ToolTipRole
    assert "não receber" in model.data(model.index(0, Column.NAME), tip)
    assert model.data(model.index(1, Column.NAME), tip) == "Zé"  # the full name, when elided


def test_cells_follow_the_date(qtbot: QtBot, qasync_loop: AbstractEventLoop,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from cobrador_desktop.ui.models import debtor_table_model

    monkeypatch.setattr(debtor_table_model, "_DAY_CHECK_SECONDS", -1.0)  # check on every call
    today = [TODAY]
    vm = DebtorListViewModel(FakeDebtorSource([_row(oldest_open_due=TODAY)]))
    model = DebtorTableModel(vm, today=lambda: today[0], tz=SP)
    _load_first(qtbot, model)
    assert model.data(model.index(0, Column.OVERDUE)) == "em dia"
    assert model.data(model.index(0, Column.STATUS)) == "Em dia"
    today[0] = TODAY + timedelta(days=2)
    assert model.data(model.index(0, Column.OVERDUE)) == "2 dias"
    assert model.data(model.index(0, Column.STATUS)) == "Em atraso"
    assert model.data(model.index(0, Column.STATUS), Qt.ItemDataRole.ForegroundRole) is not None


def test_only_the_columns_have_headers(qtbot: QtBot, qasync_loop: AbstractEventLoop) -> None:
    model = _model(FakeDebtorSource(count=3))
    _load_first(qtbot, model)
    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
        assert model.headerData(0, Qt.Orientation.Vertical, role) is None
        assert model.headerData(len(Column), Qt.Orientation.Horizontal, role) is None
    assert model.headerData(Column.OPEN, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.ToolTipRole) == "Clique para ordenar por esta coluna"
    assert model.headerData(Column.NEXT_DUE, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.ToolTipRole).startswith("Próximo vencimento")
    assert model.headerData(Column.PHONE, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(Column.OPEN, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.headerData(Column.NAME, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.TextAlignmentRole) is None
