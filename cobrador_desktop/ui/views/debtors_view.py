"""Devedores: search and filters, the lazy debtor table, its count, and what to do when it is empty.

Keyboard: Ctrl+F or / goes to the search box, ↓ or Esc goes back to the list, arrows move,
Shift/Ctrl extend the selection (for bulk actions), Enter opens the debtor (`open_requested`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo

from PySide6.QtCore import QCoreApplication, QItemSelection, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.list_export import ListExport
from cobrador_desktop.ui.formatting import format_count
from cobrador_desktop.ui.models.debtor_table_model import SORTS, Column, DebtorTableModel
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
from cobrador_desktop.ui.viewmodels.ports import DebtorCounts, DebtorListExporter
from cobrador_desktop.ui.widgets.debtor_filter_bar import DebtorFilterBar
from cobrador_desktop.ui.widgets.empty_state import EmptyState
from cobrador_desktop.ui.widgets.page_header import PageHeader

#: widest usual content per column, to size columns before any data arrives
_SAMPLES = {
    Column.DOCUMENT: "00.000.000/0000-00", Column.PHONE: "(00) 00000-0000",
    Column.OPEN: "R$ 00.000,00", Column.OVERDUE: "000 dias", Column.NEXT_DUE: "00/00/0000",
    Column.STATUS: "Não contatar", Column.LAST_CONTACT: "00/00/0000",
    Column.OPERATOR: "Carla Rezende",
}
_NAME_MIN_WIDTH = 170
_HEADER_PADDING = 18  # section padding (QSS) on both sides, plus a little air
_CELL_PADDING = 20  # item padding (QSS), the style's text margins and room before eliding
_SORT_ARROW = 14


class DebtorTable(QTableView):
    """The debtor table; the name column takes whatever width the others leave."""

    #: Enter on a row (the current one)
    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_name_column()

    def on_section_resized(self, section: int, _old: int, _new: int) -> None:
        """Refit the name column when the user widens or narrows another one."""
        if section != Column.NAME:
            self.fit_name_column()

    def fit_name_column(self) -> None:
        """Give the name column the remaining width (never less than a readable minimum)."""
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in Column if c != Column.NAME)
        wanted = max(_NAME_MIN_WIDTH, self.viewport().width() - others)
        if header.sectionSize(Column.NAME) != wanted:
            header.resizeSection(Column.NAME, wanted)


def selected_text(count: int) -> str:
    """`1 selecionado`, `12 selecionados` ("" for none)."""
    if count == 0:
        return ""
    if count == 1:
        return QCoreApplication.translate("DebtorsView", "1 selecionado")
    return QCoreApplication.translate("DebtorsView", "{count} selecionados").format(
        count=format_count(count))


def count_text(count: int) -> str:
    """`1.234 devedores`, `1 devedor`, `Nenhum devedor`."""
    if count == 0:
        return QCoreApplication.translate("DebtorsView", "Nenhum devedor")
    if count == 1:
        return QCoreApplication.translate("DebtorsView", "1 devedor")
    return QCoreApplication.translate("DebtorsView", "{count} devedores").format(
        count=format_count(count))


class DebtorsView(QWidget):
    """The Devedores page."""

    #: the first page of the list is on screen (or the list is known to be empty)
    first_page_shown = Signal()
    #: the user asked to open a debtor (Enter or double-click): its id
    open_requested = Signal(int)
    #: the selected debtors changed (their ids, in list order)
    selection_changed = Signal(list)
    #: "Importar planilha…" (the button, or the empty list's action)
    import_requested = Signal()

    LOADING, TABLE, EMPTY, ERROR, NO_MATCH = range(5)

    def __init__(self, vm: DebtorListViewModel, *, today: Callable[[], date], tz: tzinfo,
                 demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.vm = vm
        self.model = DebtorTableModel(vm, today=today, tz=tz, parent=self)

        self.header = PageHeader(self.tr("Devedores"),
                                 self.tr("Quem deve, quanto e desde quando"))
        self.count_label = QLabel(self.tr("Carregando…"))
        self.count_label.setObjectName("countLabel")
        self.header.right.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        self.import_button = QPushButton(self.tr("Importar planilha…"))
        self.import_button.clicked.connect(self.import_requested)
        self.header.right.addSpacing(16)
        self.header.right.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignBottom)
        # the list as shown (search, filter, order) to CSV/XLSX; hidden until `set_exporter`
        self.export_button = QPushButton(self.tr("Exportar lista…"))
        self.export_button.setToolTip(self.tr(
            "Grava os devedores mostrados, com a busca, o filtro e a ordem atuais, numa planilha "
            "do Excel (.xlsx) ou num CSV"))
        self.export_button.setVisible(False)
        self.export_button.clicked.connect(self._export_list)
        self.list_export: ListExport | None = None
        self._today = today
        self.header.right.addSpacing(8)
        self.header.right.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.filter_bar = DebtorFilterBar(self)
        self.filter_bar.search_changed.connect(vm.set_search)
        self.filter_bar.filter_changed.connect(vm.set_filter)
        self.filter_bar.segment_changed.connect(vm.set_segment)
        self.filter_bar.leave_requested.connect(self.focus_list)

        self.table = self._build_table()
        loading = QLabel(self.tr("Carregando devedores…"))
        loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        loading.setObjectName("emptyText")
        self.empty_state = self._demo_empty_state() if demo else EmptyState(
            "debtors",
            self.tr("Nenhum devedor cadastrado ainda"),
            self.tr("Aqui aparece quem deve para a loja: quanto está em aberto, há quantos dias "
                    "está atrasado e quando vence a próxima parcela. Comece importando a "
                    "planilha de clientes (Excel ou CSV), com uma linha por dívida. Para só "
                    "conhecer o programa, abra a demonstração, que usa dados de exemplo numa "
                    "pasta separada:"),
            hint="cobrador-desktop demo",
            action=self.tr("Importar planilha…"),
        )
        self.empty_state.action_triggered.connect(self.import_requested)
        self.error_state = EmptyState("debtors", "", "")
        self.no_match_state = EmptyState(
            "debtors", self.tr("Nenhum devedor encontrado"),
            self.tr("Nenhum devedor corresponde à busca e aos filtros escolhidos. Confira o que "
                    "foi digitado: a busca acha partes do nome, CPF/CNPJ, telefone (com ou sem "
                    "DDD) e a descrição das dívidas."),
            action=self.tr("Limpar busca e filtros"))
        self.no_match_state.action_triggered.connect(self.filter_bar.clear)

        self.stack = QStackedWidget()
        for widget in (loading, self.table, self.empty_state, self.error_state,
                       self.no_match_state):
            self.stack.addWidget(widget)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(14)
        layout.addWidget(self.header)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.stack, 1)

        vm.first_page_loaded.connect(self._on_first_page)
        vm.count_changed.connect(self._on_count)
        vm.counts_changed.connect(self._on_counts)
        vm.failed.connect(self._on_failed)
        self._count: int | None = None
        for keys in (QKeySequence(QKeySequence.StandardKey.Find), QKeySequence("/")):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.filter_bar.focus_search)

    def _demo_empty_state(self) -> EmptyState:
        return EmptyState(
            "debtors",
            self.tr("A demonstração está sem dados de exemplo"),
            self.tr("Os devedores de exemplo não foram criados nesta pasta de demonstração. "
                    "Feche o programa e abra a demonstração de novo, recriando os dados:"),
            hint="cobrador-desktop demo --reset",
        )

    def _build_table(self) -> DebtorTable:
        table = DebtorTable()
        table.setModel(self.model)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # several rows at once (Shift/Ctrl, Ctrl+A) for the bulk actions to come
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 14)
        columns = table.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        columns.setSectionsClickable(True)
        columns.setSortIndicatorShown(True)
        columns.setMinimumSectionSize(60)
        bold = QFont(table.font())
        bold.setBold(True)
        header_metrics, cell_metrics = QFontMetrics(bold), table.fontMetrics()
        for column, sample in _SAMPLES.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            arrow = _SORT_ARROW if column in SORTS else 0
            columns.resizeSection(column, max(
                header_metrics.horizontalAdvance(title) + _HEADER_PADDING + arrow,
                cell_metrics.horizontalAdvance(sample) + _CELL_PADDING))
        columns.sectionResized.connect(table.on_section_resized)
        self._show_sort_indicator(columns)
        columns.sortIndicatorChanged.connect(self._on_sort_clicked)
        table.activated_row.connect(self._open_row)
        table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        selection = table.selectionModel()
        selection.selectionChanged.connect(self._on_selection)
        return table

    # ------------------------------------------------------------------ actions
    def start(self) -> None:
        """Load the first page (once)."""
        self.vm.start()

    def focus_list(self) -> None:
        """Move the keyboard to the list, on the current row (the first when there is none)."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self.table.setCurrentIndex(self.model.index(0, Column.NAME))

    def selected_ids(self) -> list[int]:
        """The ids of the selected debtors, in list order (for bulk actions)."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(row).id for row in rows]

    def set_exporter(self, exporter: DebtorListExporter | None) -> None:
        """Offer "Exportar lista…" through `exporter` (None hides it)."""
        self.list_export = ListExport(exporter, self) if exporter is not None else None
        self.export_button.setVisible(exporter is not None)
        if self.list_export is not None:
            self.list_export.finished.connect(lambda _: self.export_button.setEnabled(True))

    def _export_list(self) -> None:
        if self.list_export is not None and not self.list_export.running:
            self.export_button.setEnabled(False)
            self.list_export.ask_and_run(self.vm.query, self.vm.sort, self._today())
            if not self.list_export.running:  # the file dialog was cancelled
                self.export_button.setEnabled(True)

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_requested.emit(self.model.row_at(row).id)

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_count()
        self.selection_changed.emit(self.selected_ids())

    # ------------------------------------------------------------------ view-model
    def _on_sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        self.model.sort(column, order)
        # Each order has one direction, and other columns do not sort: show what really applies.
        self._show_sort_indicator(self.table.horizontalHeader())

    def _show_sort_indicator(self, header: QHeaderView) -> None:
        column, order = self.model.sort_indicator()
        blocked = header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(blocked)

    def _on_first_page(self, empty: bool) -> None:
        if not empty:
            self.stack.setCurrentIndex(self.TABLE)
        else:
            self.stack.setCurrentIndex(
                self.EMPTY if self.vm.query.is_everything else self.NO_MATCH)
        self.first_page_shown.emit()

    def _on_count(self, count: int) -> None:
        self._count = count
        self._show_count()

    def _show_count(self) -> None:
        if self._count is None:
            return
        text = count_text(self._count)
        selected = len(self.table.selectionModel().selectedRows())
        if selected:
            text = f"{text} · {selected_text(selected)}"
        self.count_label.setText(text)

    def _on_counts(self, counts: DebtorCounts) -> None:
        self.filter_bar.set_counts(counts)

    def _on_failed(self, error: KnownError) -> None:
        self.error_state.title_label.setText(
            QCoreApplication.translate(error.context, error.message_source).format(**error.params))
        hint = error.hint_source
        self.error_state.text_label.setText(
            QCoreApplication.translate(error.context, hint).format(**error.params) if hint else "")
        self.count_label.setText("")
        self.stack.setCurrentIndex(self.ERROR)
