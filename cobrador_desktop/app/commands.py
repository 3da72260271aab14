"""The command-line commands that need no window: `check`, `export`, `import`, and the LGPD
`export-person` and `anonymise`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from cobrador_desktop.app.checks import Level, run_checks
from cobrador_desktop.app.config import Profile
from cobrador_desktop.domain.clock import SystemClock


def run_check(profile: Profile) -> int:
    failed = False
    for line in run_checks(profile):
        print(line.render(), flush=True)
        failed = failed or line.level is Level.FAIL
    return 1 if failed else 0


def run_export(profile: Profile, args: argparse.Namespace) -> int:
    from cobrador_desktop.services.export import export_json
    from cobrador_desktop.storage.db import open_database

    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        summary = export_json(db, Path(args.file), now=SystemClock().now())
    finally:
        db.close()
    print(f"Exportação gravada em {summary.path}: {summary.debtors} devedores, "
          f"{summary.conversations} conversas.", file=sys.stderr)
    return 0


def run_import(profile: Profile, args: argparse.Namespace) -> int:
    """`import FILE`: the report on stdout, one line per rejected row; 0 even with rejections."""
    from zoneinfo import ZoneInfo

    from cobrador_desktop.services.importer import import_file
    from cobrador_desktop.storage.db import open_database

    path = Path(args.file).expanduser()
    now = SystemClock().now()
    if getattr(args, "payments", False):
        return _run_import_payments(profile, args, path, now)
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        report = import_file(
            db, path, now=now, today=now.astimezone(ZoneInfo(profile.timezone)).date(),
            sheet=args.sheet, overrides=args.map, dry_run=args.dry_run,
            opt_in_source=args.opt_in)
    finally:
        db.close()
    print("\n".join(report.lines()), flush=True)
    return 0


def _run_import_payments(profile: Profile, args: argparse.Namespace, path: Path,
                         now: datetime) -> int:
    """`import FILE --payments`: the payments report on stdout; 0 even with rejections."""
    from zoneinfo import ZoneInfo

    from cobrador_desktop.services.payment_import import import_payments
    from cobrador_desktop.storage.db import open_database

    if args.opt_in:
        print("--opt-in não vale para pagamentos: nada foi gravado.", file=sys.stderr)
        return 2
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        report = import_payments(
            db, path, now=now, today=now.astimezone(ZoneInfo(profile.timezone)).date(),
            sheet=args.sheet, overrides=args.map, dry_run=args.dry_run)
    finally:
        db.close()
    print("\n".join(report.lines()), flush=True)
    return 0


def run_export_person(profile: Profile, args: argparse.Namespace) -> int:
    """`export-person ID FILE`: one person's data as JSON (LGPD access request)."""
    from cobrador_desktop.services.lgpd import export_person
    from cobrador_desktop.storage.db import open_database

    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        done = export_person(db, args.debtor_id, Path(args.file), now=SystemClock().now())
    finally:
        db.close()
    print(f"Dados do devedor {done.debtor_id} gravados em {done.path}: {done.debts} dívida(s), "
          f"{done.conversations} conversa(s). Entregue o arquivo só ao titular: ele contém "
          "dados pessoais.", file=sys.stderr)
    return 0


def run_anonymise(profile: Profile, args: argparse.Namespace) -> int:
    """`anonymise ID --yes`: refuses without --yes (it cannot be undone)."""
    from zoneinfo import ZoneInfo

    if not args.yes:
        print(f"Nada foi alterado. Anonimizar o devedor {args.debtor_id} apaga para sempre nome, "
              "CPF/CNPJ, contatos, telefones e textos das mensagens (valores e datas das dívidas "
              "ficam). Para confirmar, rode de novo com --yes:\n"
              f"  cobrador-desktop anonymise {args.debtor_id} --yes", file=sys.stderr)
        return 2
    from cobrador_desktop.services.lgpd import anonymise_person
    from cobrador_desktop.storage.db import open_database

    now = SystemClock().now()
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    try:
        result = anonymise_person(db, args.debtor_id, now=now,
                                  today=now.astimezone(ZoneInfo(profile.timezone)).date())
    finally:
        db.close()
    if result.already:
        print(f"O devedor {result.debtor_id} já estava anonimizado; nada mudou.", file=sys.stderr)
        return 0
    print(f"Devedor {result.debtor_id} anonimizado: {result.phones_removed} telefone(s) "
          f"removido(s), {result.blocks} bloqueio(s) mantido(s), {result.messages_cleared} "
          f"mensagem(ns) sem texto, {result.raw_bodies} registro(s) de webhook limpo(s). "
          "Valores e datas das dívidas foram mantidos.", file=sys.stderr)
    return 0
