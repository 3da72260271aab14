"""Signing in on a real database: the dialog (success, wrong password, lock, the last operator
remembered), switching operator in the window, the owner-only controls an operator finds closed
(and the service's refusal when forced), Operadores and the audit viewer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.roles import Actor, Role
from cobrador_desktop.services.operators import OperatorService
from cobrador_desktop.services.shop_settings import ShopSettingsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.dialogs.sign_in_dialog import LAST_OPERATOR_KEY, SignInDialog
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.viewmodels import shop_settings_vm as sections
from tests.fixtures.qt import run_async
from tests.ui.fakes import FakeDebtorSource

RITA_PASSWORD, ANA_PASSWORD = "rita-senha-1", "ana-senha-12"
#: argon2id, cheap: the tests hash and check many passwords
FAST = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)


class Shop:
    """A real operator service on a real database, with Rita (owner) and Ana (operator)."""

    def __init__(self, db: Database, clock: FakeClock, loop: asyncio.AbstractEventLoop) -> None:
        self.db, self.loop = db, loop
        self.operators = OperatorService(db, clock, hasher=FAST)
        self.settings = ShopSettingsService(db, clock)
        self.rita: Actor = run_async(loop, self.operators.create_first_owner("Rita",
                                                                             RITA_PASSWORD))
        info = run_async(loop, self.operators.add_operator("Ana", Role.OPERATOR, ANA_PASSWORD,
                                                           self.rita.operator_id))
        self.ana = Actor(info.id, "Ana", Role.OPERATOR)


@pytest.fixture
def shop(sqlite_database: Database, clock: FakeClock,
         qasync_loop: asyncio.AbstractEventLoop) -> Shop:
    return Shop(sqlite_database, clock, qasync_loop)


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def _dialog(qtbot: QtBot, shop: Shop, settings: QSettings, **kwargs: Any) -> SignInDialog:
    dialog = SignInDialog(shop.operators, settings, **kwargs)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.operators_loaded):
        dialog.open()
    return dialog


def _choose(dialog: SignInDialog, actor: Actor) -> None:
    dialog.operator_combo.setCurrentIndex(dialog.operator_combo.findData(actor.operator_id))


def test_sign_in_refuses_a_wrong_password_then_signs_in_and_remembers_who(
        qtbot: QtBot, shop: Shop, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    dialog = _dialog(qtbot, shop, settings)
    assert [dialog.operator_combo.itemText(i) for i in range(dialog.operator_combo.count())] \
        == ["Ana (operador)", "Rita (dono)"]
    assert not dialog.hint.isVisibleTo(dialog)  # the demo's password hint: only in the demo
    _choose(dialog, shop.ana)
    dialog.password.setText("errada-123")
    with qtbot.waitSignal(dialog.refused) as refused:
        dialog.sign_in_button.click()
    assert refused.args[0].startswith("Senha incorreta.")
    assert dialog.problem.text() == refused.args[0] and dialog.problem.isVisibleTo(dialog)
    assert dialog.password.text() == "" and dialog.isVisible()

    dialog.password.setText(ANA_PASSWORD)
    with qtbot.waitSignal(dialog.signed_in) as signed:
        dialog.sign_in_button.click()
    assert signed.args[0] == shop.ana
    assert not dialog.isVisible()
    assert int(settings.value(LAST_OPERATOR_KEY)) == shop.ana.operator_id
    # next time on this PC, Ana comes chosen
    again = _dialog(qtbot, shop, _settings(tmp_path), demo=True)
    assert again.operator_combo.currentData() == shop.ana.operator_id
    assert "A senha de todos é demo" in again.hint.text() and again.hint.isVisibleTo(again)


def test_sign_in_says_how_long_to_wait_after_too_many_wrong_passwords(
        qtbot: QtBot, shop: Shop, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, shop, _settings(tmp_path))
    _choose(dialog, shop.ana)
    texts = []
    for _ in range(5):
        dialog.password.setText("nao-e-essa")
        with qtbot.waitSignal(dialog.refused) as refused:
            dialog.sign_in_button.click()
        texts.append(refused.args[0])
    assert all(t.startswith("Senha incorreta.") for t in texts[:4])
    assert texts[4].startswith("Muitas senhas erradas seguidas para Ana.")
    assert "Espere 30 segundos" in texts[4]
    # locked: even the right password waits
    dialog.password.setText(ANA_PASSWORD)
    with qtbot.waitSignal(dialog.refused) as refused:
        dialog.sign_in_button.click()
    assert "Espere" in refused.args[0]


@pytest.fixture
def make_window(qtbot: QtBot, shop: Shop, tmp_path: Path,
                clock: FakeClock) -> Callable[..., MainWindow]:
    def make(**changes: Any) -> MainWindow:
        context = UiContext(
            debtors=FakeDebtorSource(count=5), profile="normal", data_dir=tmp_path / "dados",
            database_label="cobrador.db", version="1.0", clock=clock,
            shop_settings=shop.settings, operators=shop.operators,
            list_exporter=_NoExport(), **changes)
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.start()
        return window
    return make


class _NoExport:
    async def export_list(self, *args: Any, **kwargs: Any) -> int:
        raise AssertionError("not exported in these tests")


def test_switching_operator_changes_the_name_shown_and_the_operator_the_services_get(
        qtbot: QtBot, shop: Shop, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    controls = window.session_controls
    assert controls is not None
    window.session.set_actor(shop.rita)
    assert window.status.operator_label.text() == "Operador: Rita (dono)"
    dialog = controls.switch()
    with qtbot.waitSignal(dialog.operators_loaded):
        pass
    _choose(dialog, shop.ana)
    dialog.password.setText(ANA_PASSWORD)
    with qtbot.waitSignal(window.session.changed):
        dialog.sign_in_button.click()
    assert window.status.operator_label.text() == "Operador: Ana (operador)"
    assert window.settings_view.operator_value.text() == "Ana (operador)"
    # what the view-models hand the services is now Ana's id
    assert window._operator_id() == shop.ana.operator_id
    assert window.shop_settings_vm is not None
    assert window.shop_settings_vm._operator_id() == shop.ana.operator_id

    # Sair: nobody, and the sign-in asks again; closing it asks the program to close
    with qtbot.waitSignal(controls.quit_requested):
        dialog = controls.sign_out()
        assert window.session.actor is None
        assert window.status.operator_label.text() == "Operador: —"
        dialog.cancel_button.click()


def test_an_operator_finds_owner_only_controls_closed_and_a_forced_save_is_refused_and_audited(
        qtbot: QtBot, shop: Shop, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    window.session.set_actor(shop.ana)
    with qtbot.waitSignal(window.shop_settings_vm.loaded):  # type: ignore[union-attr]
        window.show_page(Page.SETTINGS)
        window.show()
    save = window.settings_view.sections[sections.SHOP].save_button
    export = window.debtors_view.export_button
    for button in (save, export, window.operator_screens.operators_section.add_button):  # type: ignore[union-attr]
        assert not button.isEnabled()
        assert button.toolTip().startswith("Só o dono da loja pode ")
        assert "Trocar operador" in button.toolTip()
    # the service refuses anyway: the section says so, nothing saved
    vm = window.shop_settings_vm
    assert vm is not None
    with qtbot.waitSignal(vm.save_failed) as failed:
        vm.save_shop({"trade_name": "Loja da Ana"})
    assert failed.args[1].startswith("Só o dono da loja pode mudar a identificação da loja.")

    # the owner signs in: the controls open, and the audit viewer shows Ana's attempt
    window.session.set_actor(shop.rita)
    assert save.isEnabled() and save.toolTip() == ""
    audit = window.operator_screens.audit_view  # type: ignore[union-attr]
    with qtbot.waitSignal(audit.vm.page_loaded):
        audit.action.setCurrentIndex(audit.action.findData("access.denied"))
        audit.action.activated.emit(audit.action.currentIndex())
    rows = [[audit.table.item(r, c).text() for c in range(5)]
            for r in range(audit.table.rowCount())]
    assert len(rows) == 1
    assert rows[0][1:3] == ["Ana", "Acesso negado"]
    assert rows[0][4] == "Tentou: mudar a identificação da loja"


def test_the_audit_viewer_is_closed_to_an_operator_and_the_service_refuses_it(
        qtbot: QtBot, shop: Shop, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    window.session.set_actor(shop.ana)
    screens = window.operator_screens
    assert screens is not None
    audit = screens.audit_view
    assert not audit.body.isEnabled()
    assert audit.message.text().startswith("Só o dono da loja pode ver o registro de auditoria.")
    with qtbot.waitSignal(audit.vm.failed) as failed:
        audit.vm.load(0)  # forced
    assert failed.args[0].startswith("Só o dono da loja pode ver o registro de auditoria.")
    assert audit.table.rowCount() == 0


def test_the_owner_adds_an_operator_who_then_signs_in(
        qtbot: QtBot, shop: Shop, make_window: Callable[..., MainWindow],
        tmp_path: Path) -> None:
    window = make_window()
    screens = window.operator_screens
    assert screens is not None
    section = screens.operators_section
    with qtbot.waitSignal(screens.operators_vm.loaded):
        window.session.set_actor(shop.rita)
    assert section.add_button.isEnabled()
    section.ask_add()
    dialog = section.dialog
    assert dialog is not None and dialog.name is not None
    dialog.name.setText("Bruno")
    dialog.password.setText("curta")
    dialog.again.setText("curta")
    dialog.submit()  # the password rule, said in place
    assert dialog.problem.text().startswith("A senha precisa ter pelo menos 8 caracteres.")
    dialog.password.setText("bruno-senha-1")
    dialog.again.setText("bruno-senha-1")
    with qtbot.waitSignal(screens.operators_vm.done) as done:
        dialog.submit()
    assert done.args[0].startswith("Bruno foi cadastrado")
    qtbot.waitUntil(lambda: section.table.rowCount() == 3)
    names = [section.table.item(r, 0).text() for r in range(section.table.rowCount())]
    assert names == ["Ana", "Bruno", "Rita (você)"]
    bruno = next(o for o in screens.operators_vm.operators if o.name == "Bruno")
    sign_in = _dialog(qtbot, shop, _settings(tmp_path))
    _choose(sign_in, Actor(bruno.id, "Bruno", Role.OPERATOR))
    sign_in.password.setText("bruno-senha-1")
    with qtbot.waitSignal(sign_in.signed_in) as signed:
        sign_in.submit()
    assert signed.args[0] == Actor(bruno.id, "Bruno", Role.OPERATOR)


def test_the_inbox_works_as_the_signed_in_operator_and_follows_a_switch(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    from cobrador_desktop.ui.viewmodels.inbox_vm import OPERATOR_KEY, InboxViewModel
    from tests.ui.inbox_fake import FakeInboxSource
    from tests.ui.inbox_helpers import TZ, settings_at

    source = FakeInboxSource()
    cid = source.add_conversation("Ana Souza")
    settings = settings_at(tmp_path)
    settings.setValue(OPERATOR_KEY, 1)  # the old picker's choice: ignored once signed in
    vm = InboxViewModel(source, source.clock, TZ, settings, poll_ms=20, hidden_poll_ms=20)
    vm.pin_operator(3)
    with qtbot.waitSignals([vm.first_page_loaded, vm.counts_changed], timeout=5000):
        vm.start()
    assert vm.operator_id == 3
    assert ("counts", (3,)) in source.calls
    with qtbot.waitSignal(vm.header_changed):
        vm.open(cid)
    source.calls.clear()
    with qtbot.waitSignal(vm.counts_changed):
        vm.pin_operator(2)  # Trocar operador
    vm.claim()
    qtbot.waitUntil(lambda: ("claim", (cid, 2)) in source.calls)
    assert settings.value(OPERATOR_KEY) in (1, "1")  # nothing remembered by the inbox
    vm.close()
