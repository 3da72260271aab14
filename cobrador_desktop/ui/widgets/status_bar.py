"""The status bar: WhatsApp Cloud API connection, outbox queue, current operator, profile."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from cobrador_desktop.domain.sharing import DATABASE_LOST, OTHER_SENDER
from cobrador_desktop.ui.formatting import format_count

API_STATUSES = ("not_configured", "emulator", "connected", "offline")
_DOT_COLORS = {
    "not_configured": "#94a3b8",
    "emulator": "#3b82f6",
    "connected": "#16a34a",
    "offline": "#dc2626",
}
_DOT = 10


def _dot(color: str) -> QPixmap:
    pixmap = QPixmap(QSize(_DOT, _DOT))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(0, 0, _DOT, _DOT)
    painter.end()
    return pixmap


class StatusBar(QStatusBar):
    """Permanent indicators at the bottom of the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.api_dot = QLabel()
        self.api_label = QLabel()
        api = QWidget()
        api_row = QHBoxLayout(api)
        api_row.setContentsMargins(4, 0, 0, 0)
        api_row.setSpacing(4)
        api_row.addWidget(self.api_dot)
        api_row.addWidget(self.api_label)
        self.outbox_label = QLabel()
        self.operator_label = QLabel()
        self.profile_label = QLabel(self)
        self.profile_label.setObjectName("demoBadge")
        #: several PCs (issue 8): the database connection lost, or another PC sending
        self.sharing_label = QLabel()
        self.sharing_label.setObjectName("sharingNotice")
        self.sharing_label.setVisible(False)
        self._database_ok = True
        self._other_sender: str | None = None
        self.addWidget(api)
        self.addWidget(self.sharing_label)
        self.addPermanentWidget(self.outbox_label)
        self.addPermanentWidget(self.operator_label)
        self.addPermanentWidget(self.profile_label)
        self._api_status = ""
        self.set_api_status("not_configured")
        self.set_outbox_count(0)
        self.set_operator(None)
        self.set_profile("normal")

    @property
    def api_status(self) -> str:
        """The connection state shown ("not_configured", "emulator", "connected", "offline")."""
        return self._api_status

    def set_api_status(self, status: str) -> None:
        """Show the Cloud API connection state."""
        if status not in API_STATUSES:
            raise ValueError(f"unknown API status: {status!r}")
        texts = {
            "not_configured": (self.tr("WhatsApp: nenhum número conectado"),
                               self.tr("Nenhum número do WhatsApp Business foi configurado.")),
            "emulator": (self.tr("WhatsApp: emulador local"),
                         self.tr("Mensagens vão para o emulador local, não para o WhatsApp de "
                                 "verdade.")),
            "connected": (self.tr("WhatsApp: conectado"),
                          self.tr("A API do WhatsApp Business está respondendo.")),
            "offline": (self.tr("WhatsApp: sem conexão"),
                        self.tr("A API do WhatsApp não responde. As mensagens esperam na fila "
                                "e saem quando a conexão voltar.")),
        }
        label, tip = texts[status]
        self._api_status = status
        self.api_label.setText(label)
        self.api_dot.setPixmap(_dot(_DOT_COLORS[status]))
        for widget in (self.api_label, self.api_dot):
            widget.setToolTip(tip)

    def set_database_connected(self, connected: bool) -> None:
        """Say the database cannot be reached (the program keeps trying), or stop saying it."""
        self._database_ok = connected
        self._show_sharing()

    def set_other_sender(self, computer: str | None) -> None:
        """Say another computer sends (this one waits to take over), or stop saying it."""
        self._other_sender = computer
        self._show_sharing()

    def _show_sharing(self) -> None:
        if not self._database_ok:
            text = QCoreApplication.translate("Sharing", DATABASE_LOST)
            style = "color: #dc2626; font-weight: bold;"
        elif self._other_sender is not None:
            text = QCoreApplication.translate("Sharing", OTHER_SENDER).format(
                name=self._other_sender)
            style = ""
        else:
            text, style = "", ""
        self.sharing_label.setText(text)
        self.sharing_label.setStyleSheet(style)
        self.sharing_label.setVisible(bool(text))

    def set_outbox_count(self, count: int) -> None:
        """Show how many messages wait in the outbox."""
        self.outbox_label.setText(self.tr("Fila de envio: {count}").format(
            count=format_count(count)))
        self.outbox_label.setToolTip(self.tr("Mensagens esperando para sair"))

    def set_operator(self, name: str | None) -> None:
        """Show who is working on this PC (— when nobody signed in)."""
        self.operator_label.setText(self.tr("Operador: {name}").format(name=name or "—"))

    def set_profile(self, profile: str) -> None:
        """Show a "Demonstração" badge on the demo profile; nothing on the normal one."""
        demo = profile == "demo"
        self.profile_label.setText(self.tr("Demonstração") if demo else "")
        self.profile_label.setToolTip(
            self.tr("Dados de exemplo, numa pasta separada dos dados reais") if demo else "")
        self.profile_label.setVisible(demo)
