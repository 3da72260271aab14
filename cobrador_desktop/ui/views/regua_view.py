"""Régua: the shop's reminder steps (edit, reorder, save) and "O que sai amanhã" (a dry run).

Keyboard: in the table, arrows choose a step, Space switches it on or off, Insert adds one after
it, Delete removes it, Ctrl+↑/Ctrl+↓ move it; Alt+letter jumps to a field of the form below;
Ctrl+S saves, Ctrl+Tab goes to the preview. Only the owner will be allowed to save (issue 8:
the service checks the operator then).
"""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.regua import Step
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.models.regua_steps_model import StepColumn
from cobrador_desktop.ui.viewmodels import regua_text as text
from cobrador_desktop.ui.viewmodels.regua_preview_vm import ReguaPreviewViewModel
from cobrador_desktop.ui.viewmodels.regua_vm import ReguaViewModel
from cobrador_desktop.ui.widgets.page_header import PageHeader
from cobrador_desktop.ui.widgets.regua_preview import ReguaPreview
from cobrador_desktop.ui.widgets.regua_step_form import ReguaStepForm

_STYLE = """
#reguaTimeline { color: #0f5f58; background: #eefaf7; border: 1px solid #c9ede5;
    border-radius: 6px; padding: 8px 12px; font-size: 14px; }
#reguaProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
#reguaDirty { color: #a15c07; font-weight: 600; }
#reguaSaved { color: #0f766e; }
#reguaHelp { color: #64748b; }
QPushButton#primaryButton:disabled { background: #a7d3ce; }
"""


class StepsTable(QTableView):
    """The steps; Space, Insert, Delete and Ctrl+↑/↓ act on the current one."""

    def __init__(self, view: ReguaView) -> None:
        super().__init__(view)
        self._view = view

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Insert:
            self._view.add_step()
        elif key == Qt.Key.Key_Delete:
            self._view.remove_step()
        elif key == Qt.Key.Key_Space and self.currentIndex().isValid():
            self._view.toggle_active()
        elif mods & Qt.KeyboardModifier.ControlModifier and key in (Qt.Key.Key_Up,
                                                                       Qt.Key.Key_Down):
            self._view.move_step(-1 if key == Qt.Key.Key_Up else 1)
        else:
            super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        """Tall enough for its steps (4 to 12 rows; more scroll), so the form sits right below."""
        rows = max(4, min(self.model().rowCount(), 12))
        height = (self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth() + 2
                  + rows * self.verticalHeader().defaultSectionSize())
        return QSize(super().sizeHint().width(), height)


class ReguaView(QWidget):
    """The Régua page."""

    def __init__(self, vm: ReguaViewModel, preview: ReguaPreviewViewModel | None, *,
                 tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(_STYLE)
        self.vm = vm
        self._started = False
        self.header = PageHeader(self.tr("Régua de cobrança"),
                                 self.tr("Quando cada lembrete sai, antes e depois do vencimento"))

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_editor(), self.tr("Etapas"))
        self.preview: ReguaPreview | None = None
        if preview is not None:
            self.preview = ReguaPreview(preview, tz=tz, parent=self)
            self.tabs.addTab(self.preview, self.tr("O que sai amanhã"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)

        vm.loaded.connect(self._on_loaded)
        vm.load_failed.connect(self._on_load_failed)
        vm.templates_loaded.connect(self.form.set_templates)
        vm.dirty_changed.connect(self._on_dirty)
        vm.problem_changed.connect(self._on_problem)
        vm.saved.connect(self._on_saved)
        vm.busy_changed.connect(lambda _busy: self._update_buttons())
        vm.model.edited.connect(self._on_edited)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
        self._update_buttons()

    def _build_editor(self) -> QWidget:
        page = QWidget(self)
        self.timeline = QLabel("", page)
        self.timeline.setObjectName("reguaTimeline")
        self.timeline.setWordWrap(True)
        self.timeline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = StepsTable(self)
        self.table.setParent(page)
        self.table.setModel(self.vm.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setAccessibleName(self.tr("Etapas da régua"))
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(StepColumn.TEMPLATE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        for rows_changed in (self.vm.model.rowsInserted, self.vm.model.rowsRemoved,
                             self.vm.model.modelReset):
            rows_changed.connect(self.table.updateGeometry)

        self.add_button = QPushButton(self.tr("&Adicionar"), page)
        self.add_button.setToolTip(self.tr("Nova etapa depois da selecionada (Insert)"))
        self.add_button.clicked.connect(self.add_step)
        self.remove_button = QPushButton(self.tr("&Remover"), page)
        self.remove_button.setToolTip(self.tr("Remove a etapa selecionada (Delete)"))
        self.remove_button.clicked.connect(self.remove_step)
        self.up_button = QPushButton(self.tr("&Subir"), page)
        self.up_button.setToolTip(self.tr("Ctrl+↑"))
        self.up_button.clicked.connect(lambda: self.move_step(-1))
        self.down_button = QPushButton(self.tr("D&escer"), page)
        self.down_button.setToolTip(self.tr("Ctrl+↓"))
        self.down_button.clicked.connect(lambda: self.move_step(1))
        self.default_button = QPushButton(self.tr("Restaurar &padrão"), page)
        self.default_button.setToolTip(self.tr(
            "Põe a régua padrão no editor: D-3, D0, D+1, D+7 e a cada 15 dias até D+90, e as "
            "parcelas de acordo em D-2 e D+1. Só vale depois de salvar."))
        self.default_button.clicked.connect(self.restore_default)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.default_button)

        self.form = ReguaStepForm(page)
        self.form.step_edited.connect(self._on_form_edit)
        self.form_box = form_box = QGroupBox(self.tr("Etapa selecionada"), page)
        form_layout = QVBoxLayout(form_box)
        form_layout.addWidget(self.form)

        self.problem_label = QLabel("", page)
        self.problem_label.setObjectName("reguaProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(False)
        self.state_label = QLabel("", page)
        self.discard_button = QPushButton(self.tr("Descartar a&lterações"), page)
        self.discard_button.clicked.connect(self.discard)
        self.save_button = QPushButton(self.tr("Sal&var"), page)
        self.save_button.setObjectName("primaryButton")
        self.save_button.setToolTip(self.tr("Ctrl+S"))
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.state_label, 1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.save_button)

        self.help_label = QLabel(self.tr(
            "<b>Dia</b>: D-3 é três dias antes do vencimento, D0 é o próprio dia, D+7 é uma "
            "semana depois. <b>Grupo</b>: a etapa vale para todos os devedores, só para um perfil "
            "de pagamento (o mesmo da lista de devedores) ou só para as parcelas de acordos. "
            "<b>Tolerância</b>: se o computador estiver desligado no dia, a etapa ainda sai até "
            "tantos dias depois; passado isso, é pulada. Cada devedor recebe no máximo uma "
            "mensagem por dia, e só em horário permitido."), page)
        self.help_label.setObjectName("reguaHelp")
        self.help_label.setWordWrap(True)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.timeline)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(form_box)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.help_label)
        layout.addStretch(1)
        layout.addLayout(bottom)
        return page

    # ------------------------------------------------------------------ life
    def start(self) -> None:
        """Load the saved régua (once; the page may be shown many times)."""
        if not self._started:
            self._started = True
            self.vm.load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    # ------------------------------------------------------------------ actions
    def current_row(self) -> int | None:
        """The step selected in the table, if any."""
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def select_row(self, row: int | None) -> None:
        """Make `row` the current step (the form follows)."""
        if row is None:
            self.table.setCurrentIndex(QModelIndex())
            self.form.set_step(None)
            return
        index = self.vm.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def add_step(self) -> None:
        self.select_row(self.vm.add_step(self.current_row()))
        self.form.template.setFocus()

    def remove_step(self) -> None:
        row = self.current_row()
        if row is not None:
            self.select_row(self.vm.remove_step(row))

    def toggle_active(self) -> None:
        row = self.current_row()
        if row is not None:
            self.vm.set_active(row, not self.vm.model.step(row).active)

    def move_step(self, delta: int) -> None:
        row = self.current_row()
        if row is not None:
            self.select_row(self.vm.move_step(row, delta))

    def restore_default(self) -> None:
        row = self.current_row()
        self.vm.restore_default()
        self.select_row(min(row or 0, self.vm.model.rowCount() - 1))

    def discard(self) -> None:
        row = self.current_row()
        self.vm.discard()
        count = self.vm.model.rowCount()
        self.select_row(min(row or 0, count - 1) if count else None)

    def save(self) -> None:
        if self.vm.dirty and not self.vm.busy:
            self.state_label.setText("")
            self.vm.save()

    # ------------------------------------------------------------------ view-model
    def _on_loaded(self) -> None:
        if self.vm.model.rowCount():
            self.select_row(0)
        self._on_edited()

    def _on_load_failed(self, error: KnownError) -> None:
        self.problem_label.setText(known_text(error))
        self.problem_label.setVisible(True)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.form.set_step(self.vm.model.step(current.row()) if current.isValid() else None)
        self._update_form_title()
        self._update_buttons()

    def _update_form_title(self) -> None:
        row = self.current_row()
        self.form_box.setTitle(
            self.tr("Etapa selecionada") if row is None else
            self.tr("Etapa {numero} ({dia})").format(numero=row + 1,
                                                     dia=self.vm.model.step(row).code))

    def _on_form_edit(self, step: Step) -> None:
        row = self.current_row()
        if row is not None:
            self.vm.change_step(row, step)

    def _on_edited(self) -> None:
        self.timeline.setText(text.timeline_text(self.vm.model.steps()))
        row = self.current_row()
        if row is not None and self.form.current() != self.vm.model.step(row):
            self.form.set_step(self.vm.model.step(row))  # a change made in the table
        self._update_form_title()
        self._update_buttons()

    def _on_dirty(self, dirty: bool) -> None:
        self.state_label.setObjectName("reguaDirty")
        self.state_label.setText(self.tr("● Alterações não salvas") if dirty else "")
        self._restyle(self.state_label)
        self.header.title_label.setText(
            self.tr("Régua de cobrança *") if dirty else self.tr("Régua de cobrança"))
        self._update_buttons()

    def _on_problem(self, problem: str) -> None:
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        self._update_buttons()
        # the message takes room from the table: keep the step being edited in sight
        QTimer.singleShot(0, self._keep_current_in_sight)

    def _keep_current_in_sight(self) -> None:
        if self.table.currentIndex().isValid():
            self.table.scrollTo(self.table.currentIndex())

    def _on_saved(self) -> None:
        self.state_label.setObjectName("reguaSaved")
        self.state_label.setText(self.tr("Régua salva. Vale a partir da próxima rodada de "
                                         "lembretes."))
        self._restyle(self.state_label)

    def _update_buttons(self) -> None:
        row = self.current_row()
        count = self.vm.model.rowCount()
        ready = self.vm.is_loaded and not self.vm.busy
        self.add_button.setEnabled(ready)
        self.remove_button.setEnabled(ready and row is not None)
        self.up_button.setEnabled(ready and row is not None and row > 0)
        self.down_button.setEnabled(ready and row is not None and row < count - 1)
        self.default_button.setEnabled(ready)
        self.discard_button.setEnabled(ready and self.vm.dirty)
        self.save_button.setEnabled(ready and self.vm.dirty)

    @staticmethod
    def _restyle(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

