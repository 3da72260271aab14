""""Dossiê (PDF)…" on a debtor's screen: pick the file (a sensible name offered), write the dossier
off the GUI thread, then say where it went — or why not, with the program's error message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget

from cobrador_desktop.domain.dossier import file_name
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.known_error_dialog import show_known_error
from cobrador_desktop.ui.viewmodels.dossier_vm import DossierViewModel

#: (id, name) of the debtor on screen, or None while none is loaded
DebtorOnScreen = Callable[[], tuple[int, str] | None]


class DossierButton(QPushButton):
    """Writes the on-screen debtor's dossier through `DossierViewModel`."""

    def __init__(self, vm: DossierViewModel, debtor: DebtorOnScreen, *,
                 today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(self.tr("Dossiê (PDF)…"))
        self.setToolTip(self.tr(
            "Um PDF com tudo sobre este devedor — dívidas, pagamentos, acordos, cada mensagem com "
            "a situação de entrega, autorizações e descadastros, o registro de auditoria — para "
            "uma contestação, o Procon ou um advogado. CPF e telefones saem mascarados."))
        self.vm = vm
        self._debtor = debtor
        self._today = today
        #: asks where to write, given the offered path; None when cancelled (tests replace it)
        self.choose_path: Callable[[Path], Path | None] = self._ask_path
        #: the last message shown (success or error), for tests and screen readers
        self.message: QMessageBox | None = None
        self.clicked.connect(self.run)
        vm.busy_changed.connect(self._on_busy)
        vm.saved.connect(self._on_saved)
        vm.failed.connect(self._on_failed)

    def run(self) -> None:
        """Ask for the file, then write the dossier to it."""
        debtor = self._debtor()
        if debtor is None or self.vm.busy:
            return
        debtor_id, name = debtor
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        target = self.choose_path(Path(folder) / file_name(name, self._today()))
        if target is None:
            return
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        self.vm.generate(debtor_id, target)

    def _ask_path(self, offered: Path) -> Path | None:
        path, _chosen = QFileDialog.getSaveFileName(
            self.window(), self.tr("Salvar o dossiê do devedor"), str(offered),
            self.tr("Documento PDF (*.pdf)"))
        return Path(path) if path else None

    def _on_busy(self, busy: bool) -> None:
        self.setEnabled(not busy)
        self.setText(self.tr("Gerando dossiê…") if busy else self.tr("Dossiê (PDF)…"))

    def _on_saved(self, target: Path) -> None:
        box = self.message = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Dossiê gerado"),
            self.tr("O dossiê foi gravado em {path}.").format(path=str(target)),
            QMessageBox.StandardButton.Ok, self.window())
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()

    def _on_failed(self, error: KnownError) -> None:
        self.message = show_known_error(self.window(), error)
