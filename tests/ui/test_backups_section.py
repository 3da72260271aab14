"""Configurações › Cópias de segurança on a real SQLite file: the list, a copy now, and a restore
in the running program that reopens the database with the copy's data (owner only)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from cobrador_desktop.app.backend import Backend, LazyDebtorList
from cobrador_desktop.app.backup_port import WindowBackups, sqlite_backups
from cobrador_desktop.app.config import Profile, resolve_profile
from cobrador_desktop.domain.backups import MANUAL
from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.domain.roles import Role
from cobrador_desktop.services.operators import OperatorService
from cobrador_desktop.ui.viewmodels.backups_vm import BackupsViewModel
from cobrador_desktop.ui.widgets.backups_section import BackupsSection
from tests.fixtures.qt import run_async
from tests.unit.storage.factories import add_debtor

SHOP = ZoneInfo("America/Sao_Paulo")
SHOTS = Path("/tmp")


def _section(qtbot: QtBot, backups: WindowBackups, operator_id: int | None = None, *,
             owned: bool = True) -> BackupsSection:
    """The section, listed (`owned=False`: a page will own it, not qtbot)."""
    vm = BackupsViewModel(backups, operator_id=lambda: operator_id)
    section = BackupsSection(vm, tz=SHOP, now=SystemClock().now)
    if owned:
        qtbot.addWidget(section)
    section.resize(760, 460)
    with qtbot.waitSignal(vm.listed if backups.is_sqlite else vm.dumps_listed, timeout=5000):
        section.show()
    return section


def _in_settings_page(qtbot: QtBot, section: BackupsSection, profile: Profile) -> QWidget:
    """The section where the window shows it: in Configurações (its styles, its width)."""
    from cobrador_desktop.ui.views.settings_view import SettingsView

    page = SettingsView(version="1.0", profile="normal", data_dir=profile.data_dir,
                        database_label=profile.database_label, operator_name=None,
                        api_status="not_configured")
    qtbot.addWidget(page)
    page.add_section(section)
    page.resize(1000, 900)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def shop(tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop
         ) -> tuple[Profile, Backend, WindowBackups]:
    """A running program's database with Ana, a copy of it, then Bruno added after the copy."""
    profile = resolve_profile(data_dir=str(tmp_path / "dados"), database_url=None, demo=False)
    backend = Backend(profile, reset_demo=False)
    db = run_async(qasync_loop, backend.ready())
    db.run_sync(lambda s: add_debtor(s, "Ana"))
    service = sqlite_backups(profile)
    assert service is not None
    service.take(reason=MANUAL)
    db.run_sync(lambda s: add_debtor(s, "Bruno"))

    async def reopen(path: Path, operator_id: int | None) -> None:
        await backend.restore_and_reopen(path, operator_id=operator_id)

    yield profile, backend, WindowBackups(profile, service, ready=backend.ready, reopen=reopen)
    backend.close()


def test_restore_from_the_section_reopens_the_database_with_the_old_data(
        qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
        shop: tuple[Profile, Backend, WindowBackups]) -> None:
    profile, backend, backups = shop
    debtors = LazyDebtorList(backend)  # a service the window already uses
    assert run_async(qasync_loop, debtors.count()) == 2
    section = _section(qtbot, backups, owned=False)
    table = section.table
    assert table is not None and table.rowCount() == 1
    assert table.item(0, 1).text() == "Feita à mão"
    assert table.item(0, 2).text().endswith("KB")
    assert section.restore_button is not None and not section.restore_button.isEnabled()
    table.selectRow(0)
    assert section.restore_button.isEnabled()
    page = _in_settings_page(qtbot, section, profile)  # kept: it owns the section now
    page.grab().save(str(SHOTS / "backups_section.png"))

    backup = section.selected()
    assert backup is not None
    box = section.confirmation(backup)
    when = table.item(0, 0).text()
    assert when in box.text() and f"depois de {when} deixa de aparecer" in box.informativeText()
    assert box.defaultButton() is not section.confirm_button  # the safe answer is the default
    box.deleteLater()

    section.ask_restore()
    assert section.confirm_button is not None
    with qtbot.waitSignal(section.vm.restored, timeout=10000):
        section.confirm_button.click()
    qtbot.waitUntil(lambda: not section.vm.busy, timeout=5000)

    assert run_async(qasync_loop, debtors.count()) == 1  # Bruno came after the copy
    assert "restaurado" in section.message.text()
    assert profile.sqlite_path is not None
    kept = [p for p in profile.data_dir.iterdir() if "substituido" in p.name and
            p.suffix == ".db"]
    assert len(kept) == 1
    page.grab().save(str(SHOTS / "backups_section_restored.png"))


def test_copy_now_adds_a_row(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                             shop: tuple[Profile, Backend, WindowBackups]) -> None:
    section = _section(qtbot, shop[2])
    assert section.backup_button is not None and section.table is not None
    with qtbot.waitSignal(section.vm.listed, timeout=5000):
        section.backup_button.click()
    assert section.table.rowCount() == 2
    assert "Cópia gravada" in section.message.text()


def test_an_operator_cannot_restore(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop,
                                    shop: tuple[Profile, Backend, WindowBackups]) -> None:
    _profile, backend, backups = shop
    db = run_async(qasync_loop, backend.ready())
    operators = OperatorService(db, SystemClock())
    owner = run_async(qasync_loop, operators.create_first_owner("Rita", "senha-da-rita"))
    ana = run_async(qasync_loop, operators.add_operator("Ana", Role.OPERATOR, "senha-da-ana",
                                                        owner.operator_id))
    section = _section(qtbot, backups, operator_id=ana.id)
    assert section.table is not None
    section.table.selectRow(0)
    with qtbot.waitSignal(section.vm.failed, timeout=5000) as failed:
        section.vm.restore(section._backups[0].path)
    assert "Só o dono da loja pode restaurar uma cópia de segurança" in failed.args[0]
    debtors = LazyDebtorList(backend)
    assert run_async(qasync_loop, debtors.count()) == 2  # nothing changed


def test_postgresql_shows_pg_dump_guidance(qtbot: QtBot, tmp_path: Path,
                                           qasync_loop: asyncio.AbstractEventLoop) -> None:
    profile = resolve_profile(
        data_dir=str(tmp_path / "d"), demo=False,
        database_url="postgresql+psycopg://cobrador:segredo@servidor/cobrador")

    async def never(_path: Path, _operator: int | None) -> None:
        raise AssertionError("no restore on PostgreSQL")

    backups = WindowBackups(profile, None, ready=lambda: never(Path(), None),  # type: ignore[arg-type,return-value]
                            reopen=never)
    section = _section(qtbot, backups)
    texts = " ".join(label.text() for label in section.findChildren(type(section.status_label)))
    assert "pg_dump --format=custom" in texts and "pg_restore" in texts
    assert "segredo" not in texts
    assert "Nenhum arquivo do pg_dump" in section.status_label.text()
    section.grab().save(str(SHOTS / "backups_section_pg.png"))
