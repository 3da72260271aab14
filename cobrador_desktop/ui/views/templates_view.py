"""Modelos: the shop's WhatsApp templates (a tab of the Régua page, whose steps use them).

The table lists each template with its purpose, category, Meta's status (coloured), quality and
rejection reason; a template that is not approved is marked "não pode ser usado" (the send guard
refuses it). The preview on the right shows the chosen template filled for a debtor found by the
search box, with what each {{n}} stands for. "Enviar pacote de modelos para aprovação" submits
the shop's pack in one click (after a confirmation) and lists each template's result;
"Atualizar status" reads Meta's answers.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.template_pack import CONTEXT as PACK_CONTEXT
from cobrador_desktop.domain.template_pack import PURPOSE_LABELS
from cobrador_desktop.domain.template_records import (
    QUALITY_LABELS,
    STATUS_LABELS,
    PreviewDebtor,
    SubmitOutcome,
    SubmitResult,
    TemplateInfo,
    TemplatePreview,
)
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.viewmodels.templates_vm import TemplatesViewModel

_STYLE = """
#templatesNote { color: #a15c07; background: #fffaeb; border: 1px solid #fedf89;
    border-radius: 6px; padding: 6px 10px; }
#templatesResult { color: #0f5f58; background: #eefaf7; border: 1px solid #c9ede5;
    border-radius: 6px; padding: 6px 10px; }
#templatesProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
#templateBubble { background: #dcf8c6; border: 1px solid #c5e8ad; border-radius: 8px;
    padding: 10px 12px; color: #111b21; font-size: 13px; }
#templateChip { background: #ffffff; border: 1px solid #c9d6df; border-radius: 12px;
    padding: 3px 10px; color: #027eb5; }
#templatesHelp { color: #64748b; }
"""
#: status → (text colour, background)
_STATUS_COLOURS = {
    "APPROVED": ("#067647", "#ecfdf3"), "PENDING": ("#b54708", "#fffaeb"),
    "IN_APPEAL": ("#b54708", "#fffaeb"), "REJECTED": ("#b42318", "#fef3f2"),
    "PAUSED": ("#b42318", "#fef3f2"), "DISABLED": ("#b42318", "#fef3f2"),
}
_GREY = ("#475467", "#f2f4f7")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TemplateScreen", text)


class TemplatesView(QWidget):
    """The Modelos tab."""

    def __init__(self, vm: TemplatesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.vm = vm
        self._started = False
        #: asks before submitting (tests replace it)
        self.confirm = self._confirm_submit

        self.note = QLabel("", self)
        self.note.setObjectName("templatesNote")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        self.result_label = QLabel("", self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setVisible(False)
        self.result_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.sync_button = QPushButton(self.tr("Atualizar status"), self)
        self.sync_button.setToolTip(self.tr("Lê na Meta o status, a categoria e a qualidade de "
                                            "cada modelo"))
        self.sync_button.clicked.connect(self.sync)
        self.submit_button = QPushButton(self.tr("Enviar pacote de modelos para aprovação"), self)
        self.submit_button.setObjectName("primaryButton")
        self.submit_button.setToolTip(self.tr(
            "Envia à Meta, para análise, os modelos de cobrança que a sua conta ainda não tem"))
        self.submit_button.clicked.connect(self.submit)
        self.help_label = QLabel(self.tr(
            "Fora da janela de 24 horas só um modelo aprovado pela Meta pode ser enviado. A "
            "análise leva até 24 horas."), self)
        self.help_label.setObjectName("templatesHelp")
        self.help_label.setWordWrap(True)
        self.help_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for button in (self.sync_button, self.submit_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        top = QHBoxLayout()
        top.addWidget(self.help_label, 1)
        top.addWidget(self.sync_button)
        top.addWidget(self.submit_button)

        self.table = QTableWidget(0, 7, self)
        self.table.setHorizontalHeaderLabels([
            self.tr("Nome"), self.tr("Finalidade"), self.tr("Categoria"), self.tr("Status"),
            self.tr("Pode usar?"), self.tr("Qualidade"), self.tr("Motivo da rejeição")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setAccessibleName(self.tr("Modelos de mensagem"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda *_: self._request_preview())

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self._build_preview())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.result_label)
        layout.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(lambda: self.vm.find_debtors(self.search.text()))
        vm.loaded.connect(self._on_loaded)
        vm.submitted.connect(self._on_submitted)
        vm.synced.connect(self._on_synced)
        vm.failed.connect(self._on_failed)
        vm.preview_ready.connect(self._on_preview)
        vm.debtors_found.connect(self._on_debtors)
        vm.busy_changed.connect(self._on_busy)

    def _build_preview(self) -> QWidget:
        box = QGroupBox(self.tr("Prévia"), self)
        self.search = QLineEdit(box)
        self.search.setPlaceholderText(self.tr("Buscar devedor (nome, CPF, telefone)…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.debtor_choice = QComboBox(box)
        self.debtor_choice.addItem(self.tr("Exemplo (sem devedor)"), None)
        self.debtor_choice.currentIndexChanged.connect(lambda _i: self._request_preview())
        self.preview_title = QLabel("", box)
        self.preview_title.setStyleSheet("font-weight: 600;")
        self.preview_state = QLabel("", box)
        self.preview_state.setWordWrap(True)
        self.mapping = QLabel("", box)
        self.mapping.setTextFormat(Qt.TextFormat.RichText)
        self.mapping.setWordWrap(True)
        self.bubble = QLabel("", box)
        self.bubble.setObjectName("templateBubble")
        self.bubble.setWordWrap(True)
        self.bubble.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        self.preview_note = QLabel("", box)
        self.preview_note.setObjectName("templatesHelp")
        self.preview_note.setWordWrap(True)
        layout = QVBoxLayout(box)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addWidget(self.debtor_choice)
        line = QFrame(box)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #e4e7ec;")
        layout.addWidget(line)
        layout.addWidget(self.preview_title)
        layout.addWidget(self.preview_state)
        layout.addWidget(self.mapping)
        layout.addWidget(self.bubble)
        chips = QWidget(box)
        chips.setLayout(self.chips)
        self.chips.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(chips)
        layout.addWidget(self.preview_note)
        layout.addStretch(1)
        return box

    # ------------------------------------------------------------------ life
    def start(self) -> None:
        if not self._started:
            self._started = True
            self._show_note()
            self.vm.load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    # ------------------------------------------------------------------ actions
    def submit(self) -> None:
        if not self.vm.number_configured:
            self._show_problem(self.tr(
                "Para enviar os modelos, configure o número do WhatsApp: defina "
                "WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_WABA_ID e WHATSAPP_ACCESS_TOKEN (os dados do "
                "número no Gerenciador do WhatsApp) e abra o programa de novo."))
            return
        if self.confirm():
            self.result_label.setVisible(False)
            self.vm.submit_pack()

    def sync(self) -> None:
        self.result_label.setVisible(False)
        self.vm.sync()

    def _confirm_submit(self) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Enviar modelos para aprovação"),
            self.tr("Enviar à Meta os modelos de cobrança que a sua conta ainda não tem? Cada "
                    "um leva o nome e o CNPJ da loja. A análise leva até 24 horas; até lá eles "
                    "aparecem como “Em análise” e não podem ser usados."))
        return answer == QMessageBox.StandardButton.Yes

    def current_template(self) -> TemplateInfo | None:
        row = self.table.currentRow()
        return self.vm.templates[row] if 0 <= row < len(self.vm.templates) else None

    def _request_preview(self) -> None:
        template = self.current_template()
        if template is not None:
            self.vm.preview(template.name, self.debtor_choice.currentData())

    # ------------------------------------------------------------------ view-model
    def _on_loaded(self, templates: tuple[TemplateInfo, ...]) -> None:
        current = self.current_template()
        self.table.setRowCount(len(templates))
        for row, t in enumerate(templates):
            label = PURPOSE_LABELS.get(t.purpose or "")
            purpose = (QCoreApplication.translate(PACK_CONTEXT, label) if label
                       else (t.purpose or "—"))
            status = _tr(STATUS_LABELS.get(t.status, t.status))
            usable = self.tr("Sim") if t.usable else self.tr("Não")
            quality = _tr(QUALITY_LABELS.get(t.quality or "", "")) or "—"
            cells = (t.name, purpose, t.category.title(), status, usable, quality,
                     t.rejected_reason or "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    fg, bg = _STATUS_COLOURS.get(t.status, _GREY)
                    item.setForeground(QBrush(QColor(fg)))
                    item.setBackground(QBrush(QColor(bg)))
                elif column == 4:
                    item.setForeground(QBrush(QColor("#067647" if t.usable else "#b42318")))
                    if not t.usable:
                        item.setToolTip(self.tr("Só um modelo aprovado pela Meta pode ser "
                                                "enviado."))
                if column == 6 and text:
                    item.setToolTip(text)
                self.table.setItem(row, column, item)
        names = [t.name for t in templates]
        row = names.index(current.name) if current is not None and current.name in names else 0
        if templates:
            self.table.setCurrentCell(row, 0)
            self._request_preview()
        self._update_buttons()

    def _on_submitted(self, results: tuple[SubmitResult, ...]) -> None:
        lines = [self._result_line(r) for r in results if r.outcome is not SubmitOutcome.EXISTS]
        kept = sum(r.outcome is SubmitOutcome.EXISTS for r in results)
        if not lines:
            text = self.tr("A conta já tem todos os modelos do pacote. Nada foi enviado.")
        else:
            text = "<br>".join(lines)
            if kept:
                text += "<br>" + self.tr("{n} modelo(s) já estavam na conta.").format(n=kept)
        refused = any(r.outcome in (SubmitOutcome.REFUSED, SubmitOutcome.INVALID)
                      for r in results)
        self._show_result(text, problem=refused)

    def _result_line(self, result: SubmitResult) -> str:
        name = f"<b>{html.escape(result.name)}</b>"
        if result.outcome is SubmitOutcome.CREATED:
            return self.tr("{nome}: enviado, em análise na Meta.").format(nome=name)
        if result.outcome is SubmitOutcome.INVALID:
            problems = "; ".join(QCoreApplication.translate(PACK_CONTEXT, p.message).format(
                **p.params) for p in result.problems)
            return self.tr("{nome}: não enviado — {motivo}").format(
                nome=name, motivo=html.escape(problems))
        detail = known_text(result.error) if result.error is not None else ""
        return self.tr("{nome}: recusado pela Meta — {motivo}").format(
            nome=name, motivo=html.escape(detail))

    def _on_synced(self) -> None:
        self._show_result(self.tr("Status atualizado com a Meta."), problem=False)

    def _on_failed(self, text: str) -> None:
        self._show_problem(text)

    def _on_preview(self, preview: TemplatePreview) -> None:
        template = self.current_template()
        if template is None or template.name != preview.name:
            return  # an older answer
        self.preview_title.setText(preview.name)
        usable = template.usable
        status = _tr(STATUS_LABELS.get(preview.status, preview.status))
        fg, _bg = _STATUS_COLOURS.get(template.status, _GREY)
        self.preview_state.setText(
            status if usable else self.tr("{status}: não pode ser usado até ser aprovado pela "
                                          "Meta.").format(status=status))
        self.preview_state.setStyleSheet(f"color: {fg};")
        rows = "".join(
            f"<tr><td style='color:#027eb5; padding-right:8px'>{{{{{v.number}}}}}</td>"
            f"<td style='padding-right:8px'>{html.escape(QCoreApplication.translate(PACK_CONTEXT, v.label))}"
            f"</td><td><b>{html.escape(v.value)}</b></td></tr>" for v in preview.variables)
        self.mapping.setText(f"<table>{rows}</table>" if rows else self.tr("Sem campos."))
        self.bubble.setText(preview.text)
        while self.chips.count():
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for label in preview.buttons:
            chip = QLabel(label)
            chip.setObjectName("templateChip")
            self.chips.addWidget(chip)
        self.chips.addStretch(1)
        if preview.note == "no_debt":
            note = self.tr("{nome} não tem dívidas: a prévia usa os exemplos.").format(
                nome=self.debtor_choice.currentText())
        elif preview.debtor_name:
            note = self.tr("Preenchido com a dívida em aberto mais antiga de {nome}.").format(
                nome=preview.debtor_name)
        else:
            note = self.tr("Preenchido com os exemplos enviados à Meta. Busque um devedor para "
                           "ver a mensagem dele.")
        self.preview_note.setText(note)

    def _on_debtors(self, debtors: tuple[PreviewDebtor, ...]) -> None:
        self.debtor_choice.blockSignals(True)
        self.debtor_choice.clear()
        self.debtor_choice.addItem(self.tr("Exemplo (sem devedor)"), None)
        for debtor in debtors:
            self.debtor_choice.addItem(f"{debtor.name} — {format_brl(debtor.open_cents)}",
                                       debtor.debtor_id)
        self.debtor_choice.setCurrentIndex(1 if debtors else 0)
        self.debtor_choice.blockSignals(False)
        self._request_preview()

    def _on_busy(self, _busy: bool) -> None:
        self._update_buttons()

    # ------------------------------------------------------------------ helpers
    def _update_buttons(self) -> None:
        idle = not self.vm.busy
        self.submit_button.setEnabled(idle)
        self.sync_button.setEnabled(idle and self.vm.number_configured)

    def _show_note(self) -> None:
        if not self.vm.number_configured:
            self.note.setText(self.tr(
                "Nenhum número do WhatsApp configurado: os modelos abaixo são o pacote da loja, "
                "ainda não enviado à Meta."))
        self.note.setVisible(not self.vm.number_configured)
        self._update_buttons()

    def _show_problem(self, text: str) -> None:
        self._show_result(html.escape(text), problem=True)

    def _show_result(self, text: str, *, problem: bool) -> None:
        self.result_label.setObjectName("templatesProblem" if problem else "templatesResult")
        self.result_label.setText(text)
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)
        self.result_label.setVisible(True)
