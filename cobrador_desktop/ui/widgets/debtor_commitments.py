"""The debtor screen's "Acordos e promessas" tab: promises to pay and agreements, newest first.

An open promise or an active agreement can be cancelled from here (the view asks for the
reason); everything else about them is decided by payments and the calendar.
"""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.records import AgreementRecord, DebtRecord, PromiseRecord
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text
from cobrador_desktop.ui.widgets.debtor_tables import _configure, _fill, _item

_STATUS_COLORS = {
    "open": QColor("#175cd3"), "active": QColor("#175cd3"),
    "kept": QColor("#067647"), "completed": QColor("#067647"),
    "broken": QColor("#b42318"), "cancelled": QColor("#8a94a6"),
}


class PromisesTable(QTableWidget):
    """The debtor's promises: date, amount, debt, channel, state, who recorded it, note."""

    DUE, AMOUNT, DEBT, CHANNEL, STATUS, BY, NOTE = range(7)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _configure(self, [
            self.tr("Pagará até"), self.tr("Valor"), self.tr("Dívida"), self.tr("Canal"),
            self.tr("Situação"), self.tr("Registrada"), self.tr("Observação")])
        self.horizontalHeader().setSectionResizeMode(self.NOTE, QHeaderView.ResizeMode.Stretch)
        self._promises: tuple[PromiseRecord, ...] = ()

    def set_promises(self, promises: tuple[PromiseRecord, ...],
                     debts: tuple[DebtRecord, ...], tz: tzinfo) -> None:
        """Show `promises` (newest first)."""
        self._promises = promises
        names = {d.id: d.description for d in debts}
        rows: list[tuple[QTableWidgetItem, ...]] = []
        for p in promises:
            by = p.created_by_name or ""
            made = fmt.format_datetime(p.created_at, tz)
            note = " ".join((p.note or "").split())
            cells = (
                _item(fmt.format_date(p.due_date)),
                _item(fmt.format_brl(p.amount_cents), right=True),
                _item(names.get(p.debt_id, "") if p.debt_id is not None
                      else self.tr("Todas em aberto")),
                _item(text.label(text.CHANNEL_LABELS, p.channel)),
                _item(text.label(text.PROMISE_STATUS_LABELS, p.status),
                      color=_STATUS_COLORS.get(p.status)),
                _item(f"{by} · {made}" if by else made),
                _item(note),
            )
            cells[self.NOTE].setToolTip(p.note or "")
            rows.append(cells)
        _fill(self, rows)

    def selected_promise(self) -> PromiseRecord | None:
        """The promise on the current row, if any."""
        row = self.currentRow()
        return self._promises[row] if 0 <= row < len(self._promises) else None


class AgreementsTable(QTableWidget):
    """The debtor's agreements, itemised: owed, fine, interest, discount, total, down payment."""

    NUMBER, MADE, STATUS, ENDED, PRINCIPAL, FINE, INTEREST, DISCOUNT, TOTAL, DOWN, PLAN = range(11)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _configure(self, [
            self.tr("Nº"), self.tr("Feito em"), self.tr("Situação"), self.tr("Encerrado em"),
            self.tr("Valor devido"),
            self.tr("Multa"), self.tr("Juros"), self.tr("Desconto"), self.tr("Total"),
            self.tr("Entrada"), self.tr("Parcelas")])
        self.horizontalHeader().setSectionResizeMode(self.PLAN, QHeaderView.ResizeMode.Stretch)
        self._agreements: tuple[AgreementRecord, ...] = ()

    def set_agreements(self, agreements: tuple[AgreementRecord, ...], tz: tzinfo) -> None:
        """Show `agreements` (newest first)."""
        self._agreements = agreements
        rows: list[tuple[QTableWidgetItem, ...]] = []
        for a in agreements:
            money = [fmt.format_brl(c) for c in (a.principal_cents, a.fine_cents,
                                                 a.interest_cents, a.discount_cents,
                                                 a.total_cents, a.down_payment_cents)]
            plan = self.tr("{n} × a partir de {due}").format(
                n=a.installments, due=fmt.format_date(a.first_due))
            cells = (
                _item(str(a.id), right=True),
                _item(fmt.format_datetime(a.created_at, tz)),
                _item(text.label(text.AGREEMENT_STATUS_LABELS, a.status),
                      color=_STATUS_COLORS.get(a.status)),
                _item(fmt.format_datetime(a.ended_at, tz) if a.ended_at else ""),
                *(_item(m, right=True) for m in money[:3]),
                _item(("− " + money[3]) if a.discount_cents else "", right=True),
                _item(money[4], right=True),
                _item(money[5] if a.down_payment_cents else "", right=True),
                _item(plan),
            )
            if a.note:
                cells[self.NUMBER].setToolTip(a.note)
            rows.append(cells)
        _fill(self, rows)

    def selected_agreement(self) -> AgreementRecord | None:
        """The agreement on the current row, if any."""
        row = self.currentRow()
        return self._agreements[row] if 0 <= row < len(self._agreements) else None


class CommitmentsPanel(QWidget):
    """Promises above, agreements below, each with a line when there is none."""

    #: the operator asked to cancel this open promise (`PromiseRecord`)
    cancel_requested = Signal(object)
    #: the operator asked to cancel this active agreement (`AgreementRecord`)
    cancel_agreement_requested = Signal(object)

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.promises_title = QLabel(self)
        self.promises_title.setObjectName("detailSection")
        self.cancel_button = QPushButton(self.tr("Cancelar promessa…"), self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.promises = PromisesTable(self)
        self.promises.itemSelectionChanged.connect(self._update_cancel)
        self.no_promises = QLabel(self.tr("Nenhuma promessa de pagamento registrada."), self)
        self.no_promises.setObjectName("detailMuted")
        self.agreements_title = QLabel(self)
        self.agreements_title.setObjectName("detailSection")
        self.cancel_agreement_button = QPushButton(self.tr("Cancelar acordo…"), self)
        self.cancel_agreement_button.setEnabled(False)
        self.cancel_agreement_button.clicked.connect(self._on_cancel_agreement)
        self.agreements = AgreementsTable(self)
        self.agreements.itemSelectionChanged.connect(self._update_cancel)
        self.no_agreements = QLabel(self.tr("Nenhum acordo feito."), self)
        self.no_agreements.setObjectName("detailMuted")
        head = QHBoxLayout()
        head.addWidget(self.promises_title, 1)
        head.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.promises, 1)
        layout.addWidget(self.no_promises)
        agreements_head = QHBoxLayout()
        agreements_head.addWidget(self.agreements_title, 1)
        agreements_head.addWidget(self.cancel_agreement_button)
        layout.addLayout(agreements_head)
        layout.addWidget(self.agreements, 1)
        layout.addWidget(self.no_agreements)
        layout.setAlignment(self.no_promises, Qt.AlignmentFlag.AlignTop)

    def set_commitments(self, promises: tuple[PromiseRecord, ...],
                        agreements: tuple[AgreementRecord, ...],
                        debts: tuple[DebtRecord, ...]) -> None:
        """Show the debtor's promises and agreements."""
        open_count = sum(1 for p in promises if p.status == "open")
        self.promises_title.setText(self.tr("Promessas ({open} em aberto de {total})").format(
            open=open_count, total=len(promises)))
        self.promises.set_promises(promises, debts, self._tz)
        self.promises.setVisible(bool(promises))
        self.no_promises.setVisible(not promises)
        self.agreements_title.setText(self.tr("Acordos ({total})").format(total=len(agreements)))
        self.agreements.set_agreements(agreements, self._tz)
        self.agreements.setVisible(bool(agreements))
        self.no_agreements.setVisible(not agreements)
        self._update_cancel()

    def _update_cancel(self) -> None:
        chosen = self.promises.selected_promise()
        self.cancel_button.setEnabled(chosen is not None and chosen.status == "open")
        agreement = self.agreements.selected_agreement()
        self.cancel_agreement_button.setEnabled(
            agreement is not None and agreement.status == "active")

    def _on_cancel(self) -> None:
        chosen = self.promises.selected_promise()
        if chosen is not None and chosen.status == "open":
            self.cancel_requested.emit(chosen)

    def _on_cancel_agreement(self) -> None:
        chosen = self.agreements.selected_agreement()
        if chosen is not None and chosen.status == "active":
            self.cancel_agreement_requested.emit(chosen)
