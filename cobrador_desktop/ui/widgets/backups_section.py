"""Configurações › Cópias de segurança.

SQLite: the copies in the backup folder (date in the shop's zone, why it was made, size), "Fazer
cópia agora" and "Restaurar…", which names what will be lost before it puts the copy in place of
the database in the running window. PostgreSQL: how pg_dump / pg_restore do it on the server,
and whether recent dump files are where `check` looks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cobrador_desktop.domain.backups import (
    KEEP,
    REASON_LABELS,
    STALE_AFTER_DAYS,
    WEEKLY,
    BackupInfo,
    DumpInfo,
)
from cobrador_desktop.services.backups import BackupStatus
from cobrador_desktop.ui.formatting import format_datetime
from cobrador_desktop.ui.viewmodels.backups_vm import BackupsViewModel

#: what guards an owner-only control (the window's `OwnerGate.guard`), when there is one
Guard = Callable[[QWidget, str], None]


def reason_label(reason: str) -> str:
    """The reason's slug as people read it ("Automática (diária)"); unknown slugs as they are."""
    source = REASON_LABELS.get(reason)
    return QCoreApplication.translate("Backups", source) if source else reason


def format_size(size: int) -> str:
    """`1,4 MB`, `820 KB` (decimal units, pt-BR comma)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",")
    return f"{size} B"


class BackupsSection(QGroupBox):
    """The section; `vm.load()` fills it (the page calls it when first shown)."""

    def __init__(self, vm: BackupsViewModel, *, tz: tzinfo, now: Callable[[], datetime],
                 guard: Guard | None = None, parent: QWidget | None = None) -> None:
        """Args:
            vm: the backups view-model.
            tz: the shop's zone (the dates shown).
            now: the current instant (how old the newest copy is).
            guard: makes the restore button owner-only on screen (the service refuses anyway).
        """
        super().__init__(self.tr("Cópias de segurança"), parent)
        self.setObjectName("settingsSection")
        self.vm = vm
        self._tz = tz
        self._now = now
        self._backups: tuple[BackupInfo, ...] = ()
        self._loaded_once = False
        #: the confirmation's "Restaurar" (of the last question asked)
        self.confirm_button: QPushButton | None = None
        self.help_label = QLabel(self)
        self.help_label.setObjectName("sectionHelp")
        self.help_label.setWordWrap(True)
        self.help_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.help_label)
        layout.addWidget(self.status_label)
        self.table: QTableWidget | None = None
        self.backup_button: QPushButton | None = None
        self.restore_button: QPushButton | None = None
        if vm.is_sqlite:
            self._build_sqlite(layout, guard)
        else:
            self._build_postgres(layout)
        layout.addWidget(self.message)
        vm.listed.connect(self._show_backups)
        vm.dumps_listed.connect(self._show_dumps)
        vm.status_changed.connect(lambda _status: self._show_status())
        vm.busy_changed.connect(self._set_busy)
        vm.backed_up.connect(lambda path: self._say(self.tr("Cópia gravada: {name}.").format(
            name=Path(path).name), problem=False))
        vm.restored.connect(self._on_restored)
        vm.failed.connect(lambda text: self._say(text, problem=True))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.vm.load()

    # ------------------------------------------------------------------ SQLite
    def _build_sqlite(self, layout: QVBoxLayout, guard: Guard | None) -> None:
        self.help_label.setText(self.tr(
            "Enquanto o programa está aberto (a janela ou o serve), ele copia o banco de dados "
            "uma vez por dia para {folder}: a primeira cópia de cada semana fica {weeks} "
            "semanas, as outras {days} dias. Antes de cada atualização do programa também é "
            "feita uma cópia. Restaurar põe uma cópia no lugar do banco atual, que fica "
            "guardado na pasta de dados com outro nome.").format(
                folder=self.vm.source.backup_dir, weeks=KEEP[WEEKLY], days=KEEP["diaria"]))
        table = QTableWidget(0, 3, self)
        table.setObjectName("backupsTable")
        table.setHorizontalHeaderLabels([self.tr("Data"), self.tr("Motivo"), self.tr("Tamanho")])
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        table.setMinimumHeight(150)
        table.setMaximumHeight(240)
        table.itemSelectionChanged.connect(self._update_buttons)
        self.table = table
        self.backup_button = QPushButton(self.tr("Fazer cópia agora"), self)
        self.backup_button.clicked.connect(self.vm.backup_now)
        self.restore_button = QPushButton(self.tr("Restaurar…"), self)
        self.restore_button.setToolTip(self.tr(
            "Põe a cópia escolhida no lugar do banco de dados atual"))
        self.restore_button.clicked.connect(self.ask_restore)
        open_folder = QPushButton(self.tr("Abrir pasta"), self)
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.vm.source.backup_dir))))
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(open_folder)
        layout.addWidget(table)
        layout.addLayout(buttons)
        if guard is not None:
            guard(self.restore_button, QCoreApplication.translate(
                "KnownError", "restaurar uma cópia de segurança"))
        self._update_buttons()
        self._show_status()

    def _show_backups(self, backups: tuple[BackupInfo, ...]) -> None:
        table = self.table
        assert table is not None
        selected = self.selected()
        self._backups = backups
        table.setRowCount(len(backups))
        for row, backup in enumerate(backups):
            cells = (format_datetime(backup.taken_at, self._tz), reason_label(backup.reason),
                     format_size(backup.size))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(backup.path))
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
            if selected is not None and backup.path == selected.path:
                table.selectRow(row)
        self._update_buttons()
        self._show_status()

    def _show_status(self) -> None:
        status: BackupStatus = self.vm.status()
        if status.last_error:
            self._set_status(self.tr("A última cópia automática falhou: {error} O programa "
                                     "tenta de novo em 15 minutos.").format(
                                         error=status.last_error), problem=True)
            return
        newest = self._backups[0] if self._backups else None
        if newest is None:
            self._set_status(self.tr("Nenhuma cópia ainda: a primeira sai em instantes, ou "
                                     "clique em Fazer cópia agora."), problem=False)
        elif (self._now() - newest.taken_at).days >= STALE_AFTER_DAYS:
            self._set_status(self.tr("A cópia mais recente é de {when}, há mais de {days} "
                                     "dias.").format(when=format_datetime(newest.taken_at,
                                                                          self._tz),
                                                     days=STALE_AFTER_DAYS), problem=True)
        else:
            self._set_status(self.tr("A cópia mais recente é de {when}.").format(
                when=format_datetime(newest.taken_at, self._tz)), problem=False)

    def selected(self) -> BackupInfo | None:
        """The copy chosen in the list."""
        if self.table is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._backups):
            return None
        return self._backups[rows[0].row()]

    def ask_restore(self) -> None:
        """Confirm what will be lost, then restore the chosen copy."""
        backup = self.selected()
        if backup is None or self.vm.busy:
            return
        box = self.confirmation(backup)
        box.finished.connect(lambda _result: self._confirmed(box, backup))
        box.open()

    def confirmation(self, backup: BackupInfo) -> QMessageBox:
        """The question asked before a restore (not shown yet)."""
        when = format_datetime(backup.taken_at, self._tz)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Restaurar cópia de segurança"))
        box.setText(self.tr("Voltar o banco de dados para a cópia de {when}?").format(when=when))
        box.setInformativeText(self.tr(
            "Tudo o que foi feito depois de {when} deixa de aparecer: pagamentos, promessas e "
            "acordos registrados, mensagens enviadas e recebidas, devedores importados e "
            "mudanças na configuração. O banco atual não é apagado: fica guardado na pasta de "
            "dados com outro nome. Feche o programa nos outros computadores e pare o serve "
            "antes.").format(when=when))
        self.confirm_button = box.addButton(self.tr("Restaurar"),
                                            QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(self.tr("Cancelar"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        return box

    def _confirmed(self, box: QMessageBox, backup: BackupInfo) -> None:
        if box.clickedButton() is self.confirm_button:
            self._say(self.tr("Restaurando a cópia de {when}…").format(
                when=format_datetime(backup.taken_at, self._tz)), problem=False)
            self.vm.restore(backup.path)

    def _on_restored(self, path: object) -> None:
        stamp = next((b.taken_at for b in self._backups if b.path == path), None)
        self._say(self.tr("Banco de dados restaurado da cópia de {when}. O banco anterior ficou "
                          "guardado na pasta de dados.").format(
                              when=format_datetime(stamp, self._tz) if stamp
                              else Path(str(path)).name), problem=False)

    def _update_buttons(self) -> None:
        if self.restore_button is not None:
            self.restore_button.setEnabled(self.selected() is not None and not self.vm.busy)

    def _set_busy(self, busy: bool) -> None:
        if self.backup_button is not None:
            self.backup_button.setEnabled(not busy)
        self._update_buttons()

    # ------------------------------------------------------------------ PostgreSQL
    def _build_postgres(self, layout: QVBoxLayout) -> None:
        url = self.vm.source.database_label.replace("postgresql+psycopg://", "postgresql://")
        self.help_label.setText(self.tr(
            "O banco de dados está num servidor PostgreSQL, compartilhado pelos computadores da "
            "loja: as cópias são feitas no servidor, com as ferramentas do PostgreSQL. Agende "
            "uma cópia por dia (no Windows, pelo Agendador de Tarefas; no Linux, pelo cron), "
            "fora do horário da loja, trocando *** pela senha do banco:"))
        dump = QLabel(f'pg_dump --format=custom --file="cobrador-AAAAMMDD.dump" "{url}"', self)
        restore_intro = QLabel(self.tr(
            "Para restaurar, com o programa fechado em todos os computadores:"), self)
        restore = QLabel(
            f'pg_restore --clean --if-exists --dbname="{url}" "cobrador-AAAAMMDD.dump"', self)
        for label in (dump, restore):
            label.setObjectName("commandLine")
            label.setStyleSheet("font-family: monospace; background: #f1f5f9; "
                                "border-radius: 4px; padding: 6px;")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
        restore_intro.setWordWrap(True)
        layout.addWidget(dump)
        layout.addWidget(restore_intro)
        layout.addWidget(restore)
        layout.removeWidget(self.status_label)  # what was found comes after how to do it
        layout.addWidget(self.status_label)
        self.status_label.setText(self.tr("Procurando arquivos do pg_dump…"))

    def _show_dumps(self, folders: tuple[Path, ...], dumps: tuple[DumpInfo, ...]) -> None:
        where = self.tr(" ou ").join(str(f) for f in folders)
        recent = dumps[0] if dumps and \
            (self._now() - dumps[0].modified_at).days < STALE_AFTER_DAYS else None
        if recent is not None:
            self._set_status(self.tr("Cópia recente encontrada: {name}, de {when}.").format(
                name=recent.path.name, when=format_datetime(recent.modified_at, self._tz)),
                problem=False)
        elif dumps:
            self._set_status(self.tr(
                "A cópia mais recente em {where} é de {when}: agende o pg_dump para todo "
                "dia.").format(where=where, when=format_datetime(dumps[0].modified_at,
                                                                self._tz)), problem=True)
        else:
            self._set_status(self.tr(
                "Nenhum arquivo do pg_dump em {where}. Grave as cópias numa dessas pastas (ou "
                "indique a pasta na variável COBRADOR_PG_DUMP_DIR) para que o programa e o "
                "comando check as encontrem.").format(where=where), problem=True)

    # ------------------------------------------------------------------ messages
    def _set_status(self, text: str, *, problem: bool) -> None:
        _style(self.status_label, text, "sectionProblem" if problem else "sectionHelp")

    def _say(self, text: str, *, problem: bool) -> None:
        _style(self.message, text, "sectionProblem" if problem else "sectionSaved")


def _style(label: QLabel, text: str, name: str) -> None:
    label.setObjectName(name)
    label.setText(text)
    label.setVisible(bool(text))
    label.style().unpolish(label)
    label.style().polish(label)
