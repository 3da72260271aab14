"""Backups as people see them: why each copy was made, how many of each are kept, and the
problems a restore can meet (pt-BR, with what to do).

A backup file is named `cobrador-<UTC instant>-<reason>.db` (`storage.backup`); the reason is one
of the slugs below. The daily job makes one copy a shop day: the first of each ISO week is a
"semanal" (kept 4 weeks), the others "diaria" (the 7 newest kept). Copies made before a schema
upgrade ("pre-migracao") and by hand ("manual") rotate on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

DAILY = "diaria"
WEEKLY = "semanal"
MANUAL = "manual"
PRE_MIGRATION = "pre-migracao"

#: how many copies of each reason rotation keeps (the newest ones)
KEEP = {DAILY: 7, WEEKLY: 4, MANUAL: 10, PRE_MIGRATION: 10}

#: the reason as the restore screen shows it (translated by the UI in context "Backups")
REASON_LABELS = {
    DAILY: QT_TRANSLATE_NOOP("Backups", "Automática (diária)"),
    WEEKLY: QT_TRANSLATE_NOOP("Backups", "Automática (semanal)"),
    MANUAL: QT_TRANSLATE_NOOP("Backups", "Feita à mão"),
    PRE_MIGRATION: QT_TRANSLATE_NOOP("Backups", "Antes de atualizar o programa"),
}

#: a SQLite backup older than this makes `check` say AVISO; also the age of a "recent" pg_dump
STALE_AFTER_DAYS = 2

#: where `check` and Configurações look for pg_dump files besides `<data-dir>/backups`
PG_DUMP_DIR_ENV = "COBRADOR_PG_DUMP_DIR"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file.

    Attributes:
        path: the file.
        taken_at: when it was taken (aware, UTC; from its name).
        reason: the reason's slug (`DAILY`, `WEEKLY`, `MANUAL`, `PRE_MIGRATION` or another).
        size: its size in bytes.
    """

    path: Path
    taken_at: datetime
    reason: str
    size: int


@dataclass(frozen=True)
class DumpInfo:
    """A PostgreSQL dump file found on disk (pg_dump's output)."""

    path: Path
    modified_at: datetime
    size: int


class BackupNotDatabase(KnownError):
    """The file offered for a restore is not a sound Cobrador Desktop database."""

    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O arquivo {path} não é uma cópia de segurança do Cobrador Desktop "
        "(ou está danificado): {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Nada foi alterado. Escolha outro arquivo, de preferência um da pasta "
        "de cópias de segurança ({folder}).")


class BackupTooNew(KnownError):
    """The backup comes from a newer version of the program: this one cannot open it."""

    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A cópia {path} foi feita por uma versão mais nova do Cobrador Desktop "
        "(esquema {found}; esta versão conhece até {known}).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Nada foi alterado. Instale a versão mais recente do programa e restaure "
        "a cópia por ela.")


class BackupFileMissing(KnownError):
    exit_code = 2
    message_template = QT_TRANSLATE_NOOP("KnownError", "O arquivo {path} não existe.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Confira o caminho. As cópias automáticas ficam em {folder}.")


class BackupFailed(KnownError):
    """A backup could not be written (disk full, folder not writable, database unreadable)."""

    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Não foi possível fazer a cópia de segurança: {detail}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Confira o espaço livre no disco e se a pasta {folder} pode ser gravada; "
        "o programa tenta de novo daqui a pouco.")


class PostgresBackupTools(KnownError):
    """`backup`/`restore` on PostgreSQL: the server's own tools do it."""

    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O banco de dados está num servidor PostgreSQL: as cópias de segurança "
        "são feitas com as ferramentas do próprio PostgreSQL, não por este comando.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError",
        "Para copiar: pg_dump --format=custom --file=cobrador-AAAAMMDD.dump \"<endereço do "
        "banco>\" (agende todo dia no servidor, numa pasta que o comando check confere: "
        "<pasta de dados>/backups ou a variável COBRADOR_PG_DUMP_DIR). Para restaurar, com "
        "todos os programas fechados: pg_restore --clean --if-exists --dbname=\"<endereço do "
        "banco>\" cobrador-AAAAMMDD.dump.")


class DatabaseInUse(KnownError):
    """A restore while another program has the database open."""

    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "O banco de dados {path} está aberto em outro programa do Cobrador "
        "Desktop (a janela ou o serve).")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Nada foi alterado. Feche o programa (e pare o serve) e rode o comando "
        "de novo, ou restaure pela janela: Configurações › Cópias de segurança.")


class NoDatabaseYet(KnownError):
    """`backup` before the program ever created its database."""

    exit_code = 2
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Ainda não há banco de dados em {path}: não há o que copiar.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Abra o programa uma vez (ou confira --data-dir e --database-url).")
