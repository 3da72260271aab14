"""`check`'s line about backups (INTERFACES.md §1): SQLite copies, or PostgreSQL's pg_dump files
in `<data-dir>/backups` or `COBRADOR_PG_DUMP_DIR`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cobrador_desktop.app.backup_cmd import backup_service, pg_dump_dirs
from cobrador_desktop.app.checks import CheckLine, Level
from cobrador_desktop.app.config import Profile
from cobrador_desktop.domain.backups import PG_DUMP_DIR_ENV, REASON_LABELS, STALE_AFTER_DAYS
from cobrador_desktop.domain.clock import SystemClock


def check_backups(profile: Profile) -> CheckLine:
    """`check`'s backups line: the newest SQLite copy's age, or on PostgreSQL a recent pg_dump
    file (AVISO when there is none of the last 2 days)."""
    from cobrador_desktop.services.backups import find_pg_dumps, recent_pg_dump

    what = "Cópias de segurança"
    zone = ZoneInfo(profile.timezone)
    now = SystemClock().now()
    if profile.sqlite_path is None:
        folders = pg_dump_dirs(profile)
        where = " ou ".join(str(f) for f in folders)
        recent = recent_pg_dump(folders, now)
        if recent is not None:
            dumped = recent.modified_at.astimezone(zone)
            return CheckLine(Level.OK, what,
                             f"pg_dump de {dumped:%d/%m/%Y %H:%M} ({recent.path})")
        dumps = find_pg_dumps(folders)
        found = (f"o mais recente é de {dumps[0].modified_at.astimezone(zone):%d/%m/%Y}"
                 if dumps else "nenhum encontrado")
        return CheckLine(
            Level.WARN, what,
            f"nenhum arquivo do pg_dump dos últimos {STALE_AFTER_DAYS} dias em {where} "
            f"({found}). Agende no servidor, todo dia: pg_dump --format=custom "
            "--file=<pasta>/cobrador-AAAAMMDD.dump \"<endereço do banco>\", numa dessas pastas "
            f"(ou indique a pasta na variável {PG_DUMP_DIR_ENV}).")
    service = backup_service(profile)
    latest = service.latest()
    if latest is None:
        return CheckLine(
            Level.WARN, what,
            f"nenhuma cópia em {service.backup_dir} ainda. O programa faz uma por dia enquanto "
            "está aberto (a janela ou o serve); para fazer agora: cobrador-desktop backup.")
    when = f"{latest.taken_at.astimezone(zone):%d/%m/%Y %H:%M}"
    count = len(service.backups())
    if service.is_stale(latest):
        days = (now - latest.taken_at).days
        return CheckLine(
            Level.WARN, what,
            f"a mais recente é de {when}, há {days} dias ({latest.path}). O programa faz uma "
            "por dia enquanto está aberto; para fazer agora: cobrador-desktop backup.")
    label = REASON_LABELS.get(latest.reason, latest.reason).lower()
    return CheckLine(Level.OK, what, f"a mais recente é de {when} ({label}); {count} cópia(s) "
                     f"em {service.backup_dir}")
