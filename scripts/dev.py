#!/usr/bin/env python3
"""Bootstrap the project's own environment from the lock file, then run something in it.

Only the Python standard library is used here, so this works on a fresh machine that has nothing but
Python 3.11+:

    python3 scripts/dev.py demo     # start the app on the demo profile
    python3 scripts/dev.py test     # run the whole test suite
    python3 scripts/dev.py run ARGS # any cobrador-desktop command, e.g. `run check`
    python3 scripts/dev.py tool ruff check .   # a tool from the environment

The environment lives in `.venv/` next to this repository. It is rebuilt when `requirements/dev.lock`
or `pyproject.toml` change (their hash is kept in `.venv/.lock-hash`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "dev.lock"
STAMP = VENV / ".lock-hash"
MIN_PYTHON = (3, 11)
MAX_PYTHON = (3, 14)


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_hash() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _say(text: str) -> None:
    print(f"[dev.py] {text}", file=sys.stderr, flush=True)


def ensure_environment() -> Path:
    """Create or refresh `.venv` from the lock file; return its python."""
    if not (MIN_PYTHON <= sys.version_info[:2] < MAX_PYTHON):
        sys.exit(
            f"Este projeto precisa do Python 3.11, 3.12 ou 3.13; este é {sys.version.split()[0]}."
        )
    python = _venv_python()
    wanted = _wanted_hash()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    if VENV.exists():
        _say("o arquivo de dependências mudou; recriando .venv")
        shutil.rmtree(VENV)
    _say("criando .venv a partir de requirements/dev.lock (só na primeira vez)")
    try:
        import ensurepip  # noqa: F401 - Debian ships it apart, in python3-venv
    except ImportError:
        sys.exit("Este Python não tem o módulo venv completo (ensurepip). No Debian/Ubuntu, "
                 "instale-o com: sudo apt install python3-venv — e rode o comando de novo.")
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--require-hashes", "-r", str(LOCK)], check=True)
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(ROOT)],
        check=True,
    )
    build_translations(python)
    STAMP.write_text(wanted)
    return python


def build_translations(python: Path) -> None:
    """Compile resources/translations/*.ts into .qm with the lrelease that PySide6 ships."""
    tool = VENV / ("Scripts" if os.name == "nt" else "bin") / "pyside6-lrelease"
    for ts in sorted((ROOT / "resources" / "translations").glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        subprocess.run([str(tool), "-silent", str(ts), "-qm", str(qm)], check=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    python = ensure_environment()
    build_translations(python)
    env = dict(os.environ)
    if command == "demo":
        args = [str(python), "-m", "cobrador_desktop", "demo", *rest]
    elif command == "run":
        args = [str(python), "-m", "cobrador_desktop", *rest]
    elif command == "test":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        args = [str(python), "-m", "pytest", *rest]
        if not env.get("COBRADOR_TEST_POSTGRES_URL"):
            return _test_with_throwaway_postgres(args, env)
    elif command == "tool":
        if not rest:
            sys.exit("uso: scripts/dev.py tool PROGRAMA [ARGUMENTOS...]")
        bindir = python.parent
        args = [str(bindir / rest[0]), *rest[1:]]
    elif command == "setup":
        return 0
    else:
        print(f"Comando desconhecido: {command}\n\n{__doc__}", file=sys.stderr)
        return 2
    return subprocess.call(args, cwd=ROOT, env=env)


def _test_with_throwaway_postgres(args: list[str], env: dict[str, str]) -> int:
    """Run the tests against a PostgreSQL server of their own when the server programs are
    installed (scripts/pg_throwaway.py); otherwise say how to include the PostgreSQL tests."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from pg_throwaway import throwaway_postgres

    with throwaway_postgres() as url:
        if url is None and env.get("COBRADOR_TEST_REQUIRE_POSTGRES") == "1":
            print("PostgreSQL não iniciou e COBRADOR_TEST_REQUIRE_POSTGRES=1 pede os testes de "
                  "PostgreSQL: nada foi testado.", file=sys.stderr)
            return 1
        if url is None:
            print("PostgreSQL não está instalado: os testes de PostgreSQL serão pulados. Para "
                  "incluí-los, instale o servidor (Debian/Ubuntu: apt install postgresql) ou "
                  "aponte COBRADOR_TEST_POSTGRES_URL para um servidor.", flush=True)
        else:
            env["COBRADOR_TEST_POSTGRES_URL"] = url
        return subprocess.call(args, cwd=ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
