"""Translations: the .ts catalogues hold every string of the code; translators install."""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from cobrador_desktop.ui import i18n
from cobrador_desktop.ui.resources import resources_dir

ROOT = Path(__file__).resolve().parents[2]
TS_FILES = ("cobrador_pt_BR.ts", "cobrador_en.ts")


def _messages(ts: Path, *, include_obsolete: bool = False) -> set[tuple[str, str]]:
    found = set()
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else None
            if kind in ("obsolete", "vanished") and not include_obsolete:
                continue
            found.add((name, message.findtext("source") or ""))
    return found


@pytest.mark.slow
def test_committed_ts_files_hold_every_source_string(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "update_translations.py"),
                    "--into", str(tmp_path)], check=True, cwd=ROOT, capture_output=True)
    for name in TS_FILES:
        committed = _messages(ROOT / "resources" / "translations" / name, include_obsolete=True)
        current = _messages(tmp_path / name)
        assert current, f"lupdate found no strings for {name}"
        missing = sorted(current - committed)
        assert not missing, (
            f"{name} lacks {len(missing)} string(s), e.g. {missing[:3]}; "
            "run: .venv/bin/python scripts/update_translations.py")


#: calls whose first argument is a translation context lupdate must read as a literal
_CONTEXT_CALLS = {"QT_TRANSLATE_NOOP", "translate"}


def test_every_translation_context_is_a_literal_lupdate_can_read() -> None:
    """lupdate skips `QT_TRANSLATE_NOOP(CONTEXT, "…")`: the string would never reach a .ts file,
    and an English build would show it in Portuguese."""
    found = []
    for path in sorted((ROOT / "cobrador_desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            # a call with a literal text is one lupdate collects (wrappers pass variables)
            if (name not in _CONTEXT_CALLS or len(node.args) < 2
                    or not isinstance(node.args[1], ast.Constant)):
                continue
            if not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"write the context as a string literal: {found}"


def test_ts_files_declare_their_languages() -> None:
    for name, language in (("cobrador_pt_BR.ts", "pt_BR"), ("cobrador_en.ts", "en")):
        root = ET.parse(resources_dir() / "translations" / name).getroot()
        assert root.get("sourcelanguage") == "pt_BR"
        assert root.get("language") == language


@pytest.fixture
def uninstall(qapp: QCoreApplication) -> Iterator[list[QTranslator]]:
    installed: list[QTranslator] = []
    yield installed
    for translator in installed:
        qapp.removeTranslator(translator)


def test_qt_standard_texts_become_portuguese(qapp: QCoreApplication,
                                            uninstall: list[QTranslator]) -> None:
    uninstall += i18n.install_translators(qapp)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancelar"


def test_our_catalogue_is_loaded_for_another_language(
        qapp: QCoreApplication, uninstall: list[QTranslator], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ts = tmp_path / "cobrador_en.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="en" '
        'sourcelanguage="pt_BR"><context><name>MainWindow</name><message>'
        "<source>Devedores</source><translation>Debtors</translation></message></context></TS>",
        encoding="utf-8")
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(tmp_path / "cobrador_en.qm")],
                   check=True)
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    uninstall += i18n.install_translators(qapp, "en")
    assert QCoreApplication.translate("MainWindow", "Devedores") == "Debtors"
