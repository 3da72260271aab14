""""Exportar…" beside a table: what the table shows, its raw values where the model offers them."""

from __future__ import annotations

import csv
from asyncio import AbstractEventLoop
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTableView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from cobrador_desktop.services.table_export import Money
from cobrador_desktop.ui.formatting import format_brl, format_date
from cobrador_desktop.ui.widgets import table_export
from cobrador_desktop.ui.widgets.table_export import (
    EXPORT_ROLE,
    TableExportButton,
    attach_export,
)

Index = QModelIndex | QPersistentModelIndex
ROWS = [("Modelo lembrete", 12, 3456_78, date(2026, 11, 3)),
        ("=cmd|' /C calc'!A0", 0, 5, date(2026, 11, 30))]


class RawModel(QAbstractTableModel):
    """Shows formatted text and offers the raw values through EXPORT_ROLE, as the screens do."""

    HEADERS = ("Modelo", "Mensagens", "Custo\n(R$)", "Dia")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(ROWS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        name, count, cents, day = ROWS[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (name, str(count), format_brl(cents), format_date(day))[column]
        if role == EXPORT_ROLE and column > 0:
            return (count, Money(cents), day)[column - 1]
        return None


def _standard_view() -> QTableView:
    model = QStandardItemModel(0, 3)
    model.setHorizontalHeaderLabels(["Etapa", "Interno", "Enviadas"])
    for step, sent in (("D-3", "1.204"), ("Vencimento", "98"), ("Sem etapa", "7")):
        model.appendRow([QStandardItem(step), QStandardItem("x"), QStandardItem(sent)])
    view = QTableView()
    view.setModel(model)
    view.setColumnHidden(1, True)
    return view


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text("utf-8-sig").splitlines(), delimiter=";"))


def test_a_standard_model_exports_what_it_shows(qtbot: QtBot, qasync_loop: AbstractEventLoop,
                                                tmp_path: Path) -> None:
    view = _standard_view()
    qtbot.addWidget(view)
    button = TableExportButton(view, "Por etapa")
    qtbot.addWidget(button)
    asked: list[str] = []

    def choose(fmt: str) -> Path:
        asked.append(fmt)
        return tmp_path / f"etapas.{fmt}"

    button.choose_path = choose
    assert [a.text() for a in button.menu().actions()] == [
        "CSV (separado por ponto e vírgula)…", "Planilha do Excel (XLSX)…"]
    with qtbot.waitSignal(button.exported) as done:
        button.csv_action.trigger()
    assert done.args == [tmp_path / "etapas.csv"] and asked == ["csv"]
    expected = [["Etapa", "Enviadas"], ["D-3", "1.204"], ["Vencimento", "98"], ["Sem etapa", "7"]]
    assert _csv(tmp_path / "etapas.csv") == expected  # the hidden column is left out
    with qtbot.waitSignal(button.exported):
        button.xlsx_action.trigger()
    sheet = load_workbook(tmp_path / "etapas.xlsx")["Por etapa"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == expected
    assert "3 linha(s) de “Por etapa” gravada(s) em" in button.message


def test_raw_values_become_numbers_money_and_dates(qtbot: QtBot, qasync_loop: AbstractEventLoop,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_export, "THREAD_CELLS", 4)  # this small table goes to a worker
    window = QMainWindow()
    qtbot.addWidget(window)
    view = QTableView()
    view.setModel(RawModel(view))
    window.setCentralWidget(view)
    button = TableExportButton(view, "Custo por modelo", window)
    with qtbot.waitSignal(button.exported):
        button.export_to(tmp_path / "custos.xlsx")
    sheet = load_workbook(tmp_path / "custos.xlsx").worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Modelo", "Mensagens", "Custo (R$)", "Dia"]
    assert rows[1][:3] == ["Modelo lembrete", 12, 3456.78]
    assert rows[1][3].date() == date(2026, 11, 3)
    assert rows[2][0] == ROWS[1][0] and sheet["A3"].data_type == "s"  # text, not a formula
    assert sheet["C2"].number_format == '"R$" #,##0.00' and sheet["D2"].is_date
    assert window.statusBar().currentMessage() == button.message
    with qtbot.waitSignal(button.exported):
        button.export_to(tmp_path / "custos.csv")
    assert _csv(tmp_path / "custos.csv") == [
        ["Modelo", "Mensagens", "Custo (R$)", "Dia"],
        ["Modelo lembrete", "12", "3.456,78", "03/11/2026"],
        ["'=cmd|' /C calc'!A0", "0", "0,05", "30/11/2026"]]


def test_a_failed_export_says_so_and_keeps_what_was_there(
        qtbot: QtBot, qasync_loop: AbstractEventLoop, tmp_path: Path) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    view = _standard_view()
    layout.addWidget(view)
    button = attach_export(view, "Por etapa")
    assert button.parentWidget() is host and layout.itemAt(0).layout().indexOf(button) == 1
    taken = tmp_path / "etapas.csv"  # a folder already has the name
    taken.mkdir()
    (taken / "antigo.txt").write_text("antigo", "utf-8")
    with qtbot.waitSignal(button.failed) as failed:
        button.export_to(taken)
    assert "Não foi possível gravar a exportação" in failed.args[0]
    assert button.isEnabled()
    box = next(w for w in host.findChildren(QMessageBox))
    assert "Não foi possível gravar" in box.text()
    box.close()
    assert (taken / "antigo.txt").read_text("utf-8") == "antigo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etapas.csv"]  # no temporary left
