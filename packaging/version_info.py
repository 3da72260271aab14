"""The version the packaged program carries, from one source: `pyproject.toml`.

The PyInstaller spec writes the Windows version resource (what Explorer shows under
Propriedades › Detalhes, and what Inno Setup reads back) with `write_version_file`, so the
executable, its `--version` (from `cobrador_desktop.__version__`) and the installer agree; a build
whose package version differs from pyproject's stops here instead of shipping two numbers.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = "Cobrador Desktop"
EXE_NAME = "CobradorDesktop"
#: pt-BR (0x0416) with the Unicode code page (1200): the language block of the strings below
_LANG_CODEPAGE = (0x0416, 1200)


def project_version(root: Path = ROOT) -> str:
    """The `[project] version` of pyproject.toml, checked against the package's `__version__`."""
    with (root / "pyproject.toml").open("rb") as f:
        version = str(tomllib.load(f)["project"]["version"])
    init = (root / "cobrador_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', init, re.MULTILINE)
    if match is None or match[1] != version:
        found = match[1] if match else "nenhuma"
        raise SystemExit(f"versões diferentes: pyproject.toml diz {version}, "
                         f"cobrador_desktop/__init__.py diz {found}; iguale as duas antes de empacotar")
    return version


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """The four numbers Windows wants: "1.2.3" -> (1, 2, 3, 0); "0.2.0rc1" -> (0, 2, 0, 0)."""
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    if not numbers or not re.match(r"^\d", version):
        raise ValueError(f"versão sem números: {version!r}")
    padded = [*numbers, 0, 0, 0, 0][:4]
    return padded[0], padded[1], padded[2], padded[3]


def version_info_text(version: str) -> str:
    """The PyInstaller version file for `version`: one `VSVersionInfo(...)` expression, in the
    syntax PyInstaller's `load_version_info_from_text_file` evaluates (written here as text: its
    classes import `pefile`, which exists only on Windows)."""
    numbers = version_numbers(version)
    strings = {
        "CompanyName": PRODUCT,
        "FileDescription": PRODUCT,
        "FileVersion": version,
        "InternalName": EXE_NAME,
        "LegalCopyright": f"© {PRODUCT}",
        "OriginalFilename": f"{EXE_NAME}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    lang, codepage = _LANG_CODEPAGE
    table = ",\n        ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return (
        "# UTF-8\n"
        "# Windows version resource, written by packaging/version_info.py from pyproject.toml\n"
        "VSVersionInfo(\n"
        f"  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,\n"
        "                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),\n"
        "  kids=[\n"
        f"    StringFileInfo([StringTable('{lang:04X}{codepage:04X}', [\n"
        f"        {table}])]),\n"
        f"    VarFileInfo([VarStruct('Translation', [{lang:#06x}, {codepage}])]),\n"
        "  ],\n"
        ")\n"
    )


def write_version_file(target: Path, root: Path = ROOT) -> Path:
    """Write the version file for pyproject's version to `target` (UTF-8) and return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(version_info_text(project_version(root)), encoding="utf-8")
    return target


def project_name(root: Path = ROOT) -> str:
    """The `[project] name` of pyproject.toml."""
    with (root / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["name"])


def installer_app_id(root: Path = ROOT) -> str:
    """The installer's AppId (Windows' key for "this program is installed"): derived from the
    package name, so it never changes between versions and upgrades replace the old install."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{project_name(root)}.installer")).upper()
