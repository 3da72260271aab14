"""Any table to CSV/XLSX: typed cells read back as written, formulas never run, old files kept."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from cobrador_desktop.services.export import ExportFailed
from cobrador_desktop.services.table_export import (
    Money,
    UnknownExportFormat,
    csv_text,
    export_table,
    neutralised,
)

HEADERS = ("Nome", "Pagos", "Recuperado", "Taxa (%)", "Dia", "Quando", "Confirmado", "Obs.")
SP = ZoneInfo("America/Sao_Paulo")
ROWS: list[tuple[Any, ...]] = [
    ("João da Conceição", 1234, Money(123456), 33.25, date(2026, 11, 5),
     datetime(2026, 11, 5, 14, 30, tzinfo=UTC).astimezone(SP), True, None),
    ("=HYPERLINK(\"http://x\",\"clique\")", 0, Money(-500), Decimal("0.5"), None, None, False,
     "+55 (11) 98765-4321"),
]


def _csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


def test_csv_is_brazilian_and_formula_safe(tmp_path: Path) -> None:
    done = export_table(tmp_path / "t.csv", HEADERS, iter(ROWS), "csv")
    assert done.rows == 2 and done.path == tmp_path / "t.csv"
    rows = _csv(tmp_path / "t.csv")
    assert rows[0] == list(HEADERS)
    assert rows[1] == ["João da Conceição", "1234", "1.234,56", "33,25", "05/11/2026",
                       "05/11/2026 11:30", "Sim", ""]
    # the name that would run as a formula is text; the phone is left alone
    assert rows[2] == ["'=HYPERLINK(\"http://x\",\"clique\")", "0", "-5,00", "0,5", "", "", "Não",
                       "+55 (11) 98765-4321"]


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"), ("-2+3+cmd|' /C calc'!A0",
                                                          "'-2+3+cmd|' /C calc'!A0"),
    ("+cmd|x", "'+cmd|x"), ("\t=1", "'\t=1"), ("-", "-"), ("-5,00", "-5,00"),
    ("+1 (415) 555-0100", "+1 (415) 555-0100"), ("Ana = Bia", "Ana = Bia"), ("", ""),
])
def test_what_could_run_as_a_formula_gets_a_quote(text: str, safe: str) -> None:
    assert neutralised(text) == safe
    assert csv_text(text) == safe


def test_xlsx_holds_numbers_money_and_dates(tmp_path: Path) -> None:
    export_table(tmp_path / "t.xlsx", HEADERS, ROWS, sheet="Por modelo: [nov/2026]")
    book = load_workbook(tmp_path / "t.xlsx")
    sheet = book.worksheets[0]
    assert sheet.title == "Por modelo   nov 2026"  # characters Excel refuses are gone
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1][:7] == ("João da Conceição", 1234, 1234.56, 33.25,
                           datetime(2026, 11, 5), datetime(2026, 11, 5, 11, 30), "Sim")
    assert Decimal(str(rows[1][2])) == Decimal("1234.56")  # written as the exact decimal
    assert rows[2][2] == -5 and rows[2][3] == 0.5
    cells = {c.column_letter: c for c in sheet[2]}
    assert cells["B"].data_type == "n" and cells["C"].number_format == '"R$" #,##0.00'
    assert cells["E"].is_date and cells["E"].number_format == "DD/MM/YYYY"
    assert cells["F"].number_format == "DD/MM/YYYY HH:MM"
    formula = sheet["A3"]
    assert formula.data_type == "s" and formula.value == ROWS[1][0]  # text, never a formula
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("João da Conceição")


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    target.write_text("antigo", "utf-8")

    def rows() -> Iterator[Sequence[Any]]:
        yield ROWS[0]
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportFailed) as caught:
        export_table(target, HEADERS, rows())
    assert "No space left on device" in str(caught.value.params)
    assert target.read_text("utf-8") == "antigo"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_bad_names_and_folders(tmp_path: Path) -> None:
    with pytest.raises(UnknownExportFormat):
        export_table(tmp_path / "t.pdf", HEADERS, ROWS)
    with pytest.raises(ExportFailed):
        export_table(tmp_path / "nao-existe" / "t.csv", HEADERS, ROWS)
    # the format given wins over the name
    export_table(tmp_path / "sem-extensao", HEADERS, ROWS, "xlsx")
    with (tmp_path / "sem-extensao").open("rb") as book:
        assert load_workbook(book).worksheets[0]["A1"].value == "Nome"
    assert list(tmp_path.iterdir()) == [tmp_path / "sem-extensao"]
