"""`gui` and `demo`: the main window on the qasync event loop.

Start-up order matters for how fast the window appears (ARCHITECTURE.md §3, bench/bench_startup.py):
Qt and the window come first and paint; the database layer (SQLAlchemy, Alembic, migrations, the demo
seed) is imported and opened afterwards on a worker thread, and the debtor list fills in when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import qasync
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from cobrador_desktop import __version__
from cobrador_desktop.app.config import DB_FILENAME, Profile, whatsapp_env
from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.domain.errors import DatabaseCorrupt, KnownError
from cobrador_desktop.domain.records import DebtorPage, DebtorSort

if TYPE_CHECKING:
    from cobrador_desktop.storage.db import Database
    from cobrador_desktop.ui.main_window import MainWindow

log = logging.getLogger("cobrador.app")


class BenchMarks:
    """Prints `BENCH <name> <value>` lines for bench/bench_startup.py (env COBRADOR_BENCH_MARKS=1)."""

    def __init__(self) -> None:
        self.enabled = os.environ.get("COBRADOR_BENCH_MARKS") == "1"
        self._seen: set[str] = set()

    def mark(self, name: str, value: float | None = None) -> None:
        if not self.enabled or name in self._seen:
            return
        self._seen.add(name)
        print(f"BENCH {name} {time.monotonic() if value is None else value}", file=sys.stderr,
              flush=True)

    def rss(self) -> None:
        if self.enabled:
            self.mark("rss", float(resident_bytes()))


def resident_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import psutil

        return int(psutil.Process().memory_info().rss)


class _FirstPaint(QObject):
    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__()
        self._callback: Callable[[], None] | None = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._callback is not None:
            callback, self._callback = self._callback, None
            QTimer.singleShot(0, callback)
        return False


class Backend:
    """Opens the database off the GUI thread; services await `ready()`."""

    def __init__(self, profile: Profile, *, reset_demo: bool) -> None:
        self.profile = profile
        self.reset_demo = reset_demo
        self._future: asyncio.Future[Database] | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._future = asyncio.ensure_future(loop.run_in_executor(None, self._open))

    async def restore_and_reopen(self, backup: Path) -> Database:
        """Put `backup` in place of the damaged file (kept beside it, renamed), then open again."""
        from cobrador_desktop.storage.backup import restore_sqlite

        path = self.profile.sqlite_path
        assert path is not None
        loop = asyncio.get_running_loop()
        kept = await loop.run_in_executor(None, restore_sqlite, backup, path)
        log.warning("database restored from %s; the damaged file was kept as %s", backup, kept)
        self.start()
        return await self.ready()

    async def ready(self) -> Database:
        if self._future is None:
            self.start()
        assert self._future is not None
        return await self._future

    def _open(self) -> Database:
        from cobrador_desktop.storage.db import open_database

        if self.profile.is_demo and self.reset_demo:
            _remove_demo_database(self.profile)
        db = open_database(self.profile.database_url, backup_dir=self.profile.backup_dir)
        if self.profile.is_demo:
            from cobrador_desktop.services.demo import is_seeded, seed_demo_sync

            if not is_seeded(db):
                today = SystemClock().now().date()
                seed_demo_sync(db, today=today)
                log.info("demo data seeded for %s", today)
        return db

    def close(self) -> None:
        if self._future is not None and self._future.done() and not self._future.cancelled() \
                and self._future.exception() is None:
            self._future.result().close()


def _remove_demo_database(profile: Profile) -> None:
    """`demo --reset`: only ever inside the demo folder."""
    assert profile.is_demo and profile.data_dir.name == "demo"
    for suffix in ("", "-wal", "-shm"):
        (profile.data_dir / f"{DB_FILENAME}{suffix}").unlink(missing_ok=True)


class LazyDebtorList:
    """The debtor-list service, available as soon as the database is open."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._service: Any = None

    async def _get(self) -> Any:
        if self._service is None:
            db = await self._backend.ready()
            from cobrador_desktop.services.debtors import DebtorListService

            self._service = DebtorListService(db)
        return self._service

    async def page(self, sort: DebtorSort, after: tuple[Any, ...] | None = None,
                   limit: int = 200) -> DebtorPage:
        service = await self._get()
        page: DebtorPage = await service.page(sort, after, limit)
        return page

    async def count(self) -> int:
        service = await self._get()
        return int(await service.count())


def run_window(profile: Profile, args: argparse.Namespace) -> int:
    marks = BenchMarks()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Cobrador Desktop")
    app.setOrganizationName("CobradorDesktop")
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(True)

    from cobrador_desktop.ui.context import UiContext
    from cobrador_desktop.ui.errors import install_excepthook, show_known_error
    from cobrador_desktop.ui.i18n import install_translators
    from cobrador_desktop.ui.main_window import MainWindow
    from cobrador_desktop.ui.resources import app_icon
    from cobrador_desktop.ui.widgets.tray import create_tray_icon

    translators = install_translators(app)
    app.setWindowIcon(app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_excepthook(profile.log_dir)

    backend = Backend(profile, reset_demo=bool(getattr(args, "reset", False)))
    wa = whatsapp_env()
    context = UiContext(
        debtors=LazyDebtorList(backend),
        profile=profile.name,
        data_dir=profile.data_dir,
        database_label=profile.database_label,
        version=__version__,
        operator_name=None,
        api_status="not_configured" if not wa.configured else "offline",
        outbox_count=0,
    )
    window = MainWindow(context)
    tray = create_tray_icon(window, app_icon(), app.quit)
    first_paint = _FirstPaint(lambda: marks.mark("first_paint"))
    window.installEventFilter(first_paint)
    exit_code = 0
    pending: set[asyncio.Future[None]] = set()

    def on_first_data() -> None:
        marks.mark("first_data")
        marks.rss()
        if args.screenshot:
            QTimer.singleShot(150, save_screenshot)

    def save_screenshot() -> None:
        nonlocal exit_code
        target = Path(args.screenshot).expanduser()
        app.processEvents()
        if not window.grab().save(str(target)):
            print(f"Não foi possível salvar a imagem em {target}.", file=sys.stderr)
            exit_code = 1
        else:
            print(f"Imagem da janela salva em {target}.", file=sys.stderr)
        app.quit()

    window.first_data_loaded.connect(on_first_data)

    async def open_backend() -> None:
        nonlocal exit_code
        try:
            await backend.ready()
        except KnownError as err:
            log.warning("could not open the database: %s", err)
            exit_code = err.exit_code
            print(f"{err.message}\n{err.hint}", file=sys.stderr)
            if args.screenshot or args.exit_after is not None:
                app.quit()
                return
            if isinstance(err, DatabaseCorrupt) and profile.sqlite_path is not None:
                backup = latest_backup_or_none(profile)
                if backup is not None:
                    offer_restore(window, err, backup)
                    return
            dialog = show_known_error(window, err)
            dialog.finished.connect(lambda *_: app.quit())

    def offer_restore(parent: MainWindow, err: KnownError, backup: Path) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, app.translate("Startup", "Banco danificado"),
                          f"{err.message}\n\n{err.hint}", QMessageBox.StandardButton.NoButton,
                          parent)
        restore = box.addButton(app.translate("Startup", "Restaurar a cópia de segurança"),
                                QMessageBox.ButtonRole.AcceptRole)
        box.addButton(app.translate("Startup", "Sair sem alterar nada"),
                      QMessageBox.ButtonRole.RejectRole)
        box.setInformativeText(app.translate(
            "Startup", "A cópia {name} substitui o arquivo danificado, que fica guardado ao lado "
                       "com outro nome.").format(name=backup.name))

        def chosen() -> None:
            if box.clickedButton() is not restore:
                app.quit()
                return
            pending.add(asyncio.ensure_future(restore_then_reload(backup)))

        box.finished.connect(lambda *_: chosen())
        box.open()

    async def restore_then_reload(backup: Path) -> None:
        nonlocal exit_code
        try:
            await backend.restore_and_reopen(backup)
        except KnownError as again:
            exit_code = again.exit_code
            show_known_error(window, again).finished.connect(lambda *_: app.quit())
            return
        exit_code = 0
        window.debtors_view.vm.refresh()

    if args.exit_after is not None:
        QTimer.singleShot(int(args.exit_after * 1000), app.quit)

    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    window.show()

    async def main() -> None:
        backend.start()
        opener = asyncio.ensure_future(open_backend())
        await closing.wait()
        opener.cancel()

    with loop:
        loop.run_until_complete(main())
    backend.close()
    if tray is not None:
        tray.hide()
    del translators
    return exit_code


def latest_backup_or_none(profile: Profile) -> Path | None:
    from cobrador_desktop.storage.backup import latest_backup

    return latest_backup(profile.backup_dir)
