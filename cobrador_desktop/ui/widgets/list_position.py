"""Keep the operator's place in the debtor list across a reload (after a payment changed a row).

The list is read in keyset pages, so after a reload the row the operator was on may not be loaded
yet: pages are fetched until it is (or until as many rows as before are in), then it becomes the
current row again at the same scroll position.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractItemView

from cobrador_desktop.ui.models.debtor_table_model import Column, DebtorTableModel
from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel


class ListPosition(QObject):
    """Reloads the list and brings back the current debtor and the scroll position."""

    def __init__(self, vm: DebtorListViewModel, model: DebtorTableModel,
                 table: QAbstractItemView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._model = model
        self._table = table
        self._wanted: int | None = None
        self._rows_before = 0
        self._scroll = 0
        vm.rows_loaded.connect(self._on_rows)
        vm.first_page_loaded.connect(self._on_first_page)

    def reload_keeping(self, debtor_id: int) -> None:
        """Reload the list (counts too) and come back to `debtor_id` when its row is in."""
        current = self._table.currentIndex()
        self._rows_before = max(current.row() + 1, 1) if current.isValid() else 1
        self._scroll = self._table.verticalScrollBar().value()
        self._wanted = debtor_id
        self._vm.refresh()

    @property
    def pending(self) -> bool:
        """True until the row is back (or known to be gone)."""
        return self._wanted is not None

    def _on_first_page(self, empty: bool) -> None:
        if empty:
            self._wanted = None

    def _on_rows(self, _rows: object) -> None:
        if self._wanted is None:
            return
        for row in range(self._model.rowCount()):
            if self._model.row_at(row).id == self._wanted:
                self._wanted = None
                self._table.setCurrentIndex(self._model.index(row, Column.NAME))
                self._table.verticalScrollBar().setValue(self._scroll)
                return
        if self._model.rowCount() < self._rows_before + 50 and self._vm.has_more:
            self._vm.fetch_more()
        else:
            self._wanted = None  # the debtor left this view (a filter no longer holds)
