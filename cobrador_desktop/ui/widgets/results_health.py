"""Resultados › Saúde do número: what Meta says about the shop's WhatsApp number and templates,
and why messages failed in the last 30 days (whatever period the screen shows)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.number_health import FAILURE_DAYS, NumberHealth
from cobrador_desktop.domain.results import Light, Period
from cobrador_desktop.domain.setup import quality_label, tier_label
from cobrador_desktop.domain.template_records import QUALITY_LABELS, STATUS_LABELS
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text, translated
from cobrador_desktop.ui.formatting import format_count, format_datetime
from cobrador_desktop.ui.viewmodels.results_panels_vm import HealthViewModel
from cobrador_desktop.ui.widgets.results_survey import LoadsWhenShown
from cobrador_desktop.ui.widgets.scrolling import scroll_area
from cobrador_desktop.ui.widgets.table_export import EXPORT_ROLE, TableExportButton
from cobrador_desktop.ui.widgets.template_picker import CATEGORY_LABELS

LIGHT_COLOURS = {Light.GREEN: "#16a34a", Light.AMBER: "#d97706", Light.RED: "#dc2626"}
UNKNOWN_COLOUR = "#94a3b8"
PROBLEM_BACKGROUND = QColor("#fef3f2")
PROBLEM_TEXT = QColor("#b42318")
STYLE = """
#resultsProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
#healthTable { border: none; font-size: 13px; }
"""


def _card(parent: QWidget, title: str
          ) -> tuple[QFrame, QHBoxLayout, QLabel, QVBoxLayout]:
    """A titled card: (card, its title row — room on the right —, its caption, its layout)."""
    card = QFrame(parent)
    card.setObjectName("resultsCard")
    title_label = QLabel(title, card)
    title_label.setObjectName("resultsCardTitle")
    caption = QLabel("", card)
    caption.setObjectName("resultsCardCaption")
    caption.setWordWrap(True)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(6)
    title_row = QHBoxLayout()
    title_row.addWidget(title_label, 1)
    layout.addLayout(title_row)
    layout.addWidget(caption)
    return card, title_row, caption, layout


class _WrapDelegate(QStyledItemDelegate):
    """Measures a wrapped cell for the width its text really gets: the style's cell padding
    (app.qss, 6 px a side) is not taken off when Qt measures, so a last word would be elided."""

    PADDING = 12

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        narrower = QStyleOptionViewItem(option)
        narrower.rect.setWidth(max(option.rect.width() - self.PADDING, 1))
        return super().sizeHint(narrower, index)


def _table(parent: QWidget, headers: list[str], stretch: tuple[int, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName("healthTable")
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setWordWrap(True)
    table.setItemDelegate(_WrapDelegate(table))
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[list[str | tuple[str, object]]],
          problems: AbstractSet[int] = frozenset()) -> None:
    """Put the rows in the table; a cell given as (text, value) exports `value` (a count as a
    number, an instant as a date and time) instead of its text."""
    table.setRowCount(len(rows))
    bold = QFont()
    bold.setBold(True)
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            text, raw = cell if isinstance(cell, tuple) else (cell, None)
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if raw is not None:
                item.setData(EXPORT_ROLE, raw)
            if r in problems:
                item.setBackground(QBrush(PROBLEM_BACKGROUND))
                item.setForeground(QBrush(PROBLEM_TEXT))
                item.setFont(bold)
            table.setItem(r, c, item)


class _FitTable(QStackedWidget):
    """A table as tall as its rows (the page scrolls, not the table), or a sentence for none.
    Rows are measured again whenever the columns' widths change (a wrapped cell grows)."""

    def __init__(self, table: QTableWidget, empty: QLabel, parent: QWidget) -> None:
        super().__init__(parent)
        self.table, self.empty = table, empty
        self.addWidget(table)
        self.addWidget(empty)
        self._refit_queued = False
        table.horizontalHeader().sectionResized.connect(self._queue_refit)

    def show_rows(self, count: int) -> None:
        self.setCurrentWidget(self.table if count else self.empty)
        self.refit()

    def refit(self) -> None:
        self._refit_queued = False
        if self.currentWidget() is self.table:
            self.table.resizeRowsToContents()
            height = (self.table.horizontalHeader().height() + 4
                      + sum(self.table.rowHeight(r) for r in range(self.table.rowCount())))
        else:
            height = self.empty.heightForWidth(max(self.width(), 200)) + 8
        self.setFixedHeight(height)

    def _queue_refit(self, *_args: object) -> None:
        if not self._refit_queued:  # once per burst of column changes, after they settle
            self._refit_queued = True
            QTimer.singleShot(0, self, self.refit)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._queue_refit()


class HealthPanel(LoadsWhenShown):
    """The Saúde do número tab; `show_period` reads the health now (the period does not change
    it: the failures are always the last `FAILURE_DAYS` days, and the panel says so)."""

    def __init__(self, vm: HealthViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("healthPanel")
        self.setStyleSheet(STYLE)
        self.vm = vm
        self._tz = vm.tz
        self.data: NumberHealth | None = None
        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 12, 4, 12)
        column.setSpacing(12)
        self.problem_label = QLabel("", content)
        self.problem_label.setObjectName("resultsProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        column.addWidget(self.problem_label)
        column.addLayout(self._build_number(content))
        column.addWidget(self._build_failures(content))
        column.addWidget(self._build_templates(content))
        column.addStretch(1)
        scroll = scroll_area(content, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        vm.loaded.connect(self._on_loaded)
        vm.failed.connect(lambda error: self._set_problem(known_text(error)))

    # ------------------------------------------------------------------ building
    def _build_number(self, parent: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(12)
        self.quality_card, _, self.quality_caption, quality = _card(
            parent, self.tr("Qualidade do número na Meta"))
        self.quality_value = QLabel("—", self.quality_card)
        self.quality_value.setObjectName("resultsTileValue")
        self.quality_value.setWordWrap(True)
        quality.insertWidget(1, self.quality_value)
        self.quality_card.setToolTip(self.tr(
            "A nota que a Meta dá ao número pelas reações dos clientes (bloqueios e denúncias). "
            "Amarela ou vermelha: a régua para de enviar em massa até melhorar."))
        self.tier_card, _, self.tier_caption, tier = _card(parent, self.tr("Limite de envios"))
        self.tier_value = QLabel("—", self.tier_card)
        self.tier_value.setObjectName("resultsTileValue")
        self.tier_value.setWordWrap(True)
        tier.insertWidget(1, self.tier_value)
        self.tier_caption.setText(self.tr(
            "Quantos clientes diferentes a loja pode procurar por dia com modelos. A Meta "
            "aumenta o limite quando a qualidade se mantém boa."))
        row.addWidget(self.quality_card, 1)
        row.addWidget(self.tier_card, 1)
        return row

    def _build_failures(self, parent: QWidget) -> QFrame:
        card, title_row, self.failures_caption, layout = _card(
            parent, self.tr("Falhas nos últimos {dias} dias").format(dias=FAILURE_DAYS))
        self.failures_table = _table(card, [self.tr("Motivo"), self.tr("O que fazer"),
                                            self.tr("Código"), self.tr("Mensagens"),
                                            self.tr("Última vez")], (0, 1))
        self.failures_empty = QLabel(self.tr(
            "Nenhuma mensagem falhou nos últimos {dias} dias.").format(dias=FAILURE_DAYS), card)
        self.failures_empty.setObjectName("resultsCardEmpty")
        self.failures_box = _FitTable(self.failures_table, self.failures_empty, card)
        layout.addWidget(self.failures_box)
        self.failures_export = TableExportButton(self.failures_table, self.tr("Falhas de envio"),
                                                 card)
        title_row.addWidget(self.failures_export)
        return card

    def _build_templates(self, parent: QWidget) -> QFrame:
        card, title_row, self.templates_caption, layout = _card(
            parent, self.tr("Modelos de mensagem"))
        self.templates_table = _table(card, [self.tr("Modelo"), self.tr("Categoria"),
                                             self.tr("Situação"), self.tr("Qualidade"),
                                             self.tr("Motivo da Meta")], (0, 4))
        self.templates_empty = QLabel(self.tr(
            "Nenhum modelo lido da Meta ainda. Conecte o número em Configurações › Assistente "
            "de configuração; os modelos são lidos ao conectar e uma vez por dia."), card)
        self.templates_empty.setObjectName("resultsCardEmpty")
        self.templates_empty.setWordWrap(True)
        self.templates_box = _FitTable(self.templates_table, self.templates_empty, card)
        layout.addWidget(self.templates_box)
        self.templates_export = TableExportButton(self.templates_table,
                                                  self.tr("Modelos de mensagem"), card)
        title_row.addWidget(self.templates_export)
        return card

    # ------------------------------------------------------------------ public
    def _load(self, period: Period) -> None:
        del period  # the health is read as of now; the period chosen does not change it
        self.vm.load()

    # ------------------------------------------------------------------ showing
    def _on_loaded(self, health: NumberHealth) -> None:
        self.data = health
        self._set_problem("")
        self._show_number(health)
        self._show_failures(health)
        self._show_templates(health)

    def _show_number(self, health: NumberHealth) -> None:
        light = health.light
        colour = LIGHT_COLOURS[light] if light is not None else UNKNOWN_COLOUR
        label = QCoreApplication.translate("Setup", quality_label(health.quality.quality))
        self.quality_value.setText(f'<span style="color:{colour}">●</span> {label}')
        when = []
        if health.changed_at is not None:
            when.append(self.tr("Registrada em {quando}.").format(
                quando=format_datetime(health.changed_at, self._tz)))
        if health.synced_at is not None:
            when.append(self.tr("Última leitura da Meta: {quando}.").format(
                quando=format_datetime(health.synced_at, self._tz)))
        else:
            when.append(self.tr("Ainda não lida da Meta: conecte o número em Configurações › "
                                "Assistente de configuração."))
        self.quality_caption.setText(" ".join(when))
        self.tier_value.setText(QCoreApplication.translate("Setup",
                                                           tier_label(health.quality.tier)))

    def _show_failures(self, health: NumberHealth) -> None:
        self.failures_caption.setText(self.tr(
            "Mensagens que falharam de {desde} até agora, qualquer que seja o período escolhido "
            "acima ({total} no total).").format(
                desde=format_datetime(health.failures_since, self._tz),
                total=format_count(health.failed)))
        rows: list[list[str | tuple[str, object]]] = []
        for f in health.failures:
            params: dict[str, object] = {"code": f.code if f.code is not None else "—",
                                         "details": f.detail or ""}
            rows.append([translated(f.reason_context, f.reason, params),
                         translated(f.reason_context, f.hint, params),
                         (str(f.code), f.code) if f.code is not None else "—",
                         (format_count(f.count), f.count),
                         (format_datetime(f.last_at, self._tz), f.last_at.astimezone(self._tz))])
        _fill(self.failures_table, rows)
        self.failures_box.show_rows(len(rows))

    def _show_templates(self, health: NumberHealth) -> None:
        problems = health.template_problems
        self.templates_caption.setText(
            self.tr("{n} modelo(s) que a Meta não deixa enviar (em vermelho): corrija-os ou "
                    "use outros na tela Modelos.").format(n=problems) if problems
            else self.tr("Todos os modelos podem ser enviados ou estão em análise.")
            if health.templates else "")
        rows: list[list[str | tuple[str, object]]] = []
        marked = set()
        for r, t in enumerate(health.templates):
            status = STATUS_LABELS.get(t.status.upper())
            quality = QUALITY_LABELS.get((t.quality or "UNKNOWN").upper())
            category = CATEGORY_LABELS.get(t.category.lower())
            rows.append([f"{t.name} ({t.language})",
                         QCoreApplication.translate("TemplatePicker", category)
                         if category else t.category.title(),
                         QCoreApplication.translate("TemplateScreen", status) if status
                         else t.status,
                         QCoreApplication.translate("TemplateScreen", quality) if quality
                         else (t.quality or ""),
                         t.rejected_reason or ""])
            if t.problem:
                marked.add(r)
        _fill(self.templates_table, rows, marked)
        self.templates_box.show_rows(len(rows))

    def _set_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
