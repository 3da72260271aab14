"""The command-line commands that need no window: `check`, `export` and `import`."""

from __future__ import annotations

import argparse
import sys
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
