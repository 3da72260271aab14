"""Reading spreadsheets and the import service: encodings, delimiters, bad files, XLSX, cancel."""

from __future__ import annotations

import codecs
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cobrador_desktop.domain.import_columns import ImportMappingError
from cobrador_desktop.domain.importing import ImportCancelled
from cobrador_desktop.services.import_files import (
    ImportFileError,
    decode,
    detect_delimiter,
    read_table,
)
from cobrador_desktop.services.importer import ImportProgress, ImportReport, import_file
from cobrador_desktop.storage.db import Database

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def run(db: Database, path: Path, **kwargs: object) -> ImportReport:
    return import_file(db, path, now=NOW, today=date(2026, 11, 23), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("data", "text", "name"), [
    ("Conceição;€ 5".encode("cp1252"), "Conceição;€ 5", "Windows-1252"),
    ("João “Zé”".encode("cp1252"), "João “Zé”", "Windows-1252"),
    ("Conceição".encode("latin-1"), "Conceição", "Windows-1252"),
    (b"nome;valor", "nome;valor", "UTF-8"),
    ("Conceição".encode(), "Conceição", "UTF-8"),
    (codecs.BOM_UTF8 + "Conceição".encode(), "Conceição", "UTF-8 com BOM"),
    ("Conceição\tvalor".encode("utf-16"), "Conceição\tvalor", "UTF-16"),
])
def test_encodings_are_detected(data: bytes, text: str, name: str) -> None:
    assert decode(data) == (text, name)


@pytest.mark.parametrize(("text", "delimiter"), [
    ("nome;valor;vencimento\nAna;1.234,56;01/12/2026\n", ";"),
    ('nome,valor,vencimento\nAna,"1.234,56",01/12/2026\n', ","),
    ("nome\tvalor\tvencimento\nAna\t1234,56\t01/12/2026\n", "\t"),
    ("nome|valor|vencimento\nAna|10|01/12/2026\n", "|"),
])
def test_delimiters_are_detected(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_quoted_fields_keep_quotes_and_newlines_and_lines_start_where_the_record_does(
        tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes('nome;descricao;valor;vencimento\r\n\r\nAna;"Sapato ""bom""\r\n38";10;'
                     '01/12/2026\r\nBia;x;5;01/12/2026\r\n'.encode("cp1252"))
    table = read_table(path)
    assert table.rows[1:] == [(3, ["Ana", 'Sapato "bom"\r\n38', "10", "01/12/2026"]),
                              (5, ["Bia", "x", "5", "01/12/2026"])]


@pytest.mark.parametrize(("name", "words"), [
    ("empty.csv", "está vazio"), ("header_only.csv", "só tem o cabeçalho"),
    ("image.csv", "não é uma planilha CSV nem XLSX"), ("nao_existe.csv", "não existe"),
])
def test_bad_files_say_what_to_do_and_write_nothing(name: str, words: str,
                                                    database: Database) -> None:
    with pytest.raises(ImportFileError) as err:
        run(database, FIXTURES / name)
    assert words in err.value.message and err.value.exit_code == 2 and err.value.hint


def test_an_old_xls_and_a_broken_xlsx_are_refused(tmp_path: Path, database: Database) -> None:
    (tmp_path / "velho.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (tmp_path / "quebrado.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ImportFileError, match="formato antigo do Excel"):
        run(database, tmp_path / "velho.xls")
    with pytest.raises(ImportFileError, match="Não foi possível ler a planilha XLSX"):
        run(database, tmp_path / "quebrado.xlsx")


def test_columns_that_do_not_fit_are_a_mapping_error(tmp_path: Path, database: Database) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Cliente;Total;Data\nAna;10;01/12/2026\n", encoding="utf-8")
    with pytest.raises(ImportMappingError,
                       match=r"faltam as colunas de valor \(amount\), vencimento \(due_date\)"):
        run(database, path)
    report = run(database, path, overrides=["Total=amount", "Data=due_date"])
    assert (report.new_debtors, report.new_debts) == (1, 1)


def test_the_messy_windows_export_gives_counts_and_a_reason_per_line(database: Database) -> None:
    report = run(database, FIXTURES / "shop_cp1252.csv")
    assert report.lines()[3:8] == ["devedores novos: 4", "devedores atualizados: 0",
                                   "dívidas novas: 5", "linhas rejeitadas: 5",
                                   "linha 4: nome vazio"]
    assert [r.line for r in report.rejected] == [4, 5, 7, 11, 12]
    assert "Windows-1252" in report.table
    assert [w.text for w in report.warnings] == ["linha 9: telefone “1234” ignorado (número inválido)"]
    second = run(database, FIXTURES / "second_bom.csv")
    assert (second.new_debtors, second.updated_debtors, second.new_debts) == (1, 2, 3)
    again = run(database, FIXTURES / "shop_cp1252.csv")
    assert (again.new_debtors, again.updated_debtors, again.new_debts) == (0, 0, 0)


def test_xlsx_with_a_title_row_formulas_and_merged_cells(database: Database) -> None:
    report = run(database, FIXTURES / "formulas_merged.xlsx", sheet="clientes")
    assert (report.new_debtors, report.new_debts, len(report.rejected)) == (2, 3, 0)
    with pytest.raises(ImportFileError) as err:
        run(database, FIXTURES / "formulas_merged.xlsx", sheet="Devedores")
    assert "“Resumo”, “Clientes”" in err.value.hint
    # the first sheet is the default: it has no debt columns
    with pytest.raises(ImportMappingError):
        run(database, FIXTURES / "formulas_merged.xlsx")


def test_dry_run_reports_without_writing(database: Database) -> None:
    dry = run(database, FIXTURES / "tabs.csv", dry_run=True)
    assert (dry.new_debtors, dry.new_debts) == (1, 2) and dry.lines()[0].startswith("Simulação")
    real = run(database, FIXTURES / "tabs.csv")
    assert (real.new_debtors, real.new_debts) == (1, 2)


def test_progress_goes_through_every_phase_and_cancel_writes_nothing(database: Database) -> None:
    seen: list[ImportProgress] = []
    run(database, FIXTURES / "tabs.csv", progress=seen.append)
    phases = [p.phase for p in seen]
    assert phases[0] == "Lendo o arquivo" and "Conferindo as linhas" in phases
    assert phases[-1] == "Gravando no banco de dados" and seen[-1].done == seen[-1].total

    stop = threading.Event()

    def progress(p: ImportProgress) -> None:
        if p.phase == "Gravando no banco de dados":
            stop.set()  # cancel as soon as writing starts
    with pytest.raises(ImportCancelled):
        run(database, FIXTURES / "shop_cp1252.csv", progress=progress, cancelled=stop.is_set)
    again = run(database, FIXTURES / "shop_cp1252.csv")
    assert again.new_debtors == 4  # nothing of the cancelled import stayed
