"""What the smoke test checks inside the built bundle, with the bundle's own Python and Qt.

The frozen launcher runs `main(folder)` instead of the app when the environment variable
`COBRADOR_BUNDLE_PROBE` names a folder (packaging/launcher.py; only packaging/smoke_test.py sets
it, it is no command of the program). It checks what the trimmed bundle must still carry:

- charts: QtCharts imports and a bar chart in a QChartView paints its bars offscreen (the
  Resultados screen); the image is kept as `chart.png`;
- pdf: `ui.pdf.write_pdf` writes a PDF through QtGui's QPdfWriter (the monthly report and the
  dossier); kept as `probe.pdf`; and QtPdf, the PDF *reader* the tests use, is not in the bundle;
- icu: Qt's ICU sorts Portuguese words as a person does (Ávila among the a's, not after z) and
  upper-cases "ação"; Qt's own locale data formats money and dates in pt-BR;
- holidays: the send guard's holidays come with their Portuguese names (holidays' catalogues).

Each result is a line of `report.txt` in the folder; the exit code is 0 when all pass.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import traceback
from collections.abc import Callable
from pathlib import Path

#: the bars' colour, looked for in the chart's image
BAR_RGB = (0x0B, 0x5D, 0x4B)
#: share of the chart's pixels the bars must cover (they cover ~15% at this size)
MIN_BAR_SHARE = 0.03


def check_charts(folder: Path) -> str:
    from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    bars = QBarSet("Recuperado")
    bars.append([3.0, 5.0, 2.0, 6.0])
    bars.setColor(QColor(*BAR_RGB))
    bars.setBorderColor(QColor(*BAR_RGB))
    series = QBarSeries()
    series.append(bars)
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.addSeries(series)
    weeks = QBarCategoryAxis()
    weeks.append(["S1", "S2", "S3", "S4"])
    chart.addAxis(weeks, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(weeks)
    values = QValueAxis()
    values.setRange(0, 6)
    chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(values)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.resize(480, 320)
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    image.save(str(folder / "chart.png"))
    width, height = image.width(), image.height()
    target = QColor(*BAR_RGB).rgb()
    covered = sum(1 for y in range(0, height, 2) for x in range(0, width, 2)
                  if image.pixel(x, y) == target)
    share = covered / ((width + 1) // 2 * ((height + 1) // 2))
    if share < MIN_BAR_SHARE:
        raise AssertionError(f"as barras cobrem {share:.1%} da imagem {width}×{height} "
                             f"(mínimo {MIN_BAR_SHARE:.0%})")
    return f"QChartView {width}×{height}, barras em {share:.1%} da imagem"


def check_pdf(folder: Path) -> str:
    from cobrador_desktop.ui.pdf import HtmlDoc, write_pdf

    path = folder / "probe.pdf"
    doc = (HtmlDoc("Relatório do mês — março de 2026")
           .paragraph("Cobranças, acordos e recuperação.")
           .table(["Cliente", "Valor"], [["João da Silva", "R$ 1.234,56"]]))
    write_pdf(path, doc)
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"/Page" not in data or len(data) < 1000:
        raise AssertionError(f"o arquivo gravado não parece um PDF ({len(data)} bytes)")
    if importlib.util.find_spec("PySide6.QtPdf") is not None:
        raise AssertionError("PySide6.QtPdf (o leitor de PDF dos testes) está no pacote")
    return f"QPdfWriter gravou {len(data)} bytes; QtPdf fora do pacote"


def check_icu(folder: Path) -> str:
    del folder
    from PySide6.QtCore import QCollator, QDate, QLocale

    locale = QLocale(QLocale.Language.Portuguese, QLocale.Country.Brazil)
    words = ["zebra", "Ávila", "éter", "abacate", "Eva", "acaso", "ação"]
    collator = QCollator(locale)
    ordered = sorted(words, key=functools.cmp_to_key(collator.compare))
    expected = ["abacate", "ação", "acaso", "Ávila", "éter", "Eva", "zebra"]
    found = {
        "ordem": (ordered, expected),
        "maiúsculas": (locale.toUpper("ação às 9h"), "AÇÃO ÀS 9H"),
        "número": (locale.toString(1234567.891, "f", 2), "1.234.567,89"),
        "data": (locale.toString(QDate(2026, 3, 5), "d 'de' MMMM 'de' yyyy"),
                 "5 de março de 2026"),
    }
    wrong = [f"{name}: {got!r} (esperado {want!r})" for name, (got, want) in found.items()
             if got != want]
    if wrong:
        raise AssertionError("; ".join(wrong))
    return "ordem alfabética, maiúsculas, números e datas em pt-BR"


def check_holidays(folder: Path) -> str:
    del folder
    from datetime import date

    from cobrador_desktop.domain.holidays_br import holiday_on

    found = [holiday_on(day, ("SP",)) for day in (date(2026, 9, 7), date(2026, 7, 9))]
    names = [None if holiday is None else holiday.name for holiday in found]
    expected = ["Independência do Brasil", "Revolução Constitucionalista"]
    if names != expected:
        raise AssertionError(f"feriados {names!r} (esperado {expected!r})")
    return "feriados nacionais e de SP com os nomes em português"


CHECKS: dict[str, Callable[[Path], str]] = {
    "charts": check_charts, "pdf": check_pdf, "icu": check_icu, "holidays": check_holidays}


def main(folder: str) -> int:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication  # noqa: TID251 - the probe stands in for the app

    app = QApplication.instance() or QApplication(["probe"])
    lines, failed = [], False
    for name, check in CHECKS.items():
        try:
            lines.append(f"ok {name}: {check(out)}")
        except Exception as err:
            failed = True
            detail = "".join(traceback.format_exception_only(err)).strip()
            lines.append(f"FALHOU {name}: {detail}")
    (out / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    del app
    return 1 if failed else 0
