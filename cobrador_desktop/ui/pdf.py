"""PDF documents (the dossier, the monthly report): simple HTML laid out by Qt and written with
Qt's own PDF writer (`QPdfWriter`), A4 with page numbers.

`HtmlDoc` builds the markup (every text escaped); `write_pdf` writes it to a file, through a
temporary file beside it (`services.export.write_atomically`), so a failed write never leaves half
a PDF nor damages an older one.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from cobrador_desktop.services.export import ExportFailed, write_atomically

#: dots per inch of the PDF's layout (text stays vector; this only sets the layout's grid)
RESOLUTION = 300
#: rows per table before a long table continues in the next one (see `HtmlDoc.table`)
TABLE_ROWS = 250
_STYLE = """
body { font-family: sans-serif; font-size: 9pt; color: #1d2939; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 12pt 0 4pt 0; color: #0b5d4b; }
p.muted { color: #667085; }
table.grid { border-collapse: collapse; }
table.grid th { background: #eef2f1; text-align: left; }
"""


class HtmlDoc:
    """A document made of headings, paragraphs and tables; every text given is escaped."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._parts: list[str] = [f"<h1>{_esc(title)}</h1>"]

    def heading(self, text: str) -> HtmlDoc:
        self._parts.append(f"<h2>{_esc(text)}</h2>")
        return self

    def paragraph(self, text: str, *, muted: bool = False) -> HtmlDoc:
        css = ' class="muted"' if muted else ""
        self._parts.append(f"<p{css}>{_esc(text)}</p>")
        return self

    def fields(self, pairs: Iterable[tuple[str, str]]) -> HtmlDoc:
        """A two-column list of label: value."""
        rows = "".join(f"<tr><td><b>{_esc(k)}</b></td><td>{_esc(v)}</td></tr>" for k, v in pairs)
        self._parts.append(f'<table cellpadding="2">{rows}</table>')
        return self

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]], *,
              empty: str = "", widths: Sequence[int] | None = None) -> HtmlDoc:
        """A bordered table; `empty` is said instead when there are no rows.

        A line break in a cell's text starts a new line in the cell. `widths` gives each
        column's share of the page in percent. The header row repeats at the top of every page
        the table runs onto; a long table is written as consecutive tables of `TABLE_ROWS` rows
        (Qt paints each page of one huge table in time that grows with the whole table).
        """
        cells = [f' width="{w}%"' for w in widths] if widths else [""] * len(headers)
        head = "<thead><tr>" + "".join(
            f"<th{cells[i]}>{_esc(h)}</th>" for i, h in enumerate(headers)) + "</tr></thead>"
        chunk: list[str] = []
        count = 0
        for row in rows:
            chunk.append("<tr>" + "".join(f"<td>{_lines(_text(c))}</td>" for c in row) + "</tr>")
            count += 1
            if len(chunk) == TABLE_ROWS:
                self._grid(head, chunk)
                chunk = []
        if chunk or (not count and not empty):
            self._grid(head, chunk)
        if not count and empty:
            return self.paragraph(empty, muted=True)
        return self

    def _grid(self, head: str, rows: list[str]) -> None:
        self._parts.append('<table class="grid" border="1" cellspacing="0" cellpadding="3" '
                           f'width="100%">{head}{"".join(rows)}</table>')

    def html(self) -> str:
        return (f"<html><head><meta charset='utf-8'><title>{_esc(self.title)}</title>"
                f"<style>{_STYLE}</style></head><body>{''.join(self._parts)}</body></html>")


def write_pdf(path: Path, doc: HtmlDoc) -> None:
    """Write `doc` to `path` as an A4 PDF with page numbers.

    Raises:
        ExportFailed: the file could not be written (an existing file at `path` is left as it
            was).
    """
    target = Path(path).expanduser().resolve()
    if not target.parent.is_dir():
        raise ExportFailed(path=str(target), detail="a pasta não existe")

    def write(temp: Path) -> None:
        writer = QPdfWriter(str(temp))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        # QTextDocument.print_ adds its own 2 cm margins and the page numbers
        writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        writer.setResolution(RESOLUTION)
        writer.setTitle(doc.title)
        writer.setCreator("Cobrador Desktop")
        text = QTextDocument()
        text.setHtml(doc.html())
        text.print_(writer)
        del writer  # QPdfWriter finishes the file when it is destroyed
        if temp.stat().st_size == 0:
            raise OSError(0, "nada foi gravado")

    write_atomically(target, write, suffix=".pdf")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _lines(text: str) -> str:
    """Escaped, with each line break kept as one."""
    return "<br/>".join(_esc(line) for line in text.split("\n"))
