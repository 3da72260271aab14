"""The Windows installer's script (Inno Setup cannot run here, so its essentials are read)."""

from __future__ import annotations

import re

from cobrador_desktop import APP_NAME
from cobrador_desktop.app.cli import build_parser
from cobrador_desktop.app.config import default_data_dir
from tests.unit.distribution._packaging import INSTALLER, read_script, version_info


def test_script_is_utf8_with_bom_for_every_inno_setup_6() -> None:
    # before 6.3 Inno Setup reads a script without BOM in the ANSI code page: "demonstração" garbled
    assert INSTALLER.read_bytes().startswith(b"\xef\xbb\xbf")


def test_version_and_app_id_come_from_the_package() -> None:
    script = read_script()
    setup = script.directives("setup")
    vi = version_info()
    assert script.defines["AppVersion"] == f'"{vi.project_version()}"'
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup["VersionInfoVersion"] == "{#AppVersion}"
    assert setup["AppId"] == "{{" + vi.installer_app_id() + "}"
    assert script.defines["AppName"] == f'"{vi.PRODUCT}"'


def test_installs_the_onedir_build_under_program_files() -> None:
    script = read_script()
    vi = version_info()
    assert script.defines["AppExeName"] == f'"{vi.EXE_NAME}.exe"'
    # PyInstaller's default --distpath (dist) and the spec's folder name
    assert script.defines["DistDir"] == f'Root + "\\dist\\{vi.EXE_NAME}"'
    assert script.defines["Root"] == 'AddBackslash(SourcePath) + ".."'
    assert script.directives("setup")["DefaultDirName"] == "{autopf}\\{#AppName}"
    files = script.entries("files")
    assert len(files) == 1
    (folder,) = files
    assert folder["Source"] == "{#DistDir}\\*"
    assert folder["DestDir"] == "{app}"
    assert {"recursesubdirs", "createallsubdirs"} <= set(folder["Flags"].split())


def test_start_menu_has_the_program_and_the_demo_and_desktop_icon_is_optional() -> None:
    script = read_script()
    icons = {entry["Name"]: entry for entry in script.entries("icons")}
    program = icons["{autoprograms}\\{#AppName}"]
    demo = icons["{autoprograms}\\{#AppName} (demonstração)"]
    desktop = icons["{autodesktop}\\{#AppName}"]
    for icon in (program, demo, desktop):
        assert icon["Filename"] == "{app}\\{#AppExeName}"
    assert "Parameters" not in program
    assert demo["Parameters"] == "demo"
    assert build_parser().parse_args([demo["Parameters"]]).command == "demo"
    assert desktop["Tasks"] == "desktopicon"
    (task,) = script.entries("tasks")
    assert task["Name"] == "desktopicon"
    assert "unchecked" in task["Flags"].split()


def test_speaks_brazilian_portuguese() -> None:
    (language,) = read_script().entries("languages")
    assert language["MessagesFile"] == "compiler:Languages\\BrazilianPortuguese.isl"


def test_uninstall_keeps_the_data_folder_and_says_where_it_is() -> None:
    script = read_script()
    assert script.defines["DataFolder"] == f'"{APP_NAME}"'
    assert default_data_dir().name == APP_NAME  # %APPDATA%\CobradorDesktop on Windows
    for section in ("uninstalldelete", "installdelete"):
        for entry in script.entries(section):
            assert entry["Name"].startswith("{app}\\"), entry
            assert not re.search(r"appdata|DataFolder|\{userdocs\}", entry["Name"], re.I)
    code = "\n".join(script.sections["code"])
    assert "usPostUninstall" in code
    assert "ExpandConstant('{userappdata}\\{#DataFolder}')" in code
    message = script.directives("custommessages")["brazilianportuguese.DadosGuardados"]
    assert "continuam guardados" in message
    assert "%1" in message
