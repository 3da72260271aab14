"""`ui.pdf`: the documents come out as real PDFs Qt can read back, and a failed write loses
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from cobrador_desktop.services.export import ExportFailed
from cobrador_desktop.ui.pdf import TABLE_ROWS, HtmlDoc, write_pdf
from tests.ui.pdf_helpers import ink_fraction, page_texts, render_pages, squeeze


def test_a_long_table_spans_pages_and_reads_back(qtbot: QtBot, tmp_path: Path) -> None:
    doc = HtmlDoc("Dossiê — João <b>")
    doc.heading("Mensagens").table(["Quando", "Texto"],
                                   [(f"0{i % 9 + 1}/11", f"mensagem número {i}") for i in range(150)])
    target = tmp_path / "dossie.pdf"
    write_pdf(target, doc)
    texts = page_texts(target)
    assert len(texts) > 1
    assert squeeze("Dossiê — João <b>") in texts[0]  # escaped, not taken as markup
    everything = "".join(texts)
    for i in range(150):
        assert squeeze(f"mensagem número {i}") in everything
    images = render_pages(target)
    assert all(0.002 < ink_fraction(image) < 0.5 for image in images)


def test_an_empty_table_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    doc = HtmlDoc("Relatório").table(["A"], [], empty="Nenhum pagamento no período.")
    write_pdf(tmp_path / "r.pdf", doc)
    assert squeeze("Nenhum pagamento no período.") in page_texts(tmp_path / "r.pdf")[0]


def test_a_failed_write_says_so_and_leaves_no_temporary_file(qtbot: QtBot,
                                                             tmp_path: Path) -> None:
    with pytest.raises(ExportFailed):
        write_pdf(tmp_path / "no-such-folder" / "r.pdf", HtmlDoc("x"))
    taken = tmp_path / "r.pdf"
    taken.mkdir()  # a folder where the file should go: the final move fails
    (taken / "keep.txt").write_text("old")
    with pytest.raises(ExportFailed):
        write_pdf(taken, HtmlDoc("x"))
    assert (taken / "keep.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


def test_a_table_longer_than_one_piece_repeats_its_header_and_keeps_line_breaks(
        qtbot: QtBot, tmp_path: Path) -> None:
    rows = TABLE_ROWS + 40
    doc = HtmlDoc("Mensagens").table(
        ["Quando", "Entrega"], [(str(i), f"enviada {i}\nlida {i}") for i in range(rows)],
        widths=[30, 70])
    assert doc.html().count("<table") == 2  # one table of TABLE_ROWS rows, then the rest
    assert "enviada 0<br/>lida 0" in doc.html()
    write_pdf(tmp_path / "longa.pdf", doc)
    texts = page_texts(tmp_path / "longa.pdf")
    assert len(texts) > 2
    assert all(page.startswith("QuandoEntrega") or page.startswith("MensagensQuandoEntrega")
               for page in texts)  # the header row at the top of every page
    everything = "".join(texts)
    assert all(f"enviada{i}lida{i}" in everything for i in range(rows))
