"""Registrar pagamento: which debt, how much, when, how, and a note.

The dialog checks what it can at once with the domain's rules (amount, date, more than is owed)
and says why in Portuguese under the fields; the service decides for sure. It stays open while
the payment is recorded and closes only when it was (`request_done`), or shows the refusal
(`show_error`).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from cobrador_desktop.domain.money import format_brl, parse_brl
from cobrador_desktop.domain.payments import PAYABLE_STATUSES, allocate, validate_payment
from cobrador_desktop.domain.records import DebtorDetail, PaymentMethod, PaymentRequest
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.dialogs.request_dialog import RequestDialog
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text


class PaymentDialog(RequestDialog):
    """Asks for a payment of one debtor; emits `submitted` with a checked `PaymentRequest`."""

    #: the operator confirmed a payment that passed the checks (`PaymentRequest`)

    def __init__(self, detail: DebtorDetail, *, today: date, debt_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        """Args:
            detail: the debtor, with their debts.
            today: the shop's date (the default and the latest payment date).
            debt_id: the debt to pay, preselected (None: the oldest open debts first).
        """
        super().__init__(parent)
        self.setWindowTitle(self.tr("Registrar pagamento — {name}").format(name=detail.name))
        self.setMinimumWidth(520)
        self._detail = detail
        self._today = today
        self.debt = QComboBox(self)
        open_debts = [d for d in detail.debts if d.status in PAYABLE_STATUSES and d.balance_cents]
        self.debt.addItem(self.tr("Parcelas em aberto, da mais antiga ({amount})").format(
            amount=format_brl(sum(d.balance_cents for d in open_debts))), None)
        for debt in open_debts:
            name = debt.description or text.installment_text(debt)
            self.debt.addItem(self.tr("{name} · vence {due} · saldo {balance}").format(
                name=name, due=fmt.format_date(debt.due_date),
                balance=format_brl(debt.balance_cents)), debt.id)
        if debt_id is not None and self.debt.findData(debt_id) >= 0:
            self.debt.setCurrentIndex(self.debt.findData(debt_id))
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText("0,00")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.paid_on = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.paid_on.setDisplayFormat("dd/MM/yyyy")
        self.paid_on.setCalendarPopup(True)
        self.paid_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.method = QComboBox(self)
        for method in PaymentMethod:
            self.method.addItem(text.label(text.METHOD_LABELS, method.value), method.value)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("Opcional: recibo, quem trouxe, banco…"))
        self.note.setMaxLength(500)

        form = QFormLayout()
        form.addRow(self.tr("&Dívida"), self.debt)
        form.addRow(self.tr("&Valor (R$)"), self.amount)
        form.addRow(self.tr("Da&ta"), self.paid_on)
        form.addRow(self.tr("&Forma"), self.method)
        form.addRow(self.tr("&Observação"), self.note)
        self.lay_out(form)
        self.debt.currentIndexChanged.connect(self._fill_balance)
        self._fill_balance()
        self.amount.setFocus()
        self.focus_field = self.amount

    def _fill_balance(self) -> None:
        """Offer the chosen debt's balance (selected, so typing replaces it)."""
        debt_id = self.debt.currentData()
        debts = [d for d in self._detail.debts if d.id == debt_id]
        balance = debts[0].balance_cents if debts else self._detail.balance_cents
        self.amount.setText(format_brl(balance, symbol=False) if balance else "")
        self.amount.selectAll()

    def request(self) -> PaymentRequest:
        """The payment as typed, checked.

        Raises:
            KnownError: an unreadable or non-positive amount, a future date, more than is owed.
        """
        cents = parse_brl(self.amount.text())
        picked = self.paid_on.date()
        request = PaymentRequest(
            debtor_id=self._detail.id, debt_id=self.debt.currentData(), amount_cents=cents,
            paid_on=date(picked.year(), picked.month(), picked.day()),
            method=PaymentMethod(self.method.currentData()), note=self.note.text())
        request = validate_payment(request, self._today)
        allocate(request.amount_cents, self._detail.debts, request.debt_id)
        return request

    def ok_text(self) -> str:
        return self.tr("Registrar pagamento")
