"""The inbox's right-hand panel: who the debtor in the open conversation is, what they owe, what
they promised or agreed, their phones' state, and the actions that only record (payment, promise,
agreement) without leaving the conversation.

It reads and writes through the debtor screen's own view-model (`DebtorDetailViewModel`) and opens
the debtor screen's dialogs, non-modal so the conversation can still be read while filling them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.records import DebtorDetail, PhoneState
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.context import shop_timezone
from cobrador_desktop.ui.dialogs.agreement_dialog import AgreementDialog
from cobrador_desktop.ui.dialogs.payment_dialog import PaymentDialog
from cobrador_desktop.ui.dialogs.promise_dialog import PromiseDialog
from cobrador_desktop.ui.dialogs.request_dialog import RequestDialog, error_text
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text
from cobrador_desktop.ui.viewmodels.debtor_detail_vm import (
    DebtorDetailSource,
    DebtorDetailViewModel,
)
from cobrador_desktop.ui.widgets.debtor_phones import (
    PhonesPanel,
    badges_html,
    clear_wrong_party_dialog,
)
from cobrador_desktop.ui.widgets.scrolling import scroll_area

_D = TypeVar("_D", bound=RequestDialog)

#: open debts listed before "+ N outras"
MAX_DEBTS = 6

_STYLE = """
InboxDebtorPanel { background: #f8fafc; }
#panelName { color: #0f172a; font-size: 16px; font-weight: 600; }
#panelMuted { color: #64748b; font-size: 12px; }
#panelSection { color: #334155; font-size: 12px; font-weight: 600; text-transform: uppercase; }
#panelCard { background: #ffffff; border: 1px solid #e3e8ee; border-radius: 8px; }
#figureCaption { color: #64748b; font-size: 11px; }
#figureValue { color: #0f172a; font-size: 15px; font-weight: 600; }
#figureValue[late="true"] { color: #b42318; }
#debtName { color: #0f172a; }
#debtLine { color: #64748b; font-size: 12px; }
#debtLine[late="true"] { color: #b42318; }
#debtBalance { color: #0f172a; font-weight: 600; }
#openLink { border: none; color: #0f766e; font-weight: 600; text-align: left; padding: 2px 0; }
#openLink:hover { text-decoration: underline; }
#panelState { color: #475569; font-size: 13px; }
QPushButton#panelAction { border: 1px solid #d0d5dd; border-radius: 6px; padding: 5px 4px;
                          background: #ffffff; color: #0f172a; }
QPushButton#panelAction:hover { background: #eef2f6; }
QPushButton#panelAction:disabled, QPushButton#primaryButton:disabled { color: #94a3b8; }
QPushButton#primaryButton:disabled { background: #cbd5e1; color: #f8fafc; }
"""


def _label(caption: str, name: str, parent: QWidget, *, wrap: bool = True) -> QLabel:
    label = QLabel(caption, parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def _card(parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(parent)
    card.setObjectName("panelCard")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(10, 8, 10, 8)
    layout.setSpacing(6)
    return card, layout


class InboxDebtorPanel(QWidget):
    """The debtor beside the conversation (about 300 px wide)."""

    #: Abrir ficha completa (the debtor id)
    open_debtor_requested = Signal(int)
    #: a payment, promise or agreement was recorded here (lists and badges may have changed)
    changed = Signal()

    EMPTY, LOADING, CONTENT, UNKNOWN, ERROR = range(5)

    def __init__(self, detail_source: DebtorDetailSource | None, parent: QWidget | None = None, *,
                 today: Callable[[], date] | None = None, tz: tzinfo | None = None) -> None:
        """Args:
            detail_source: the debtor-detail service (None: the panel says it is unavailable).
            today: the shop's date (overdue days, the dialogs' defaults).
            tz: the shop's zone.
        """
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._tz = tz or shop_timezone()
        self._today = today or (lambda: datetime.now(self._tz).date())
        self._operator_id: int | None = None
        self._debtor_id: int | None = None
        self.vm: DebtorDetailViewModel | None = None
        if detail_source is not None:
            self.vm = DebtorDetailViewModel(detail_source, operator_id=lambda: self._operator_id,
                                            parent=self)
            self.vm.loaded.connect(self.show_detail)
            self.vm.failed.connect(self._on_failed)
            for done in (self.vm.payment_recorded, self.vm.promise_changed,
                         self.vm.agreement_made):
                done.connect(self._on_done)
            for failed in (self.vm.payment_failed, self.vm.promise_failed,
                           self.vm.agreement_failed):
                failed.connect(self._on_request_failed)
            self.vm.wrong_party_cleared.connect(lambda _id: self.changed.emit())
            self.vm.wrong_party_failed.connect(
                lambda error: self.phones.show_error(error_text(error)))
        self.dialog: RequestDialog | None = None
        self.reason_dialog: QInputDialog | None = None
        self.setMinimumWidth(260)

        self.stack = QStackedWidget(self)
        self.state_labels: dict[int, QLabel] = {}
        for page, caption in ((self.EMPTY, self.tr("Abra uma conversa para ver o devedor.")),
                              (self.LOADING, self.tr("Carregando devedor…")),
                              (self.CONTENT, ""),
                              (self.UNKNOWN, self.tr(
                                  "Número desconhecido\n\nEste número não está no cadastro de "
                                  "nenhum devedor. Confira quem é antes de falar de dívidas.")),
                              (self.ERROR, "")):
            if page == self.CONTENT:
                self.stack.addWidget(self._build_content())
                continue
            label = _label(caption, "panelState", self)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMargin(16)
            self.state_labels[page] = label
            self.stack.addWidget(label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_content(self) -> QWidget:
        inner = QWidget(self)
        inner.setObjectName("panelInner")
        column = QVBoxLayout(inner)
        column.setContentsMargins(10, 12, 10, 12)
        column.setSpacing(10)
        self.name_label = _label("", "panelName", inner)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label = _label("", "panelMuted", inner)
        self.badges_label = _label("", "panelBadges", inner)
        self.badges_label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.name_label, self.meta_label, self.badges_label):
            column.addWidget(label)

        figures = QGridLayout()
        figures.setHorizontalSpacing(12)
        figures.setVerticalSpacing(1)
        figures.setRowMinimumHeight(2, 22)
        figures.setColumnStretch(0, 1)
        figures.setColumnStretch(1, 1)
        self.figures: list[tuple[QLabel, QLabel]] = []
        for i in range(3):
            caption, value = _label("", "figureCaption", inner), _label("", "figureValue", inner)
            figures.addWidget(caption, 0 if i < 2 else 2, i % 2, Qt.AlignmentFlag.AlignBottom)
            figures.addWidget(value, 1 if i < 2 else 3, i % 2)
            self.figures.append((caption, value))
        column.addLayout(figures)

        self.pay_button = QPushButton(self.tr("Registrar pagamento"), inner)
        self.pay_button.setObjectName("primaryButton")
        self.pay_button.clicked.connect(self.open_payment_dialog)
        self.promise_button = QPushButton(self.tr("Registrar promessa"), inner)
        self.promise_button.setObjectName("panelAction")
        self.promise_button.clicked.connect(self.open_promise_dialog)
        self.agreement_button = QPushButton(self.tr("Propor acordo"), inner)
        self.agreement_button.setObjectName("panelAction")
        self.agreement_button.clicked.connect(self.open_agreement_dialog)
        actions = QGridLayout()
        actions.setSpacing(6)
        actions.addWidget(self.pay_button, 0, 0, 1, 2)
        actions.addWidget(self.promise_button, 1, 0)
        actions.addWidget(self.agreement_button, 1, 1)
        column.addLayout(actions)

        self.debts_title = _label("", "panelSection", inner)
        self.debts_card, self.debts_layout = _card(inner)
        self.debt_rows: list[QWidget] = []
        self.commitments_title = _label(self.tr("Acordo e promessas"), "panelSection", inner)
        commitments_card, commitments_layout = _card(inner)
        self.commitments_label = _label("", "debtName", commitments_card)
        self.commitments_label.setTextFormat(Qt.TextFormat.RichText)
        commitments_layout.addWidget(self.commitments_label)
        phones_title = _label(self.tr("Telefones"), "panelSection", inner)
        phones_card, phones_layout = _card(inner)
        self.phones = PhonesPanel(self._tz, phones_card)
        self.phones.clear_wrong_party_requested.connect(self.ask_clear_wrong_party)
        phones_layout.addWidget(self.phones)
        self.open_button = QPushButton(self.tr("Abrir ficha completa →"), inner)
        self.open_button.setObjectName("openLink")
        self.open_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.open_button.clicked.connect(self._open_full)
        for widget in (self.debts_title, self.debts_card, self.commitments_title, commitments_card,
                       phones_title, phones_card, self.open_button):
            column.addWidget(widget)
        column.addStretch(1)

        return scroll_area(inner, self)

    # ------------------------------------------------------------------ showing
    @property
    def debtor_id(self) -> int | None:
        """The debtor shown (or loading)."""
        return self._debtor_id

    def set_debtor(self, debtor_id: int | None, operator_id: int | None) -> None:
        """Show `debtor_id` (None: the conversation's number belongs to no debtor); changes are
        recorded for `operator_id`. The debtor already shown is not read again (see `reload`)."""
        self._operator_id = operator_id
        if debtor_id is not None and debtor_id == self._debtor_id:
            return
        self._debtor_id = debtor_id
        self._close_dialog()
        if self.vm is not None:
            self.vm.close()
        if debtor_id is None:
            self.stack.setCurrentIndex(self.UNKNOWN)
        elif self.vm is None:
            self.state_labels[self.ERROR].setText(self.tr(
                "A ficha do devedor não está disponível nesta instalação."))
            self.stack.setCurrentIndex(self.ERROR)
        else:
            self.stack.setCurrentIndex(self.LOADING)
            self.vm.open(debtor_id)

    def clear(self) -> None:
        """No conversation open."""
        self.set_debtor(None, self._operator_id)
        self.stack.setCurrentIndex(self.EMPTY)

    def reload(self) -> None:
        """Read the debtor on screen again (a payment or message arrived)."""
        if self.vm is not None:
            self.vm.reload()

    def show_detail(self, detail: DebtorDetail) -> None:
        """Fill the panel with `detail`."""
        today = self._today()
        self.name_label.setText(detail.name)
        meta = [self.tr("Código {code}").format(code=detail.id)]
        if detail.document:
            meta.append(fmt.format_document(detail.document))
        if detail.operator_name:
            meta.append(self.tr("Responsável: {name}").format(name=detail.operator_name))
        self.meta_label.setText(" · ".join(meta))
        badges = text.debtor_badges(detail)
        self.badges_label.setText(badges_html(badges))
        self.badges_label.setVisible(bool(badges))
        summary = text.summary(detail, today)
        late = any(d.days_late(today) for d in detail.debts)
        for (caption, value), (caption_label, value_label) in zip(summary, self.figures,
                                                                   strict=False):
            caption_label.setText(caption)
            value_label.setText(value)
        value_label = self.figures[1][1]
        if value_label.property("late") != late:
            value_label.setProperty("late", late)
            value_label.style().unpolish(value_label)
            value_label.style().polish(value_label)
        self._show_debts(detail, today)
        self.commitments_label.setText(self._commitments_html(detail))
        self.phones.set_phones(detail.phones)
        owes = detail.balance_cents > 0
        self.pay_button.setEnabled(owes)
        self.promise_button.setEnabled(owes)
        self.agreement_button.setEnabled(owes and detail.anonymised_at is None)
        self.stack.setCurrentIndex(self.CONTENT)

    def _show_debts(self, detail: DebtorDetail, today: date) -> None:
        for row in self.debt_rows:
            self.debts_layout.removeWidget(row)
            row.deleteLater()
        open_debts = [d for d in detail.debts if d.balance_cents]
        self.debts_title.setText(self.tr("Dívidas em aberto ({count})").format(
            count=len(open_debts)))
        self.debt_rows = []
        card = self.debts_card
        for debt in open_debts[:MAX_DEBTS]:
            row = QWidget(card)
            grid = QGridLayout(row)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(8)
            grid.setVerticalSpacing(0)
            installment = text.installment_text(debt)
            name = debt.description or self.tr("Parcela {n}").format(n=installment)
            if installment and installment not in name:
                name = f"{name} ({installment})"
            days = debt.days_late(today)
            line = self.tr("vence {due}").format(due=fmt.format_date(debt.due_date))
            if days:
                line = self.tr("venceu {due} · {days} de atraso").format(
                    due=fmt.format_date(debt.due_date), days=text.days_text(days))
            name_label = _label(name, "debtName", row)
            line_label = _label(line, "debtLine", row)
            line_label.setProperty("late", bool(days))
            balance = _label(fmt.format_brl(debt.balance_cents), "debtBalance", row, wrap=False)
            balance.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(name_label, 0, 0)
            grid.addWidget(balance, 0, 1)
            grid.addWidget(line_label, 1, 0, 1, 2)
            grid.setColumnStretch(0, 1)
            self.debt_rows.append(row)
        if len(open_debts) > MAX_DEBTS:
            self.debt_rows.append(_label(self.tr("+ {count} outras na ficha completa").format(
                count=len(open_debts) - MAX_DEBTS), "panelMuted", card))
        if not open_debts:
            self.debt_rows.append(_label(self.tr("Nada em aberto."), "panelMuted", card))
        for row in self.debt_rows:
            self.debts_layout.addWidget(row)

    def _commitments_html(self, detail: DebtorDetail) -> str:
        lines = []
        for agreement in detail.agreements:
            if agreement.status == "active":
                lines.append(self.tr(
                    "<b>Acordo nº {number}</b> em andamento: {total} em {count}x, 1ª parcela em "
                    "{first}").format(number=agreement.id, total=fmt.format_brl(
                        agreement.total_cents), count=agreement.installments,
                        first=fmt.format_date(agreement.first_due)))
        for promise in detail.promises:
            if promise.status == "open":
                channel = text.label(text.CHANNEL_LABELS, promise.channel)
                lines.append(self.tr("<b>Promessa</b>: {amount} até {due}").format(
                    amount=fmt.format_brl(promise.amount_cents),
                    due=fmt.format_date(promise.due_date))
                    + (f" ({html.escape(channel)})" if channel else ""))
        if not lines:
            return html.escape(self.tr("Nenhum acordo ou promessa em aberto."))
        return "<br>".join(lines)

    # ------------------------------------------------------------------ actions
    def open_payment_dialog(self) -> PaymentDialog | None:
        """Registrar pagamento (the oldest open debts first)."""
        detail = self._open_detail()
        if detail is None or self.vm is None:
            return None
        dialog = PaymentDialog(detail, today=self._today(), parent=self)
        dialog.submitted.connect(self.vm.record_payment)
        return self._show_dialog(dialog)

    def open_promise_dialog(self) -> PromiseDialog | None:
        """Registrar promessa."""
        detail = self._open_detail()
        if detail is None or self.vm is None:
            return None
        dialog = PromiseDialog(detail, today=self._today(), parent=self)
        dialog.submitted.connect(self.vm.record_promise)
        return self._show_dialog(dialog)

    def open_agreement_dialog(self) -> AgreementDialog | None:
        """Propor acordo."""
        detail = self._open_detail()
        if detail is None or self.vm is None or detail.anonymised_at is not None:
            return None
        dialog = AgreementDialog(detail, today=self._today(), parent=self)
        dialog.submitted.connect(self.vm.propose_agreement)
        return self._show_dialog(dialog)

    def ask_clear_wrong_party(self, phone: PhoneState) -> QInputDialog | None:
        """The owner lifts a "não sou eu" on `phone`, with a reason for the audit log."""
        vm = self.vm
        if vm is None or vm.detail is None or self.reason_dialog is not None:
            return None
        dialog = clear_wrong_party_dialog(
            self, phone, vm.detail.name, lambda reason: vm.clear_wrong_party(phone.phone_id,
                                                                             reason))
        dialog.finished.connect(lambda _r: setattr(self, "reason_dialog", None))
        self.reason_dialog = dialog
        dialog.open()
        return dialog

    def _open_detail(self) -> DebtorDetail | None:
        detail = self.vm.detail if self.vm is not None else None
        if detail is None or detail.balance_cents == 0 or self.dialog is not None:
            return None
        return detail

    def _show_dialog(self, dialog: _D) -> _D:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setModal(False)  # the conversation stays readable while it is filled
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()
        return dialog

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        if self.reason_dialog is not None:
            self.reason_dialog.reject()

    def _open_full(self) -> None:
        if self._debtor_id is not None:
            self.open_debtor_requested.emit(self._debtor_id)

    # ------------------------------------------------------------------ view-model
    def _on_done(self, _debtor_id: int) -> None:
        if self.dialog is not None:
            self.dialog.request_done()
        self.changed.emit()

    def _on_request_failed(self, error: KnownError) -> None:
        if self.dialog is not None:
            self.dialog.show_error(error)

    def _on_failed(self, error: KnownError) -> None:
        self.state_labels[self.ERROR].setText(error_text(error))
        self.stack.setCurrentIndex(self.ERROR)
