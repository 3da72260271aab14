"""Loads `packaging/version_info.py` (the folder is not a package: its name is taken by the
`packaging` library) and reads the Inno Setup script into its sections."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]
INSTALLER = ROOT / "packaging" / "installer.iss"


def version_info() -> ModuleType:
    name = "cobrador_packaging_version_info"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / "version_info.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Script:
    """An Inno Setup script: preprocessor defines, `Key=value` directives and `Key: value; …`
    entries per section (lower-case section names, comments and preprocessor lines left out)."""

    defines: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[str]] = field(default_factory=dict)

    def directives(self, section: str) -> dict[str, str]:
        pairs = (line.split("=", 1) for line in self.sections.get(section, []) if "=" in line)
        return {key.strip(): value.strip() for key, value in pairs}

    def entries(self, section: str) -> list[dict[str, str]]:
        return [_entry(line) for line in self.sections.get(section, [])]


_PARAM = re.compile(r'\s*(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)')


def _entry(line: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for match in _PARAM.finditer(line):
        value = match[2].strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('""', '"')
        result[match[1]] = value
    return result


def read_script(path: Path = INSTALLER) -> Script:
    script = Script()
    current: str | None = None
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        define = re.match(r'#define\s+(\w+)\s+(.*)$', line)
        if define:
            script.defines[define[1]] = define[2].strip()
            continue
        if line.startswith("#"):
            continue
        section = re.match(r"^\[(\w+)\]$", line)
        if section:
            current = section[1].lower()
            script.sections.setdefault(current, [])
        elif current is not None:
            script.sections[current].append(line)
    return script
