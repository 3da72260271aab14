"""Composition root: parses the command line, builds the parts, owns the shutdown order.

Heavy imports (Qt, SQLAlchemy, Alembic) happen inside the command that needs them, so `--help`,
`--version` and `check` stay quick and the window paints before the database layer is loaded.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cobrador_desktop.app.cli import QT_PROBE_ARG, parse_args
from cobrador_desktop.app.config import Profile, ensure_writable_dir, resolve_profile
from cobrador_desktop.app.logs import setup_logging
from cobrador_desktop.domain.errors import DebtorNotFound, KnownError, NotAvailableYet

log = logging.getLogger("cobrador.app")
# Until setup_logging() runs, records go nowhere (not to Python's last-resort stderr handler).
logging.getLogger("cobrador").addHandler(logging.NullHandler())

WINDOW_COMMANDS = {"gui", "demo"}
#: commands that later issues bring; they say so instead of pretending
LATER: set[str] = set()


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == [QT_PROBE_ARG]:  # internal, for `check` (not listed in --help)
        from cobrador_desktop.app.checks import probe_qt

        return probe_qt()
    args = parse_args(argv)
    log_path = None
    try:
        profile = resolve_profile(data_dir=args.data_dir, database_url=args.database_url,
                                  demo=args.command == "demo")
        if args.command in LATER:
            raise NotAvailableYet(command=args.command)
        ensure_writable_dir(profile.data_dir)
        if args.command not in WINDOW_COMMANDS:  # the window sets it up after its first paint
            log_path = setup_logging(profile.log_dir,
                                     to_stderr=args.command in {"serve", "emulator"})
        log.info("cobrador-desktop %s (profile %s, database %s)", args.command, profile.name,
                 profile.database_label)
        return _dispatch(args.command, args, profile)
    except KnownError as err:
        log.warning("%s: %s", type(err).__name__, err)
        print(f"{err.message}\n{_cli_hint(err)}".strip(), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`check | head`): not an error of ours, and nothing left to say
        sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - so the flush at exit is quiet
        return 1
    except Exception:
        log.exception("unexpected error in %s", args.command)
        where = f" Detalhes no registro: {log_path}." if log_path else ""
        print(f"Erro inesperado no comando “{args.command}”.{where} "
              "Tente de novo; se persistir, envie o registro ao suporte.", file=sys.stderr)
        return 1


#: hints that say what to do at a command line where the window's hint says what to click
_CLI_HINTS: dict[type[KnownError], str] = {
    DebtorNotFound: "Confira o código: ele aparece na tela do devedor (campo Código) e em cada "
                    "devedor do arquivo gravado pelo comando export.",
}


def _cli_hint(err: KnownError) -> str:
    for kind, hint in _CLI_HINTS.items():
        if isinstance(err, kind):
            return hint
    return err.hint


def _dispatch(command: str, args: argparse.Namespace, profile: Profile) -> int:
    if command in WINDOW_COMMANDS:
        from cobrador_desktop.app.gui import run_window

        return run_window(profile, args)
    if command == "check":
        from cobrador_desktop.app.commands import run_check

        return run_check(profile)
    if command == "emulator":
        from cobrador_desktop.app.emulator_cmd import run_emulator_command

        return run_emulator_command(args)
    if command == "serve":
        from cobrador_desktop.app.serve import run_serve

        return run_serve(profile, args)
    if command == "export":
        from cobrador_desktop.app.commands import run_export

        return run_export(profile, args)
    if command == "export-person":
        from cobrador_desktop.app.commands import run_export_person

        return run_export_person(profile, args)
    if command == "anonymise":
        from cobrador_desktop.app.commands import run_anonymise

        return run_anonymise(profile, args)
    if command == "import":
        from cobrador_desktop.app.commands import run_import

        return run_import(profile, args)
    if command == "pix":
        from cobrador_desktop.app.pix_cmd import run_pix

        return run_pix(profile, args)
    if command in {"backup", "restore"}:
        from cobrador_desktop.app.backup_cmd import run_backup, run_restore

        return (run_backup if command == "backup" else run_restore)(profile, args)
    if command == "remind":
        from cobrador_desktop.app.remind_cmd import run_remind

        return run_remind(profile, args)
    raise AssertionError(f"unhandled command {command}")
