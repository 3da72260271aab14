"""The dialog for a bug: what happened, a copyable report, and where the log is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class CrashDialog(QDialog):
    """Shows an error report (already free of secrets) with "Copiar relatório" and "Fechar"."""

    def __init__(self, report: str, log_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Cobrador Desktop — erro inesperado"))
        self.setMinimumSize(640, 440)
        self.report = report

        title = QLabel(self.tr("O Cobrador Desktop encontrou um erro inesperado"))
        title.setObjectName("emptyTitle")
        explanation = QLabel(self.tr(
            "O que você estava fazendo não foi concluído. Copie o relatório abaixo e envie ao "
            "suporte junto com o que estava fazendo naquele momento. O relatório não inclui "
            "senhas nem tokens de acesso."))
        explanation.setWordWrap(True)
        log_label = QLabel(self.tr("Registro completo: {path}").format(path=log_path))
        log_label.setWordWrap(True)
        log_label.setObjectName("settingsNote")

        self.text = QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(self.tr("Copiar relatório"))
        self.copy_button.setObjectName("primaryButton")
        self.close_button = QPushButton(self.tr("Fechar"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.copy_button.clicked.connect(self.copy_report)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addWidget(self.text, 1)
        layout.addWidget(log_label)
        layout.addWidget(buttons)

    def copy_report(self) -> None:
        """Put the report on the clipboard."""
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText(self.tr("Copiado!"))
        # `self` as context: the timer dies with the dialog if it closes first
        QTimer.singleShot(2000, self, self._reset_copy_text)

    def _reset_copy_text(self) -> None:
        self.copy_button.setText(self.tr("Copiar relatório"))
