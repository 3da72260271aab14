"""The funnel broken down by one dimension the user picks: régua step, template, operator or
segment — one table, its columns the funnel's stages and the reply and payment rates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.results import ResultsFigures
from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.viewmodels.results_text import (
    DIMENSIONS,
    STAGES,
    BreakdownRow,
    breakdown_rows,
    percent_text,
    tr,
    translate,
)
from cobrador_desktop.ui.widgets.table_export import EXPORT_ROLE, TableExportButton

_Index = QModelIndex | QPersistentModelIndex
#: the rates after the stages: (header, tooltip, `BreakdownRow` property)
RATES = (
    (QT_TRANSLATE_NOOP("ResultsText", "Taxa de\nresposta"),
     QT_TRANSLATE_NOOP("ResultsText", "Respondidas em até 7 dias, sobre as enviadas"),
     "replied_rate"),
    (QT_TRANSLATE_NOOP("ResultsText", "Taxa de\npagamento"),
     QT_TRANSLATE_NOOP("ResultsText", "Pagas (um pagamento do devedor em até 7 dias), sobre "
                       "as enviadas"),
     "paid_rate"),
)


class BreakdownModel(QAbstractTableModel):
    """The lines of one breakdown: the key's name, the five stages, the two rates."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: tuple[BreakdownRow, ...] = ()
        self.key_header = ""

    def set_rows(self, rows: tuple[BreakdownRow, ...], key_header: str) -> None:
        self.beginResetModel()
        self.rows = rows
        self.key_header = key_header
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(STAGES) + len(RATES)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return self.key_header
            if section <= len(STAGES):
                return tr(STAGES[section - 1][1])
            return tr(RATES[section - 1 - len(STAGES)][0])
        if role == Qt.ItemDataRole.ToolTipRole and section > len(STAGES):
            return tr(RATES[section - 1 - len(STAGES)][1])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.label
            if column <= len(STAGES):
                return format_count(getattr(row.funnel, STAGES[column - 1][0]))
            return percent_text(getattr(row, RATES[column - 1 - len(STAGES)][2]))
        if role == EXPORT_ROLE and 0 < column <= len(STAGES):  # counts stay numbers
            return getattr(row.funnel, STAGES[column - 1][0])  # (rates go as shown: "33,3%")
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return row.tooltip or row.label
        return None


class BreakdownTable(QFrame):
    """The dimension choice and its table (`table`, objectName `resultsBreakdownTable`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsCard")
        self._figures: ResultsFigures | None = None
        self._names: Mapping[int, str] = {}
        title = QLabel(translate("ResultsText", "O que funciona melhor"), self)
        title.setObjectName("resultsCardTitle")
        self.dimension = QComboBox(self)
        self.dimension.setAccessibleName(translate("ResultsText", "Dividir o funil"))
        for key, label, _header in DIMENSIONS:
            self.dimension.addItem(tr(label), key)
        self.dimension.currentIndexChanged.connect(lambda _i: self._fill())
        self.model = BreakdownModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("resultsBreakdownTable")
        self.table.setAccessibleName(translate("ResultsText", "Funil por dimensão"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel(translate("ResultsText",
                                            "Nenhuma mensagem saiu neste período."), self)
        self.empty_label.setObjectName("resultsCardEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(QLabel(translate("ResultsText", "Dividir:"), self))
        top.addWidget(self.dimension)
        self.export_button = TableExportButton(self.table, "", self)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)

    def choose(self, dimension: str) -> None:
        """Show the breakdown `dimension` (`by_step`, `by_template`, `by_operator`,
        `by_segment`)."""
        self.dimension.setCurrentIndex(self.dimension.findData(dimension))

    def show_figures(self, figures: ResultsFigures, operator_names: Mapping[int, str]) -> None:
        self._figures, self._names = figures, operator_names
        self._fill()

    @property
    def is_empty(self) -> bool:
        """True when the table has no line (it says so instead)."""
        return not self.model.rows

    def cell(self, row: int, column: int) -> str:
        """A cell's text as shown."""
        return str(self.model.index(row, column).data())

    def _fill(self) -> None:
        if self._figures is None:
            return
        key = str(self.dimension.currentData())
        header = next(tr(header) for name, _label, header in DIMENSIONS if name == key)
        self.export_button.name = translate("ResultsText", "Resultados {dimensao}").format(
            dimensao=self.dimension.currentText().lower())
        self.model.set_rows(breakdown_rows(self._figures, key, self._names), header)
        empty = not self.model.rows
        self.table.setVisible(not empty)
        self.empty_label.setVisible(empty)
        self.export_button.setEnabled(not empty)
        # every line shows (the page scrolls, not the table)
        rows = max(len(self.model.rows), 1)
        height = (self.table.horizontalHeader().sizeHint().height()
                  + rows * self.table.verticalHeader().defaultSectionSize()
                  + 2 * self.table.frameWidth() + 2)
        self.table.setFixedHeight(height)

    def sizeHint(self) -> QSize:
        return QSize(600, super().sizeHint().height())
