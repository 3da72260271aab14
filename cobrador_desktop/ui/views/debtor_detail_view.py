"""One debtor: who they are, how to reach them, what they owe and paid, and what happened.

Keyboard: Esc goes back to the list (`back_requested`), Alt+P records a payment (for the debt on
the current row of the debts table, else the oldest open ones first), Alt+O a promise to pay,
Alt+A proposes an agreement, Alt+N writes a note (Ctrl+Enter saves it), F5 reads the debtor
again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.records import (
    AgreementRecord,
    DebtorDetail,
    PhoneState,
    PromiseRecord,
)
from cobrador_desktop.ui import formatting as fmt
from cobrador_desktop.ui.dialogs.agreement_dialog import AgreementDialog
from cobrador_desktop.ui.dialogs.payment_dialog import PaymentDialog
from cobrador_desktop.ui.dialogs.promise_dialog import PromiseDialog
from cobrador_desktop.ui.dialogs.reason_dialog import reason_dialog
from cobrador_desktop.ui.dialogs.request_dialog import error_text
from cobrador_desktop.ui.viewmodels import debtor_detail_text as text
from cobrador_desktop.ui.viewmodels.debtor_detail_vm import DebtorDetailViewModel
from cobrador_desktop.ui.widgets.debtor_commitments import CommitmentsPanel
from cobrador_desktop.ui.widgets.debtor_notes import NotesPanel
from cobrador_desktop.ui.widgets.debtor_phones import (
    PhonesPanel,
    badges_html,
    clear_wrong_party_dialog,
)
from cobrador_desktop.ui.widgets.debtor_tables import DebtsTable, PaymentsTable, TimelineTree
from cobrador_desktop.ui.widgets.debtor_title_bar import DebtorTitleBar
from cobrador_desktop.ui.widgets.dossier_button import DossierButton
from cobrador_desktop.ui.widgets.scrolling import scroll_area

_STYLE = """
#detailCard { background: #ffffff; border: 1px solid #e3e8ee; border-radius: 8px; }
#detailSection { color: #0f172a; font-size: 14px; font-weight: 600; }
#detailMuted { color: #64748b; }
#detailPhone { color: #0f172a; font-size: 14px; font-weight: 600; }
#detailPhone[blocked="true"] { color: #8a94a6; text-decoration: line-through; }
#summaryCaption { color: #64748b; font-size: 12px; }
#summaryValue { color: #0f172a; font-size: 17px; font-weight: 600; }
#backButton { border: none; color: #0f766e; font-weight: 600; padding: 2px 0; text-align: left; }
#backButton:hover { text-decoration: underline; }
QPushButton#primaryButton:disabled { background: #cbd5e1; color: #f8fafc; }
"""


def _card(title: str, body: QWidget, parent: QWidget) -> QFrame:
    card = QFrame(parent)
    card.setObjectName("detailCard")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(8)
    heading = QLabel(title, card)
    heading.setObjectName("detailSection")
    layout.addWidget(heading)
    layout.addWidget(body)
    return card


class DebtorDetailView(QWidget):
    """The debtor screen (a page of the main window, opened from the list)."""

    #: Esc or the back link: return to the list
    back_requested = Signal()

    LOADING, CONTENT, ERROR = range(3)

    def __init__(self, vm: DebtorDetailViewModel, *, today: Callable[[], date], tz: tzinfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(_STYLE)
        self.vm = vm
        self._today = today
        self._tz = tz
        self.payment_dialog: PaymentDialog | None = None
        self.promise_dialog: PromiseDialog | None = None
        self.agreement_dialog: AgreementDialog | None = None
        self.cancel_dialog: QInputDialog | None = None

        self.back_button = QPushButton(self.tr("← Devedores (Esc)"), self)
        self.back_button.setObjectName("backButton")
        self.back_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.back_requested)
        self.stack = QStackedWidget(self)
        self.loading_label = QLabel(self.tr("Carregando devedor…"), self)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setObjectName("emptyText")
        self.error_label = QLabel(self)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.setObjectName("emptyText")
        self.error_label.setWordWrap(True)
        self.stack.addWidget(self.loading_label)
        self.stack.addWidget(self._build_content())
        self.stack.addWidget(self.error_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 16)
        layout.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        top.addStretch(1)
        #: "Dossiê (PDF)…", on the back link's line (the title's is full): with a dossier service
        self.dossier_button = None if vm.dossier is None else DossierButton(
            vm.dossier, self._on_screen, today=today, parent=self)
        if self.dossier_button is not None:
            top.addWidget(self.dossier_button)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        for keys, slot in ((QKeySequence(Qt.Key.Key_Escape), self.back_requested.emit),
                           (QKeySequence("Alt+P"), self.open_payment_dialog),
                           (QKeySequence("Alt+O"), self.open_promise_dialog),
                           (QKeySequence("Alt+A"), self.open_agreement_dialog),
                           (QKeySequence("Alt+N"), self.focus_note),
                           (QKeySequence(QKeySequence.StandardKey.Refresh), vm.reload)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        vm.loaded.connect(self.show_detail)
        vm.failed.connect(self._on_failed)
        vm.busy_changed.connect(self._on_busy)
        vm.payment_recorded.connect(self._on_payment_recorded)
        vm.payment_failed.connect(self._on_payment_failed)
        vm.note_added.connect(lambda _id: self.notes.note_saved())
        vm.note_failed.connect(lambda error: self.notes.show_error(error_text(error)))
        vm.promise_changed.connect(self._on_promise_changed)
        vm.promise_failed.connect(self._on_promise_failed)
        vm.agreement_made.connect(self._on_agreement_made)
        vm.agreement_failed.connect(self._on_agreement_failed)
        vm.agreement_changed.connect(self._on_promise_changed)
        vm.wrong_party_failed.connect(lambda error: self.phones.show_error(error_text(error)))

    # ------------------------------------------------------------------ building
    def _build_content(self) -> QWidget:
        content = QWidget(self)
        self.name_label = QLabel(content)
        self.name_label.setObjectName("pageTitle")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badges_label = QLabel(content)
        self.badges_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_button = QPushButton(self.tr("Adicionar &nota"), content)
        self.note_button.clicked.connect(self.focus_note)
        self.pay_button = QPushButton(self.tr("Registrar &pagamento"), content)
        self.pay_button.setObjectName("primaryButton")
        self.pay_button.clicked.connect(self.open_payment_dialog)
        self.promise_button = QPushButton(self.tr("Registrar pr&omessa"), content)
        self.promise_button.clicked.connect(self.open_promise_dialog)
        self.agreement_button = QPushButton(self.tr("Propor &acordo"), content)
        self.agreement_button.clicked.connect(self.open_agreement_dialog)
        self.title_bar = DebtorTitleBar(
            self.name_label, self.badges_label,
            (self.note_button, self.promise_button, self.agreement_button, self.pay_button),
            content)

        self.summary_row = QHBoxLayout()
        self.summary_row.setSpacing(36)
        self.summary_values: list[QLabel] = []
        for _ in range(4):
            box = QVBoxLayout()
            box.setSpacing(0)
            caption, value = QLabel(content), QLabel(content)
            caption.setObjectName("summaryCaption")
            value.setObjectName("summaryValue")
            box.addWidget(caption)
            box.addWidget(value)
            self.summary_row.addLayout(box)
            self.summary_values.append(caption)
            self.summary_values.append(value)
        self.summary_row.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Horizontal, content)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_side(splitter))
        splitter.addWidget(self._build_main(splitter))
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 900])

        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.title_bar)
        layout.addLayout(self.summary_row)
        layout.addWidget(splitter, 1)
        return content

    def _build_side(self, parent: QWidget) -> QWidget:
        side = QWidget(parent)
        identity = QWidget(side)
        self.identity_form = QFormLayout(identity)
        self.identity_form.setContentsMargins(0, 0, 0, 0)
        self.identity_form.setHorizontalSpacing(12)
        self.identity_form.setVerticalSpacing(5)
        self.identity_fields: dict[str, QLabel] = {}
        # the code is what the command line's export-person and anonymise take
        for key, caption in (("code", self.tr("Código")),
                             ("document", self.tr("CPF/CNPJ")), ("email", self.tr("E-mail")),
                             ("address", self.tr("Endereço")),
                             ("operator", self.tr("Responsável")),
                             ("tags", self.tr("Etiquetas")), ("since", self.tr("Cliente desde"))):
            value = QLabel(identity)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption_label = QLabel(caption, identity)
            caption_label.setObjectName("detailMuted")
            self.identity_form.addRow(caption_label, value)
            self.identity_fields[key] = value
        self.phones = PhonesPanel(self._tz, side)
        self.phones.clear_wrong_party_requested.connect(self.ask_clear_wrong_party)
        self.notes = NotesPanel(self._tz, side)
        self.notes.note_submitted.connect(self.vm.add_note)

        inner = QWidget(side)
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(12)
        column.addWidget(_card(self.tr("Dados"), identity, inner))
        column.addWidget(_card(self.tr("Telefones"), self.phones, inner))
        column.addWidget(_card(self.tr("Notas"), self.notes, inner))
        column.addStretch(1)
        scroll = scroll_area(inner, side)
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        side.setMinimumWidth(320)
        return side

    def _build_main(self, parent: QWidget) -> QWidget:
        main = QWidget(parent)
        self.debts_title = QLabel(main)
        self.debts_title.setObjectName("detailSection")
        self.debts = DebtsTable(main)
        self.debts.doubleClicked.connect(lambda _index: self.open_payment_dialog())
        self.timeline = TimelineTree(self._tz, main)
        self.payments = PaymentsTable(main)
        self.commitments = CommitmentsPanel(self._tz, main)
        self.commitments.cancel_requested.connect(self.ask_cancel_reason)
        self.commitments.cancel_agreement_requested.connect(self.ask_cancel_agreement)
        self.tabs = QTabWidget(main)
        self.tabs.addTab(self.timeline, self.tr("Histórico"))
        self.tabs.addTab(self.payments, self.tr("Pagamentos"))
        self.tabs.addTab(self.commitments, self.tr("Acordos e promessas"))
        self.truncated_label = QLabel(
            self.tr("Mostrando as mensagens e registros mais recentes."), main)
        self.truncated_label.setObjectName("detailMuted")
        self.truncated_label.hide()
        layout = QVBoxLayout(main)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.debts_title)
        layout.addWidget(self.debts, 2)
        layout.addWidget(self.tabs, 3)
        layout.addWidget(self.truncated_label)
        return main

    # ------------------------------------------------------------------ showing
    def open_debtor(self, debtor_id: int) -> None:
        """Show `debtor_id` (loading until it arrives)."""
        for dialog in (self.payment_dialog, self.promise_dialog, self.agreement_dialog,
                       self.cancel_dialog):
            if dialog is not None:
                dialog.reject()
        self.notes.editor.clear()
        self.notes.show_error("")
        self.stack.setCurrentIndex(self.LOADING)
        self.vm.open(debtor_id)

    def show_detail(self, detail: DebtorDetail) -> None:
        """Fill the screen with `detail`."""
        today = self._today()
        self.name_label.setText(detail.name)
        self.badges_label.setText(badges_html(text.debtor_badges(detail)))
        self.title_bar.place_actions()  # a longer name may move the actions below it
        for i, (caption, value) in enumerate(text.summary(detail, today)):
            self.summary_values[2 * i].setText(caption)
            self.summary_values[2 * i + 1].setText(value)
        address = ", ".join(p for p in (detail.address, detail.city, detail.uf) if p)
        values = {
            "code": str(detail.id),
            "document": fmt.format_document(detail.document) or "—",
            "email": detail.email or "—",
            "address": address or "—",
            "operator": detail.operator_name or self.tr("ninguém"),
            "tags": ", ".join(detail.tags) or "—",
            "since": fmt.format_date(detail.created_at.astimezone(self._tz).date()),
        }
        for key, value in values.items():
            self.identity_fields[key].setText(value)
        self.phones.set_phones(detail.phones)
        self.notes.set_notes(detail.notes)
        open_count = sum(1 for d in detail.debts if d.balance_cents)
        self.debts_title.setText(self.tr("Dívidas ({open} em aberto de {total})").format(
            open=open_count, total=len(detail.debts)))
        self.debts.set_debts(detail.debts, today)
        self.payments.set_payments(detail.payments, detail.debts)
        self.timeline.set_events(detail.timeline)
        self.truncated_label.setVisible(detail.timeline_truncated)
        self.commitments.set_commitments(detail.promises, detail.agreements, detail.debts)
        self.pay_button.setEnabled(detail.balance_cents > 0)
        self.promise_button.setEnabled(detail.balance_cents > 0)
        self.agreement_button.setEnabled(detail.balance_cents > 0
                                         and detail.anonymised_at is None)
        self.stack.setCurrentIndex(self.CONTENT)

    def _on_screen(self) -> tuple[int, str] | None:
        detail = self.vm.detail
        return (detail.id, detail.name) if detail is not None else None

    def focus_note(self) -> None:
        """Put the keyboard in the note box."""
        if self.stack.currentIndex() == self.CONTENT:
            self.notes.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_payment_dialog(self) -> PaymentDialog | None:
        """Ask for a payment (for the selected debt if it is open, else the oldest first)."""
        detail = self.vm.detail
        if detail is None or detail.balance_cents == 0 or self.payment_dialog is not None:
            return None
        selected = self.debts.selected_debt()
        debt_id = selected.id if selected is not None and selected.balance_cents else None
        dialog = PaymentDialog(detail, today=self._today(), debt_id=debt_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(self.vm.record_payment)
        dialog.finished.connect(self._on_dialog_closed)
        self.payment_dialog = dialog
        dialog.open()
        return dialog

    def open_promise_dialog(self) -> PromiseDialog | None:
        """Ask for a promise to pay (about the selected debt if it is open)."""
        detail = self.vm.detail
        if detail is None or detail.balance_cents == 0 or self.promise_dialog is not None:
            return None
        selected = self.debts.selected_debt()
        debt_id = selected.id if selected is not None and selected.balance_cents else None
        dialog = PromiseDialog(detail, today=self._today(), debt_id=debt_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(self.vm.record_promise)
        dialog.finished.connect(lambda _r: setattr(self, "promise_dialog", None))
        self.promise_dialog = dialog
        dialog.open()
        return dialog

    def open_agreement_dialog(self) -> AgreementDialog | None:
        """Ask for an agreement's terms, with the itemised plan as they change."""
        detail = self.vm.detail
        if detail is None or detail.balance_cents == 0 or self.agreement_dialog is not None:
            return None
        dialog = AgreementDialog(detail, today=self._today(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(self.vm.propose_agreement)
        dialog.finished.connect(lambda _r: setattr(self, "agreement_dialog", None))
        self.agreement_dialog = dialog
        dialog.open()
        return dialog

    def ask_cancel_reason(self, promise: PromiseRecord) -> QInputDialog | None:
        """Ask why an open promise is cancelled, then cancel it."""
        question = self.tr("Por que a promessa de {amount} para {due} é cancelada?").format(
            amount=fmt.format_brl(promise.amount_cents), due=fmt.format_date(promise.due_date))
        return self._ask_reason(self.tr("Cancelar promessa"), question,
                                lambda reason: self.vm.cancel_promise(promise.id, reason))

    def ask_cancel_agreement(self, agreement: AgreementRecord) -> QInputDialog | None:
        """Ask why an active agreement is cancelled, then cancel it (its debts reopen)."""
        question = self.tr(
            "Por que o acordo nº {number} ({total}) é cancelado?\n"
            "As parcelas não pagas são canceladas e as dívidas originais voltam a ficar em "
            "aberto, descontado o que já foi pago no acordo.").format(
                number=agreement.id, total=fmt.format_brl(agreement.total_cents))
        return self._ask_reason(self.tr("Cancelar acordo"), question,
                                lambda reason: self.vm.cancel_agreement(agreement.id, reason))

    def ask_clear_wrong_party(self, phone: PhoneState) -> QInputDialog | None:
        """The owner lifts a "não sou eu" on `phone`, with a reason for the audit log."""
        detail = self.vm.detail
        if detail is None or self.cancel_dialog is not None:
            return None
        dialog = clear_wrong_party_dialog(
            self, phone, detail.name,
            lambda reason: self.vm.clear_wrong_party(phone.phone_id, reason))
        return self._open_reason(dialog)

    def _ask_reason(self, title: str, question: str,
                    on_reason: Callable[[str], None]) -> QInputDialog | None:
        if self.cancel_dialog is not None:
            return None
        return self._open_reason(reason_dialog(
            self, title=title, question=question, ok_text=title, back_text=self.tr("Voltar"),
            on_reason=on_reason))

    def _open_reason(self, dialog: QInputDialog) -> QInputDialog:
        dialog.finished.connect(lambda _r: setattr(self, "cancel_dialog", None))
        self.cancel_dialog = dialog
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ view-model
    def _on_dialog_closed(self, _result: int) -> None:
        self.payment_dialog = None

    def _on_promise_changed(self, _debtor_id: int) -> None:
        if self.promise_dialog is not None:
            self.promise_dialog.request_done()
        self.tabs.setCurrentWidget(self.commitments)

    def _on_promise_failed(self, error: KnownError) -> None:
        if self.promise_dialog is not None:
            self.promise_dialog.show_error(error)
        else:  # a refused cancellation: say why where the promises are
            self.commitments.promises_title.setText(error_text(error).replace("\n", " "))

    def _on_agreement_made(self, _debtor_id: int) -> None:
        if self.agreement_dialog is not None:
            self.agreement_dialog.request_done()
        self.tabs.setCurrentWidget(self.commitments)

    def _on_agreement_failed(self, error: KnownError) -> None:
        if self.agreement_dialog is not None:
            self.agreement_dialog.show_error(error)
        else:  # a refused cancellation: say why where the agreements are
            self.commitments.agreements_title.setText(error_text(error).replace("\n", " "))

    def _on_payment_recorded(self, _debtor_id: int) -> None:
        if self.payment_dialog is not None:
            self.payment_dialog.request_done()
        self.tabs.setCurrentWidget(self.payments)

    def _on_payment_failed(self, error: KnownError) -> None:
        if self.payment_dialog is not None:
            self.payment_dialog.show_error(error)

    def _on_failed(self, error: KnownError) -> None:
        self.error_label.setText(error_text(error))
        self.stack.setCurrentIndex(self.ERROR)

    def _on_busy(self, busy: bool) -> None:
        self.notes.set_busy(busy)
