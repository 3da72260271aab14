"""Reading a shop's spreadsheet into a header and rows of cells: CSV (any encoding, `;`, `,` or
tab) and XLSX. Everything that makes a file unreadable is an `ImportFileError` (exit status 2)
that says what to do; nothing here raises a traceback at the user.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

import charset_normalizer

from cobrador_desktop.domain.errors import InvalidInput
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.importing import Cell

#: the encodings a Brazilian shop's export comes in besides UTF-8: detection picks among these
#: only (left free, charset-normalizer reads short Portuguese text as cp1250 or big5)
WESTERN_ENCODINGS = ["cp1252", "latin_1", "iso8859_15", "cp850", "mac_roman"]
DELIMITERS = (";", ",", "\t", "|")
#: XLSX files up to this size are read whole, so merged cells can be filled in
MERGED_CELLS_MAX_BYTES = 8 * 1024 * 1024
_XLSX_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


class ImportFileError(InvalidInput):
    """The file cannot be read as a spreadsheet; nothing was written."""


NOT_FOUND = QT_TRANSLATE_NOOP("KnownError", "O arquivo {path} não existe.")
NOT_FOUND_HINT = QT_TRANSLATE_NOOP("KnownError", "Confira o nome e a pasta do arquivo.")
UNREADABLE = QT_TRANSLATE_NOOP("KnownError", "Não foi possível ler o arquivo {path}: {detail}.")
UNREADABLE_HINT = QT_TRANSLATE_NOOP(
    "KnownError", "Feche o arquivo em outros programas, confira as permissões e tente de novo.")
EMPTY = QT_TRANSLATE_NOOP("KnownError", "O arquivo {path} está vazio.")
HEADER_ONLY = QT_TRANSLATE_NOOP(
    "KnownError", "O arquivo {path} só tem o cabeçalho: nenhuma linha de dados.")
EXPORT_AGAIN_HINT = QT_TRANSLATE_NOOP(
    "KnownError",
    "Exporte a planilha de novo, com uma linha de cabeçalho e uma linha por dívida (confira se "
    "é a aba certa: --sheet). Nada foi gravado.")
NOT_A_SHEET = QT_TRANSLATE_NOOP("KnownError", "O arquivo {path} não é uma planilha CSV nem XLSX.")
OLD_XLS = QT_TRANSLATE_NOOP(
    "KnownError", "O arquivo {path} está no formato antigo do Excel (.xls).")
SAVE_AS_HINT = QT_TRANSLATE_NOOP(
    "KnownError", "Abra-o no Excel ou no LibreOffice e salve como XLSX ou CSV. Nada foi gravado.")
BROKEN_XLSX = QT_TRANSLATE_NOOP(
    "KnownError", "Não foi possível ler a planilha XLSX {path}: {detail}.")
NO_SHEET = QT_TRANSLATE_NOOP("KnownError", "A planilha {path} não tem a aba “{sheet}”.")
NO_SHEET_HINT = QT_TRANSLATE_NOOP("KnownError", "Abas da planilha: {sheets}. Use --sheet com uma delas.")
BAD_CSV = QT_TRANSLATE_NOOP(
    "KnownError", "O arquivo {path} tem um erro de formato CSV perto da linha {line}: {detail}.")
BAD_CSV_HINT = QT_TRANSLATE_NOOP(
    "KnownError", "Confira as aspas dessa linha ou exporte a planilha de novo. Nada foi gravado.")


@dataclass(frozen=True)
class Table:
    """A spreadsheet as read: every non-blank row with its line number (sheet row for XLSX).

    Attributes:
        rows: `(line, cells)`; the header is among them (usually line 1).
        kind: "csv" or "xlsx".
        encoding: the CSV's encoding as detected ("UTF-8", "UTF-8 com BOM", "Windows-1252"…).
        delimiter: the CSV's delimiter.
        sheet: the XLSX sheet read.
    """

    rows: list[tuple[int, list[Cell]]]
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def describe(self) -> str:
        """`Windows-1252, separador “;”` or `aba “Clientes”`, for the report."""
        if self.kind == "xlsx":
            return f"XLSX, aba “{self.sheet}”"
        shown = "tabulação" if self.delimiter == "\t" else f"“{self.delimiter}”"
        return f"{self.encoding}, separador {shown}"


def read_table(path: Path, *, sheet: str | None = None,
               cancelled: Callable[[], bool] | None = None) -> Table:
    """Read a CSV or XLSX file (told apart by content, not by name).

    Raises:
        ImportFileError: missing, unreadable, empty, binary or old-`.xls` file; an XLSX without
            the sheet asked for; a CSV the `csv` module cannot parse.
    """
    shown = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(message=NOT_FOUND, hint=NOT_FOUND_HINT, path=shown) from None
    except IsADirectoryError:
        raise ImportFileError(message=NOT_A_SHEET, hint=SAVE_AS_HINT, path=shown) from None
    except OSError as exc:
        raise ImportFileError(message=UNREADABLE, hint=UNREADABLE_HINT, path=shown,
                              detail=exc.strerror or str(exc)) from None
    if not data.strip():
        raise ImportFileError(message=EMPTY, hint=EXPORT_AGAIN_HINT, path=shown)
    if data.startswith(_OLE_MAGIC):
        raise ImportFileError(message=OLD_XLS, hint=SAVE_AS_HINT, path=shown)
    if data.startswith(_XLSX_MAGIC):
        table = _read_xlsx(path, data, sheet)
    else:
        text, encoding = decode(data, shown)
        delimiter = detect_delimiter(text)
        table = Table(rows=_csv_rows(text, delimiter, shown), kind="csv",
                      encoding=encoding, delimiter=delimiter)
    if not table.rows:
        raise ImportFileError(message=EMPTY, hint=EXPORT_AGAIN_HINT, path=shown)
    del cancelled  # reading is one step; the caller polls between steps
    return table


def decode(data: bytes, shown: str = "") -> tuple[str, str]:
    """The file's text and its encoding's name.

    A BOM decides; else valid UTF-8 (plain ASCII included) is UTF-8; else charset-normalizer
    picks among `WESTERN_ENCODINGS`, and Latin-1 becomes Windows-1252 (its superset in practice:
    Excel's "CSV" on Windows writes cp1252, with “ ” – € in 0x80-0x9F).

    Detection reads a sample (`DETECTION_SAMPLE` bytes from the first line with a non-ASCII
    byte: ~1 s on a 10 MB file otherwise); the encoding it picks must then decode the whole file,
    or the whole file is detected again.

    Raises:
        ImportFileError: binary data (NUL bytes, control characters) or no encoding fits.
    """
    not_text = ImportFileError(message=NOT_A_SHEET, hint=SAVE_AS_HINT, path=shown)
    if data.startswith(codecs.BOM_UTF8):
        text, name = _strict(data[3:], "utf-8"), "UTF-8 com BOM"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, name = _strict(data, "utf-16"), "UTF-16"
    elif b"\x00" in data:
        raise not_text
    else:
        text, name = _strict(data, "utf-8"), "UTF-8"
        if text is None:
            sample = _sample(data)
            got = _detect(data, sample) if sample is not None else None
            if got is None:
                got = _detect(data, data)
            if got is None:
                raise not_text
            text, encoding = got
            name = _ENCODING_NAMES.get(encoding, encoding)
    if text is None or _looks_binary(text):
        raise not_text
    return text, name


#: how much of a file charset detection reads (see `decode`)
DETECTION_SAMPLE = 64 * 1024
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _sample(data: bytes) -> bytes | None:
    """What detection reads: from the start of the first line holding a non-ASCII byte (the
    lines above tell nothing apart); None when the file is small enough to read whole."""
    if len(data) <= DETECTION_SAMPLE:
        return None
    first = _HIGH_BYTE.search(data)
    start = 0 if first is None else data.rfind(b"\n", 0, first.start()) + 1
    return data[start:start + DETECTION_SAMPLE]


def _detect(data: bytes, sample: bytes) -> tuple[str, str] | None:
    """`data` decoded with the Western encoding detected on `sample`, and that encoding; None
    when nothing was detected or the encoding does not decode all of `data`."""
    best = charset_normalizer.from_bytes(sample, cp_isolation=WESTERN_ENCODINGS).best()
    if best is None:
        return None
    encoding = best.encoding
    if encoding in ("latin_1", "iso8859_15", "cp1252"):
        text = _strict(data, "cp1252")
        if text is not None:
            return text, "cp1252"
    text = _strict(data, encoding)
    return None if text is None else (text, encoding)


_ENCODING_NAMES = {"cp1252": "Windows-1252", "latin_1": "Latin-1", "iso8859_15": "ISO-8859-15",
                   "cp850": "DOS (cp850)", "mac_roman": "Mac Roman"}


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_binary(text: str) -> bool:
    """Control characters other than tab and line breaks: an image or program, not a sheet."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch not in "\t\r\n\f" and unicodedata.category(ch) == "Cc")
    return controls > max(2, len(sample) // 1000)


def detect_delimiter(text: str) -> str:
    """`;`, `,`, tab or `|`: the one that splits the first lines into the most consistent columns.

    The header weighs most: header names rarely contain the delimiter, while amounts (`1.234,56`)
    often contain a comma in a `;` file.
    """
    sample = "\n".join(text[:65536].splitlines()[:50])
    best, best_score = ";", (0, 0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                    if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        same = sum(1 for r in rows[1:] if len(r) == width) / max(1, len(rows) - 1)
        score = (1 if width > 1 else 0, same, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str, delimiter: str, shown: str) -> list[tuple[int, list[Cell]]]:
    """Non-blank records with the line each starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    append = rows.append
    start = 1
    try:
        for record in reader:
            # one C call per record: the joined cells hold a non-space exactly when a cell does
            if "".join(record).strip():
                append((start, record))  # type: ignore[arg-type]  # list[str] is list[Cell]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(message=BAD_CSV, hint=BAD_CSV_HINT, path=shown, line=start,
                              detail=str(exc)) from None
    return rows


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> Table:
    import openpyxl  # type: ignore[import-untyped]  # only XLSX imports pay for it
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    shown = str(path)
    small = len(data) <= MERGED_CELLS_MAX_BYTES
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=not small, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(message=BROKEN_XLSX, hint=SAVE_AS_HINT, path=shown,
                              detail=type(exc).__name__) from None
    try:
        names = list(book.sheetnames)
        if sheet is None:
            chosen = names[0]
        else:
            folded = {unicodedata.normalize("NFC", n).casefold(): n for n in names}
            found = sheet if sheet in names else folded.get(
                unicodedata.normalize("NFC", sheet).casefold())
            if found is None:
                raise ImportFileError(message=NO_SHEET, hint=NO_SHEET_HINT, path=shown,
                                      sheet=sheet, sheets=", ".join(f"“{n}”" for n in names))
            chosen = found
        ws = book[chosen]
        merged = _merged_values(ws) if small else {}
        rows: list[tuple[int, list[Cell]]] = []
        for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(v) for v in values]
            for column in range(len(cells)):
                filled = merged.get((line, column + 1))
                if filled is not None:
                    cells[column] = filled
            if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                rows.append((line, cells))
        return Table(rows=rows, kind="xlsx", sheet=chosen)
    finally:
        book.close()


def _merged_values(ws: Any) -> dict[tuple[int, int], Cell]:
    """Every cell of a merged range gets the range's value, as the sheet shows it."""
    filled: dict[tuple[int, int], Cell] = {}
    for merged in ws.merged_cells.ranges:
        top = ws.cell(merged.min_row, merged.min_col).value
        value = _xlsx_cell(top)
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                filled[(row, col)] = value
    return filled


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | date):
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def columns_of(rows: Sequence[tuple[int, list[Cell]]]) -> int:
    """The widest row (for previews)."""
    return max((len(cells) for _, cells in rows), default=0)
