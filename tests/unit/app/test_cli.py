"""The command line contract of INTERFACES.md §1: Portuguese help, exit codes, honest stubs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cobrador_desktop import __version__
from cobrador_desktop.app import main
from cobrador_desktop.app.cli import parse_args


def test_help_is_in_portuguese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: cobrador-desktop")
    assert "opções" in out and "comandos" in out
    for command in ("gui", "demo", "serve", "emulator", "import", "export", "remind", "pix",
                    "check"):
        assert command in out
    assert "show this help" not in out


def test_subcommand_help_is_in_portuguese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "--reset" in out and "recria os dados de demonstração" in out
    assert "--screenshot" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_bad_usage_exits_2_with_portuguese_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["nao-existe"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "erro:" in err and "opção inválida" in err


def test_missing_argument_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export"])
    assert exit_info.value.code == 2
    assert "faltam os argumentos" in capsys.readouterr().err


def test_no_command_means_gui() -> None:
    args = parse_args([])
    assert args.command == "gui" and args.screenshot is None


@pytest.mark.parametrize("value", ["ontem", "2026-13-01T10:00", "07/12/2026 10:00"])
def test_remind_with_an_unreadable_instant_is_bad_usage(value: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remind", "--dry-run", "--at", value]) == 2
    err = capsys.readouterr().err
    assert f"Data e hora inválidas em --at: “{value}”" in err and "ISO-8601" in err


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_unwritable_data_dir_is_a_clear_message(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code = main(["--data-dir", str(locked / "sub"), "export", str(tmp_path / "x.json")])
    finally:
        locked.chmod(stat.S_IRWXU)
    assert code == 2
    assert "Não é possível gravar na pasta de dados" in capsys.readouterr().err


def test_data_dir_that_is_a_file_is_a_clear_message(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    not_a_dir = tmp_path / "arquivo"
    not_a_dir.write_text("x")
    code = main(["--data-dir", str(not_a_dir), "export", str(tmp_path / "x.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert "Não é possível gravar na pasta de dados" in err
    assert "Traceback" not in err
    assert not_a_dir.read_text() == "x"


def test_bad_timezone_is_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COBRADOR_TIMEZONE", "Marte/Olympus")
    assert main(["check"]) == 2
    assert "Fuso horário desconhecido" in capsys.readouterr().err


def test_messages_are_printed_once(capsys: pytest.CaptureFixture[str]) -> None:
    """No log record leaks to stderr beside the message (Python's last-resort handler)."""
    assert main(["remind", "--at", "ontem"]) == 2
    err = capsys.readouterr().err
    assert err.count("Data e hora inválidas") == 1
    assert "RemindAtInvalid" not in err


@pytest.mark.parametrize("url", ["lixo", "mysql://ana:segredo@servidor/cobrador"])
def test_bad_database_url_is_bad_usage(url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--data-dir", str(tmp_path), "--database-url", url, "export",
                 str(tmp_path / "x.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert "Endereço de banco de dados inválido" in err
    assert "segredo" not in err
