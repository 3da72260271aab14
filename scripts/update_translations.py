#!/usr/bin/env python3
"""Collect every translatable string of `cobrador_desktop/` into `resources/translations/*.ts`.

    .venv/bin/python scripts/update_translations.py            # update the committed .ts files
    .venv/bin/python scripts/update_translations.py --into DIR # write updated copies into DIR

Source strings are Brazilian Portuguese (`tr()`, `QCoreApplication.translate`, and
`QT_TRANSLATE_NOOP` in the Qt-free layers). Existing translations are kept; strings that left the
code are marked obsolete. `scripts/dev.py` compiles the `.ts` files into `.qm`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cobrador_desktop"
TRANSLATIONS = ROOT / "resources" / "translations"
SOURCE_LANGUAGE = "pt_BR"
#: file name -> target language
CATALOGUES = {"cobrador_pt_BR.ts": "pt_BR", "cobrador_en.ts": "en"}


def lupdate_program() -> str:
    """The `pyside6-lupdate` of this environment."""
    folder = Path(sys.executable).parent
    for name in ("pyside6-lupdate", "pyside6-lupdate.exe"):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which("pyside6-lupdate")
    if found is None:
        raise SystemExit("pyside6-lupdate não encontrado; rode scripts/dev.py setup")
    return found


def python_sources() -> list[str]:
    """Every .py file of the package, relative to the repository, in a stable order."""
    return sorted(str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*.py")
                  if "migrations" not in path.parts)


def update(into: Path | None = None) -> list[Path]:
    """Run lupdate for each catalogue; return the written .ts paths."""
    written = []
    sources = python_sources()
    for name, language in CATALOGUES.items():
        target = (into or TRANSLATIONS) / name
        if into is not None and (TRANSLATIONS / name).exists():
            shutil.copyfile(TRANSLATIONS / name, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [lupdate_program(), *sources, "-source-language", SOURCE_LANGUAGE,
             "-target-language", language, "-locations", "none", "-no-ui-lines", "-silent",
             "-ts", str(target)],
            check=True, cwd=ROOT, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        written.append(target)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, help="write the .ts files into this folder instead")
    args = parser.parse_args()
    for path in update(args.into):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
