"""Registrar promessa: how much the debtor promised to pay, by when, on which debt, how it was said.

The rule is shown in the dialog: a promise is for today up to 90 days ahead (a longer plan is an
agreement) and at most what is open. The dialog checks at once with the domain's rules; the
service decides for sure. It closes only when the promise was recorded (`request_done`).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from cobrador_desktop.domain.money import format_brl, parse_brl
from cobrador_desktop.domain.payments import PAYABLE_STATUSES
from cobrador_desktop.domain.promises import CHANNELS, MAX_DAYS_AHEAD, latest_date, validate_promise
from cobrador_desktop.domain.records import DebtorDetail, PromiseRequest
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.dialogs.request_dialog import RequestDialog
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class PromiseDialog(RequestDialog):
    """Asks for a promise to pay; emits `submitted` with a checked `PromiseRequest`."""

    #: the operator confirmed a promise that passed the checks (`PromiseRequest`)

    def __init__(self, detail: DebtorDetail, *, today: date, debt_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        """Args:
            detail: the debtor, with their debts.
            today: the shop's date (the earliest promise date).
            debt_id: the debt preselected (None: the debts in general).
        """
        super().__init__(parent)
        self.setWindowTitle(self.tr("Registrar promessa — {name}").format(name=detail.name))
        self.setMinimumWidth(560)
        self._detail = detail
        self._today = today
        open_debts = [d for d in detail.debts if d.status in PAYABLE_STATUSES and d.balance_cents]
        self.debt = QComboBox(self)
        self.debt.addItem(self.tr("Todas as dívidas em aberto ({amount})").format(
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
        latest = latest_date(today)
        self.due_date = QDateEdit(_qdate(today), self)
        self.due_date.setDisplayFormat("dd/MM/yyyy")
        self.due_date.setCalendarPopup(True)
        self.due_date.setMinimumDate(_qdate(today))
        self.due_date.setMaximumDate(_qdate(latest))
        self.rule = QLabel(self.tr(
            "De hoje até {latest} ({days} dias). Para prazos maiores, proponha um acordo.").format(
            latest=fmt.format_date(latest), days=MAX_DAYS_AHEAD), self)
        self.rule.setObjectName("detailMuted")
        self.rule.setStyleSheet("color: #64748b;")
        self.rule.setWordWrap(True)
        # a wrapped label in a form row gets one line's height unless told otherwise
        self.rule.setMinimumHeight(self.rule.fontMetrics().lineSpacing() * 2 + 4)
        self.channel = QComboBox(self)
        for code in CHANNELS:
            self.channel.addItem(text.label(text.CHANNEL_LABELS, code), code)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("Opcional: o que o devedor disse"))
        self.note.setMaxLength(500)

        form = QFormLayout()
        form.addRow(self.tr("&Dívida"), self.debt)
        form.addRow(self.tr("&Valor prometido (R$)"), self.amount)
        form.addRow(self.tr("&Pagará até"), self.due_date)
        form.addRow("", self.rule)
        form.addRow(self.tr("&Canal"), self.channel)
        form.addRow(self.tr("&Observação"), self.note)
        self.lay_out(form)
        self.debt.currentIndexChanged.connect(self._fill_balance)
        self._fill_balance()
        self.amount.setFocus()

    def _balance(self) -> int:
        debt_id = self.debt.currentData()
        debts = [d for d in self._detail.debts if d.id == debt_id]
        return debts[0].balance_cents if debts else self._detail.balance_cents

    def _fill_balance(self) -> None:
        balance = self._balance()
        self.amount.setText(format_brl(balance, symbol=False) if balance else "")
        self.amount.selectAll()

    def request(self) -> PromiseRequest:
        """The promise as typed, checked.

        Raises:
            KnownError: an unreadable or non-positive amount, more than is open.
        """
        cents = parse_brl(self.amount.text())
        picked = self.due_date.date()
        request = PromiseRequest(
            debtor_id=self._detail.id, amount_cents=cents,
            due_date=date(picked.year(), picked.month(), picked.day()),
            debt_id=self.debt.currentData(), channel=self.channel.currentData(),
            note=self.note.text())
        return validate_promise(request, self._today, self._balance())

    def ok_text(self) -> str:
        return self.tr("Registrar promessa")
