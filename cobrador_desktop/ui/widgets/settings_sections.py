"""The Configurações page's editable sections: each a box with its fields, a message and Salvar.

A section only shows and collects values; `ShopSettingsViewModel` saves them. A refused save
shows the pt-BR message under the fields and leaves every typed value in place.
"""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import QCoreApplication, Qt, QTime, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.documents import format_document, parse_document
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.holidays_br import ALL_UFS
from cobrador_desktop.domain.settings import (
    AGREEMENT_BREAK_AFTER_DAYS,
    CAPACITY_LIMITS,
    Capacity,
    ShopDetails,
    profile_int_range,
)
from cobrador_desktop.services.pix import ShopPix

#: the caption column's width, shared by every section so their fields line up
LABEL_WIDTH = 180

SECTION_STYLE = """
QGroupBox#settingsSection { font-weight: 600; border: 1px solid #e2e8f0; border-radius: 8px;
    margin-top: 14px; padding: 16px 16px 12px 16px; background: #ffffff; }
QGroupBox#settingsSection::title { subcontrol-origin: margin; left: 12px; padding: 0 4px; }
QGroupBox#settingsSection QLabel, QGroupBox#settingsSection QCheckBox { font-weight: normal; }
QLabel#sectionProblem { color: #b42318; background: #fef3f2; border: 1px solid #fecdca;
    border-radius: 6px; padding: 6px 10px; }
QLabel#sectionSaved { color: #0f766e; }
QLabel#sectionHelp, QLabel#pixCheck { color: #64748b; }
QScrollArea#settingsScroll, QWidget#settingsBody { background: transparent; }
"""


def show_message(label: QLabel, text: str, name: str) -> None:
    """Show `text` in a section's message line styled by object name ("error", "ok", …);
    an empty text hides the line."""
    label.setObjectName(name)
    label.setText(text)
    label.setVisible(bool(text))
    label.style().unpolish(label)
    label.style().polish(label)


class SettingsSection(QGroupBox):
    """A titled box: a form, the line that says what happened, and its own Salvar."""

    #: the owner pressed Salvar
    save_requested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName("settingsSection")
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(18)
        self.form.setVerticalSpacing(10)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # a narrow window puts a caption above its field instead of cutting either
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.save_button = QPushButton(QCoreApplication.translate("SettingsSection", "Salvar"), self)
        self.save_button.setObjectName("primaryButton")
        self.save_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.save_button.setMinimumWidth(110)
        self.save_button.clicked.connect(self.save_requested)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addStretch(0)  # takes the line while there is no message: Salvar stays right
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addLayout(self.form)
        layout.addLayout(bottom)

    def add_row(self, caption: str, field: QWidget | QHBoxLayout) -> None:
        label = QLabel(caption, self)
        label.setProperty("role", "field")
        label.setWordWrap(True)
        label.setMinimumWidth(LABEL_WIDTH)  # the same column in every section
        self.form.addRow(label, field)

    def track_edits(self) -> None:
        """After the fields are built: Enter in a text field saves, and any edit takes the
        "Salvo" confirmation away (it would no longer be true)."""
        for edit in self.findChildren(QLineEdit):
            edit.returnPressed.connect(self.save_requested)
            edit.textEdited.connect(self._on_edited)
        for spin in self.findChildren(QSpinBox):
            spin.valueChanged.connect(self._on_edited)
        for time_edit in self.findChildren(QTimeEdit):
            time_edit.timeChanged.connect(self._on_edited)
        for box in self.findChildren(QCheckBox):
            box.toggled.connect(self._on_edited)
        for combo in self.findChildren(QComboBox):
            combo.activated.connect(self._on_edited)

    def _on_edited(self) -> None:
        if self.message.objectName() == "sectionSaved":
            self._show("", "sectionSaved")

    def show_problem(self, text: str) -> None:
        """Say why the save was refused (the typed values stay)."""
        self._show(text, "sectionProblem")

    def show_saved(self, text: str) -> None:
        """Confirm the save."""
        self._show(text, "sectionSaved")

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

    def _show(self, text: str, name: str) -> None:
        show_message(self.message, text, name)


def _line(parent: QWidget, maximum: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setMaxLength(maximum)
    edit.setPlaceholderText(placeholder)
    return edit


def _spin(parent: QWidget, low: int, high: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(72)
    return spin


class ShopSection(SettingsSection):
    """Identificação da loja: the names, CNPJ and address the messages carry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Identificação da loja"), parent)
        self.trade_name = _line(self, 120, self.tr("Como os clientes conhecem a loja"))
        self.legal_name = _line(self, 200, self.tr("Como está no CNPJ"))
        self.document = _line(self, 20, self.tr("00.000.000/0000-00"))
        self.address = _line(self, 300, self.tr("Rua, número, bairro, cidade"))
        self.uf = QComboBox(self)
        self.uf.addItem(self.tr("—"), None)
        for uf in ALL_UFS:
            self.uf.addItem(uf, uf)
        help_label = QLabel(self.tr(
            "As mensagens de cobrança levam o nome, o CNPJ e o endereço da loja (CDC art. 42-A). "
            "Sem eles, a régua não envia nada."), self)
        help_label.setObjectName("sectionHelp")
        help_label.setWordWrap(True)
        self.add_row(self.tr("Nome fantasia"), self.trade_name)
        self.add_row(self.tr("Razão social"), self.legal_name)
        self.add_row(self.tr("CNPJ ou CPF"), self.document)
        self.add_row(self.tr("Endereço"), self.address)
        self.add_row(self.tr("UF"), self.uf)
        self.form.addRow(help_label)

    def set_values(self, shop: ShopDetails | None) -> None:
        self.trade_name.setText(shop.trade_name if shop else "")
        self.legal_name.setText(shop.legal_name if shop else "")
        self.document.setText(_formatted(shop.document) if shop else "")
        self.address.setText(shop.address if shop else "")
        self.uf.setCurrentIndex(max(0, self.uf.findData(shop.uf if shop else None)))

    def values(self) -> dict[str, object]:
        return {"trade_name": self.trade_name.text(), "legal_name": self.legal_name.text(),
                "document": self.document.text(), "address": self.address.text(),
                "uf": self.uf.currentData()}


def _formatted(document: str) -> str:
    try:
        return format_document(parse_document(document))
    except KnownError:
        return document


class PixSection(SettingsSection):
    """Chave PIX: who receives the shop's PIX, and a R$ 1,00 code to try it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Chave PIX"), parent)
        self.key = _line(self, 77, self.tr("CNPJ, CPF, e-mail, telefone ou chave aleatória"))
        self.name = _line(self, 25, self.tr("Como o banco mostra a conta"))
        self.city = _line(self, 15, self.tr("Cidade da loja"))
        self.check = QLabel("", self)
        self.check.setObjectName("pixCheck")
        self.check.setWordWrap(True)
        # a copia-e-cola has no spaces to wrap at: one read-only line that scrolls, and Copiar
        self.code = QLineEdit(self)
        self.code.setReadOnly(True)
        self.code.setAccessibleName(self.tr("PIX copia-e-cola de R$ 1,00"))
        self.copy_button = QPushButton(self.tr("Copiar"), self)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.code.text()))
        code_row = QHBoxLayout()
        code_row.setSpacing(8)
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.copy_button)
        self.add_row(self.tr("Chave"), self.key)
        self.add_row(self.tr("Nome no PIX"), self.name)
        self.add_row(self.tr("Cidade"), self.city)
        self.add_row(self.tr("Teste de R$ 1,00"), code_row)
        self.form.addRow(self.check)
        self.set_check(None)

    def set_values(self, pix: ShopPix, check_code: str | None) -> None:
        self.key.setText(pix.key or "")
        self.name.setText(pix.name or "")
        self.city.setText(pix.city or "")
        self.set_check(check_code)

    def set_check(self, code: str | None) -> None:
        self.code.setText(code or "")
        self.code.setCursorPosition(0)
        self.copy_button.setEnabled(bool(code))
        self.check.setText(self.tr(
            "Para conferir a chave, pague R$ 1,00 com este PIX copia-e-cola no app do banco: o "
            "nome que o banco mostrar deve ser o da loja.") if code else self.tr(
            "Com a chave salva, aparece aqui um PIX copia-e-cola de R$ 1,00 para conferir."))

    def values(self) -> tuple[str, str, str]:
        return self.key.text(), self.name.text(), self.city.text()


def _time_edit(parent: QWidget) -> QTimeEdit:
    edit = QTimeEdit(parent)
    edit.setDisplayFormat("HH:mm")
    edit.setMinimumWidth(80)
    return edit


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


def _hhmm(edit: QTimeEdit) -> str:
    return str(edit.time().toString("HH:mm"))


class HoursSection(SettingsSection):
    """Horários e limites de cobrança: when and how often the régua may write."""

    _INTS = ("daily_cap", "weekly_cap", "min_gap_hours", "identity_attempts_max",
             "identity_retry_days", "promise_grace_days")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Horários e limites de cobrança"), parent)
        self.weekday_start, self.weekday_end = _time_edit(self), _time_edit(self)
        self.saturday = QCheckBox(self.tr("Cobrar aos sábados"), self)
        self.saturday_start, self.saturday_end = _time_edit(self), _time_edit(self)
        self.saturday.toggled.connect(self._on_saturday)
        self.optional_holidays = QCheckBox(
            self.tr("Não cobrar em pontos facultativos (Carnaval, Corpus Christi…)"), self)
        self.spins = {name: _spin(self, *profile_int_range(name)) for name in self._INTS}
        self.spins["min_gap_hours"].setSuffix(self.tr(" h"))
        for name in ("identity_retry_days", "promise_grace_days"):
            self.spins[name].setSuffix(self.tr(" dias"))
        self.add_row(self.tr("Segunda a sexta"),
                     self._window(self.weekday_start, self.weekday_end))
        saturday_row = self._window(self.saturday_start, self.saturday_end)
        saturday_row.insertWidget(0, self.saturday)
        saturday_row.insertSpacing(1, 12)
        self.add_row(self.tr("Sábado"), saturday_row)
        self.add_row(self.tr("Feriados"), self.optional_holidays)
        self.add_row(self.tr("Mensagens por devedor"), self._caps())
        self.add_row(self.tr("Intervalo mínimo"), self._row(
            self.spins["min_gap_hours"], QLabel(self.tr("entre duas mensagens ao devedor"), self)))
        self.add_row(self.tr("Confirmar identidade"), self._row(
            self.spins["identity_attempts_max"], QLabel(self.tr("tentativas, a cada"), self),
            self.spins["identity_retry_days"]))
        self.add_row(self.tr("Promessa de pagamento"), self._row(
            QLabel(self.tr("espera"), self), self.spins["promise_grace_days"],
            QLabel(self.tr("depois da data prometida"), self)))
        help_label = QLabel(self.tr(
            "Horários no fuso do devedor, entre 08:00 e 20:00. Domingos e feriados nacionais "
            "nunca recebem cobrança."), self)
        help_label.setObjectName("sectionHelp")
        help_label.setWordWrap(True)
        self.form.addRow(help_label)

    def _window(self, start: QTimeEdit, end: QTimeEdit) -> QHBoxLayout:
        return self._row(QLabel(self.tr("das"), self), start, QLabel(self.tr("às"), self), end)

    def _caps(self) -> QHBoxLayout:
        return self._row(self.spins["daily_cap"], QLabel(self.tr("por dia, até"), self),
                         self.spins["weekly_cap"], QLabel(self.tr("por semana"), self))

    @staticmethod
    def _row(*widgets: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _on_saturday(self, enabled: bool) -> None:
        self.saturday_start.setEnabled(enabled)
        self.saturday_end.setEnabled(enabled)

    def set_values(self, profile: ContactProfile) -> None:
        self.weekday_start.setTime(_qtime(profile.weekday_start))
        self.weekday_end.setTime(_qtime(profile.weekday_end))
        self.saturday.setChecked(profile.saturday_enabled)
        self._on_saturday(profile.saturday_enabled)
        self.saturday_start.setTime(_qtime(profile.saturday_start))
        self.saturday_end.setTime(_qtime(profile.saturday_end))
        self.optional_holidays.setChecked(profile.include_optional_holidays)
        for name, spin in self.spins.items():
            spin.setValue(getattr(profile, name))

    def values(self) -> dict[str, object]:
        fields: dict[str, object] = {
            "weekday_start": _hhmm(self.weekday_start), "weekday_end": _hhmm(self.weekday_end),
            "saturday_enabled": self.saturday.isChecked(),
            "saturday_start": _hhmm(self.saturday_start),
            "saturday_end": _hhmm(self.saturday_end),
            "include_optional_holidays": self.optional_holidays.isChecked()}
        fields.update({name: spin.value() for name, spin in self.spins.items()})
        return fields


class CapacitySection(SettingsSection):
    """Capacidade da equipe: operators × conversations each = new conversations a day; and when
    an agreement is broken."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Capacidade da equipe"), parent)
        self.operators = _spin(self, *CAPACITY_LIMITS["operators"])
        self.each = _spin(self, *CAPACITY_LIMITS["conversations_each"])
        self.total = QLabel("", self)
        for spin in (self.operators, self.each):
            spin.valueChanged.connect(self._update_total)
        row = HoursSection._row(self.operators, QLabel(self.tr("atendentes ×"), self), self.each,
                                QLabel(self.tr("conversas por dia"), self))
        self.add_row(self.tr("Atendimento"), row)
        self.add_row(self.tr("Total"), self.total)
        help_label = QLabel(self.tr(
            "A régua só abre por dia as conversas novas que a equipe consegue atender; o resto "
            "fica para o dia seguinte."), self)
        help_label.setObjectName("sectionHelp")
        help_label.setWordWrap(True)
        self.form.addRow(help_label)
        self._update_total()

    def _update_total(self) -> None:
        total = self.operators.value() * self.each.value()
        self.total.setText(self.tr("= 1 conversa nova por dia") if total == 1 else self.tr(
            "= {count} conversas novas por dia").format(count=total))

    def set_values(self, capacity: Capacity) -> None:
        self.operators.setValue(capacity.operators)
        self.each.setValue(capacity.conversations_each)

    def values(self) -> tuple[int, int]:
        return self.operators.value(), self.each.value()


class AgreementSection(SettingsSection):
    """Acordos: after how many days late an agreement is broken."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Acordos"), parent)
        self.days = _spin(self, AGREEMENT_BREAK_AFTER_DAYS.minimum,
                          AGREEMENT_BREAK_AFTER_DAYS.maximum, self.tr(" dias"))
        self.add_row(self.tr("Romper o acordo após"), HoursSection._row(
            self.days, QLabel(self.tr("de atraso numa parcela"), self)))

    def set_values(self, days: int) -> None:
        self.days.setValue(days)
