"""The debtor list to CSV/XLSX: what the screen shows, in its order, page by page."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from cobrador_desktop.domain.records import DebtorFilter, DebtorQuery, DebtorSort
from cobrador_desktop.services import export_list as service
from cobrador_desktop.services.export import ExportFailed
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.repos import debtors
from tests.unit.storage.factories import add_debt, add_debtor, add_phone

TODAY = date(2026, 11, 23)
TZ = ZoneInfo("America/Sao_Paulo")


def _seed(session: Session) -> None:
    joao = add_debtor(session, "João da Conceição", document="52998224725", document_type="cpf",
                      last_contact_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    add_phone(session, joao, "+5511987654321")
    add_debt(session, joao, 123456, date(2026, 11, 1))
    ana = add_debtor(session, "Ana Souza")
    add_debt(session, ana, 5000, date(2026, 12, 10))
    zeca = add_debtor(session, "Zeca", opted_out=True)
    add_debt(session, zeca, 700, date(2026, 10, 1))
    debtors.refresh_summaries(session, None, TODAY)


def _export(database: Database, target: Path, query: DebtorQuery | None = None,
            sort: DebtorSort = DebtorSort.NAME) -> service.ListExport:
    return service.export_list(database, target, query=query, sort=sort, today=TODAY, tz=TZ)


def test_csv_opens_in_brazilian_excel(database: Database, tmp_path: Path) -> None:
    database.run_sync(_seed)
    done = _export(database, tmp_path / "lista.csv")
    assert done.rows == 3
    raw = (tmp_path / "lista.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == list(service.HEADERS)
    assert [r[0] for r in rows[1:]] == ["Ana Souza", "João da Conceição", "Zeca"]
    joao = rows[2]
    assert joao[1] == "***.982.247-**"  # masked as on screen
    assert joao[2] == "(11) 98765-4321"
    assert joao[3] == "1.234,56"
    assert joao[4] == "22"
    assert joao[6] == "Em atraso"
    assert joao[7] == "19/11/2026"  # 02:00 UTC is still the 19th in São Paulo
    assert rows[1][5] == "10/12/2026" and rows[1][6] == "Em dia" and rows[1][4] == ""
    assert rows[3][6] == "Não contatar"


def test_xlsx_holds_numbers_and_dates(database: Database, tmp_path: Path) -> None:
    database.run_sync(_seed)
    _export(database, tmp_path / "lista.xlsx", sort=DebtorSort.OPEN_AMOUNT)
    sheet = load_workbook(tmp_path / "lista.xlsx", read_only=True)["Devedores"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == service.HEADERS
    assert [r[0] for r in rows[1:]] == ["João da Conceição", "Ana Souza", "Zeca"]
    assert Decimal(str(rows[1][3])) == Decimal("1234.56")
    assert rows[2][5] == datetime(2026, 12, 10)


def test_only_what_the_search_and_filter_select(database: Database, tmp_path: Path) -> None:
    database.run_sync(_seed)
    done = _export(database, tmp_path / "x.csv", DebtorQuery(filter=DebtorFilter.OVERDUE))
    assert done.rows == 2
    done = _export(database, tmp_path / "y.csv", DebtorQuery(text="conceicao"))
    text = (tmp_path / "y.csv").read_text("utf-8-sig")
    assert done.rows == 1 and "João da Conceição" in text and "Ana" not in text


def test_pages_are_read_one_at_a_time_with_progress(database: Database, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def many(session: Session) -> None:
        for i in range(25):
            add_debtor(session, f"Devedor {i:02d}")

    database.run_sync(many)
    monkeypatch.setattr(service, "PAGE", 10)
    seen: list[tuple[int, int]] = []
    done = service.export_list(database, tmp_path / "l.csv", query=None, sort=DebtorSort.NAME,
                               today=TODAY, tz=TZ, progress=lambda d, t: seen.append((d, t)))
    assert done.rows == 25
    assert seen == [(10, 25), (20, 25), (25, 25)]
    names = [line.split(";")[0] for line in
             (tmp_path / "l.csv").read_text("utf-8-sig").splitlines()[1:]]
    assert names == [f"Devedor {i:02d}" for i in range(25)]


def test_cancel_and_bad_names_leave_no_file(database: Database, tmp_path: Path) -> None:
    database.run_sync(_seed)
    out = tmp_path / "saida"
    out.mkdir()
    with pytest.raises(service.ExportCancelled):
        service.export_list(database, out / "c.csv", query=None, sort=DebtorSort.NAME,
                            today=TODAY, tz=TZ, cancelled=lambda: True)
    with pytest.raises(service.UnknownExportFormat):
        _export(database, out / "c.pdf")
    with pytest.raises(ExportFailed):
        _export(database, tmp_path / "nao-existe" / "c.csv")
    assert list(out.iterdir()) == []


def test_a_name_that_is_a_formula_stays_text(database: Database, tmp_path: Path) -> None:
    database.run_sync(lambda s: add_debtor(s, '=HYPERLINK("http://x","Pague aqui")'))
    _export(database, tmp_path / "l.csv")
    _export(database, tmp_path / "l.xlsx")
    text = (tmp_path / "l.csv").read_text("utf-8-sig")
    assert text.splitlines()[1].startswith("\"'=HYPERLINK(")
    cell = load_workbook(tmp_path / "l.xlsx")["Devedores"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK(")
