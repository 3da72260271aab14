"""Icons, stylesheet and translations ship where the program looks for them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImageReader
from PySide6.QtSvg import QSvgRenderer

from cobrador_desktop.ui import resources


def test_resources_dir_is_the_repository_folder_in_development() -> None:
    assert (resources.resources_dir() / "styles" / "app.qss").is_file()


def test_resources_dir_follows_the_frozen_bundle(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"


@pytest.mark.parametrize("name", ["app", "inbox", "debtors", "reminders", "results", "settings"])
def test_svg_icons_are_valid(qapp: object, name: str) -> None:
    assert QSvgRenderer(str(resources.icon_path(name))).isValid()


def test_app_icon_pngs_and_ico(qapp: object) -> None:
    icons = resources.resources_dir() / "icons"
    for size in (16, 32, 48, 256):
        reader = QImageReader(str(icons / f"app-{size}.png"))
        assert reader.size().width() == size
    ico = QImageReader(str(icons / "app.ico"))
    assert ico.canRead()
    assert ico.imageCount() >= 4
    assert not resources.app_icon().isNull()
