"""A damaged database at start-up: say so, and offer the latest backup (issue 3, "bad input")."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.known_error_dialog import translated


class RestoreBackupDialog(QMessageBox):
    """Explains the damage and asks: restore `backup`, or quit without changing anything.

    Opened with `open()`; emits `restore_chosen` or `quit_chosen` when the user answers.
    """

    restore_chosen = Signal()
    quit_chosen = Signal()

    def __init__(self, err: KnownError, backup: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        params = dict(err.params)
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("Banco de dados danificado"))
        self.setText(translated(err.context, err.message_source, params))
        self.setInformativeText(self.tr(
            "O arquivo danificado não foi alterado. Você pode restaurar a cópia de segurança "
            "mais recente ({name}, {when}): ela entra no lugar do arquivo danificado, que fica "
            "guardado ao lado com outro nome. O que foi feito depois dessa cópia se perde."
        ).format(name=backup.name, when=_stamp(backup)))
        self.restore_button = self.addButton(self.tr("Restaurar a cópia de segurança"),
                                             QMessageBox.ButtonRole.AcceptRole)
        self.quit_button = self.addButton(self.tr("Sair sem alterar nada"),
                                          QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.quit_button)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.finished.connect(self._answered)

    def _answered(self) -> None:
        if self.clickedButton() is self.restore_button:
            self.restore_chosen.emit()
        else:
            self.quit_chosen.emit()


def _stamp(backup: Path) -> str:
    """`cobrador-20261122T030000Z-diaria.db` -> `22/11/2026 03:00 UTC` (the name as is otherwise)."""
    parts = backup.stem.split("-")
    if len(parts) >= 2 and len(parts[1]) == 16 and parts[1].endswith("Z"):
        s = parts[1]
        return f"{s[6:8]}/{s[4:6]}/{s[0:4]} {s[9:11]}:{s[11:13]} UTC"
    return backup.name
