"""Crash reports: no secrets, a dialog with copy and close; known errors in Portuguese."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.errors import DatabaseUnavailable
from cobrador_desktop.ui.dialogs.crash_dialog import CrashDialog
from cobrador_desktop.ui.errors import (
    CrashHandler,
    build_report,
    install_excepthook,
    redact,
    show_known_error,
)

TOKEN = "EAAGm0PX4ZCpsBAKZCz1234567890abcdef"


def _exc_info(message: str) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise RuntimeError(message)
    except RuntimeError as error:
        return type(error), error, error.__traceback__


def test_redact_removes_secret_env_values_and_url_passwords() -> None:
    env = {"WHATSAPP_ACCESS_TOKEN": "s3cr3t-value", "MY_DB_PASSWORD": "hunter22",
           "WHATSAPP_WABA_ID": "123456"}
    text = ("token s3cr3t-value; pw hunter22; postgresql+psycopg://joana:segredo@db:5432/c; "
            "Authorization: Bearer abc.def; id 123456")
    clean = redact(text, env)
    for secret in ("s3cr3t-value", "hunter22", "segredo", "abc.def"):
        assert secret not in clean
    assert "postgresql+psycopg://joana:***@db:5432/c" in clean
    assert "id 123456" in clean  # not a secret


def test_report_has_versions_traceback_and_no_secrets(tmp_path: Path) -> None:
    env = {"WHATSAPP_ACCESS_TOKEN": TOKEN, "WHATSAPP_APP_SECRET": "appsecret99",
           "COBRADOR_DATABASE_URL": "postgresql://cobra:senha123@10.0.0.5/cobrador",
           "COBRADOR_DATA_DIR": "/dados", "HOME": "/home/x"}
    exc_type, exc, tb = _exc_info(f"falhou com {TOKEN} em postgresql://cobra:senha123@h/db")
    report = build_report(exc_type, exc, tb, version="9.9.9",  # type: ignore[arg-type]
                          log_path=tmp_path / "cobrador.log", environ=env)
    assert "Cobrador Desktop 9.9.9" in report
    assert "Python: " in report and "Qt: " in report and "PySide6" in report
    assert str(tmp_path / "cobrador.log") in report
    assert "RuntimeError" in report and "test_errors.py" in report
    assert "COBRADOR_DATA_DIR=/dados" in report
    assert "WHATSAPP_ACCESS_TOKEN=***" in report
    for secret in (TOKEN, "appsecret99", "senha123"):
        assert secret not in report
    assert "HOME" not in report  # only the program's own variables are listed


def test_excepthook_opens_the_crash_dialog_and_copies(qtbot: QtBot, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      qasync_loop: asyncio.AbstractEventLoop
                                                      ) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", TOKEN)
    handler = install_excepthook(tmp_path, version="0.1.0", loop=qasync_loop)
    assert sys.excepthook is handler
    sys.excepthook(*_exc_info(f"quebrou {TOKEN}"))  # type: ignore[arg-type]
    dialog = handler.dialog
    assert isinstance(dialog, CrashDialog)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert "quebrou ***" in dialog.text.toPlainText()
    assert TOKEN not in dialog.text.toPlainText()
    assert dialog.text.isReadOnly()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.report
    assert list(tmp_path.glob("erro-*.txt"))  # the report is kept beside the log
    with qtbot.waitSignal(dialog.finished):
        dialog.close_button.click()
    qasync_loop.set_exception_handler(None)


def test_exception_in_an_async_task_reaches_the_dialog(qtbot: QtBot, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       qasync_loop: asyncio.AbstractEventLoop
                                                       ) -> None:
    from cobrador_desktop.ui.tasks import TaskRunner

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    handler = install_excepthook(tmp_path, loop=qasync_loop)

    async def broken() -> None:
        await asyncio.sleep(0)
        raise ValueError("falha dentro de uma tarefa")

    TaskRunner("test").spawn(broken())
    qtbot.waitUntil(lambda: handler.dialog is not None)
    qtbot.addWidget(handler.dialog)
    assert "falha dentro de uma tarefa" in handler.dialog.report
    handler.dialog.close()
    qasync_loop.set_exception_handler(None)


def test_known_error_shows_message_and_hint(qtbot: QtBot) -> None:
    box = show_known_error(None, DatabaseUnavailable(detail="conexão recusada"))
    qtbot.addWidget(box)
    assert box.isVisible()
    assert box.text() == "Não foi possível conectar ao banco de dados: conexão recusada."
    assert "--database-url" in box.informativeText()
    with qtbot.waitSignal(box.finished):
        box.button(QMessageBox.StandardButton.Ok).click()


def test_known_error_reaching_the_hook_is_not_a_crash(qtbot: QtBot, tmp_path: Path) -> None:
    handler = CrashHandler(tmp_path)
    error = DatabaseUnavailable(detail="x")
    handler(type(error), error, None)
    assert handler.dialog is None
    assert handler.last_report is None
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1
    assert boxes[0].text().startswith("Não foi possível conectar ao banco de dados")
    qtbot.addWidget(boxes[0])


def test_an_unattended_run_gets_no_dialog_but_the_report_and_a_call(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        qasync_loop: asyncio.AbstractEventLoop, capsys: pytest.CaptureFixture[str]) -> None:
    """--screenshot / --exit-after: a crash must end the run, not wait for a click offscreen."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    handler = install_excepthook(tmp_path, version="0.1.0", loop=qasync_loop)
    calls: list[str] = []
    handler.unattended = lambda: calls.append("quit")
    sys.excepthook(*_exc_info("quebrou no começo"))  # type: ignore[arg-type]
    assert calls == ["quit"]
    assert handler.dialog is None
    assert "quebrou no começo" in capsys.readouterr().err
    assert list(tmp_path.glob("erro-*.txt"))
    qasync_loop.set_exception_handler(None)
