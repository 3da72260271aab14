"""The damaged-database dialog: it names the backup and reports the user's choice."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.errors import DatabaseCorrupt
from cobrador_desktop.ui.dialogs.restore_dialog import RestoreBackupDialog

BACKUP = Path("/dados/backups/cobrador-20261122T030000Z-diaria.db")


def _dialog(qtbot: QtBot) -> RestoreBackupDialog:
    err = DatabaseCorrupt(path="/dados/cobrador.db", backup=str(BACKUP))
    dialog = RestoreBackupDialog(err, BACKUP)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_it_explains_and_names_the_backup(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert "danificado" in dialog.text()
    assert BACKUP.name in dialog.informativeText()
    assert "22/11/2026 03:00 UTC" in dialog.informativeText()
    assert "não foi alterado" in dialog.informativeText()
    assert dialog.defaultButton() is dialog.quit_button  # the safe answer is the default


def test_restore_is_reported(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    with qtbot.waitSignal(dialog.restore_chosen):
        dialog.restore_button.click()


def test_quit_is_reported(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    with qtbot.waitSignal(dialog.quit_chosen):
        dialog.quit_button.click()
