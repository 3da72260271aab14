"""The window's database start-up: opened off the GUI thread, restored from a backup when damaged."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cobrador_desktop.app.backend import Backend, LazyDebtorList, latest_backup_or_none
from cobrador_desktop.app.config import resolve_profile
from cobrador_desktop.domain.errors import DatabaseCorrupt
from cobrador_desktop.domain.records import DebtorSort
from cobrador_desktop.storage.backup import backup_sqlite
from cobrador_desktop.storage.db import open_database
from tests.fixtures.qt import run_async


def test_damaged_database_is_restored_from_the_latest_backup(
        tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop) -> None:
    profile = resolve_profile(data_dir=str(tmp_path / "dados"), database_url=None, demo=False)
    profile.data_dir.mkdir(parents=True)
    db = open_database(profile.database_url, backup_dir=profile.backup_dir)
    db.close()
    assert profile.sqlite_path is not None
    backup = backup_sqlite(profile.sqlite_path, profile.backup_dir, reason="diaria",
                           now=datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    garbage = b"\x00corrompido" * 1000
    profile.sqlite_path.write_bytes(garbage)
    for side in ("-wal", "-shm"):
        Path(f"{profile.sqlite_path}{side}").unlink(missing_ok=True)

    backend = Backend(profile, reset_demo=False)
    debtors = LazyDebtorList(backend)
    with pytest.raises(DatabaseCorrupt) as err:
        run_async(qasync_loop, debtors.count())
    assert backup.name in str(err.value)
    assert profile.sqlite_path.read_bytes() == garbage
    assert latest_backup_or_none(profile) == backup

    restored = run_async(qasync_loop, backend.restore_and_reopen(backup))
    try:
        assert run_async(qasync_loop, debtors.count()) == 0
        page = run_async(qasync_loop, debtors.page(DebtorSort.NAME))
        assert page.rows == ()
    finally:
        restored.close()
    kept = [p for p in profile.data_dir.iterdir() if "substituido" in p.name]
    assert kept and kept[0].read_bytes() == garbage


def test_demo_reset_only_removes_the_demo_database(tmp_path: Path) -> None:
    real = tmp_path / "dados" / "cobrador.db"
    real.parent.mkdir(parents=True)
    real.write_bytes(b"dados reais")
    demo = resolve_profile(data_dir=str(tmp_path / "dados"), database_url=None, demo=True)
    demo.data_dir.mkdir()
    assert demo.sqlite_path is not None
    demo.sqlite_path.write_bytes(b"demo")
    from cobrador_desktop.app.backend import _remove_demo_database

    _remove_demo_database(demo)
    assert not demo.sqlite_path.exists()
    assert real.read_bytes() == b"dados reais"


def test_the_windows_detail_port_records_promises_and_agreements(
        tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop) -> None:
    """The real window reaches every action of the debtor screen through the backend's port."""
    from datetime import timedelta

    from cobrador_desktop.app.backend import LazyDebtorDetail
    from cobrador_desktop.domain.agreements import AgreementRequest
    from cobrador_desktop.domain.records import PromiseRequest
    from tests.unit.storage.factories import add_debt, add_debtor

    profile = resolve_profile(data_dir=str(tmp_path / "dados"), database_url=None, demo=False)
    backend = Backend(profile, reset_demo=False)
    detail = LazyDebtorDetail(backend)
    today = datetime.now(UTC).date()
    db = run_async(qasync_loop, backend.ready())
    try:
        debtor, debts = db.run_sync(lambda s: (lambda d: (d, [
            add_debt(s, d, 30000, today - timedelta(days=40), description="Geladeira 1/2"),
            add_debt(s, d, 30000, today - timedelta(days=10), description="Geladeira 2/2")]))(
                add_debtor(s, "Maria Souza")))
        promised = run_async(qasync_loop, detail.record_promise(PromiseRequest(
            debtor_id=debtor, amount_cents=10000, due_date=today + timedelta(days=5))))
        assert [p.status for p in promised.promises] == ["open"]
        cancelled = run_async(qasync_loop, detail.cancel_promise(
            promised.promises[0].id, "cliente desistiu"))
        assert [p.status for p in cancelled.promises] == ["cancelled"]
        agreed = run_async(qasync_loop, detail.propose_agreement(AgreementRequest(
            debtor_id=debtor, debt_ids=tuple(debts), installments=3,
            first_due=today + timedelta(days=30), fine_bp=200)))
        assert len(agreed.agreements) == 1 and isinstance(agreed.agreements[0].id, int)
    finally:
        backend.close()


def test_the_regua_settings_and_preview_ports_work_on_the_opened_database(
        tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop) -> None:
    """The window's Régua and Configurações pages reach their services through the backend,
    which builds each on the database once it is open."""
    from cobrador_desktop.app.backend import LazyRegua, LazyReminders, LazyShopSettings
    from cobrador_desktop.domain.regua import DEFAULT_REGUA, Regua

    profile = resolve_profile(data_dir=str(tmp_path / "dados"), database_url=None, demo=False)
    profile.data_dir.mkdir(parents=True)
    backend = Backend(profile, reset_demo=False)
    regua, settings, reminders = (LazyRegua(backend), LazyShopSettings(backend),
                                  LazyReminders(backend))
    try:
        assert run_async(qasync_loop, regua.load()) == DEFAULT_REGUA
        shorter = Regua(DEFAULT_REGUA.steps[:2])
        run_async(qasync_loop, regua.save(shorter, None))
        assert run_async(qasync_loop, regua.load()) == shorter
        run_async(qasync_loop, settings.save_capacity(2, 30, None))
        assert run_async(qasync_loop, settings.load()).capacity.daily_new_conversations == 60
        plan = run_async(qasync_loop, reminders.plan(datetime(2026, 12, 7, 15, tzinfo=UTC)))
        assert plan.items == ()  # nobody owes anything yet
    finally:
        run_async(qasync_loop, backend.ready()).close()


def test_the_inbox_port_subscribes_before_the_database_opens_and_reaches_the_service(
        tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop) -> None:
    """The window's Caixa de entrada subscribes to the change feed while it is built (before the
    database is open) and then calls every InboxSource method through the backend."""
    from cobrador_desktop.app.backend import LazyInbox
    from cobrador_desktop.domain.inbox import InboxFilter
    from cobrador_desktop.services.events import ChangeFeed

    profile = resolve_profile(data_dir=str(tmp_path / "dados"), database_url=None, demo=False)
    profile.data_dir.mkdir(parents=True)
    backend = Backend(profile, reset_demo=False)
    feed = ChangeFeed()
    inbox = LazyInbox(backend, feed)
    heard: list[frozenset[int]] = []
    unsubscribe = inbox.subscribe(heard.append)
    feed.publish([7, 8])
    assert heard == [frozenset({7, 8})]
    unsubscribe()
    feed.publish([9])
    assert heard == [frozenset({7, 8})]
    try:
        page = run_async(qasync_loop, inbox.conversations(InboxFilter.ALL, None))
        assert page.rows == () and not page.has_more
        counts = run_async(qasync_loop, inbox.counts(None))
        assert counts.all == 0 and counts.unread_total == 0
        # the quick replies the migration seeds, read through the port
        assert any(q.shortcut == "/pix" for q in run_async(qasync_loop, inbox.quick_replies()))
    finally:
        run_async(qasync_loop, backend.ready()).close()
