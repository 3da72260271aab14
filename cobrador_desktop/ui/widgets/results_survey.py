"""Resultados › Satisfação: the post-payment survey's answers over the period.

A stacked bar per week (or month, for long periods) with the Ótimo / Regular / Ruim answers, the
totals, the share of surveys answered and a score index; whether the survey is on, and the
switch to turn it on or off (the service lets only the owner do it).
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.results import Period, Ratio
from cobrador_desktop.domain.satisfaction import (
    ANSWER_WINDOW_DAYS,
    OTIMO,
    REGULAR,
    RUIM,
    Grain,
    SatisfactionOverTime,
    SurveyBucket,
)
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.viewmodels.results_panels_vm import SurveyViewModel
from cobrador_desktop.ui.viewmodels.results_text import percent_text
from cobrador_desktop.ui.widgets.owner_gate import OwnerGate
from cobrador_desktop.ui.widgets.results_charts import style_axis
from cobrador_desktop.ui.widgets.results_tiles import KpiTile

SCORE_COLOURS = {OTIMO: QColor("#16a34a"), REGULAR: QColor("#f59e0b"), RUIM: QColor("#dc2626")}
CHART_HEIGHT = 260
STYLE = """
#resultsNotice { background: #fffbeb; border: 1px solid #fde68a; border-radius: 8px; }
#resultsNoticeOn { background: #f0fdf4; border: 1px solid #bbf7d0; border-radius: 8px; }
#resultsNoticeText { color: #334155; }
#resultsProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
"""


def index_text(ratio: Ratio) -> str:
    """The score index out of 100: `62,5`, or `—` without answers."""
    return percent_text(ratio).removesuffix("%")


def bucket_label(bucket: SurveyBucket, grain: Grain) -> str:
    """A week by its first day in the period (`02/11`), a month as `11/2026`."""
    if grain is Grain.MONTH:
        return f"{bucket.first.month:02d}/{bucket.first.year}"
    return f"{bucket.first.day:02d}/{bucket.first.month:02d}"


def count_axis(top: int) -> tuple[int, int]:
    """(axis top, step) for counts up to `top`: a step of 1, 2 or 5 × a power of ten, at most
    five steps, the top a whole number of steps (so every tick is a whole count)."""
    steps = (1, 2, 5)
    n = 0
    while top > 5 * steps[n % 3] * 10 ** (n // 3):
        n += 1
    step = steps[n % 3] * 10 ** (n // 3)
    return max(step * -(-top // step), step), step


class LoadsWhenShown(QWidget):
    """A tab that reads its data only while on screen: `show_period` while hidden (another tab
    is in front) waits for the tab to be shown, so hidden tabs cost the database nothing."""

    _pending: Period | None = None

    def show_period(self, period: Period) -> None:
        """Read `period`'s data now if on screen, else when shown."""
        if self.isVisible():
            self._pending = None
            self._load(period)
        else:
            self._pending = period

    def _load(self, period: Period) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending is not None:
            period, self._pending = self._pending, None
            self._load(period)


class SurveyPanel(LoadsWhenShown):
    """The Satisfação tab; `show_period(period)` loads the period's answers (when shown)."""

    def __init__(self, vm: SurveyViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surveyPanel")
        self.setStyleSheet(STYLE)
        self.vm = vm
        self.data: SatisfactionOverTime | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self._build_notice())
        self.problem_label = QLabel("", self)
        self.problem_label.setObjectName("resultsProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        layout.addWidget(self.problem_label)
        layout.addLayout(self._build_tiles())
        layout.addWidget(self._build_chart(), 1)
        vm.loaded.connect(self._on_loaded)
        vm.failed.connect(lambda error: self._set_problem(known_text(error)))
        vm.switched.connect(self._on_switched)
        self.gate: OwnerGate | None = None
        if vm.session is not None:  # closed, with the reason on hover, for an operator
            self.gate = OwnerGate(vm.session, self)
            self.gate.guard(self.switch_button, QCoreApplication.translate(
                "Roles", "ligar ou desligar a pesquisa de satisfação"))

    # ------------------------------------------------------------------ building
    def _build_notice(self) -> QFrame:
        self.notice = QFrame(self)
        self.notice.setObjectName("resultsNotice")
        self.notice_label = QLabel("", self.notice)
        self.notice_label.setObjectName("resultsNoticeText")
        self.notice_label.setWordWrap(True)
        self.switch_button = QPushButton("", self.notice)
        self.switch_button.clicked.connect(self._on_switch)
        row = QHBoxLayout(self.notice)
        row.setContentsMargins(14, 10, 14, 10)
        row.setSpacing(12)
        row.addWidget(self.notice_label, 1)
        row.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.notice.hide()
        return self.notice

    def _build_tiles(self) -> QHBoxLayout:
        self.answers_tile = KpiTile(self.tr("Respostas"), self.tr(
            "Toques nos botões da pesquisa recebidos no período. Se a pessoa tocou mais de uma "
            "vez sobre a mesma dívida, vale o último toque."), self)
        self.rate_tile = KpiTile(self.tr("Taxa de resposta"), self.tr(
            "Das pesquisas enviadas no período, quantas a pessoa respondeu em até {dias} "
            "dias.").format(dias=ANSWER_WINDOW_DAYS), self)
        self.index_tile = KpiTile(self.tr("Índice de satisfação"), self.tr(
            "De 0 a 100: Ótimo vale 100, Regular 50 e Ruim 0; o índice é a média das "
            "respostas do período."), self)
        row = QHBoxLayout()
        row.setSpacing(12)
        for tile in (self.answers_tile, self.rate_tile, self.index_tile):
            row.addWidget(tile, 1)
        return row

    def _build_chart(self) -> QFrame:
        card = QFrame(self)
        card.setObjectName("resultsCard")
        self.chart_title = QLabel(self.tr("Respostas por semana"), card)
        self.chart_title.setObjectName("resultsCardTitle")
        self.chart_caption = QLabel("", card)
        self.chart_caption.setObjectName("resultsCardCaption")
        self.chart_caption.setWordWrap(True)
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.setBackgroundRoundness(0)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart, card)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart.setBackgroundVisible(False)  # the card's white shows through
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setStyleSheet("background: transparent;")
        self.view.setMinimumHeight(CHART_HEIGHT)
        self.empty_label = QLabel(self.tr("Nenhuma pesquisa enviada ou respondida neste período."),
                                  card)
        self.empty_label.setObjectName("resultsCardEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget(card)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(4)
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart_caption)
        layout.addWidget(self.stack, 1)
        return card

    # ------------------------------------------------------------------ public
    def _load(self, period: Period) -> None:
        self.vm.load(period)

    @property
    def chart_is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty_label

    def series_values(self) -> dict[str, list[float]]:
        """The bars drawn: score label -> height per bucket (for tests and exports)."""
        found: dict[str, list[float]] = {}
        for series in self.chart.series():
            for bars in series.barSets():  # type: ignore[attr-defined]
                found[bars.label()] = [bars.at(i) for i in range(bars.count())]
        return found

    def categories(self) -> list[str]:
        for axis in self.chart.axes(Qt.Orientation.Horizontal):
            if isinstance(axis, QBarCategoryAxis):
                return list(axis.categories())
        return []

    # ------------------------------------------------------------------ showing
    def _on_loaded(self, data: SatisfactionOverTime) -> None:
        self.data = data
        self._set_problem("")
        self._show_notice(data.enabled)
        scores = data.scores
        self.answers_tile.show_value(format_count(scores.answers), self.tr(
            "Ótimo {otimo} · Regular {regular} · Ruim {ruim}").format(
                otimo=format_count(scores.otimo), regular=format_count(scores.regular),
                ruim=format_count(scores.ruim)))
        self.rate_tile.show_value(percent_text(data.answered), self.tr(
            "{n} de {total} pesquisas enviadas").format(
                n=format_count(data.answered.numerator),
                total=format_count(data.answered.denominator)))
        index = index_text(data.index)
        self.index_tile.show_value(index, self.tr("de 100 (sem respostas: —)") if index == "—"
                                   else self.tr("de 100"))
        weekly = data.grain is Grain.WEEK
        self.chart_title.setText(self.tr("Respostas por semana") if weekly
                                 else self.tr("Respostas por mês"))
        self.chart_caption.setText(
            self.tr("As respostas recebidas em cada semana, pelo primeiro dia dela no período.")
            if weekly else self.tr("As respostas recebidas em cada mês do período."))
        self._draw(data)

    def _draw(self, data: SatisfactionOverTime) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if not data.scores.answers:
            self.empty_label.setText(
                self.tr("Nenhuma pesquisa enviada ou respondida neste período.") if data.empty
                else self.tr("Nenhuma resposta neste período ({n} pesquisas enviadas).").format(
                    n=format_count(data.sent)))
            self.stack.setCurrentWidget(self.empty_label)
            return
        self.stack.setCurrentWidget(self.view)
        series = QStackedBarSeries()
        for score, label in ((OTIMO, self.tr("Ótimo")), (REGULAR, self.tr("Regular")),
                             (RUIM, self.tr("Ruim"))):
            bars = QBarSet(label)
            bars.setColor(SCORE_COLOURS[score])
            bars.setBorderColor(SCORE_COLOURS[score])
            for bucket in data.buckets:
                bars.append(bucket.scores.of(score))
            series.append(bars)
        series.setBarWidth(0.6)
        self.chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append([bucket_label(b, data.grain) for b in data.buckets])
        y_axis = QValueAxis()
        top, step = count_axis(max(b.scores.answers for b in data.buckets))
        y_axis.setRange(0, top)
        y_axis.setLabelFormat("%d")
        y_axis.setTickCount(top // step + 1)
        style_axis(x_axis, grid=False)
        style_axis(y_axis, grid=True)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    def _show_notice(self, enabled: bool) -> None:
        self.notice.setObjectName("resultsNoticeOn" if enabled else "resultsNotice")
        self.notice.setStyle(self.notice.style())  # the new name's colours
        if enabled:
            self.notice_label.setText(self.tr(
                "A pesquisa de satisfação está ligada: um minuto depois do recibo de pagamento, "
                "o cliente recebe a pergunta com os botões Ótimo, Regular e Ruim (só quando a "
                "janela de 24 horas dele está aberta)."))
            self.switch_button.setText(self.tr("Desligar a pesquisa"))
        else:
            self.notice_label.setText(self.tr(
                "A pesquisa de satisfação está desligada: depois de um pagamento o cliente "
                "recebe só o recibo. Ligue-a aqui (só o dono da loja pode); os números abaixo "
                "contam as respostas que já chegaram."))
            self.switch_button.setText(self.tr("Ligar a pesquisa"))
        self.notice.show()

    def _on_switch(self) -> None:
        if self.data is not None:
            self.switch_button.setEnabled(False)
            self.vm.set_enabled(not self.data.enabled)

    def _on_switched(self, outcome: object) -> None:
        self.switch_button.setEnabled(True)
        if isinstance(outcome, str):
            self._set_problem(outcome)

    def _set_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
