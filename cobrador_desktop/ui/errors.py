"""Bugs become a crash dialog with a copyable, secret-free report; `KnownError`s a message.

`install_excepthook` routes uncaught exceptions (Qt slots, callbacks) and those of asyncio tasks
(through the loop's exception handler) to one `CrashHandler`, which logs the traceback, writes the
report next to the log and opens `CrashDialog` — or, for a `KnownError` that escaped, the friendly
message instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import QCoreApplication, QThread, qVersion

from cobrador_desktop import __version__
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.redact import REDACTED, is_secret_name
from cobrador_desktop.domain.redact import redact as redact_text
from cobrador_desktop.ui.dialogs.known_error_dialog import show_known_error
from cobrador_desktop.ui.tasks import current_loop

__all__ = [
    "CrashHandler", "build_report", "install_excepthook", "install_loop_exception_handler",
    "redact", "show_known_error",
]

log = logging.getLogger("cobrador.ui")

LOG_FILE = "cobrador.log"
_SHOWN_ENV = re.compile(r"^(COBRADOR_|WHATSAPP_|QT_)")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Remove secrets (variables named TOKEN/SECRET/PASSWORD, URL passwords, tokens) and mask
    phones and documents."""
    return redact_text(text, os.environ if environ is None else environ)


def build_report(exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None, *, version: str, log_path: Path,
                 environ: Mapping[str, str] | None = None,
                 now: datetime | None = None) -> str:
    """The text of a crash report, with secrets removed."""
    env = os.environ if environ is None else environ
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [
        f"Cobrador Desktop {version}",
        f"Data: {when}",
        f"Sistema: {platform.platform()}",
        f"Python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"Qt: {qVersion()} / PySide6 {PySide6.__version__}",
        f"Registro: {log_path}",
        "",
        "Variáveis de ambiente do programa:",
    ]
    shown = sorted(name for name in env if _SHOWN_ENV.match(name))
    for name in shown:
        value = REDACTED if is_secret_name(name) else env[name]
        lines.append(f"  {name}={value}")
    if not shown:
        lines.append("  (nenhuma)")
    lines += ["", "Erro:", *traceback.format_exception(exc_type, exc, tb)]
    return redact("\n".join(line.rstrip("\n") for line in lines), env) + "\n"


class CrashHandler:
    """Turns an uncaught exception into a log entry, a report file and a dialog."""

    def __init__(self, log_dir: Path, *, version: str = __version__) -> None:
        self.log_dir = log_dir
        self.version = version
        self.dialog: Any = None  # the CrashDialog on screen, if any
        self.last_report: str | None = None
        #: for a run nobody watches (--screenshot, --exit-after): called instead of the dialog,
        #: which would wait for a click forever
        self.unattended: Callable[[], None] | None = None

    @property
    def log_path(self) -> Path:
        """The rotating log file the report points to."""
        return self.log_dir / LOG_FILE

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if isinstance(exc, KnownError):
            log.warning("known error reached the top: %s", exc)
            self._show_known(exc)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        report = build_report(exc_type, exc, tb, version=self.version, log_path=self.log_path)
        self.last_report = report
        self._write(report)
        if self.unattended is not None:
            sys.stderr.write(report)
            self.unattended()
            return
        self._show(report)

    def _write(self, report: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        try:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            (self.log_dir / f"erro-{stamp}.txt").write_text(report, encoding="utf-8")
        except OSError:
            log.exception("could not write the crash report")

    def _on_gui_thread(self) -> bool:
        app = QCoreApplication.instance()
        return app is not None and QThread.currentThread() is app.thread() \
            and app.inherits("QApplication")

    def _show(self, report: str) -> None:
        if not self._on_gui_thread():
            sys.stderr.write(report)
            return
        if self.dialog is not None and self.dialog.isVisible():
            return  # one dialog is enough; the next reports are in the log
        from cobrador_desktop.ui.dialogs.crash_dialog import CrashDialog

        self.dialog = CrashDialog(report, self.log_path, _main_window())
        self.dialog.open()

    def _show_known(self, err: KnownError) -> None:
        if self._on_gui_thread():
            show_known_error(_main_window(), err)
        else:
            sys.stderr.write(f"{err}\n")

    def handle_loop_exception(self, loop: asyncio.AbstractEventLoop,
                              context: dict[str, Any]) -> None:
        """asyncio exception handler: exceptions go to the dialog, the rest to the log."""
        exc = context.get("exception")
        if exc is None or isinstance(exc, asyncio.CancelledError):
            loop.default_exception_handler(context)
            return
        self(type(exc), exc, exc.__traceback__)


def _main_window() -> Any:
    # The main window, not the active one: an active message box may be deleted on close and
    # would take a dialog parented to it along.
    app = QCoreApplication.instance()
    if app is None or not app.inherits("QApplication"):
        return None
    for widget in app.topLevelWidgets():  # type: ignore[attr-defined]
        if widget.inherits("QMainWindow") and widget.isVisible():
            return widget
    return None


def install_loop_exception_handler(loop: asyncio.AbstractEventLoop,
                                   handler: CrashHandler) -> None:
    """Send exceptions from asyncio tasks and callbacks on `loop` to `handler`."""
    loop.set_exception_handler(handler.handle_loop_exception)


def install_excepthook(log_dir: Path, *, version: str = __version__,
                       loop: asyncio.AbstractEventLoop | None = None) -> CrashHandler:
    """Show the crash dialog for uncaught exceptions, including those in asyncio tasks.

    Args:
        log_dir: folder of the rotating log (`cobrador.log`); reports are written there too.
        version: the program version for the report.
        loop: the qasync loop; by default the current one (`app.py` sets it first).
    """
    handler = CrashHandler(log_dir, version=version)
    sys.excepthook = handler
    install_loop_exception_handler(loop or current_loop(), handler)
    return handler
