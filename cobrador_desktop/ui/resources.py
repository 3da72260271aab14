"""Where icons, the stylesheet and translations live: the repository's `resources/` in
development, `sys._MEIPASS/resources` inside the PyInstaller build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon


def resources_dir() -> Path:
    """The `resources/` folder for this run (source tree or frozen bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def icon_path(name: str) -> Path:
    """Path of `resources/icons/<name>.svg`."""
    return resources_dir() / "icons" / f"{name}.svg"


@cache
def icon(name: str) -> QIcon:
    """The SVG icon `name` (e.g. "debtors"); cached, as the same icons are drawn often."""
    return QIcon(str(icon_path(name)))


def app_icon() -> QIcon:
    """The application icon, with the pre-rendered PNG sizes for crisp small icons."""
    result = QIcon(str(icon_path("app")))
    for size in (16, 32, 48, 256):
        png = resources_dir() / "icons" / f"app-{size}.png"
        if png.exists():
            result.addFile(str(png))
    return result


def stylesheet() -> str:
    """The application's Qt stylesheet (`resources/styles/app.qss`), or "" if missing."""
    path = resources_dir() / "styles" / "app.qss"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
