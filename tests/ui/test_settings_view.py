"""The Configurações page over a real database: each section edited, saved, audited and read back;
a refused value explained with the typed values kept."""

from __future__ import annotations

import asyncio
import os
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.pix import decode_brcode
from cobrador_desktop.domain.settings import (
    AGREEMENT_BREAK_AFTER_DAYS,
    CAPACITY,
    CONTACT_PROFILE,
    SHOP,
    SHOP_PIX_KEY,
    ShopDetails,
)
from cobrador_desktop.services.debtors import DebtorListService
from cobrador_desktop.services.pix import read_shop_pix
from cobrador_desktop.services.shop_settings import ShopSettingsService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry
from cobrador_desktop.storage.repos.settings import read_guard_settings, read_setting
from cobrador_desktop.ui.context import UiContext
from cobrador_desktop.ui.main_window import MainWindow, Page
from cobrador_desktop.ui.resources import stylesheet
from cobrador_desktop.ui.viewmodels.shop_settings_vm import ShopSettingsViewModel
from cobrador_desktop.ui.views.settings_view import SettingsView

#: a valid CNPJ (check digits right) and one with a wrong last digit
CNPJ, BAD_CNPJ = "11.222.333/0001-81", "11.222.333/0001-82"


@pytest.fixture
def service(sqlite_database: Database, clock: FakeClock) -> ShopSettingsService:
    return ShopSettingsService(sqlite_database, clock)


def _open(qtbot: QtBot, service: ShopSettingsService, tmp_path: Path) -> SettingsView:
    vm = ShopSettingsViewModel(service)
    view = SettingsView(version="1.0", profile="normal", data_dir=tmp_path,
                        database_label="cobrador.db", operator_name=None,
                        api_status="not_configured", shop_settings=vm)
    qtbot.addWidget(view)
    view.resize(1000, 760)
    with qtbot.waitSignal(vm.loaded):
        view.show()
    return view


def _audited(db: Database, key: str) -> list[dict[str, object]]:
    return db.run_sync(lambda s: list(s.scalars(select(AuditEntry.details).where(
        AuditEntry.action == "setting.change", AuditEntry.object_id == key)).all()))


def _save(qtbot: QtBot, view: SettingsView, name: str, *, refused: bool = False) -> None:
    assert view.vm is not None
    signal = view.vm.save_failed if refused else view.vm.saved
    with qtbot.waitSignal(signal):
        view.sections[name].save_button.click()


def test_every_section_saves_is_audited_and_comes_back(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, service: ShopSettingsService,
        sqlite_database: Database, tmp_path: Path) -> None:
    view = _open(qtbot, service, tmp_path)
    # nothing saved yet: empty identity, the defaults of COMPLIANCE §2.1
    assert view.shop_section.trade_name.text() == ""
    assert view.hours_section.weekday_start.time() == QTime(9, 0)
    assert view.capacity_section.total.text() == "= 40 conversas novas por dia"
    assert "Com a chave salva" in view.pix_section.check.text()

    shop = view.shop_section
    shop.trade_name.setText("Loja Exemplo")
    shop.legal_name.setText("Exemplo Comércio de Roupas Ltda")
    shop.document.setText("11222333000181")
    shop.address.setText("Rua das Flores, 100, Centro, Campinas")
    shop.uf.setCurrentIndex(shop.uf.findData("SP"))
    _save(qtbot, view, "shop")
    assert shop.message.text().startswith("Salvo.")
    assert shop.document.text() == CNPJ  # shown formatted once stored
    stored = sqlite_database.run_sync(read_guard_settings)
    assert stored.shop_details == ShopDetails(
        "Loja Exemplo", "Exemplo Comércio de Roupas Ltda", "11222333000181",
        "Rua das Flores, 100, Centro, Campinas", "SP")
    assert _audited(sqlite_database, SHOP.key)[0]["from"] is None

    pix = view.pix_section
    pix.key.setText(CNPJ)
    pix.name.setText("Loja Exemplo")
    pix.city.setText("Campinas")
    _save(qtbot, view, "pix")
    saved_pix = read_shop_pix(sqlite_database)
    assert (saved_pix.key, saved_pix.name, saved_pix.city) == (
        "11222333000181", "Loja Exemplo", "Campinas")
    code = pix.code.text()
    pix.copy_button.click()
    assert QApplication.clipboard().text() == code
    charge = decode_brcode(code).charge
    assert charge.amount_cents == 100 and charge.key == "11222333000181"
    assert _audited(sqlite_database, SHOP_PIX_KEY)[0]["to"] == {
        "key": "11222333000181", "name": "Loja Exemplo", "city": "Campinas"}

    hours = view.hours_section
    hours.weekday_start.setTime(QTime(8, 30))
    hours.weekday_end.setTime(QTime(19, 0))
    hours.saturday.setChecked(True)
    hours.saturday_start.setTime(QTime(9, 0))
    hours.saturday_end.setTime(QTime(13, 0))
    hours.optional_holidays.setChecked(False)
    for name, value in (("daily_cap", 2), ("weekly_cap", 5), ("min_gap_hours", 4),
                        ("identity_attempts_max", 3), ("identity_retry_days", 5),
                        ("promise_grace_days", 2)):
        hours.spins[name].setValue(value)
    _save(qtbot, view, "hours")
    profile = sqlite_database.run_sync(read_guard_settings).profile
    assert (profile.weekday_start, profile.weekday_end) == (time(8, 30), time(19))
    assert profile.saturday_enabled and profile.saturday_end == time(13)
    assert not profile.include_optional_holidays
    assert (profile.daily_cap, profile.weekly_cap, profile.min_gap_hours) == (2, 5, 4)
    assert (profile.identity_attempts_max, profile.identity_retry_days,
            profile.promise_grace_days) == (3, 5, 2)
    assert profile.reply_grace_minutes == 60  # not on the screen: kept
    to = _audited(sqlite_database, CONTACT_PROFILE.key)[0]["to"]
    assert isinstance(to, dict) and to["weekday_start"] == "08:30"

    capacity = view.capacity_section
    capacity.operators.setValue(3)
    capacity.each.setValue(25)
    assert capacity.total.text() == "= 75 conversas novas por dia"
    _save(qtbot, view, "capacity")
    assert sqlite_database.run_sync(read_guard_settings).capacity.daily_new_conversations == 75
    assert _audited(sqlite_database, CAPACITY.key)

    view.agreement_section.days.setValue(45)
    _save(qtbot, view, "agreement")
    assert sqlite_database.run_sync(
        lambda s: read_setting(s, AGREEMENT_BREAK_AFTER_DAYS)) == 45
    assert _audited(sqlite_database, AGREEMENT_BREAK_AFTER_DAYS.key)[0]["to"] == 45
    # an edit after saving takes the confirmation away; Enter in a text field saves
    view.agreement_section.days.setValue(46)
    assert not view.agreement_section.message.isVisible()
    assert shop.message.isVisible()  # the other sections keep theirs
    shop.trade_name.setText("Loja Exemplo Centro")
    assert view.vm is not None
    with qtbot.waitSignal(view.vm.saved):
        qtbot.keyClick(shop.trade_name, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    identity = sqlite_database.run_sync(read_guard_settings).shop
    assert identity is not None and identity.trade_name == "Loja Exemplo Centro"
    shop.trade_name.setText("Loja Exemplo")
    _save(qtbot, view, "shop")

    # a new page on the same database shows everything saved
    again = _open(qtbot, service, tmp_path)
    assert again.shop_section.trade_name.text() == "Loja Exemplo"
    assert again.shop_section.document.text() == CNPJ
    assert again.shop_section.uf.currentData() == "SP"
    assert again.pix_section.name.text() == "Loja Exemplo"
    assert again.pix_section.code.text() == code
    assert again.hours_section.weekday_start.time() == QTime(8, 30)
    assert again.hours_section.saturday.isChecked()
    assert again.hours_section.saturday_start.isEnabled()
    assert again.hours_section.spins["weekly_cap"].value() == 5
    assert again.capacity_section.total.text() == "= 75 conversas novas por dia"
    assert again.agreement_section.days.value() == 45


def test_refused_values_are_explained_and_the_typed_values_stay(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, service: ShopSettingsService,
        sqlite_database: Database, tmp_path: Path) -> None:
    view = _open(qtbot, service, tmp_path)
    shop = view.shop_section
    shop.trade_name.setText("Loja Exemplo")
    shop.legal_name.setText("Exemplo Ltda")
    shop.document.setText(BAD_CNPJ)
    shop.address.setText("Rua A, 1")
    _save(qtbot, view, "shop", refused=True)
    assert shop.message.isVisible() and shop.message.objectName() == "sectionProblem"
    assert shop.message.text().startswith(f"CPF/CNPJ inválido: “{BAD_CNPJ}”.")
    assert (shop.trade_name.text(), shop.document.text()) == ("Loja Exemplo", BAD_CNPJ)
    assert sqlite_database.run_sync(read_guard_settings).shop_details is None
    assert not _audited(sqlite_database, SHOP.key)
    # a missing field is named
    shop.document.setText(CNPJ)
    shop.legal_name.setText("  ")
    _save(qtbot, view, "shop", refused=True)
    assert shop.message.text().startswith("Preencha “Razão social da loja”.")

    hours = view.hours_section
    hours.weekday_start.setTime(QTime(7, 0))
    hours.spins["daily_cap"].setValue(2)
    _save(qtbot, view, "hours", refused=True)
    assert hours.message.text().startswith(
        "A janela “Horário de segunda a sexta” (07:00–18:00) não serve")
    assert hours.weekday_start.time() == QTime(7, 0) and hours.spins["daily_cap"].value() == 2
    assert sqlite_database.run_sync(read_guard_settings).profile.daily_cap == 1
    # the other sections were not touched by that refusal
    assert not view.capacity_section.message.isVisible()
    # fixed: it saves, and the message becomes the confirmation
    hours.weekday_start.setTime(QTime(8, 0))
    _save(qtbot, view, "hours")
    assert hours.message.objectName() == "sectionSaved"
    assert sqlite_database.run_sync(read_guard_settings).profile.daily_cap == 2

    pix = view.pix_section
    pix.key.setText("not a key")
    pix.name.setText("Loja")
    pix.city.setText("Campinas")
    _save(qtbot, view, "pix", refused=True)
    assert "PIX" in pix.message.text() or "chave" in pix.message.text().lower()
    assert pix.key.text() == "not a key"
    assert read_shop_pix(sqlite_database).key is None


def test_page_renders(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                      service: ShopSettingsService, tmp_path: Path) -> None:
    """Render the page at a laptop size (`COBRADOR_SHOT=path.png` keeps the picture)."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    qapp.setStyleSheet(stylesheet())
    view = _open(qtbot, service, tmp_path)
    view.resize(1100, 800)
    view.pix_section.key.setText(CNPJ)
    view.pix_section.name.setText("Loja Exemplo")
    view.pix_section.city.setText("Campinas")
    _save(qtbot, view, "pix")
    view.shop_section.document.setText(BAD_CNPJ)
    _save(qtbot, view, "shop", refused=True)
    qtbot.wait(50)
    body = view.scroll_area.widget()
    assert body is not None
    for section in view.sections.values():
        # every section fits its width: nothing cut on the right
        assert section.width() >= section.minimumSizeHint().width()
        assert section.geometry().right() <= body.width()
    # at the window's minimum size (800 px less the sidebar) the page still fits its width
    view.resize(576, 700)
    qtbot.wait(50)
    assert not view.scroll_area.horizontalScrollBar().isVisible()
    shot = os.environ.get("COBRADOR_SHOT")
    if shot:
        view.grab().save(shot.replace(".png", "_narrow.png"))
        view.resize(1100, 800)
        qtbot.wait(50)
        view.grab().save(shot)  # as a laptop shows it
        view.resize(1100, body.sizeHint().height() + 120)
        qtbot.wait(50)
        view.grab().save(shot.replace(".png", "_full.png"))  # the whole page
    qapp.setStyleSheet("")


def test_the_main_window_opens_the_editable_page_on_ctrl_5(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, service: ShopSettingsService,
        sqlite_database: Database, tmp_path: Path, clock: FakeClock) -> None:
    context = UiContext(
        debtors=DebtorListService(sqlite_database), profile="normal",
        data_dir=tmp_path / "dados", database_label="sqlite", version="0.1.0", clock=clock,
        shop_settings=service)
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.resize(1360, 800)
    with qtbot.waitSignal(win.first_data_loaded):
        win.show()
    assert win.shop_settings_vm is not None
    with qtbot.waitSignal(win.shop_settings_vm.loaded):
        qtbot.keyClick(win, Qt.Key.Key_5,  # type: ignore[no-untyped-call]
                       Qt.KeyboardModifier.ControlModifier)
    assert win.current_page() == Page.SETTINGS
    assert win.settings_view.shop_section.isEnabled()
    assert win.settings_view.capacity_section.total.text() == "= 40 conversas novas por dia"
