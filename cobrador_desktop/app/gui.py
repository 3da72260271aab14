"""`gui` and `demo`: the main window on the qasync event loop.

Start-up order matters for how fast the window appears (ARCHITECTURE.md §3, bench/bench_startup.py):
Qt and the window's frame come first and paint; only then are asyncio/qasync, the pages and the
database layer imported, and the database is opened, migrated (and, for the demo, seeded) on a
worker thread while the window is already on screen. The debtor list fills in when it is ready.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cobrador_desktop import __version__
from cobrador_desktop.app.backend import (
    Backend,
    LazyDebtorList,
    LazyInbox,
    LazyListExporter,
    LazyOperators,
    LazyRegua,
    LazyReminders,
    LazyShopSettings,
    LazyTemplates,
    latest_backup_or_none,
)
from cobrador_desktop.app.config import Profile, whatsapp_env
from cobrador_desktop.app.demo_platform import LocalPlatform
from cobrador_desktop.app.logs import setup_logging
from cobrador_desktop.app.marks import BenchMarks, FirstPaint
from cobrador_desktop.domain.errors import DatabaseCorrupt, KnownError

if TYPE_CHECKING:
    import asyncio

    from cobrador_desktop.app.engine import WhatsAppEngine
    from cobrador_desktop.storage.db import Database
    from cobrador_desktop.ui.main_window import MainWindow

log = logging.getLogger("cobrador.app")


def run_window(profile: Profile, args: argparse.Namespace) -> int:
    if not choose_platform(screenshot=bool(args.screenshot)):
        print("Não há tela gráfica nesta sessão (nem DISPLAY nem WAYLAND_DISPLAY), então a janela "
              "não pode abrir. Rode o programa num computador com tela; para só gerar uma imagem "
              "da janela, use --screenshot ARQUIVO.png.", file=sys.stderr)
        return 1
    marks = BenchMarks()
    from cobrador_desktop.services.gc_pause import freeze_settled_heap, responsive_loop

    responsive_loop()  # the database thread's long Python work never holds the loop a frame
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Cobrador Desktop")
    app.setOrganizationName("CobradorDesktop")
    app.setApplicationVersion(__version__)
    # closing the window goes through request_quit(), which shuts the services down first
    app.setQuitOnLastWindowClosed(False)

    from zoneinfo import ZoneInfo

    from cobrador_desktop.app.dossier_port import LazyDossier
    from cobrador_desktop.app.import_port import SpreadsheetImportService
    from cobrador_desktop.app.results_port import results_sources
    from cobrador_desktop.domain.clock import SystemClock
    from cobrador_desktop.ui.context import UiContext
    from cobrador_desktop.ui.i18n import install_translators
    from cobrador_desktop.ui.main_window import MainWindow
    from cobrador_desktop.ui.resources import app_icon

    translators = install_translators(app)
    app.setWindowIcon(app_icon())

    backend = Backend(profile, reset_demo=bool(getattr(args, "reset", False)), marks=marks)
    from cobrador_desktop.services.events import ChangeFeed

    feed = ChangeFeed()  # webhooks received in this process -> the inbox, at once
    wa = whatsapp_env()
    from cobrador_desktop.app.backup_port import WindowBackups, sqlite_backups

    backups = sqlite_backups(profile)  # the daily copy and Configurações › Cópias de segurança
    context = UiContext(
        debtors=LazyDebtorList(backend),
        importer=SpreadsheetImportService(backend.ready, clock=SystemClock(),
                                          timezone=ZoneInfo(profile.timezone)),
        list_exporter=LazyListExporter(backend),
        regua=LazyRegua(backend),
        reminders=LazyReminders(backend),
        shop_settings=LazyShopSettings(backend),
        templates=LazyTemplates(backend, lambda: templates_api()),
        inbox=LazyInbox(backend, feed),
        operators=LazyOperators(backend),
        results=results_sources(backend),
        dossier=LazyDossier(backend),
        profile=profile.name,
        data_dir=profile.data_dir,
        database_label=profile.database_label,
        version=__version__,
        operator_name=None,
        api_status="emulator" if profile.is_demo else (
            "not_configured" if not wa.configured else "offline"),
        outbox_count=0,
        backups=WindowBackups(profile, backups, ready=backend.ready,
                              reopen=lambda path, operator_id: swap_database(path, operator_id)),
    )
    window = MainWindow(context, autostart=False, deferred=True)
    from cobrador_desktop.app.config import webhook_port
    from cobrador_desktop.app.setup_port import FirstRun, wizard_services

    first_run = FirstRun(wizard_services(
        profile, backend.ready, shop_settings=context.shop_settings or LazyShopSettings(backend),
        importer=context.importer, webhook_port=webhook_port()), window, window.session)
    first_paint = FirstPaint(lambda: marks.mark("first_paint"))
    window.installEventFilter(first_paint)
    window.show()
    app.processEvents()  # paint the frame now, before the heavier imports below
    setup_logging(profile.log_dir)
    log.info("window opened (profile %s, database %s)", profile.name, profile.database_label)
    backend.start()  # the database opens on its own thread while the rest loads

    import asyncio

    import qasync

    from cobrador_desktop.ui.errors import install_excepthook, show_known_error
    from cobrador_desktop.ui.widgets.tray import create_tray_icon

    marks.mark("loop_ready")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    crash_handler = install_excepthook(profile.log_dir)
    exit_code = 0
    pending: set[asyncio.Future[None]] = set()
    platform = LocalPlatform() if profile.is_demo else None

    def templates_api() -> Any:
        """Where the Modelos tab submits: the demo's emulator once it runs, else this PC's number."""
        if platform is None:
            from cobrador_desktop.app.config import cloud_api_config
            return cloud_api_config(*connection)  # saved fields + secrets (env overrides)
        if platform.api_base_url is None:
            return None
        from cobrador_desktop.whatsapp.client import CloudApiConfig
        from cobrador_desktop.whatsapp.emulator import EmulatorConfig
        emulated = EmulatorConfig()
        return CloudApiConfig(base_url=platform.api_base_url,
                              phone_number_id=emulated.phone_number_id, waba_id=emulated.waba_id,
                              access_token=emulated.access_token)
    engine: WhatsAppEngine | None = None  # the shop's own number (not the demo)
    connection: tuple[Any, ...] = ()  # (saved fields, secret store) once the database is open
    upkeep_task: asyncio.Future[None] | None = None  # when no engine runs the daily upkeep
    listener: Any = None  # other PCs' commits -> the feed (a shared PostgreSQL, app/sharing.py)
    upkeep_stop = asyncio.Event()
    backups_job: asyncio.Future[None] | None = None  # SQLite: one copy a shop day
    backups_stop = asyncio.Event()
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)  # the session ends (logout): no time for more
    shutting_down = False

    def request_quit() -> None:
        """Every way out: stop the in-process services on the running loop, then end the loop."""
        nonlocal shutting_down
        if shutting_down:
            return
        shutting_down = True
        pending.add(asyncio.ensure_future(shutdown()))

    async def shutdown() -> None:
        try:
            if platform is not None:
                await platform.stop()
            if engine is not None:
                await engine.stop()  # sends and webhook commits under way finish first
            if upkeep_task is not None:
                upkeep_stop.set()
                await upkeep_task  # an upkeep under way commits (or rolls back) first
            if backups_job is not None:
                backups_stop.set()
                await backups_job  # a copy under way is finished
            if listener is not None:
                await asyncio.to_thread(listener.stop)
        finally:
            closing.set()

    app.lastWindowClosed.connect(request_quit)
    tray = create_tray_icon(window, app_icon(), request_quit)

    page = getattr(args, "page", None)
    inbox_shot = bool(args.screenshot) and page == "caixa"
    results_shot = bool(args.screenshot) and page == "resultados"

    def on_first_data() -> None:
        marks.mark("first_data")
        marks.rss()
        # what start-up loaded lives as long as the program: later full collections skip it
        QTimer.singleShot(200, freeze_settled_heap)
        if args.screenshot and not inbox_shot and not results_shot:
            QTimer.singleShot(150, save_screenshot)

    def shoot_inbox() -> None:
        """The picture shows the inbox with its first conversation open (messages, panel)."""
        vm, view = window.inbox_vm, window.inbox_view
        if vm is None:  # no inbox on this profile: the page as it is
            QTimer.singleShot(1500, save_screenshot)
            return
        vm.first_page_loaded.connect(
            lambda empty: save_screenshot() if empty else view.conversations.step(1))
        vm.messages_reset.connect(lambda _page: QTimer.singleShot(800, save_screenshot))

    def shoot_results() -> None:
        """The picture shows the Resultados figures once counted (or what went wrong)."""
        vm = window.results_vm
        if vm is None:  # no figures on this profile: the page as it is
            QTimer.singleShot(1500, save_screenshot)
            return
        for done in (vm.loaded, vm.failed):
            done.connect(lambda _result: QTimer.singleShot(300, save_screenshot))

    saved = False

    signing_in: asyncio.Future[None] | None = None

    def save_screenshot() -> None:
        nonlocal exit_code, saved
        if saved:
            return
        if signing_in is not None and not signing_in.done():  # the demo's owner, shown
            signing_in.add_done_callback(lambda _: QTimer.singleShot(150, save_screenshot))
            return
        saved = True
        target = Path(args.screenshot).expanduser()
        app.processEvents()
        if not first_run.picture(window).save(str(target)):  # the wizard too, if open
            print(f"Não foi possível salvar a imagem em {target}.", file=sys.stderr)
            exit_code = 1
        else:
            print(f"Imagem da janela salva em {target}.", file=sys.stderr)
        request_quit()

    window.first_data_loaded.connect(on_first_data)

    async def open_backend() -> None:
        nonlocal exit_code, listener
        try:
            db = await backend.ready()
            from cobrador_desktop.app.sharing import SHARED_INBOX_POLL_MS, listen_for_changes

            listener = listen_for_changes(db, feed, loop, window.set_database_connected)
            inbox_vm = getattr(window, "inbox_vm", None)
            if listener is not None and inbox_vm is not None:
                inbox_vm.set_poll_ms(SHARED_INBOX_POLL_MS)  # NOTIFY brings the changes now
            sign_in_at_start()
            if not profile.is_demo:  # no owner yet: the set-up wizard opens over the window
                await first_run.open_if_first_run()
            await start_services(db)
            start_backups()
        except KnownError as err:
            log.warning("could not open the database: %s", err)
            exit_code = err.exit_code
            print(f"{err.message}\n{err.hint}", file=sys.stderr)
            if args.screenshot or args.exit_after is not None:
                request_quit()
                return
            if isinstance(err, DatabaseCorrupt) and profile.sqlite_path is not None:
                backup = latest_backup_or_none(profile)
                if backup is not None:
                    offer_restore(window, err, backup)
                    return
            dialog = show_known_error(window, err)
            dialog.finished.connect(lambda *_: request_quit())

    def sign_in_at_start() -> None:
        """The demo signs in as its owner; a normal profile asks who works (not for a screenshot
        or a timed run: nobody would type the password — the window stays signed out)."""
        controls = window.session_controls
        if controls is None or (not profile.is_demo and (
                args.screenshot or args.exit_after is not None)):
            return
        nonlocal signing_in
        controls.quit_requested.connect(request_quit)
        signing_in = asyncio.ensure_future(controls.start())
        pending.add(signing_in)

    def start_upkeep(db: Database) -> None:
        nonlocal upkeep_task
        from cobrador_desktop.scheduler.daily import DailyJob
        from cobrador_desktop.services.upkeep import RUN_AT, DailyUpkeep

        clock, zone = SystemClock(), ZoneInfo(profile.timezone)
        job = DailyJob("daily upkeep", DailyUpkeep(db, clock, zone).run_once, clock, zone,
                       at=RUN_AT)
        # a few seconds late: the debtor list's first data comes first
        upkeep_task = asyncio.ensure_future(job.run_forever(upkeep_stop, first_delay=5.0))

    async def start_engine(db: Database) -> None:
        nonlocal engine, connection
        from cobrador_desktop.app.engine import engine_from_environment
        from cobrador_desktop.app.secret_setup import store_at_start
        from cobrador_desktop.services.connection import ConnectionService

        # the encrypted secrets file asks for its passphrase here (not for a timed/screenshot run)
        store = await store_at_start(profile, window, interactive=not (
            args.screenshot or args.exit_after is not None))
        fields = (await ConnectionService(db, SystemClock()).load()).fields
        connection = (fields, store)
        candidate = engine_from_environment(db, SystemClock(), ZoneInfo(profile.timezone),
                                            feed=feed, fields=fields, store=store)
        if candidate is None or shutting_down:
            return
        # several PCs: this one sends only while it holds the database's sender lock
        candidate.on_sender_change = lambda state: window.set_other_sender(
            None if state.is_sender else (state.other or "?"))
        try:
            await candidate.start()
        except OSError as exc:
            # `serve` (or another window) already receives and sends on this PC: leave it to it
            await candidate.stop()
            log.warning("webhook port taken (%s): this window neither receives nor sends", exc)
            return
        engine = candidate
        if engine.receiver_url:
            log.info("receiving webhooks at %s/webhook", engine.receiver_url)
        if engine.sender is not None:
            window.set_api_status("connected")

    def start_backups() -> None:
        nonlocal backups_job
        if backups is not None and backups_job is None and not shutting_down:
            from cobrador_desktop.app.backup_port import start_daily_backups

            backups.subscribe(window.show_backup_status)
            backups_job = start_daily_backups(backups, ZoneInfo(profile.timezone), backups_stop)

    async def swap_database(backup: Path, operator_id: int | None) -> None:
        """Configurações › Restaurar: stop what uses the database, put the copy in its place
        (the current file kept aside), open it and start them again; the pages reload. A
        refused swap (the database open in another program) reopens the file as it was."""
        nonlocal engine, upkeep_task, upkeep_stop
        if platform is not None:
            await platform.stop()
        if engine is not None:
            await engine.stop()
            engine = None
        if upkeep_task is not None:
            upkeep_stop.set()
            await upkeep_task
            upkeep_task, upkeep_stop = None, asyncio.Event()
        try:
            await backend.restore_and_reopen(backup, operator_id=operator_id)
        finally:
            if not shutting_down:
                pending.add(asyncio.ensure_future(restart_after_restore()))

    async def restart_after_restore() -> None:
        try:
            db = await backend.ready()
        except KnownError as err:
            log.warning("could not open the restored database: %s", err)
            show_known_error(window, err).finished.connect(lambda *_: request_quit())
            return
        await start_services(db)
        window.reload_after_restore()

    async def start_services(db: Database) -> None:
        """What works on the database besides the window: the demo's emulator or the engine
        (sending, receiving, the scheduler), and the upkeep when the engine does not run it."""
        if platform is not None:
            try:
                await platform.start(db, live_debtors=True, feed=feed)
            except OSError:
                log.exception("the demo's WhatsApp emulator could not start")
                window.set_api_status("offline")
        else:
            await start_engine(db)
        if (engine is None or not engine.runs_upkeep) and not shutting_down:
            start_upkeep(db)

    def offer_restore(parent: MainWindow, err: KnownError, backup: Path) -> None:
        from cobrador_desktop.ui.dialogs.restore_dialog import RestoreBackupDialog

        dialog = RestoreBackupDialog(err, backup, parent)
        dialog.quit_chosen.connect(request_quit)
        dialog.restore_chosen.connect(
            lambda: pending.add(asyncio.ensure_future(restore_then_reload(backup))))
        dialog.open()

    async def restore_then_reload(backup: Path) -> None:
        nonlocal exit_code
        try:
            await backend.restore_and_reopen(backup)
        except KnownError as again:
            exit_code = again.exit_code
            show_known_error(window, again).finished.connect(lambda *_: request_quit())
            return
        exit_code = 0
        # nothing started while the file was damaged: sign-in, engine, upkeep and the daily copy
        # start now, as on a normal start
        await open_backend()
        window.reload_after_restore()

    if args.exit_after is not None:
        QTimer.singleShot(int(args.exit_after * 1000), request_quit)
    if args.screenshot or args.exit_after is not None:
        def crashed() -> None:  # the report is written and printed; nobody would close a dialog
            nonlocal exit_code
            exit_code = 1
            request_quit()

        crash_handler.unattended = crashed

    async def main() -> None:
        window.start()
        if not profile.is_demo:
            window.settings_view.add_section(first_run.launcher())  # Assistente de configuração
        if inbox_shot:
            shoot_inbox()
        if results_shot:
            shoot_results()
        if page is not None:
            from cobrador_desktop.app.cli import PAGE_CHOICES

            window.show_page(PAGE_CHOICES.index(page))
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


def choose_platform(*, screenshot: bool) -> bool:
    """Pick Qt's platform before it aborts for want of a screen.

    On Linux without DISPLAY or WAYLAND_DISPLAY (a server, CI), Qt's default xcb plugin cannot
    start and kills the process. A `--screenshot` needs no screen, so it uses the offscreen
    platform; anything else gets a clear message instead (returns False).
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return True
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return True
    return False
