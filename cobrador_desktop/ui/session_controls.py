"""The window's sign-in: the Operador menu (Trocar operador, Sair), the status bar's name, the
sign-in dialog at start, and the demo's automatic sign-in as its owner.

Sair signs out and asks who comes next; closing that dialog with nobody signed in closes the
program (`quit_requested`), so the window is never left usable without an operator.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.ui.dialogs.sign_in_dialog import SignInDialog
from cobrador_desktop.ui.session import OperatorSource, SignedIn

if TYPE_CHECKING:
    from cobrador_desktop.ui.main_window import MainWindow

log = logging.getLogger("cobrador.ui")


class SessionControls(QObject):
    """Menu, status bar and dialogs around the window's `SignedIn`."""

    #: nobody signed in and the sign-in was closed: the program should close
    quit_requested = Signal()

    def __init__(self, window: MainWindow, source: OperatorSource, settings: QSettings, *,
                 demo: bool) -> None:
        super().__init__(window)
        self.window = window
        self.session: SignedIn = window.session
        self.source = source
        self.settings = settings
        self.demo = demo
        self.dialog: SignInDialog | None = None
        menu = window.menuBar().addMenu(self.tr("&Operador"))
        self.switch_action = QAction(self.tr("&Trocar operador…"), self)
        self.switch_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.switch_action.triggered.connect(self.switch)
        self.sign_out_action = QAction(self.tr("&Sair (encerrar sessão)"), self)
        self.sign_out_action.triggered.connect(self.sign_out)
        menu.addAction(self.switch_action)
        menu.addAction(self.sign_out_action)
        self.menu = menu
        self.session.changed.connect(self._show_actor)
        # made with the window's chrome, before its pages: only the status bar shows it yet
        window.status.set_operator(self.session.label)
        self.sign_out_action.setEnabled(self.session.actor is not None)

    def _show_actor(self, *_: object) -> None:
        self.window.set_operator(self.session.label)
        self.sign_out_action.setEnabled(self.session.actor is not None)

    # ------------------------------------------------------------------ dialogs
    def ask_sign_in(self) -> SignInDialog:
        """At start (and after Sair): who is working? Closing it closes the program."""
        dialog = self._open(self.tr("Fechar o programa"))
        dialog.rejected.connect(self._closed_without_sign_in)
        return dialog

    def switch(self) -> SignInDialog:
        """Trocar operador: someone else signs in; Cancelar keeps who was signed in."""
        dialog = self._open(self.tr("Cancelar"))
        dialog.rejected.connect(self._closed_without_sign_in)
        return dialog

    def sign_out(self) -> SignInDialog:
        """Sair: nobody is signed in until someone signs in again."""
        log.info("operator %s signed out", self.session.operator_id)
        self.session.sign_out()
        return self.ask_sign_in()

    def _open(self, cancel_text: str) -> SignInDialog:
        if self.dialog is not None:
            self.dialog.close()
        dialog = SignInDialog(self.source, self.settings, demo=self.demo,
                              cancel_text=cancel_text, parent=self.window)
        dialog.signed_in.connect(self.session.set_actor)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed_without_sign_in(self) -> None:
        if self.session.actor is None:
            self.quit_requested.emit()

    # ------------------------------------------------------------------ start
    async def start(self) -> None:
        """At start: the demo signs in as its owner; a normal profile asks who is working,
        unless no owner exists yet (the first-run wizard makes one and signs them in)."""
        try:
            if self.demo:
                await self._sign_in_demo_owner()
                return
            if await self.source.needs_owner():
                return
        except KnownError as error:
            log.warning("sign-in at start failed: %s", error.message_source)
        if self.session.actor is None:
            self.ask_sign_in()

    async def _sign_in_demo_owner(self) -> None:
        from cobrador_desktop.services.passwords import DEMO_PASSWORD

        operators = await self.source.list_operators()
        owners = [o for o in operators if str(o.role) == "owner" and o.active and o.has_password]
        if owners:
            self.session.set_actor(await self.source.sign_in(owners[0].id, DEMO_PASSWORD))
