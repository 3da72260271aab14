"""Reading back the PDFs the program writes, with Qt's own PDF reader (QtPdf)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument


def _load(path: Path) -> QPdfDocument:
    doc = QPdfDocument()
    doc.load(str(path))
    assert doc.status() == QPdfDocument.Status.Ready, f"not a readable PDF: {path}"
    return doc


def page_texts(path: Path) -> list[str]:
    """Each page's text with every space and line break removed (QPdfWriter's glyph runs come
    back split at odd places), for `in` checks against `squeeze(expected)`."""
    doc = _load(path)
    return [squeeze(doc.getAllText(page).text()) for page in range(doc.pageCount())]


def squeeze(text: str) -> str:
    return "".join(text.split())


def render_pages(path: Path, width: int = 595) -> list[QImage]:
    """Each page drawn as an image `width` pixels wide (A4's proportions)."""
    doc = _load(path)
    size = QSize(width, round(width * 297 / 210))
    pages = []
    for page in range(doc.pageCount()):
        drawn = doc.render(page, size)  # transparent where nothing is drawn
        paper = QImage(size, QImage.Format.Format_RGB32)
        paper.fill(QColor("white"))
        painter = QPainter(paper)
        painter.drawImage(0, 0, drawn)
        painter.end()
        pages.append(paper)
    return pages


def ink_fraction(image: QImage) -> float:
    """The share of sampled pixels that are not white: 0 is a blank page."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    inked = total = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            total += 1
            inked += image.pixel(x, y) & 0xFFFFFF != 0xFFFFFF
    return inked / total
