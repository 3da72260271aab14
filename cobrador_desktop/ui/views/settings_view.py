"""Configurações: what this installation is and where its data lives (read-only for now)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.ui.widgets.page_header import PageHeader


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
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._data_dir = data_dir
        header = PageHeader(self.tr("Configurações"), self.tr("Esta instalação e seus dados"))

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
            "Estas informações são só para consulta. Conectar o número do WhatsApp Business, "
            "cadastrar operadores e ajustar os horários de envio chegam numa próxima versão."))
        note.setObjectName("settingsNote")
        note.setWordWrap(True)

        body = QWidget()
        body.setMaximumWidth(760)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(16)
        body_layout.addWidget(form_box)
        body_layout.addWidget(note)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(14)
        layout.addWidget(header)
        layout.addWidget(body)
        layout.addStretch(1)

        self.set_api_status(api_status)
        self.set_operator(operator_name)

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
