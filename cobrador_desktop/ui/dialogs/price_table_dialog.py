"""Tabela de preços do WhatsApp: the owner edits Meta's dated prices and the dollar's rate.

One line per price: from which day it holds, the message category, the 24 h window it covers,
the currency and the price per delivered message (up to six decimals). Lines may be typed in any
order: they are saved sorted by date. Before anything goes to the service the dialog checks the
lines with `domain.pricing` (the same checks the service runs) and, when one is wrong, says why
in Portuguese and selects it; nothing typed is lost, and a refusal by the service (only the
owner may save) keeps the lines too. Salvar is owner-only on screen (`OwnerGate`); the service
refuses an operator anyway and records the attempt.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.pricing import (
    CATEGORY_NAMES,
    SHIPPED,
    WINDOW_NAMES,
    Category,
    Currency,
    PriceOverlap,
    PriceRow,
    PriceTable,
    Window,
    check_row,
    check_rows,
    dump_row,
    format_micros,
    format_rate,
    parse_rate,
)
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.viewmodels.costs_vm import CostsViewModel
from cobrador_desktop.ui.widgets.owner_gate import OwnerGate


class Column:
    FROM, CATEGORY, WINDOW, CURRENCY, PRICE, BASIS = range(6)


_ORIGINAL = Qt.ItemDataRole.UserRole + 1
#: column widths wide enough for the longest choice ("dentro ou fora da janela")
_WIDTHS = {Column.FROM: 165, Column.CATEGORY: 150, Column.WINDOW: 215, Column.CURRENCY: 80,
           Column.PRICE: 170}

_STYLE = """
#priceProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
#priceHelp { color: #64748b; }
"""


def _trimmed(text: str) -> str:
    """"0,006800" -> "0,0068", "5,4000" -> "5,40": trailing zeros off, two decimals kept."""
    whole, _, decimals = text.partition(",")
    return f"{whole},{decimals.rstrip('0').ljust(2, '0')}"


def price_text(micros: int) -> str:
    """A price as typed: 6 800 -> "0,0068", 337 500 -> "0,3375", 0 -> "0,00"."""
    return _trimmed(format_micros(micros))


class PriceTableDialog(QDialog):
    """The editor; `vm.save_table` saves, and the dialog closes once saved."""

    def __init__(self, vm: CostsViewModel, table: PriceTable,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("priceTableDialog")
        self.setWindowTitle(self.tr("Tabela de preços do WhatsApp"))
        self.setStyleSheet(_STYLE)
        self.vm = vm
        self.resize(1000, 580)
        help_label = QLabel(self.tr(
            "Preço que a Meta cobra por mensagem entregue no Brasil, por categoria, a partir de "
            "cada data. Vale para cada mensagem a linha mais recente até o dia em que ela saiu. "
            "Preços em dólar viram reais pela cotação abaixo. Use vírgula: 0,0068."), self)
        help_label.setObjectName("priceHelp")
        help_label.setWordWrap(True)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("priceRows")
        self.table.setHorizontalHeaderLabels([
            self.tr("Vigente a partir de"), self.tr("Categoria"), self.tr("Janela de 24 h"),
            self.tr("Moeda"), self.tr("Preço por mensagem"), self.tr("Fonte")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column, width in _WIDTHS.items():
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(Column.BASIS, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.add_button = QPushButton(self.tr("Adicionar linha"), self)
        self.remove_button = QPushButton(self.tr("Remover linha"), self)
        self.shipped_button = QPushButton(self.tr("Voltar aos preços de fábrica"), self)
        self.shipped_button.setToolTip(self.tr(
            "Põe na tabela os preços que vêm com o programa (só valem depois de Salvar)."))
        self.rate_edit = QLineEdit(self)
        self.rate_edit.setObjectName("usdRate")
        self.rate_edit.setMaximumWidth(120)
        rate_label = QLabel(self.tr("Cotação do dólar (R$ por US$ 1):"), self)
        rate_label.setBuddy(self.rate_edit)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("priceProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(False)
        self.save_button = QPushButton(self.tr("Salvar"), self)
        self.save_button.setObjectName("primaryButton")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancelar"), self)

        edits = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.shipped_button):
            edits.addWidget(button)
        edits.addStretch(1)
        edits.addWidget(rate_label)
        edits.addWidget(self.rate_edit)
        actions_box = QWidget(self)
        actions = QHBoxLayout(actions_box)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addStretch(1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(edits)
        layout.addWidget(self.problem_label)
        layout.addWidget(actions_box)
        if vm.session is not None:
            self.gate = OwnerGate(vm.session, self)
            self.gate.guard(self.save_button, self.tr("mudar a tabela de preços do WhatsApp"))

        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.shipped_button.clicked.connect(lambda: self.set_table(SHIPPED))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        vm.saved.connect(self._on_saved)
        vm.save_failed.connect(self.show_problem)
        vm.busy_changed.connect(self._on_busy)
        self.set_table(table)

    # ------------------------------------------------------------------ rows
    def set_table(self, table: PriceTable) -> None:
        """Put `table`'s lines and rate in the editor."""
        self.table.setRowCount(0)
        for row in table.rows:
            self._append(row)
        self.rate_edit.setText(_trimmed(format_rate(table.usd_brl_e4)))
        self.show_problem("")

    def add_row(self) -> int:
        """A new line below the current one (a copy of it, to change), or at the end."""
        current = self.table.currentRow()
        row = current + 1 if current >= 0 else self.table.rowCount()
        source = self.row_values(current) if current >= 0 else None
        self._insert(row, PriceRow(
            Category(source["category"]) if source else Category.UTILITY,
            Window(source["window"]) if source else Window.ANY,
            date.fromisoformat(source["from"]) if source else self.vm.today(),
            Currency(source["currency"]) if source else Currency.BRL,
            0, "owner"), original=None, price=source["price"] if source else "")
        self.table.selectRow(row)
        return row

    def remove_row(self) -> None:
        """Remove the selected line (saved only with Salvar)."""
        current = self.table.currentRow()
        if current >= 0:
            self.table.removeRow(current)
            self.table.selectRow(min(current, self.table.rowCount() - 1))

    def _append(self, row: PriceRow) -> None:
        self._insert(self.table.rowCount(), row, original=row, price=price_text(row.micros))

    def _insert(self, index: int, row: PriceRow, *, original: PriceRow | None,
                price: str) -> None:
        self.table.insertRow(index)
        when = row.effective_from
        day = QDateEdit(QDate(when.year, when.month, when.day), self.table)
        day.setDisplayFormat("dd/MM/yyyy")
        day.setCalendarPopup(True)
        self.table.setCellWidget(index, Column.FROM, day)
        choices: tuple[tuple[int, dict[str, str], str], ...] = (
            (Column.CATEGORY, {c.value: QCoreApplication.translate("Pricing", n)
                               for c, n in CATEGORY_NAMES.items()}, row.category.value),
            (Column.WINDOW, {w.value: QCoreApplication.translate("Pricing", n)
                             for w, n in WINDOW_NAMES.items()}, row.window.value),
            (Column.CURRENCY, {c.value: c.value for c in Currency}, row.currency.value))
        for column, labels, value in choices:
            combo = QComboBox(self.table)
            for key, label in labels.items():
                combo.addItem(label, key)
            combo.setCurrentIndex(combo.findData(value))
            self.table.setCellWidget(index, column, combo)
        edit = QLineEdit(price, self.table)
        edit.setPlaceholderText("0,0068")
        edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setCellWidget(index, Column.PRICE, edit)
        basis = QTableWidgetItem(self.basis_label(original.basis if original else "owner"))
        basis.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        basis.setToolTip(self.tr(
            "Meta (oficial): a página de preços da Meta; estimativa: tabelas de revendedores "
            "(≈); anunciado: aviso da Meta ainda fora da página oficial; dono: digitado aqui."))
        basis.setData(_ORIGINAL, original)
        self.table.setItem(index, Column.BASIS, basis)

    def row_values(self, index: int) -> dict[str, str]:
        """Line `index` as typed, in `domain.pricing.check_row`'s form (the price as text)."""
        day = self.table.cellWidget(index, Column.FROM)
        assert isinstance(day, QDateEdit)
        values = {"from": day.date().toString("yyyy-MM-dd")}
        for column, key in ((Column.CATEGORY, "category"), (Column.WINDOW, "window"),
                            (Column.CURRENCY, "currency")):
            combo = self.table.cellWidget(index, column)
            assert isinstance(combo, QComboBox)
            values[key] = str(combo.currentData())
        price = self.table.cellWidget(index, Column.PRICE)
        assert isinstance(price, QLineEdit)
        values["price"] = price.text().strip()
        return values

    # ------------------------------------------------------------------ saving
    def edited_table(self) -> dict[str, object]:
        """The lines, checked one by one and sorted by date, and the rate, as the service takes
        them; raises the first problem (`KnownError`) after selecting its line."""
        checked: list[tuple[date, int, PriceRow]] = []
        for index in range(self.table.rowCount()):
            try:
                row = check_row(self.row_values(index))
            except KnownError:
                self._point_at(index, Column.PRICE)
                raise
            item = self.table.item(index, Column.BASIS)
            original = item.data(_ORIGINAL) if item is not None else None
            if isinstance(original, PriceRow) and replace(row, basis=original.basis) == original:
                row = original
            checked.append((row.effective_from, index, row))
        checked.sort(key=lambda entry: entry[:2])
        try:
            check_rows([row for _, _, row in checked])
        except PriceOverlap:
            self._point_at(self._first_overlap(checked), Column.FROM)
            raise
        try:
            rate = parse_rate(self.rate_edit.text())
        except KnownError:
            self.rate_edit.setFocus()
            self.rate_edit.selectAll()
            raise
        return {"usd_brl": rate, "rows": [dump_row(row) for _, _, row in checked]}

    @staticmethod
    def _first_overlap(checked: list[tuple[date, int, PriceRow]]) -> int:
        for i, (_, _, row) in enumerate(checked):
            for _, index, other in checked[i + 1:]:
                if (other.effective_from == row.effective_from
                        and other.category is row.category and other.window.overlaps(row.window)):
                    return index
        return 0

    def _point_at(self, index: int, column: int) -> None:
        self.table.selectRow(index)
        widget = self.table.cellWidget(index, column)
        self.table.scrollTo(self.table.model().index(index, column))
        if widget is not None:
            widget.setFocus()

    def save(self) -> None:
        """Check the lines here and, when right, save them through the service."""
        try:
            table = self.edited_table()
        except KnownError as error:
            self.show_problem(known_text(error))
            return
        self.show_problem("")
        self.vm.save_table(table)

    def show_problem(self, text: str) -> None:
        """Say what is wrong ("" hides it); the lines stay as typed."""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def _on_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

    def _on_saved(self, _table: object) -> None:
        self.accept()

    def basis_label(self, basis: str) -> str:
        """Where a price came from (`domain.pricing.BASES`)."""
        labels = {
            "confirmed": self.tr("Meta (oficial)"),
            "secondary": self.tr("estimativa"),
            "announced": self.tr("anunciado"),
        }
        return labels.get(basis, self.tr("dono"))
