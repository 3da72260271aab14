"""Any table (a header and rows of typed values) to a CSV or XLSX file Excel in Brazil opens as is.

One set of writers for every export of a table (the debtor list, the audit log, each table of the
Resultados screen):

- CSV: UTF-8 with BOM, `;` between fields, `1.234,56` amounts, decimal comma, `dd/mm/aaaa` dates;
- XLSX (openpyxl's write-only mode): numbers as numbers, money as reais with an `R$` format,
  dates as dates with Brazilian formats — never numbers or dates as text.

Cells are typed values: None (empty), `str`, `bool` ("Sim"/"Não"), `int`, `float`, `Decimal`,
`Money` (centavos), `date`, `datetime` (given in the zone it should show in; an aware one is written
as its wall-clock time). Text a spreadsheet would run as a formula (`=`, `@`, a tab or return, or
`+`/`-` followed by anything but digits and punctuation) is written with a leading `'` in the
CSV, and always as text in the XLSX: a debtor named `=HYPERLINK(…)` stays a name.

The file appears whole or not at all (`services.export.write_atomically`).
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.services.export import ExportFailed, write_atomically


class UnknownExportFormat(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não sei gravar arquivos “{suffix}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Escolha um nome terminado em .csv ou .xlsx.")


FORMATS = ("csv", "xlsx")
MONEY_FORMAT = '"R$" #,##0.00'
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
#: XLSX column widths follow the longest text among the header and this many first rows
WIDTH_SAMPLE = 200
MAX_WIDTH = 60
#: text starting with one of these may run as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: after a leading + or -, what cannot call anything: a number, a phone, a date
_PLAIN = re.compile(r"[+-][\d\s().,/:+-]*")
#: characters an XLSX cannot hold (control characters but tab and line breaks)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in centavos: `1.234,56` in a CSV, R$ 1.234,56 (a number) in an XLSX."""

    cents: int


@dataclass(frozen=True)
class TableExport:
    """Where the table went and how many rows (besides the header) it holds."""

    path: Path
    rows: int


def export_format(target: Path, fmt: str | None = None) -> str:
    """The format to write `target` in ("csv" or "xlsx": `fmt`, else the file's suffix), once its
    folder is known to exist.

    Raises:
        UnknownExportFormat, ExportFailed (the folder does not exist).
    """
    kind = (fmt or target.suffix).lower().lstrip(".")
    if kind not in FORMATS:
        raise UnknownExportFormat(suffix=fmt or target.suffix or target.name)
    if not target.parent.is_dir():
        raise ExportFailed(path=str(target), detail="a pasta não existe")
    return kind


def export_table(target: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                 fmt: str | None = None, *, sheet: str = "Planilha",
                 widths: Sequence[int] | None = None) -> TableExport:
    """Write `headers` and `rows` to `target` as CSV or XLSX (`fmt`, else by the suffix).

    Blocking: a big table goes off the GUI thread. `rows` may be a generator (read once, as it
    is written). An existing file at `target` is replaced only once the new one is complete.

    Args:
        sheet: the XLSX sheet's name.
        widths: the XLSX columns' widths in characters (None: fitted to the first rows).

    Raises:
        UnknownExportFormat, ExportFailed; whatever iterating `rows` raises passes through,
        leaving no file.
    """
    target = Path(target).expanduser().resolve()
    kind = export_format(target, fmt)
    count = [0]

    def counted() -> Iterable[Sequence[Any]]:
        for row in rows:
            count[0] += 1
            yield row

    def write(tmp: Path) -> None:
        if kind == "csv":
            write_csv(tmp, headers, counted())
        else:
            write_xlsx(tmp, headers, counted(), sheet=sheet, widths=widths)

    write_atomically(target, write, suffix=f".{kind}")
    return TableExport(path=target, rows=count[0])


def neutralised(text: str) -> str:
    """`text`, with a leading `'` when a spreadsheet would run it as a formula."""
    if text.startswith(_FORMULA_START) and not _PLAIN.fullmatch(text):
        return "'" + text
    return text


def csv_text(value: Any) -> str:
    """One cell as the CSV writes it (pt-BR numbers and dates; text made formula-safe)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, bool):
        return "Sim" if value else "Não"
    if isinstance(value, Money):
        return format_brl(value.cents, symbol=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _decimal_text(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return neutralised(str(value))


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV Excel in pt-BR opens without a wizard (not atomic: see `export_table`)."""
    # utf-8-sig: the BOM tells Excel the file is UTF-8 (otherwise "João" reads "JoÃ£o")
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([csv_text(h) for h in headers])
        for row in rows:
            writer.writerow([csv_text(v) for v in row])


def write_xlsx(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
               sheet: str = "Planilha", widths: Sequence[int] | None = None) -> None:
    """Write an XLSX with typed cells, the header frozen (not atomic: see `export_table`)."""
    # only XLSX exports pay for it
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    out = book.create_sheet(_sheet_title(sheet))
    out.freeze_panes = "A2"
    rows = iter(rows)
    first = list(itertools.islice(rows, WIDTH_SAMPLE)) if widths is None else []
    for column, width in enumerate(widths or _fitted_widths(headers, first), start=1):
        out.column_dimensions[get_column_letter(column)].width = width

    def cell(value: Any) -> Any:
        if isinstance(value, bool):
            return csv_text(value)
        if value is None or isinstance(value, int | float | Decimal):
            return value
        if isinstance(value, Money):
            # a number Excel can sum, in reais; Decimal, never a float, so centavos stay exact
            money = WriteOnlyCell(out, value=Decimal(value.cents).scaleb(-2))
            money.number_format = MONEY_FORMAT
            return money
        if isinstance(value, datetime):
            stamp = WriteOnlyCell(out, value=value.replace(tzinfo=None))
            stamp.number_format = DATETIME_FORMAT
            return stamp
        if isinstance(value, date):
            day = WriteOnlyCell(out, value=value)
            day.number_format = DATE_FORMAT
            return day
        text = _ILLEGAL.sub("", str(value))
        if not text.startswith("="):
            return text
        literal = WriteOnlyCell(out, value=text)
        literal.data_type = "s"  # text, never a formula
        return literal

    out.append([cell(h) for h in headers])
    for row in itertools.chain(first, rows):
        out.append([cell(v) for v in row])
    book.save(path)


def _decimal_text(value: float | Decimal) -> str:
    text = format(Decimal(str(value)) if isinstance(value, float) else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _fitted_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = [len(str(h)) for h in headers]
    for row in rows:
        for i, value in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], len(csv_text(value)))
    return [min(MAX_WIDTH, w + 2) for w in widths]


def _sheet_title(name: str) -> str:
    # Excel refuses these characters and names over 31 characters in a sheet's name
    return re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Planilha"
