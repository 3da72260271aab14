"""Propor acordo: which open debts, down payment, instalments, first due date, fine, interest,
discount, with the itemised plan (principal, fine, interest with the days to the first
instalment it counts, discount, total, each instalment) recomputed as anything changes.

The plan is `domain.agreements.plan`, the same the service runs inside the transaction; a fine
above 2 % (CDC art. 52 §1º) or any other broken rule is said in Portuguese where the plan would
be. The dialog closes only when the agreement was made (`request_done`).
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QWidget,
)

from cobrador_desktop.domain.agreements import (
    MAX_FIRST_DUE_DAYS,
    MAX_INSTALLMENTS,
    AgreementPlan,
    AgreementRequest,
    format_rate,
    plan,
)
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.money import format_brl, parse_brl
from cobrador_desktop.domain.records import DebtorDetail
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.dialogs.request_dialog import RequestDialog, error_text
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text

#: debt statuses an agreement may take in
_RENEGOTIABLE = ("open", "disputed")


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _percent_spin(parent: QWidget, maximum: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setDecimals(2)
    spin.setRange(0.0, maximum)
    spin.setSingleStep(0.5)
    spin.setSuffix(" %")
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    return spin


def _bp(spin: QDoubleSpinBox) -> int:
    """The spin box's percentage as integer basis points (2,00 % → 200)."""
    return round(spin.value() * 100)


class AgreementDialog(RequestDialog):
    """Asks for an agreement's terms; emits `submitted` with an `AgreementRequest`."""

    #: the operator confirmed terms that passed the checks (`AgreementRequest`)

    def __init__(self, detail: DebtorDetail, *, today: date,
                 parent: QWidget | None = None) -> None:
        """Args:
            detail: the debtor, with their debts.
            today: the shop's date (down payment due; earliest first due date).
        """
        super().__init__(parent)
        self.setWindowTitle(self.tr("Propor acordo — {name}").format(name=detail.name))
        self.setMinimumWidth(880)
        self._detail = detail
        self._today = today
        self._plan: AgreementPlan | None = None

        self.debts = QListWidget(self)
        for debt in detail.debts:
            if debt.status not in _RENEGOTIABLE or not debt.balance_cents:
                continue
            name = debt.description or text.installment_text(debt)
            item = QListWidgetItem(self.tr("{name} · {due} · {balance}").format(
                name=name, due=fmt.format_date(debt.due_date),
                balance=format_brl(debt.balance_cents)), self.debts)
            item.setData(Qt.ItemDataRole.UserRole, debt.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            # overdue debts are what an agreement is for: they start chosen
            late = debt.days_late(today) is not None
            item.setCheckState(Qt.CheckState.Checked if late else Qt.CheckState.Unchecked)
        if self.debts.count() and not self.chosen_debt_ids():
            for row in range(self.debts.count()):
                self.debts.item(row).setCheckState(Qt.CheckState.Checked)
        self.debts.setMaximumHeight(120)
        self.debts.setMinimumWidth(360)

        self.down_payment = QLineEdit(self)
        self.down_payment.setPlaceholderText("0,00")
        self.down_payment.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.installments = QSpinBox(self)
        self.installments.setRange(1, MAX_INSTALLMENTS)
        self.installments.setValue(3)
        self.installments.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.first_due = QDateEdit(_qdate(today + timedelta(days=30)), self)
        self.first_due.setDisplayFormat("dd/MM/yyyy")
        self.first_due.setCalendarPopup(True)
        self.first_due.setMinimumDate(_qdate(today))
        self.first_due.setMaximumDate(_qdate(today + timedelta(days=MAX_FIRST_DUE_DAYS)))
        # up to 100 % so a fine above the cap can be typed and refused with the reason
        self.fine = _percent_spin(self, 100.0)
        self.fine.setValue(2.0)
        self.fine.setToolTip(self.tr("Multa por atraso: no máximo 2 % (CDC, art. 52, § 1º)."))
        self.interest = _percent_spin(self, 100.0)
        self.interest.setSuffix(self.tr(" % ao mês"))
        self.discount = QLineEdit(self)
        self.discount.setPlaceholderText("0,00")
        self.discount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("Opcional: como foi combinado"))
        self.note.setMaxLength(500)

        form = QFormLayout()
        form.addRow(self.tr("&Dívidas do acordo"), self.debts)
        form.addRow(self.tr("&Entrada (R$)"), self.down_payment)
        form.addRow(self.tr("&Parcelas"), self.installments)
        form.addRow(self.tr("Primeiro &vencimento"), self.first_due)
        form.addRow(self.tr("&Multa"), self.fine)
        form.addRow(self.tr("&Juros"), self.interest)
        form.addRow(self.tr("De&sconto (R$)"), self.discount)
        form.addRow(self.tr("&Observação"), self.note)

        self.preview = QLabel(self)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview.setWordWrap(True)
        self.preview.setMinimumWidth(300)
        self.preview.setObjectName("agreementPreview")
        self.preview.setStyleSheet(
            "#agreementPreview { background: #f8fafc; border: 1px solid #e3e8ee;"
            " border-radius: 6px; padding: 10px; }")

        columns = QHBoxLayout()
        columns.addLayout(form, 3)
        columns.addWidget(self.preview, 2)
        self.lay_out(columns)

        self.debts.itemChanged.connect(lambda _item: self.update_preview())
        for line in (self.down_payment, self.discount):
            line.textChanged.connect(lambda _text: self.update_preview())
        for spin in (self.fine, self.interest):
            spin.valueChanged.connect(lambda _value: self.update_preview())
        self.installments.valueChanged.connect(lambda _value: self.update_preview())
        self.first_due.dateChanged.connect(lambda _value: self.update_preview())
        self.update_preview()

    # ------------------------------------------------------------------ terms
    def chosen_debt_ids(self) -> tuple[int, ...]:
        """The ids of the debts ticked."""
        return tuple(
            int(self.debts.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.debts.count())
            if self.debts.item(row).checkState() == Qt.CheckState.Checked)

    def _principal(self) -> int:
        chosen = set(self.chosen_debt_ids())
        return sum(d.balance_cents for d in self._detail.debts if d.id in chosen)

    def request(self) -> AgreementRequest:
        """The terms as typed.

        Raises:
            KnownError: an unreadable amount.
        """
        picked = self.first_due.date()
        down = self.down_payment.text().strip()
        discount = self.discount.text().strip()
        return AgreementRequest(
            debtor_id=self._detail.id, debt_ids=self.chosen_debt_ids(),
            installments=self.installments.value(),
            first_due=date(picked.year(), picked.month(), picked.day()),
            fine_bp=_bp(self.fine), interest_bp=_bp(self.interest),
            discount_cents=parse_brl(discount) if discount else 0,
            down_payment_cents=parse_brl(down) if down else 0, note=self.note.text())

    def checked(self) -> tuple[AgreementRequest, AgreementPlan]:
        """The terms and their plan.

        Raises:
            KnownError: a broken rule (see `domain.agreements.plan`).
        """
        request = self.request()
        return request, plan(self._principal(), request, self._today)

    def update_preview(self) -> None:
        """Recompute the itemised plan, or say which rule the terms break."""
        try:
            request, terms = self.checked()
        except KnownError as error:
            self._plan = None
            self.ok_button.setEnabled(False)
            self.preview.setText(
                f"<p style='color:#b42318'>{escape(error_text(error))}</p>".replace("\n", "<br>"))
            return
        self._plan = terms
        self.ok_button.setEnabled(True)
        self.preview.setText(self._plan_html(request, terms))

    def _plan_html(self, request: AgreementRequest, terms: AgreementPlan) -> str:
        def row(caption: str, value: str, bold: bool = False) -> str:
            weight = "font-weight:600;" if bold else ""
            return (f"<tr><td style='padding:1px 12px 1px 0;{weight}'>{escape(caption)}</td>"
                    f"<td align='right' style='{weight}'>{escape(value)}</td></tr>")

        lines = [
            row(self.tr("Valor devido"), format_brl(terms.principal_cents)),
            row(self.tr("Multa ({rate})").format(rate=format_rate(request.fine_bp)),
                format_brl(terms.fine_cents)),
            row(self._interest_caption(request, terms), format_brl(terms.interest_cents)),
            row(self.tr("Desconto"), "− " + format_brl(terms.discount_cents)),
            row(self.tr("Total do acordo"), format_brl(terms.total_cents), bold=True),
        ]
        schedule = []
        if terms.down_payment_cents:
            schedule.append(row(self.tr("Entrada · {due}").format(
                due=fmt.format_date(terms.down_payment_due)),
                format_brl(terms.down_payment_cents)))
        n = len(terms.instalments)
        schedule.extend(row(self.tr("Parcela {k}/{n} · {due}").format(
            k=i.number, n=n, due=fmt.format_date(i.due_date)), format_brl(i.amount_cents))
            for i in terms.instalments)
        heading = escape(self.tr("Plano"))
        return (f"<b>{heading}</b><table>{''.join(lines)}</table><br>"
                f"<table>{''.join(schedule)}</table>")

    def _interest_caption(self, request: AgreementRequest, terms: AgreementPlan) -> str:
        """`Juros (2 % ao mês, 1ª parcela em 45 dias)`: the interest counts those days (see
        `domain.agreements.price_interest`)."""
        rate = format_rate(request.interest_bp)
        days = terms.days_to_first
        if days == 0:
            return self.tr("Juros ({rate} ao mês, 1ª parcela hoje)").format(rate=rate)
        if days == 1:
            return self.tr("Juros ({rate} ao mês, 1ª parcela amanhã)").format(rate=rate)
        return self.tr("Juros ({rate} ao mês, 1ª parcela em {days} dias)").format(
            rate=rate, days=days)

    # ------------------------------------------------------------------ submitting

    def checked_request(self) -> AgreementRequest:
        """The terms, once their plan keeps every rule (the fine cap above all)."""
        return self.checked()[0]

    def can_submit(self) -> bool:
        return self._plan is not None

    def ok_text(self) -> str:
        return self.tr("Fazer acordo")

    def busy_text(self) -> str:
        return self.tr("Fazendo acordo…")
