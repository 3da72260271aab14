"""The Resultados charts (QtCharts): R$ recovered per week, and the message funnel.

Each chart sits in a card with its title; a chart with nothing to draw says so in words instead
of drawing an empty axis. Values are drawn as counts and reais; money stays in cents until the
bar's height is set (a chart is drawn in floating point).
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QRectF, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.results import Funnel, Ratio, ResultsFigures
from cobrador_desktop.ui.formatting import format_brl, format_count
from cobrador_desktop.ui.viewmodels.results_text import (
    STAGES,
    percent_text,
    tr,
    translate,
    week_label,
    weekly_cents,
)

BRAND = QColor("#0f766e")
AXIS_TEXT = QColor("#64748b")
GRID = QColor("#eef1f4")
CHART_HEIGHT = 250


def _nice_step(top: float, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 × a power of ten) that covers `top` in about `ticks` steps."""
    raw = max(top / ticks, 1.0)
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _plain_chart() -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().hide()
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundBrush(QColor("#ffffff"))
    return chart


def style_axis(axis: QValueAxis | QCategoryAxis | QBarCategoryAxis, *, grid: bool) -> None:
    """The Resultados charts' axes: small grey labels, light lines, a grid where asked."""
    font = QFont()
    font.setPointSizeF(8.5)
    axis.setLabelsFont(font)
    axis.setLabelsColor(AXIS_TEXT)
    axis.setLinePenColor(GRID)
    axis.setGridLineVisible(grid)
    axis.setGridLineColor(GRID)


class ChartCard(QFrame):
    """A titled card holding a chart, or a sentence when there is nothing to draw."""

    def __init__(self, title: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsCard")
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("resultsCardTitle")
        self.caption_label = QLabel("", self)
        self.caption_label.setObjectName("resultsCardCaption")
        self.caption_label.setWordWrap(True)
        self.chart = _plain_chart()
        self.view = QChartView(self.chart, self)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setBackgroundBrush(QColor("#ffffff"))
        self.view.setMinimumHeight(CHART_HEIGHT)
        self.empty_label = QLabel(empty_text, self)
        self.empty_label.setObjectName("resultsCardEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)
        self.chart_page: QWidget = self.view
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.stack, 1)

    @property
    def is_empty(self) -> bool:
        """True when the card shows its sentence instead of a chart."""
        return self.stack.currentWidget() is self.empty_label

    def _show_empty(self, empty: bool) -> None:
        self.stack.setCurrentWidget(self.empty_label if empty else self.chart_page)

    def _clear(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)

    def bar_set(self) -> QBarSet | None:
        """The chart's bars (for tests and exports), None when it draws none."""
        for series in self.chart.series():
            sets = series.barSets()  # type: ignore[attr-defined]
            return sets[0] if sets else None
        return None

    def values(self) -> list[float]:
        """The heights of the bars, in category order."""
        bars = self.bar_set()
        return [] if bars is None else [bars.at(i) for i in range(bars.count())]

    def categories(self) -> list[str]:
        """The category labels, in the order of `values`."""
        for axis in self.chart.axes():
            if isinstance(axis, QBarCategoryAxis):
                return list(axis.categories())
        return []


class WeeklyChart(ChartCard):
    """"Recuperado por semana": one bar per week of the period, labelled by its Monday."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translate("ResultsText", "Recuperado por semana"),
                         translate("ResultsText",
                                   "Nenhum pagamento registrado neste período."), parent)
        self._cents: tuple[int, ...] = ()
        self._labels: tuple[str, ...] = ()

    def show_figures(self, figures: ResultsFigures) -> None:
        self._clear()
        weeks = weekly_cents(figures)
        self._cents = tuple(cents for _, cents in weeks)
        self._labels = tuple(week_label(week) for week, _ in weeks)
        self.caption_label.setText(translate("ResultsText",
                                             "Pagamentos registrados, por semana (segunda-feira de "
                                      "cada semana)"))
        self._show_empty(figures.recovered_cents == 0)
        if figures.recovered_cents == 0:
            return
        bars = QBarSet(translate("ResultsText", "Recuperado"))
        bars.setColor(BRAND)
        bars.setBorderColor(BRAND)
        for cents in self._cents:
            bars.append(cents / 100)  # the bar's height only: the amounts stay in cents
        bars.hovered.connect(self._hovered)
        series = QBarSeries()
        series.append(bars)
        series.setBarWidth(0.6)
        self.chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(list(self._labels))
        style_axis(x_axis, grid=False)
        x_axis.setTruncateLabels(False)  # a date cut to "…" says nothing
        if len(self._labels) > 8:
            x_axis.setLabelsAngle(-60)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x_axis)
        y_axis = self._money_axis(max(self._cents))
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y_axis)

    @staticmethod
    def _money_axis(top_cents: int) -> QCategoryAxis:
        """A value axis labelled the Brazilian way (`R$ 1.500`)."""
        step = _nice_step(top_cents / 100)
        axis = QCategoryAxis()
        axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        top = step
        while top * 100 < top_cents:
            top += step
        for value in range(0, top + 1, step):
            axis.append(f"R$ {format_count(value)}", value)
        axis.setRange(0, top)
        style_axis(axis, grid=True)
        return axis

    def _hovered(self, status: bool, index: int) -> None:
        if status and 0 <= index < len(self._cents):
            QToolTip.showText(QCursor.pos(), translate("ResultsText",
                                                       "Semana de {semana}: {valor}").format(
                semana=self._labels[index], valor=format_brl(self._cents[index])))
        else:
            QToolTip.hideText()


class _FullPlotView(QChartView):
    """A chart view whose plot area is the whole view: the funnel's labels sit beside it, one
    per equal slice of its height, so they line up with the bars."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = self.viewport().size()
        self.chart().setPlotArea(QRectF(0, 0, max(size.width() - 12, 1), size.height()))


class FunnelChart(ChartCard):
    """The funnel enviadas → entregues → lidas → respondidas → pagas, widest on top, each stage
    with its count and its share of the messages sent (the labels on the left)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translate("ResultsText", "Funil das mensagens"),
                         translate("ResultsText", "Nenhuma mensagem saiu neste período."), parent)
        self.stack.removeWidget(self.view)
        self.view.deleteLater()
        page = QWidget(self.stack)
        self.view = _FullPlotView(self.chart, page)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setBackgroundBrush(QColor("#ffffff"))
        self.view.setMinimumHeight(CHART_HEIGHT - 30)
        self.stage_labels: list[QLabel] = []
        labels = QVBoxLayout()
        labels.setContentsMargins(0, 0, 0, 0)
        labels.setSpacing(0)
        for _ in STAGES:
            label = QLabel("", page)
            label.setObjectName("resultsFunnelStage")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setTextFormat(Qt.TextFormat.RichText)
            labels.addWidget(label, 1)
            self.stage_labels.append(label)
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 8, 0, 8)
        row.setSpacing(12)
        row.addLayout(labels)
        row.addWidget(self.view, 1)
        self.stack.insertWidget(0, page)
        self.chart_page = page

    @staticmethod
    def stage_text(label: str, count: int, funnel: Funnel) -> str:
        """`3 · 75,0%`: a stage's count and its share of the messages sent."""
        return translate("ResultsText", "{n} · {pct}").format(n=format_count(count),
                                        pct=percent_text(Ratio(count, funnel.sent)))

    def stages(self) -> list[str]:
        """The stages' labels as shown, top (enviadas) to bottom (pagas)."""
        return [label.text() for label in self.stage_labels]

    def show_figures(self, figures: ResultsFigures) -> None:
        self._clear()
        funnel = figures.funnel
        self.caption_label.setText(translate("ResultsText",
                                             "Mensagens que saíram no período e até onde cada uma "
                                      "chegou (respondida ou paga em até 7 dias)"))
        self._show_empty(funnel.sent == 0)
        if funnel.sent == 0:
            return
        stages = [(tr(label), getattr(funnel, name)) for name, label in STAGES]
        for widget, (label, count) in zip(self.stage_labels, stages, strict=True):
            widget.setText(f"<b>{label}</b><br>{self.stage_text(label, count, funnel)}")
        stages.reverse()  # a horizontal chart draws its first category at the bottom
        bars = QBarSet(translate("ResultsText", "Mensagens"))
        bars.setColor(BRAND)
        bars.setBorderColor(BRAND)
        for _, count in stages:
            bars.append(count)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setBarWidth(0.62)
        self.chart.addSeries(series)
        y_axis = QBarCategoryAxis()
        y_axis.append([label for label, _ in stages])
        y_axis.setVisible(False)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y_axis)
        x_axis = QValueAxis()
        x_axis.setRange(0, funnel.sent)
        x_axis.setVisible(False)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x_axis)
