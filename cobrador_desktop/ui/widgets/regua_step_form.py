"""The form under the régua's table: every field of the step on the selected row.

Each change emits the whole step (`step_edited`); the view puts it on the row. Choosing "Parcela
de acordo" moves the step to the group "Acordo" and back, since the two only go together.
"""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain import regua as rg
from cobrador_desktop.ui.viewmodels import regua_text as text

_DAY = re.compile(r"^\s*[dD]?\s*([+-]?)\s*(\d*)\s*$")


class DaySpinBox(QSpinBox):
    """A day relative to the due date, typed and shown as `D-3`, `D0`, `D+7` (or just `-3`)."""

    def textFromValue(self, value: int) -> str:
        return rg.step_code(value)

    def valueFromText(self, text: str) -> int:
        match = _DAY.match(text)
        if not match or not match[2]:
            return self.value()
        number = int(match[2])
        return -number if match[1] == "-" else number

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        match = _DAY.match(text)
        if not match:
            return QValidator.State.Invalid, text, pos
        if not match[2]:
            return QValidator.State.Intermediate, text, pos
        value = self.valueFromText(text)
        state = (QValidator.State.Acceptable if self.minimum() <= value <= self.maximum()
                 else QValidator.State.Intermediate)
        return state, text, pos


class ReguaStepForm(QWidget):
    """Day, repetition, purpose, template, group, grace and on/off of one step."""

    #: the step as the form now says (a `domain.regua.Step`)
    step_edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepForm")
        self._step: rg.Step | None = None
        self._filling = False

        self.day = DaySpinBox(self)
        self.day.setRange(rg.MIN_OFFSET, rg.MAX_OFFSET)
        self.day.setAccessibleName(self.tr("Dia da etapa"))
        self.day.setToolTip(self.tr("Dias a partir do vencimento: D-3 é três dias antes, D0 é o "
                                    "dia do vencimento, D+7 é uma semana depois"))
        self.purpose = QComboBox(self)
        for code in rg.STEP_PURPOSES:
            self.purpose.addItem(text.purpose_label(code), code)
        self.template = QComboBox(self)
        self.template.setEditable(True)
        self.template.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.template.setMinimumContentsLength(24)
        self.template.setToolTip(self.tr("O modelo de mensagem aprovado pela Meta que esta etapa "
                                         "envia"))
        self.group = QComboBox(self)
        for code in text.GROUPS:
            self.group.addItem(text.group_label(code), code)
        self.repeats = QCheckBox(self.tr("Repetir a &cada"), self)
        self.every = QSpinBox(self)
        self.every.setRange(1, rg.MAX_OFFSET)
        self.every.setSuffix(self.tr(" dias"))
        self.every.setAccessibleName(self.tr("Repetir a cada quantos dias"))
        self.until = DaySpinBox(self)
        self.until.setRange(rg.MIN_OFFSET, rg.MAX_OFFSET)
        self.until.setAccessibleName(self.tr("Repetir até o dia"))
        self.grace = QSpinBox(self)
        self.grace.setRange(0, 60)
        self.grace.setSuffix(self.tr(" dias"))
        self.grace.setToolTip(self.tr("Se o computador estiver desligado no dia, a etapa ainda "
                                      "sai até tantos dias depois; passado isso, é pulada"))
        self.active = QCheckBox(self.tr("Etapa at&iva"), self)

        self.day.setMinimumWidth(90)
        self.grace.setMinimumWidth(90)
        self.every.setMinimumWidth(90)
        self.until.setMinimumWidth(90)
        first = QHBoxLayout()
        first.setSpacing(8)
        self._field(first, self.tr("&Dia"), self.day)
        self._field(first, self.tr("&Finalidade"), self.purpose)
        self._field(first, self.tr("&Grupo"), self.group)
        self._field(first, self.tr("&Tolerância"), self.grace)
        first.addSpacing(12)
        first.addWidget(self.active)
        first.addStretch(1)
        second = QHBoxLayout()
        second.setSpacing(8)
        self._field(second, self.tr("&Modelo"), self.template, stretch=1)
        second.addSpacing(12)
        second.addWidget(self.repeats)
        second.addWidget(self.every)
        until_label = QLabel(self.tr("até"), self)
        until_label.setBuddy(self.until)
        second.addWidget(until_label)
        second.addWidget(self.until)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(8)
        rows.addLayout(first)
        rows.addLayout(second)

        self.day.valueChanged.connect(self._changed)
        self.purpose.currentIndexChanged.connect(self._purpose_changed)
        self.template.currentTextChanged.connect(self._changed)
        self.group.currentIndexChanged.connect(self._group_changed)
        self.repeats.toggled.connect(self._repeat_toggled)
        self.every.valueChanged.connect(self._changed)
        self.until.valueChanged.connect(self._changed)
        self.grace.valueChanged.connect(self._changed)
        self.active.toggled.connect(self._changed)
        self.set_step(None)

    def _field(self, row: QHBoxLayout, caption: str, field: QWidget, stretch: int = 0) -> None:
        label = QLabel(caption, self)
        label.setBuddy(field)
        if row.count():
            row.addSpacing(12)
        row.addWidget(label)
        row.addWidget(field, stretch)

    # ------------------------------------------------------------------ public
    def set_templates(self, names: tuple[str, ...]) -> None:
        """Offer these template names (typing another one still works)."""
        current = self.template.currentText()
        self._filling = True
        try:
            self.template.clear()
            self.template.addItems(list(names))
            self.template.setEditText(current)
        finally:
            self._filling = False

    def set_step(self, step: rg.Step | None) -> None:
        """Show `step` (None: nothing selected, the form is disabled)."""
        self._step = step
        self.setEnabled(step is not None)
        if step is None:
            return
        self._filling = True
        try:
            self.day.setValue(step.offset_days)
            self.purpose.setCurrentIndex(max(0, self.purpose.findData(step.purpose)))
            self.template.setEditText(step.template)
            self.group.setCurrentIndex(max(0, self.group.findData(step.segment)))
            repeats = step.repeat_every_days is not None
            self.repeats.setChecked(repeats)
            self.every.setValue(step.repeat_every_days or 15)
            self.until.setValue(step.repeat_until_days
                                or min(max(step.offset_days + 30, 90), rg.MAX_OFFSET))
            self.every.setEnabled(repeats)
            self.until.setEnabled(repeats)
            self.grace.setValue(step.grace_days)
            self.active.setChecked(step.active)
        finally:
            self._filling = False

    def current(self) -> rg.Step | None:
        """The step as the fields say (None when nothing is selected)."""
        if self._step is None:
            return None
        repeats = self.repeats.isChecked()
        return replace(
            self._step, offset_days=self.day.value(), purpose=str(self.purpose.currentData()),
            template=self.template.currentText().strip(), segment=str(self.group.currentData()),
            repeat_every_days=self.every.value() if repeats else None,
            repeat_until_days=self.until.value() if repeats else None,
            grace_days=self.grace.value(), active=self.active.isChecked())

    # ------------------------------------------------------------------ internals
    def _purpose_changed(self) -> None:
        if not self._filling:
            agreement = self.purpose.currentData() == rg.AGREEMENT_INSTALLMENT
            if agreement != (self.group.currentData() == rg.AGREEMENT):
                self._set_group(rg.AGREEMENT if agreement else rg.ALL)
        self._changed()

    def _group_changed(self) -> None:
        if not self._filling:
            agreement = self.group.currentData() == rg.AGREEMENT
            if agreement and self.purpose.currentData() != rg.AGREEMENT_INSTALLMENT:
                self._set_purpose(rg.AGREEMENT_INSTALLMENT)
            elif not agreement and self.purpose.currentData() == rg.AGREEMENT_INSTALLMENT:
                self._set_purpose(rg.OVERDUE if self.day.value() > 0 else rg.REMINDER)
        self._changed()

    def _set_group(self, code: str) -> None:
        self.group.blockSignals(True)
        self.group.setCurrentIndex(self.group.findData(code))
        self.group.blockSignals(False)

    def _set_purpose(self, code: str) -> None:
        self.purpose.blockSignals(True)
        self.purpose.setCurrentIndex(self.purpose.findData(code))
        self.purpose.blockSignals(False)

    def _repeat_toggled(self, on: bool) -> None:
        self.every.setEnabled(on)
        self.until.setEnabled(on)
        self._changed()

    def _changed(self) -> None:
        if self._filling:
            return
        step = self.current()
        if step is not None and step != self._step:
            self._step = step
            self.step_edited.emit(step)
