"""Resultados › Custos: what the WhatsApp messages cost against what came in.

Three tiles (the month's spend, the period's spend, the cost per R$ 100 recovered), the period's
spend by template (a table, exported to CSV/XLSX by "Exportar…", and a bar chart by category or
by template), a note on how the prices are taken, and "Tabela de preços…", the owner's editor.
The tab reads only while it is on screen: a period chosen while it is hidden is read when it is
shown.
"""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QLocale, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.pricing import (
    MICROS,
    Category,
    micros_to_cents,
)
from cobrador_desktop.domain.results import Period
from cobrador_desktop.services.table_export import Money
from cobrador_desktop.ui.formatting import format_count, format_date
from cobrador_desktop.ui.viewmodels.costs_vm import (
    CostsSource,
    CostsViewModel,
    brl_price,
    category_label,
    month_label,
    per_hundred_text,
    price_note,
    template_rows,
)
from cobrador_desktop.ui.widgets.scrolling import scroll_area
from cobrador_desktop.ui.widgets.table_export import EXPORT_ROLE, TableExportButton

if TYPE_CHECKING:
    from cobrador_desktop.domain.clock import Clock
    from cobrador_desktop.services.costs import CostOverview
    from cobrador_desktop.ui.dialogs.price_table_dialog import PriceTableDialog
    from cobrador_desktop.ui.session import SignedIn

#: the most bars the chart shows (the rest are in the table)
CHART_BARS = 8
#: the most rows the table grows to before it scrolls
TABLE_ROWS = 10
#: narrower than this, the chart goes below the table
SIDE_BY_SIDE_WIDTH = 900

_STYLE = """
#costsBody { background: #f8fafc; }
#costTile { background: #ffffff; border: 1px solid #e3e8ee; border-radius: 8px; }
#costTileTitle { color: #475569; font-size: 13px; font-weight: 600; }
#costTileValue { color: #0f172a; font-size: 24px; font-weight: 600; }
#costTileDetail, #costsNote { color: #64748b; font-size: 12px; }
#costsProblem { color: #b42318; }
"""


class Tile(QFrame):
    """A figure with its title and a line of detail."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("costTile")
        self.title = QLabel(self)
        self.title.setObjectName("costTileTitle")
        self.value = QLabel("—", self)
        self.value.setObjectName("costTileValue")
        self.value.setAccessibleName(name)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel(self)
        self.detail.setObjectName("costTileDetail")
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        for label in (self.title, self.value, self.detail):
            layout.addWidget(label)

    def show_figure(self, title: str, value: str, detail: str) -> None:
        self.title.setText(title)
        self.value.setText(value)
        self.detail.setText(detail)


class CostsPanel(QWidget):
    """The Custos tab; `show_period(period)` follows the screen's period selector."""

    def __init__(self, vm: CostsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("costsPanel")
        self.setStyleSheet(_STYLE)
        self.vm = vm
        self._pending: Period | None = None
        self._started = False
        self.dialog: PriceTableDialog | None = None
        self.month_tile = Tile(self.tr("Gasto no mês"))
        self.period_tile = Tile(self.tr("Gasto no período"))
        self.per_real_tile = Tile(self.tr("Custo por R$ 100 recuperados"))
        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        for tile in (self.month_tile, self.period_tile, self.per_real_tile):
            tiles.addWidget(tile, 1)

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("costsByTemplate")
        self.table.setHorizontalHeaderLabels([
            self.tr("Modelo"), self.tr("Categoria"), self.tr("Entregues"), self.tr("Gasto"),
            self.tr("Por mensagem")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumWidth(440)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        tips = {2: self.tr("Mensagens entregues ou lidas no período: a Meta cobra as entregues "
                           "(algumas são gratuitas, como as de utilidade dentro da janela de "
                           "24 h)."),
                4: self.tr("O gasto da linha dividido pelas mensagens, com quatro casas "
                           "decimais.")}
        for column, tip in tips.items():
            item = self.table.horizontalHeaderItem(column)
            if item is not None:
                item.setToolTip(tip)
        self.empty_label = QLabel(self.tr("Nenhuma mensagem entregue no período."))
        self.empty_label.setVisible(False)

        self.chart_choice = QComboBox()
        self.chart_choice.setObjectName("costsChartChoice")
        self.chart_choice.addItem(self.tr("Gasto por categoria"), "category")
        self.chart_choice.addItem(self.tr("Gasto por modelo"), "template")
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setVisible(False)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setLocale(QLocale(QLocale.Language.Portuguese, QLocale.Country.Brazil))
        self.chart.setLocalizeNumbers(True)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("costsChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(300, 200)

        self.note = QLabel()
        self.note.setObjectName("costsNote")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel()
        self.problem.setObjectName("costsProblem")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.table_button = QPushButton(self.tr("Tabela de preços…"))
        self.table_button.setObjectName("priceTableButton")
        self.table_button.setEnabled(False)

        body = QWidget()
        body.setObjectName("costsBody")
        self._grid = grid = QGridLayout()
        grid.setSpacing(12)
        self.export_button = TableExportButton(self.table, self.tr("Custos por modelo"), body)
        above = QHBoxLayout()
        above.addWidget(QLabel(self.tr("Gasto por modelo no período"), body))
        above.addStretch(1)
        above.addWidget(self.export_button)
        self._left = QVBoxLayout()
        self._left.addLayout(above)
        self._left.addWidget(self.table, 1)
        self._left.addWidget(self.empty_label)
        self._right = QVBoxLayout()
        self._right.addWidget(self.chart_choice, 0, Qt.AlignmentFlag.AlignRight)
        self._right.addWidget(self.chart_view, 1)
        grid.addLayout(self._left, 0, 0)
        self._side_by_side: bool | None = None
        self._arrange(side_by_side=True)
        footer = QHBoxLayout()
        footer.addWidget(self.note, 1)
        footer.addWidget(self.table_button, 0, Qt.AlignmentFlag.AlignTop)
        page = QVBoxLayout(body)
        page.setContentsMargins(0, 8, 0, 0)
        page.addLayout(tiles)
        page.addWidget(self.problem)
        page.addLayout(grid, 1)
        page.addLayout(footer)
        scroll = scroll_area(body, self, wrap=False)
        scroll.setObjectName("costsScroll")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        vm.loaded.connect(self._show)
        vm.load_failed.connect(self._say)
        self.chart_choice.currentIndexChanged.connect(lambda _i: self._draw_chart())
        self.table_button.clicked.connect(self.open_price_table)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(side_by_side=event.size().width() >= SIDE_BY_SIDE_WIDTH)

    def _arrange(self, *, side_by_side: bool) -> None:
        """The chart beside the table, or below it when the tab is narrow."""
        if side_by_side == self._side_by_side:
            return
        self._side_by_side = side_by_side
        self._grid.removeItem(self._right)
        row, column = (0, 1) if side_by_side else (1, 0)
        self._grid.addLayout(self._right, row, column)
        self._grid.setColumnStretch(1, 2 if side_by_side else 0)
        self._grid.setColumnStretch(0, 3)

    # ------------------------------------------------------------------ period
    def show_period(self, period: Period) -> None:
        """Show `period`'s costs (read now when on screen, else when next shown)."""
        self._pending = period
        if self.isVisible():
            self._read()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending is not None or not self._started:
            self._read()

    def _read(self) -> None:
        self._started = True
        period, self._pending = self._pending, None
        self.vm.show_period(period or self.vm.period)

    # ------------------------------------------------------------------ figures
    def _show(self, overview: CostOverview) -> None:
        self._say("")
        self.table_button.setEnabled(True)
        period = self.vm.period
        assert period is not None
        month, spent = overview.month_spend, overview.period_spend
        self.month_tile.show_figure(
            self.tr("Gasto em {month}").format(month=month_label(overview.month)),
            format_brl(month.cents), self._messages_text(month.messages))
        self.period_tile.show_figure(
            self.tr("Gasto no período"), format_brl(spent.cents),
            self.tr("{first} a {last} · {messages}").format(
                first=format_date(period.start), last=format_date(period.end),
                messages=self._messages_text(spent.messages)))
        self.per_real_tile.show_figure(
            self.tr("Custo por R$ 100 recuperados"), per_hundred_text(overview),
            self.tr("{amount} recuperados no período").format(
                amount=format_brl(overview.recovered_cents)) if overview.recovered_cents
            else self.tr("Nada recuperado no período."))
        self._fill_table(overview)
        self._draw_chart()
        self.note.setText(price_note(overview.table))

    def _messages_text(self, count: int) -> str:
        if count == 1:
            return self.tr("1 mensagem entregue")
        return self.tr("{count} mensagens entregues").format(count=format_count(count))

    def _fill_table(self, overview: CostOverview) -> None:
        rows = template_rows(overview)
        self.table.setRowCount(len(rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for index, row in enumerate(rows):
            per_message = ("—" if row.per_message_micros is None
                           else brl_price(row.per_message_micros))
            cells = (row.template, row.category, format_count(row.messages),
                     format_brl(row.spend_cents), per_message)
            exported = (None, None, row.messages, Money(row.spend_cents),
                        None if row.per_message_micros is None
                        else Decimal(row.per_message_micros) / MICROS)
            for column, (text, raw) in enumerate(zip(cells, exported, strict=True)):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(right)
                    item.setData(EXPORT_ROLE, raw)
                self.table.setItem(index, column, item)
        self.empty_label.setVisible(not rows)
        # tall enough for its rows (up to TABLE_ROWS; more scroll) when the chart is below
        shown = max(3, min(len(rows), TABLE_ROWS))
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + shown * self.table.verticalHeader().defaultSectionSize()
                                    + 2 * self.table.frameWidth() + 2)

    def _draw_chart(self) -> None:
        """Horizontal bars of the period's spend, by template or by category (reais, for
        the eye only: the figures stay in micros)."""
        overview = self.vm.overview
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if overview is None:
            return
        totals: dict[str, int] = {}
        if self.chart_choice.currentData() == "category":
            for category in Category:
                totals[category_label(category)] = 0
            for spent in overview.by_template:
                totals[category_label(spent.category)] += spent.brl_micros
        else:
            for spent in overview.by_template:
                name = spent.template or self.tr("sem modelo")
                totals[name] = totals.get(name, 0) + spent.brl_micros
        shown = sorted(totals.items(), key=lambda kv: -kv[1])[:CHART_BARS][::-1]
        bars = QBarSet(self.tr("Gasto (R$)"))
        bars.setColor(QColor("#0f766e"))
        for _name, micros in shown:
            bars.append(micros_to_cents(micros) / 100)
        series = QHorizontalBarSeries()
        series.append(bars)
        self.chart.addSeries(series)
        names = QBarCategoryAxis()
        names.append([f"{name} · {format_brl(micros_to_cents(micros))}" for name, micros in shown])
        self.chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(names)
        values = QValueAxis()
        top = max((micros_to_cents(micros) for _, micros in shown), default=0) / 100
        values.setRange(0, top if top else 1)
        values.applyNiceNumbers()
        values.setLabelFormat("%.2f")
        values.setTitleText(self.tr("R$ (ao centavo)"))
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    # ------------------------------------------------------------------ price table
    def open_price_table(self) -> PriceTableDialog | None:
        """Open the price table's editor (one at a time)."""
        overview = self.vm.overview
        if overview is None:
            return None
        from cobrador_desktop.ui.dialogs.price_table_dialog import PriceTableDialog

        if isinstance(self.dialog, PriceTableDialog) and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        dialog = PriceTableDialog(self.vm, overview.table, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog


def add_costs_tab(view: Any, source: CostsSource, clock: Clock, tz: tzinfo,
                  session: SignedIn | None) -> CostsViewModel:
    """Put Custos on the Resultados screen (`ResultsView.add_tab`, which hands it the period);
    returns its view-model (close it with the window)."""
    vm = CostsViewModel(source, clock, tz, view, session=session,
                        operator_id=lambda: session.operator_id if session else None)
    view.add_tab(CostsPanel(vm), QCoreApplication.translate("CostsPanel", "Custos"))
    return vm
