"""The main window: navigation on the left, one page at a time, status bar at the bottom."""

from __future__ import annotations

import logging
from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QStackedWidget, QSystemTrayIcon, QWidget

from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.session import SignedIn

if TYPE_CHECKING:
    from cobrador_desktop.ui.dialogs.import_wizard import ImportWizard
    from cobrador_desktop.ui.operator_screens import OperatorScreens
    from cobrador_desktop.ui.results_screens import ResultsScreens
    from cobrador_desktop.ui.session_controls import SessionControls
    from cobrador_desktop.ui.tasks import TaskRunner
from cobrador_desktop.ui.resources import app_icon, icon, stylesheet

if TYPE_CHECKING:
    from cobrador_desktop.ui.viewmodels.backups_vm import BackupsViewModel
    from cobrador_desktop.ui.viewmodels.debtor_detail_vm import DebtorDetailSource
    from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel
    from cobrador_desktop.ui.viewmodels.regua_preview_vm import ReguaPreviewViewModel
    from cobrador_desktop.ui.viewmodels.regua_vm import ReguaViewModel
    from cobrador_desktop.ui.viewmodels.results_vm import ResultsViewModel
    from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsViewModel
    from cobrador_desktop.ui.viewmodels.templates_vm import TemplatesViewModel
    from cobrador_desktop.ui.widgets.inbox_notifier import InboxNotifier

log = logging.getLogger("cobrador.ui")

OUTBOX_POLL_MS = 15_000
DEFAULT_SIZE = (1360, 800)


class Page(IntEnum):
    """The pages, in navigation order (Ctrl+1 … Ctrl+5)."""

    INBOX = 0
    DEBTORS = 1
    REMINDERS = 2
    RESULTS = 3
    SETTINGS = 4


class MainWindow(QMainWindow):
    """Cobrador Desktop's main window."""

    #: the Devedores page shows its first page of real data, or knows the list is empty (once)
    first_data_loaded = Signal()
    #: the page on screen changed (a `Page` value)
    page_changed = Signal(int)

    def __init__(self, context: UiContext, parent: QWidget | None = None, *,
                 autostart: bool = True, deferred: bool = False,
                 detail: DebtorDetailSource | None = None) -> None:
        """Make the window.

        Args:
            context: what the window needs from the rest of the program.
            detail: the debtor-detail service (default: `context.debtors.detail`, which the
                app's `LazyDebtorList` provides); without one, opening a debtor does nothing.
            autostart: build the pages and load data right after the first show.
            deferred: paint first (ARCHITECTURE.md §3): make only the bare frame now; navigation,
                status bar, pages and everything they import come with `start()`. The app uses
                this so the window is on screen before the rest of the program has loaded.
        """
        super().__init__(parent)
        self.context = context
        self._first_data_seen = False
        self._started = False
        self._chrome_built = False
        self._autostart = autostart
        self._tasks: TaskRunner | None = None
        self._detail_source = detail or getattr(context.debtors, "detail", None)
        self._title = (self.tr("Cobrador Desktop — Demonstração") if context.is_demo
                       else "Cobrador Desktop")
        self.setWindowTitle(self._title)
        self.tray: QSystemTrayIcon | None = None
        self.notifier: InboxNotifier | None = None
        #: who is signed in on this PC: every service call names them
        self.session = SignedIn(self)
        self.session_controls: SessionControls | None = None
        self.operator_screens: OperatorScreens | None = None
        self.setWindowIcon(app_icon())
        self.setStyleSheet(stylesheet())
        self.setMinimumSize(800, 540)
        self.stack = QStackedWidget()
        frame = QWidget()
        frame.setObjectName("loadingFrame")
        self.setCentralWidget(frame)
        if not deferred:
            self._build_chrome()
        self._restore_geometry()

    def _build_chrome(self) -> None:
        """Navigation, placeholder pages (the real ones come with `start()`) and status bar."""
        from cobrador_desktop.ui.widgets.sidebar import Sidebar
        from cobrador_desktop.ui.widgets.status_bar import StatusBar

        self._chrome_built = True
        context = self.context
        self.sidebar = Sidebar(self.tr("Versão {version}").format(version=context.version))
        labels = (
            ("inbox", self.tr("Caixa de entrada")),
            ("debtors", self.tr("Devedores")),
            ("reminders", self.tr("Régua")),
            ("results", self.tr("Resultados")),
            ("settings", self.tr("Configurações")),
        )
        for number, (icon_name, label) in enumerate(labels, start=1):
            self.stack.addWidget(QWidget())
            sequence = QKeySequence(f"Ctrl+{number}")
            self.sidebar.add_page(
                icon(icon_name), label,
                sequence.toString(QKeySequence.SequenceFormat.NativeText))
            shortcut = QShortcut(sequence, self)
            shortcut.activated.connect(lambda index=number - 1: self.show_page(index))
        self.sidebar.page_selected.connect(self.show_page)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.status.set_api_status(context.api_status)
        self.status.set_operator(context.operator_name)
        if context.operators is not None:  # sign-in: the Operador menu, the name shown
            from cobrador_desktop.ui.session_controls import SessionControls

            self.session_controls = SessionControls(self, context.operators, self._settings(),
                                                    demo=context.is_demo)
        self.status.set_profile(context.profile)
        if isinstance(context.outbox_count, int):
            self.status.set_outbox_count(context.outbox_count)
        self._outbox_timer = QTimer(self)
        self._outbox_timer.setInterval(OUTBOX_POLL_MS)
        self._outbox_timer.timeout.connect(self.refresh_outbox_count)
        self.show_page(Page.DEBTORS)

    # ------------------------------------------------------------------ pages
    def show_page(self, page: int) -> None:
        """Show page `page` (a `Page` value)."""
        page = Page(page)
        if self.stack.currentIndex() != page:
            self.stack.setCurrentIndex(page)
        self.sidebar.select(page)
        self.page_changed.emit(int(page))

    def current_page(self) -> Page:
        """The page on screen (a debtor's screen belongs to Devedores)."""
        if self._started and self.stack.currentWidget() is self.detail_view:
            return Page.DEBTORS
        return Page(self.stack.currentIndex())

    # ------------------------------------------------------------------ debtor screen
    def _build_detail_page(self) -> None:
        """The debtor screen: a page after the five, opened from the list; Esc goes back."""
        from cobrador_desktop.ui.viewmodels.debtor_detail_vm import DebtorDetailViewModel
        from cobrador_desktop.ui.views.debtor_detail_view import DebtorDetailView
        from cobrador_desktop.ui.widgets.list_position import ListPosition

        self.detail_vm = DebtorDetailViewModel(self._detail_source or _NoDetail(), parent=self,
                                               operator_id=self._operator_id,
                                               dossier=self.context.dossier)
        self.detail_view = DebtorDetailView(self.detail_vm, today=self._today,
                                            tz=self.context.timezone)
        dossier_button = self.detail_view.dossier_button
        if self.operator_screens is not None and dossier_button is not None:
            self.operator_screens.gate.guard(dossier_button,
                                             self.tr("gerar o dossiê de um devedor"))
        self.stack.addWidget(self.detail_view)
        # "Não é mais engano…" on a debtor's phones opens for the owner only
        from cobrador_desktop.ui.widgets.debtor_phones import PhonesPanel

        for phones in (*self.inbox_view.findChildren(PhonesPanel), self.detail_view.phones):
            phones.follow(self.session)
        self.list_position = ListPosition(self.debtor_list, self.debtors_view.model,
                                          self.debtors_view.table, parent=self)
        self.debtors_view.open_requested.connect(self.open_debtor)
        self.detail_view.back_requested.connect(self.close_debtor)
        # a payment changes the debtor's row, the counts and maybe the filters: reload the list
        # now, while the debtor is on screen, and come back to the same row
        for changed in (self.detail_vm.payment_recorded, self.detail_vm.promise_changed,
                        self.detail_vm.agreement_made, self.detail_vm.agreement_changed,
                        self.detail_vm.wrong_party_cleared):
            # the list behind the screen shows the new amounts, flags and counts
            changed.connect(self.list_position.reload_keeping)

    def open_debtor(self, debtor_id: int) -> None:
        """Show one debtor's screen (the list's Enter or double-click)."""
        if self._detail_source is None:
            log.warning("no debtor-detail service: debtor %s not opened", debtor_id)
            return
        self.detail_view.open_debtor(debtor_id)
        self.stack.setCurrentWidget(self.detail_view)
        self.detail_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_debtor(self) -> None:
        """Back to the list, on the row the debtor was opened from."""
        self.show_page(Page.DEBTORS)
        table = self.debtors_view.table
        table.setFocus(Qt.FocusReason.OtherFocusReason)
        if table.currentIndex().isValid() and not self.list_position.pending:
            table.scrollTo(table.currentIndex())

    # ------------------------------------------------------------------ start-up
    def _build_pages(self) -> None:
        from cobrador_desktop.ui.viewmodels.debtor_list_vm import DebtorListViewModel
        from cobrador_desktop.ui.views.coming_soon_views import (
            InboxView,
            RemindersView,
            ResultsView,
        )
        from cobrador_desktop.ui.views.debtors_view import DebtorsView
        from cobrador_desktop.ui.views.settings_view import SettingsView

        context = self.context
        self.debtor_list = DebtorListViewModel(context.debtors, parent=self)
        self.inbox_vm: InboxViewModel | None = None
        self.inbox_view: Any = self._build_inbox_page() or InboxView()
        self.debtors_view = DebtorsView(self.debtor_list, today=self._today, tz=context.timezone,
                                        demo=context.is_demo)
        self.regua_vm: ReguaViewModel | None = None
        self.regua_preview_vm: ReguaPreviewViewModel | None = None
        self.templates_vm: TemplatesViewModel | None = None
        self.reminders_view = self._build_regua_page() or RemindersView()
        results_page = self._build_results_page() or ResultsView()
        self.shop_settings_vm: ShopSettingsViewModel | None = None
        if context.shop_settings is not None:
            from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsViewModel

            self.shop_settings_vm = ShopSettingsViewModel(context.shop_settings, parent=self,
                                                          operator_id=self._operator_id)
        self.settings_view = SettingsView(
            version=context.version, profile=context.profile, data_dir=context.data_dir,
            database_label=context.database_label, operator_name=context.operator_name,
            api_status=context.api_status, shop_settings=self.shop_settings_vm)
        current = self.stack.currentIndex()
        views = (self.inbox_view, self.debtors_view, self.reminders_view, results_page,
                 self.settings_view)
        for index, view in enumerate(views):
            placeholder = self.stack.widget(index)
            assert placeholder is not None
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.stack.insertWidget(index, view)
        self.stack.setCurrentIndex(current)
        self.inbox_view.show_debtors_requested.connect(lambda: self.show_page(Page.DEBTORS))
        self.debtors_view.first_page_shown.connect(self._on_first_data)
        self.import_wizard: ImportWizard | None = None
        self.debtors_view.import_requested.connect(self.open_import_wizard)
        self.debtors_view.import_button.setVisible(context.importer is not None)
        self.debtors_view.set_exporter(context.list_exporter)
        if context.operators is not None:
            from cobrador_desktop.ui.operator_screens import OperatorScreens

            self.operator_screens = OperatorScreens(self, context.operators)
        self.backups_vm: BackupsViewModel | None = None
        if context.backups is not None:
            self._build_backups_section()

    def _build_results_page(self) -> QWidget | None:
        """Resultados, when the context has its sources (else the "próxima versão" page): a
        blank page until it is first shown, so its charts never delay the window's start."""
        self.results_screens: ResultsScreens | None = None
        if self.context.results is None:
            return None
        page = QWidget()
        page.setObjectName("page")
        self.page_changed.connect(self._on_results_page)
        return page

    def _on_results_page(self, page: int) -> None:
        if page == Page.RESULTS:
            self.ensure_results().view.refresh()  # counted again each time it is shown

    def ensure_results(self) -> ResultsScreens:
        """The Resultados screen, built (in place of its blank page) the first time it is needed."""
        if not self._started:
            raise RuntimeError("the window's pages are built by start() (or its first show)")
        if self.results_screens is None:
            assert self.context.results is not None, "no Resultados sources"
            from cobrador_desktop.ui.results_screens import ResultsScreens

            screens = ResultsScreens(self, self.context.results,
                                     operator_id=self._operator_id, today=self._today)
            blank = self.stack.widget(Page.RESULTS)
            showing = self.stack.currentIndex() == Page.RESULTS
            self.stack.insertWidget(Page.RESULTS, screens.view)
            if blank is not None:
                self.stack.removeWidget(blank)
                blank.deleteLater()
            if showing:
                self.stack.setCurrentIndex(Page.RESULTS)
            self.results_screens = screens
        return self.results_screens

    @property
    def results_view(self) -> QWidget:
        """The Resultados page (building the screen when the window has its sources)."""
        if self.context.results is not None:
            return self.ensure_results().view
        page = self.stack.widget(Page.RESULTS)
        assert page is not None
        return page

    @property
    def results_vm(self) -> ResultsViewModel | None:
        """Resultados' figures (None without its sources); asking builds the screen."""
        return None if self.context.results is None else self.ensure_results().vm

    @property
    def costs_vm(self) -> Any:
        """Resultados › Custos' view model (None without the costs source)."""
        return None if self.context.results is None else self.ensure_results().costs_vm

    def _build_backups_section(self) -> None:
        """Configurações › Cópias de segurança (restoring is the owner's)."""
        from cobrador_desktop.ui.viewmodels.backups_vm import BackupsViewModel
        from cobrador_desktop.ui.widgets.backups_section import BackupsSection

        assert self.context.backups is not None
        self.backups_vm = BackupsViewModel(self.context.backups, operator_id=self._operator_id,
                                           parent=self)
        gate = self.operator_screens.gate if self.operator_screens is not None else None
        self.backups_section = BackupsSection(
            self.backups_vm, tz=self.context.timezone, now=self.context.clock.now,
            guard=gate.guard if gate is not None else None)
        self.settings_view.add_section(self.backups_section)

    def show_backup_status(self, status: Any) -> None:
        """A failed automatic backup (a `services.backups.BackupStatus`) shows in the status bar
        until one works again; Configurações › Cópias de segurança says more."""
        label = getattr(self, "_backup_problem", None)
        if label is None:
            if not status.last_error:
                return
            from PySide6.QtWidgets import QLabel

            label = self._backup_problem = QLabel(self.tr("⚠ Cópia de segurança falhou"))
            label.setObjectName("backupProblem")
            label.setStyleSheet("color: #b42318;")
            self.status.addPermanentWidget(label)
        label.setToolTip(self.tr("A última cópia de segurança automática falhou: {error} Veja "
                                 "Configurações › Cópias de segurança.").format(
                                     error=status.last_error or ""))
        label.setVisible(bool(status.last_error))

    def reload_after_restore(self) -> None:
        """Every page reads the database again: a backup replaced it."""
        self.debtor_list.refresh()
        if self.stack.currentWidget() is getattr(self, "detail_view", None):
            self.detail_vm.reload()
        if self.inbox_vm is not None:
            self.inbox_vm.reload()
        built = self.results_screens
        for loader in (self.regua_vm, self.templates_vm, self.shop_settings_vm,
                       built.vm if built is not None else None):
            if loader is not None:
                loader.load()
        if self.operator_screens is not None:
            self.operator_screens.operators_vm.load()

    def _build_inbox_page(self) -> Any:
        """The shared inbox, when the context has one (else the "próxima versão" page)."""
        context = self.context
        if context.inbox is None:
            return None
        from cobrador_desktop.ui.viewmodels.inbox_vm import InboxViewModel
        from cobrador_desktop.ui.views.inbox_view import InboxView

        settings = self._settings()
        self.inbox_vm = InboxViewModel(context.inbox, context.clock, context.timezone, settings,
                                       parent=self)
        subscribe = getattr(context.inbox, "subscribe", None)
        if callable(subscribe):  # the in-process change feed: webhooks show at once
            subscribe(self.inbox_vm.notify)
        view = InboxView(self.inbox_vm, detail_source=self._detail_source, settings=settings)
        view.open_debtor_requested.connect(self._open_debtor_from_inbox)
        self.inbox_vm.unread_changed.connect(self._show_unread)
        self.inbox_settings = settings
        return view

    # ------------------------------------------------------------------ desktop habits
    def attach_tray(self, tray: QSystemTrayIcon) -> None:
        """The tray icon shows the inbox's unread count and notifies what debtors write."""
        self.tray = tray
        self._wire_tray()

    def _wire_tray(self) -> None:
        if self.tray is None or self.notifier is not None or getattr(self, "inbox_vm", None) is None:
            return
        from cobrador_desktop.ui.widgets.inbox_notifier import InboxNotifier

        assert self.inbox_vm is not None
        self.notifier = InboxNotifier(self.tray, self._watching, parent=self)
        self.inbox_vm.inbound_arrived.connect(self.notifier.add)
        self.notifier.open_requested.connect(self.open_conversation)

    def _watching(self, conversation_id: int) -> bool:
        """The operator is looking at this conversation (no notification for it)."""
        return (self.isActiveWindow() and not self.isMinimized()
                and self.current_page() == Page.INBOX and self.inbox_vm is not None
                and self.inbox_vm.open_id == conversation_id)

    def _show_unread(self, count: int) -> None:
        self.setWindowTitle(f"({count}) {self._title}" if count > 0 else self._title)
        if self.tray is not None:
            from cobrador_desktop.ui.widgets.tray import show_unread

            show_unread(self.tray, app_icon(), count)

    def open_conversation(self, conversation_id: int | None) -> None:
        """Bring the window to the front on the inbox, with this conversation open (a click on
        a notification; None: just the inbox)."""
        from cobrador_desktop.ui.widgets.tray import bring_to_front

        bring_to_front(self)
        if self.inbox_vm is None:
            return
        self.show_page(Page.INBOX)
        if conversation_id is not None:
            self.inbox_view.conversations.select_id(conversation_id)
            self.inbox_vm.open(conversation_id)

    def _open_debtor_from_inbox(self, debtor_id: int) -> None:
        self.show_page(Page.DEBTORS)
        self.open_debtor(debtor_id)

    def _build_regua_page(self) -> QWidget | None:
        """The Régua editor and its preview, when the context has a régua service."""
        context = self.context
        if context.regua is None:
            return None
        from cobrador_desktop.ui.viewmodels.regua_preview_vm import ReguaPreviewViewModel
        from cobrador_desktop.ui.viewmodels.regua_vm import ReguaViewModel
        from cobrador_desktop.ui.views.regua_view import ReguaView

        self.regua_vm = ReguaViewModel(context.regua, parent=self, operator_id=self._operator_id)
        if context.reminders is not None:
            self.regua_preview_vm = ReguaPreviewViewModel(
                context.reminders, clock=context.clock, tz=context.timezone, parent=self)
        view = ReguaView(self.regua_vm, self.regua_preview_vm, tz=context.timezone)
        if context.templates is not None:
            from cobrador_desktop.ui.viewmodels.templates_vm import TemplatesViewModel
            from cobrador_desktop.ui.views.templates_view import TemplatesView

            self.templates_vm = TemplatesViewModel(context.templates, parent=self,
                                                   operator_id=self._operator_id)
            view.tabs.addTab(TemplatesView(self.templates_vm, view), self.tr("Modelos"))
        return view

    def open_import_wizard(self) -> None:
        """Open "Importar planilha" (one at a time); the list reloads when it closes."""
        importer = self.context.importer
        if importer is None:
            return
        if self.import_wizard is not None:
            self.import_wizard.raise_()
            self.import_wizard.activateWindow()
            return
        from cobrador_desktop.ui.dialogs.import_wizard import ImportWizard

        wizard = self.import_wizard = ImportWizard(importer, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def closed() -> None:
            self.import_wizard = None
            if wizard.report is not None:
                self.debtor_list.refresh()

        wizard.finished.connect(closed)
        wizard.open()

    def start(self) -> None:
        """Build the pages and start loading data (done right after the first show unless the
        window was made with `autostart=False`; call it directly then, or when never shown)."""
        if self._started:
            return
        self._started = True
        if not self._chrome_built:
            self._build_chrome()
        self._build_pages()
        self._build_detail_page()
        # keyboard-first: typing and Ctrl+1…5 work at once, in the list
        self.debtors_view.table.setFocus()
        self.debtors_view.start()
        if self.inbox_vm is not None:
            self.inbox_vm.start()  # the tray's unread badge counts even off the page
            self._wire_tray()
        if not isinstance(self.context.outbox_count, int):
            self.refresh_outbox_count()
            self._outbox_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._started and self._autostart:
            # after the first paint, so the window appears before any data is awaited
            QTimer.singleShot(0, self.start)

    def _operator_id(self) -> int | None:
        """Who the services record (and check): the signed-in operator."""
        return self.session.operator_id

    def _on_first_data(self) -> None:
        if not self._first_data_seen:
            self._first_data_seen = True
            self.first_data_loaded.emit()

    def _today(self) -> date:
        return self.context.clock.now().astimezone(self.context.timezone).date()

    # ------------------------------------------------------------------ status
    def set_api_status(self, status: str) -> None:
        """Show the WhatsApp Cloud API state ("not_configured", "emulator", "connected", "offline")."""
        if not self._chrome_built:
            self._build_chrome()
        self.status.set_api_status(status)
        if self._started:
            self.settings_view.set_api_status(status)

    def set_outbox_count(self, count: int) -> None:
        """Show how many messages wait in the outbox."""
        if not self._chrome_built:
            self._build_chrome()
        self.status.set_outbox_count(count)

    def set_operator(self, name: str | None) -> None:
        """Show the operator working on this PC."""
        if not self._chrome_built:
            self._build_chrome()
        self.status.set_operator(name)
        if self._started:
            self.settings_view.set_operator(name)

    def set_database_connected(self, connected: bool) -> None:
        """Say the shared database cannot be reached (trying again), or no longer."""
        if not self._chrome_built:
            self._build_chrome()
        self.status.set_database_connected(connected)

    def set_other_sender(self, computer: str | None) -> None:
        """Say another computer sends (this one waits), or no longer."""
        if not self._chrome_built:
            self._build_chrome()
        self.status.set_other_sender(computer)

    def refresh_outbox_count(self) -> None:
        """Ask `context.outbox_count` (a function) for the queue size and show it."""
        source = self.context.outbox_count
        if isinstance(source, int):
            self.set_outbox_count(source)
            return
        if self._tasks is None:
            from cobrador_desktop.ui.tasks import TaskRunner

            self._tasks = TaskRunner("main-window")
        if self._tasks.running:
            return  # the previous answer has not arrived yet
        self._tasks.spawn(self._read_outbox_count(), "outbox-count")

    async def _read_outbox_count(self) -> None:
        source = self.context.outbox_count
        assert not isinstance(source, int)
        import inspect

        value = source()
        count = await value if inspect.isawaitable(value) else value
        self.set_outbox_count(int(count))

    # ------------------------------------------------------------------ geometry
    def _settings(self) -> QSettings:
        return QSettings(str(self.context.ui_settings_path), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        settings = self._settings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty() \
                and self.restoreGeometry(geometry):
            return
        width, height = DEFAULT_SIZE
        if QGuiApplication.platformName() != "offscreen":  # its fake screen is 800x600
            screen = self.screen().availableGeometry()
            width, height = min(width, screen.width()), min(height, screen.height())
        self.resize(width, height)

    def save_geometry(self) -> None:
        """Remember size and position for the next start."""
        settings = self._settings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        if self._chrome_built:
            self._outbox_timer.stop()
        if self._tasks is not None:
            self._tasks.cancel_all()
        if self._started:
            self.debtor_list.close()
            self.detail_vm.close()
            if self.inbox_vm is not None:
                self.inbox_view.shutdown()
            for vm in (self.regua_vm, self.regua_preview_vm, self.shop_settings_vm,
                       self.templates_vm, self.operator_screens, self.results_screens,
                       self.backups_vm):
                if vm is not None:
                    vm.close()
        super().closeEvent(event)


class _NoDetail:
    """Stands in when no debtor-detail service was given (`open_debtor` then does nothing)."""

    async def load(self, debtor_id: int) -> Any:
        raise RuntimeError(f"no debtor-detail service to open debtor {debtor_id}")

    async def record_payment(self, request: Any, *, operator_id: int | None = None) -> Any:
        raise RuntimeError("no debtor-detail service")

    async def add_note(self, debtor_id: int, text: str, *,
                       operator_id: int | None = None) -> Any:
        raise RuntimeError("no debtor-detail service")

    async def record_promise(self, request: Any, *, operator_id: int | None = None) -> Any:
        raise RuntimeError("no debtor-detail service")

    async def cancel_promise(self, promise_id: int, reason: str, *,
                             operator_id: int | None = None) -> Any:
        raise RuntimeError("no debtor-detail service")

    async def propose_agreement(self, request: Any, *, operator_id: int | None = None) -> Any:
        raise RuntimeError("no debtor-detail service")

    async def cancel_agreement(self, agreement_id: int, reason: str, *,
                               operator_id: int | None = None) -> Any:
        raise RuntimeError("no debtor-detail service")

    async def clear_wrong_party(self, debtor_id: int, phone_id: int, reason: str, *,
                                operator_id: int | None) -> Any:
        raise RuntimeError("no debtor-detail service")
