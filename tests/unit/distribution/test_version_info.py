"""The version the packaged executable carries: pyproject's, in PyInstaller's version-file format."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from cobrador_desktop import __version__
from tests.unit.distribution._packaging import version_info


def _load_with_pyinstaller(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """PyInstaller's own reader of version files (what the spec's `version=` goes through).

    Its module imports `pefile` and `win32api`, used only to read resources out of executables;
    outside Windows they are absent, so empty stand-ins let the module load."""
    import PyInstaller.compat  # type: ignore[import-untyped]

    if sys.platform != "win32":
        monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
        monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    name = "PyInstaller.utils.win32.versioninfo"
    monkeypatch.delitem(sys.modules, name, raising=False)
    try:
        from PyInstaller.utils.win32 import versioninfo  # type: ignore[import-untyped]

        info = versioninfo.load_version_info_from_text_file(str(path))
        assert len(info.toRaw()) > 200  # it serialises into a resource
        return info
    finally:
        sys.modules.pop(name, None)


def test_version_file_carries_pyprojects_version(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    vi = version_info()
    version = vi.project_version()
    assert version == __version__  # what `--version` prints
    path = vi.write_version_file(tmp_path / "build" / "version_info.txt")
    info: object = _load_with_pyinstaller(path, monkeypatch)
    ffi = info.ffi  # type: ignore[attr-defined]
    numbers = vi.version_numbers(version)
    assert (ffi.fileVersionMS >> 16, ffi.fileVersionMS & 0xFFFF,
            ffi.fileVersionLS >> 16, ffi.fileVersionLS & 0xFFFF) == numbers
    assert ffi.productVersionMS == ffi.fileVersionMS
    strings = {s.name: s.val for s in info.kids[0].kids[0].kids}  # type: ignore[attr-defined]
    assert strings["ProductVersion"] == version
    assert strings["FileVersion"] == version
    assert strings["ProductName"] == "Cobrador Desktop"
    assert strings["OriginalFilename"] == "CobradorDesktop.exe"


@pytest.mark.parametrize(("version", "numbers"), [
    ("0.1.0", (0, 1, 0, 0)), ("1.2.3", (1, 2, 3, 0)), ("2", (2, 0, 0, 0)),
    ("0.2.0rc1", (0, 2, 0, 0)), ("1.4.0.dev3+g1234", (1, 4, 0, 0)),
])
def test_windows_gets_four_numbers(version: str, numbers: tuple[int, ...]) -> None:
    assert version_info().version_numbers(version) == numbers


def test_a_version_without_numbers_is_refused() -> None:
    with pytest.raises(ValueError, match="versão sem números"):
        version_info().version_numbers("beta")


def test_build_stops_when_package_and_pyproject_disagree(tmp_path: Path) -> None:
    (tmp_path / "cobrador_desktop").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.0.0"\n',
                                             encoding="utf-8")
    (tmp_path / "cobrador_desktop" / "__init__.py").write_text('__version__ = "0.9.0"\n',
                                                              encoding="utf-8")
    with pytest.raises(SystemExit, match=r"pyproject.toml diz 1.0.0.*diz 0.9.0"):
        version_info().project_version(tmp_path)
