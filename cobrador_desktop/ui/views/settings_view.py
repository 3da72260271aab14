"""Configurações: what this installation is and where its data lives, and the shop's own settings
(identity, PIX, contact hours, team capacity, agreements), each section saved on its own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.services.shop_settings import ShopSettings
from cobrador_desktop.ui.viewmodels import shop_settings_vm as sections
from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsViewModel
from cobrador_desktop.ui.widgets.page_header import PageHeader
from cobrador_desktop.ui.widgets.scrolling import scroll_area
from cobrador_desktop.ui.widgets.settings_sections import (
    SECTION_STYLE,
    AgreementSection,
    CapacitySection,
    HoursSection,
    PixSection,
    SettingsSection,
    ShopSection,
)


def _value(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "value")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SettingsView(QWidget):
    """The Configurações page: version, data folder, database, WhatsApp connection, operator."""

    def __init__(self, *, version: str, profile: str, data_dir: Path, database_label: str,
                 operator_name: str | None, api_status: str,
                 shop_settings: ShopSettingsViewModel | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(SECTION_STYLE)
        self.vm = shop_settings
        self._loaded_once = False
        self._data_dir = data_dir
        header = PageHeader(self.tr("Configurações"), self.tr(
            "A loja, as regras de cobrança e esta instalação") if shop_settings is not None
            else self.tr("Esta instalação e seus dados"))

        form_box = QFrame()
        form_box.setObjectName("settingsForm")
        form = QFormLayout(form_box)
        form.setContentsMargins(20, 18, 20, 18)
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(14)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.version_value = _value(version)
        self.profile_value = _value(
            self.tr("Demonstração — dados de exemplo, separados dos dados reais")
            if profile == "demo" else self.tr("Normal"))
        self.data_dir_value = _value(str(data_dir))
        open_folder = QPushButton(self.tr("Abrir pasta"))
        open_folder.clicked.connect(self.open_data_dir)
        folder_row = QHBoxLayout()
        folder_row.setSpacing(12)
        folder_row.addWidget(self.data_dir_value)
        folder_row.addWidget(open_folder, 0, Qt.AlignmentFlag.AlignTop)
        folder_row.addStretch(1)
        self.database_value = _value(database_label)
        self.api_value = _value("")
        self.operator_value = _value("")
        self.language_value = _value(self.tr("Português (Brasil)"))

        rows: list[tuple[str, QWidget | QHBoxLayout]] = [
            (self.tr("Versão"), self.version_value),
            (self.tr("Perfil"), self.profile_value),
            (self.tr("Pasta de dados"), folder_row),
            (self.tr("Banco de dados"), self.database_value),
            (self.tr("WhatsApp Business"), self.api_value),
            (self.tr("Operador"), self.operator_value),
            (self.tr("Idioma"), self.language_value),
        ]
        for caption, field in rows:
            label = QLabel(caption)
            label.setProperty("role", "field")
            form.addRow(label, field)

        note = QLabel(self.tr(
            "Conectar o número do WhatsApp Business chega numa próxima versão.")
            if shop_settings is not None else self.tr(
            "Estas informações são só para consulta. Conectar o número do WhatsApp Business e "
            "ajustar os horários de envio chegam numa próxima versão."))
        note.setObjectName("settingsNote")
        note.setWordWrap(True)

        body = QWidget()
        body.setMaximumWidth(820)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 12, 0)
        body_layout.setSpacing(16)
        self.sections: dict[str, SettingsSection] = {}
        if shop_settings is not None:
            self.shop_section = ShopSection(body)
            self.pix_section = PixSection(body)
            self.hours_section = HoursSection(body)
            self.capacity_section = CapacitySection(body)
            self.agreement_section = AgreementSection(body)
            self.sections = {
                sections.SHOP: self.shop_section, sections.PIX: self.pix_section,
                sections.HOURS: self.hours_section, sections.CAPACITY: self.capacity_section,
                sections.AGREEMENT: self.agreement_section}
            for name, section in self.sections.items():
                body_layout.addWidget(section)
                section.save_requested.connect(lambda name=name: self.save(name))
                section.setEnabled(False)  # until the saved values are in
                section.track_edits()
        self._body_layout, self._facts_box = body_layout, form_box
        body_layout.addWidget(form_box)
        body_layout.addWidget(note)
        body_layout.addStretch(1)

        body.setObjectName("settingsBody")
        self.scroll_area = scroll_area(body, self, wrap=False)
        self.scroll_area.setObjectName("settingsScroll")
        self.scroll_area.viewport().setAutoFillBackground(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(14)
        layout.addWidget(header)
        layout.addWidget(self.scroll_area, 1)

        if shop_settings is not None:
            shop_settings.loaded.connect(self._on_loaded)
            shop_settings.load_failed.connect(self._on_load_failed)
            shop_settings.saved.connect(self._on_saved)
            shop_settings.save_failed.connect(
                lambda name, text: self.sections[name].show_problem(text))
            shop_settings.busy_changed.connect(
                lambda name, busy: self.sections[name].set_busy(busy))

        self.set_api_status(api_status)
        self.set_operator(operator_name)

    def add_section(self, section: QWidget) -> None:
        """Another section (Operadores, Registro de auditoria…), after the shop's, before the
        facts about this installation."""
        self._body_layout.insertWidget(self._body_layout.indexOf(self._facts_box), section)

    def set_api_status(self, status: str) -> None:
        """Describe the WhatsApp Cloud API connection."""
        texts = {
            "not_configured": self.tr("Nenhum número conectado"),
            "emulator": self.tr("Emulador local (demonstração): nada sai para o WhatsApp de "
                                "verdade"),
            "connected": self.tr("Conectado"),
            "offline": self.tr("Número configurado, mas sem conexão com a API agora"),
        }
        self.api_value.setText(texts.get(status, status))

    def set_operator(self, name: str | None) -> None:
        """Show the operator working on this PC."""
        self.operator_value.setText(name or self.tr("Nenhum operador identificado"))

    def open_data_dir(self) -> None:
        """Open the data folder in the file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._data_dir)))

    # ------------------------------------------------------------------ the shop's settings
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.vm is not None and not self._loaded_once:
            self._loaded_once = True
            self.vm.load()

    def save(self, name: str) -> None:
        """Save one section as typed (its confirmation or its problem shows below it)."""
        vm = self.vm
        if vm is None:
            return
        self.sections[name].show_problem("")
        if name == sections.SHOP:
            vm.save_shop(self.shop_section.values())
        elif name == sections.PIX:
            vm.save_pix(*self.pix_section.values())
        elif name == sections.HOURS:
            vm.save_hours(self.hours_section.values())
        elif name == sections.CAPACITY:
            vm.save_capacity(*self.capacity_section.values())
        elif name == sections.AGREEMENT:
            vm.save_agreement_break(self.agreement_section.days.value())

    def _on_loaded(self, settings: ShopSettings) -> None:
        assert self.vm is not None
        self.shop_section.set_values(settings.shop)
        self.pix_section.set_values(settings.pix, self.vm.pix_check_code())
        self.hours_section.set_values(settings.profile)
        self.capacity_section.set_values(settings.capacity)
        self.agreement_section.set_values(settings.agreement_break_days)
        for section in self.sections.values():
            section.setEnabled(True)

    def _on_load_failed(self, text: str) -> None:
        for section in self.sections.values():
            section.show_problem(text)

    def _on_saved(self, name: str, settings: ShopSettings) -> None:
        assert self.vm is not None
        section = self.sections[name]
        # the stored form (a CNPJ with its dots, a normalised PIX key) replaces what was typed
        if name == sections.SHOP:
            self.shop_section.set_values(settings.shop)
        elif name == sections.PIX:
            self.pix_section.set_values(settings.pix, self.vm.pix_check_code())
        section.show_saved(self.tr("Salvo. Vale a partir das próximas mensagens."))
