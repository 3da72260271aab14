"""The import wizard over a real database and the real import services (no fake importer)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cobrador_desktop.app.import_port import SpreadsheetImportService
from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.import_columns import Field
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Debt, Debtor, Phone
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.dialogs.import_wizard import ImportWizard
from cobrador_desktop.ui.main_window import MainWindow
from cobrador_desktop.ui.resources import stylesheet

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
TZ = ZoneInfo("America/Sao_Paulo")
#: where `COBRADOR_WIZARD_SHOTS=DIR` saves a PNG of each page (for looking at them)
SHOTS = os.environ.get("COBRADOR_WIZARD_SHOTS")


def _service(db: Database, clock: FakeClock) -> SpreadsheetImportService:
    async def ready() -> Database:
        return db

    return SpreadsheetImportService(ready, clock=clock, timezone=TZ, imported_by="teste")


@pytest.fixture
def wizard(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
           clock: FakeClock, tmp_path: Path) -> ImportWizard:
    dialog = ImportWizard(_service(sqlite_database, clock), start_dir=tmp_path)
    dialog.setStyleSheet(stylesheet() + dialog.styleSheet())  # as under the main window
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()  # layouts settle before the picture
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def _open(qtbot: QtBot, dialog: ImportWizard, path: Path, sheet: str | None = None) -> None:
    dialog.open_file(path, sheet)
    qtbot.waitUntil(lambda: dialog.next_button.isEnabled()
                    or dialog.file_page.error_box.isVisibleTo(dialog), timeout=30_000)


def _to_preview(qtbot: QtBot, dialog: ImportWizard, path: Path) -> None:
    _open(qtbot, dialog, path)
    dialog.go_next()
    assert dialog.page() == dialog.MAPPING
    dialog.go_next()
    assert dialog.page() == dialog.PREVIEW
    qtbot.waitUntil(lambda: dialog.next_button.isEnabled(), timeout=30_000)


def _count(db: Database, model: type) -> int:
    return int(db.run_sync(lambda s: s.scalar(select(func.count()).select_from(model))) or 0)


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def test_file_is_described_and_columns_are_prefilled_and_editable(
        qtbot: QtBot, wizard: ImportWizard) -> None:
    _open(qtbot, wizard, FIXTURES / "shop_cp1252.csv")
    assert wizard.file_page.details_label.text() == \
        "Windows-1252, separador “;” · 10 linhas de dados"
    _shot(wizard, "1-file")
    wizard.go_next()
    page = wizard.mapping_page
    assert page.fields() == [Field.NAME, Field.DOCUMENT, Field.PHONE, Field.DESCRIPTION,
                             Field.AMOUNT, Field.DUE_DATE]
    assert _text(page.table, 0, page.COLUMN) == "Cliente"
    assert _text(page.table, 0, page.EXAMPLE).startswith("João da Conceição · ")
    _shot(wizard, "2-mapping")

    page.set_field(4, None)  # "Valor Devido" ignored: a required field is missing
    assert not wizard.next_button.isEnabled()
    assert page.problem_label.text().startswith("Falta indicar a coluna de: Valor.")
    _shot(wizard, "2-mapping-missing")
    wizard.go_next()
    assert wizard.page() == wizard.MAPPING
    page.set_field(4, Field.AMOUNT)
    page.set_field(3, Field.NAME)  # two name columns
    assert not wizard.next_button.isEnabled() and "Mais de uma coluna está como Nome" \
        in page.problem_label.text()
    page.set_field(3, Field.DESCRIPTION)
    assert wizard.next_button.isEnabled() and page.problem_label.text() == ""


def test_unrecognised_columns_can_be_chosen_by_hand(qtbot: QtBot, wizard: ImportWizard,
                                                    tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("Freguês;Total;Quando\nCarla Dias;10,00;01/12/2026\n", encoding="utf-8")
    _open(qtbot, wizard, odd)
    wizard.go_next()
    page = wizard.mapping_page
    assert page.fields() == [None, None, None]
    assert not wizard.next_button.isEnabled()
    assert "Nome, Valor, Vencimento" in page.problem_label.text()
    for column, field in enumerate((Field.NAME, Field.AMOUNT, Field.DUE_DATE)):
        page.set_field(column, field)
    wizard.go_next()
    qtbot.waitUntil(lambda: wizard.next_button.isEnabled(), timeout=30_000)
    assert _text(wizard.preview_page.clean_table, 0, 6) == "R$ 10,00"


def test_preview_shows_rows_as_stored_and_rejected_lines_with_reasons(
        qtbot: QtBot, wizard: ImportWizard, sqlite_database: Database) -> None:
    _to_preview(qtbot, wizard, FIXTURES / "shop_cp1252.csv")
    preview = wizard.preview_page
    assert preview.summary_label.text().startswith(
        "10 linhas de dados: 5 prontas para importar, 5 rejeitadas.")
    first = [_text(preview.clean_table, 0, c) for c in range(8)]
    assert first == ["2", "João da Conceição", "***.456.789-**", "(11) 98765-4321", "",
                     "Parcela 1/3", "R$ 1.234,56", "05/10/2026"]
    # the old 8-digit mobile got its 9th digit; the 2-digit year is 2026
    assert _text(preview.clean_table, 1, 3) == "(11) 98765-4321"
    assert _text(preview.clean_table, 1, 7) == "05/11/2026"
    _shot(wizard, "3-preview")
    rejected = {_text(preview.rejected_table, r, 0): _text(preview.rejected_table, r, 1)
                for r in range(preview.rejected_table.rowCount())}
    assert rejected["4"] == "nome vazio"
    assert rejected["5"].startswith("CPF/CNPJ “111.222.333-44” inválido")
    assert rejected["11"] == "valor “0” é zero" and rejected["12"] == "vencimento vazio"
    assert preview.tabs.tabText(preview.REJECTED_TAB) == "Rejeitadas (5)"
    preview.tabs.setCurrentIndex(preview.REJECTED_TAB)
    _shot(wizard, "3-preview-rejected")

    preview.opt_in_box.setChecked(True)  # opt-in needs its source
    assert not wizard.next_button.isEnabled()
    assert wizard.footer_label.text().startswith("Escreva de onde veio a autorização")
    preview.source_edit.setText("ficha de crediário")
    assert wizard.next_button.isEnabled()
    assert _count(sqlite_database, Debtor) == 0  # nothing written before "Importar"


def test_import_from_the_debtors_screen_fills_the_list(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, sqlite_database: Database,
        clock: FakeClock, tmp_path: Path) -> None:
    context = UiContext(
        debtors=DebtorListService(sqlite_database, today=lambda: clock.now().date()),
        importer=_service(sqlite_database, clock), profile="normal", data_dir=tmp_path,
        database_label="sqlite", version="0.1.0", clock=clock)
    window = MainWindow(context)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded, timeout=30_000):
        window.show()
    view = window.debtors_view
    assert view.stack.currentWidget() is view.empty_state
    assert view.empty_state.action_button is not None
    qtbot.waitUntil(lambda: view.count_label.text() == "Nenhum devedor")
    _shot(window, "0-empty-debtors")
    view.empty_state.action_button.click()  # the empty list offers the import
    dialog = window.import_wizard
    assert isinstance(dialog, ImportWizard) and dialog.isVisible()

    _to_preview(qtbot, dialog, FIXTURES / "second_bom.csv")
    dialog.preview_page.opt_in_box.setChecked(True)
    dialog.preview_page.source_edit.setText("ficha de crediário")
    with qtbot.waitSignal(dialog.imported, timeout=20_000):
        dialog.go_next()
    assert dialog.page() == dialog.REPORT
    assert dialog.report_page.counts_text() == {
        "devedores novos": "3", "devedores atualizados": "0", "dívidas novas": "4",
        "linhas rejeitadas": "0", "telefones com opt-in registrado": "2"}
    _shot(dialog, "5-report-opt-in")
    saved = tmp_path / "relatorio.txt"
    assert dialog.save_report(saved)
    assert "devedores novos: 3" in saved.read_text("utf-8-sig").splitlines()

    with qtbot.waitSignal(view.vm.first_page_loaded, timeout=30_000):
        assert dialog.next_button.text() == "Concluir" and not dialog.cancel_button.isVisible()
        dialog.next_button.click()  # the list reloads
    assert window.import_wizard is None
    assert view.stack.currentWidget() is view.table
    assert {view.model.row_at(r).name for r in range(view.model.rowCount())} == {
        "João Conceição", "Pedro Souza", "Mercadinho Novo"}
    _shot(window, "6-debtors-after-import")

    view.import_button.click()  # a second file merges into the same debtors
    dialog = window.import_wizard
    assert isinstance(dialog, ImportWizard)
    _to_preview(qtbot, dialog, FIXTURES / "shop_cp1252.csv")
    with qtbot.waitSignal(dialog.imported, timeout=20_000):
        dialog.go_next()
    counts = dialog.report_page.counts_text()
    assert counts["devedores novos"] == "2" and counts["linhas rejeitadas"] == "5"
    assert "devedores atualizados" in counts and "telefones com opt-in registrado" not in counts
    rejected = dialog.report_page.rejected_table
    assert _text(rejected, 0, 0) == "4" and _text(rejected, 0, 1) == "nome vazio"
    _shot(dialog, "5-report")
    with qtbot.waitSignal(view.vm.first_page_loaded, timeout=30_000):
        dialog.accept()
    assert view.model.rowCount() == 5


@pytest.mark.slow
def test_cancel_mid_import_writes_nothing_and_the_window_stays_responsive(
        qtbot: QtBot, wizard: ImportWizard, sqlite_database: Database, tmp_path: Path) -> None:
    big = tmp_path / "grande.csv"
    rows = [f"Cliente {i};({11 + i % 80}) 9{i % 10000:04d}-{i // 10000:04d};Parcela;"
            f"{10 + i % 500},00;{1 + i % 28:02d}/12/2026" for i in range(30_000)]
    big.write_text("Nome;Telefone;Descrição;Valor;Vencimento\n" + "\n".join(rows) + "\n",
                   encoding="utf-8")
    _to_preview(qtbot, wizard, big)
    wizard.go_next()
    assert wizard.page() == wizard.RUNNING and wizard.running
    assert wizard.cancel_button.text() == "Cancelar importação"
    assert not wizard.back_button.isVisible() and not wizard.next_button.isVisible()
    phase = wizard.progress_page.phase_label
    # the GUI keeps painting progress while the database thread writes
    qtbot.waitUntil(lambda: phase.text() == "Gravando no banco de dados…", timeout=30_000)
    _shot(wizard, "4-progress")
    wizard.reject()  # Esc during the import cancels it, and the dialog stays
    assert wizard.isVisible() and not wizard.cancel_button.isEnabled()
    assert wizard.progress_page.status_label.text() == "Cancelando… nada será gravado."
    qtbot.waitUntil(lambda: not wizard.running, timeout=30_000)
    assert wizard.report is None
    assert phase.text() == "Importação cancelada."
    assert wizard.progress_page.status_label.text().startswith("Nada foi gravado")
    _shot(wizard, "4-cancelled")
    assert (_count(sqlite_database, Debtor), _count(sqlite_database, Debt),
            _count(sqlite_database, Phone)) == (0, 0, 0)
    assert wizard.back_button.isVisible() and wizard.cancel_button.text() == "Fechar"
    wizard.go_back()
    assert wizard.page() == wizard.PREVIEW and wizard.next_button.isEnabled()


@pytest.mark.parametrize(("name", "words"), [
    ("image.csv", "não é uma planilha CSV nem XLSX"),
    ("empty.csv", "está vazio"),
    ("header_only.csv", "só tem o cabeçalho"),
    ("nada.csv", "não existe"),
])
def test_a_bad_file_says_what_happened_and_a_good_one_still_opens(
        qtbot: QtBot, wizard: ImportWizard, name: str, words: str) -> None:
    _open(qtbot, wizard, FIXTURES / name)
    assert words in wizard.file_page.error_title.text()
    assert wizard.file_page.error_hint.text()  # what to do
    assert not wizard.next_button.isEnabled()
    _shot(wizard, f"1-error-{name}")
    _open(qtbot, wizard, FIXTURES / "tabs.csv")
    assert not wizard.file_page.error_box.isVisibleTo(wizard)
    assert wizard.file_page.details_label.text() == "UTF-8, separador tabulação · 2 linhas de dados"


def test_xlsx_skips_a_cover_sheet_and_offers_every_sheet(qtbot: QtBot,
                                                         wizard: ImportWizard) -> None:
    _open(qtbot, wizard, FIXTURES / "formulas_merged.xlsx")
    page = wizard.file_page
    assert page.sheet_box.isVisibleTo(wizard)
    assert [page.sheet_box.itemText(i) for i in range(page.sheet_box.count())] == [
        "Resumo", "Clientes"]
    assert page.sheet_box.currentText() == "Clientes"
    assert page.details_label.text() == "XLSX, aba “Clientes” · 3 linhas de dados"
    _shot(wizard, "1-xlsx")
    page.sheet_box.setCurrentText("Resumo")  # the cover sheet has no data rows
    qtbot.waitUntil(lambda: page.error_box.isVisibleTo(wizard), timeout=30_000)
    assert "só tem o cabeçalho" in page.error_title.text()
    assert page.sheet_box.isVisibleTo(wizard)  # the other sheet can still be chosen
    page.sheet_box.setCurrentText("Clientes")
    qtbot.waitUntil(lambda: wizard.next_button.isEnabled(), timeout=30_000)
    wizard.go_next()
    wizard.go_next()
    qtbot.waitUntil(lambda: wizard.next_button.isEnabled(), timeout=30_000)

    def cell(row: int, column: int) -> str:
        return _text(wizard.preview_page.clean_table, row, column)

    assert [cell(r, 1) for r in range(3)] == ["Fernanda Lima", "Fernanda Lima", "Gustavo Reis"]
    assert cell(0, 6) == "R$ 33,33" and cell(2, 6) == "R$ 100,00"
