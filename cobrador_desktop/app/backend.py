"""The window's way to the database: opened off the GUI thread, after the first paint.

`Backend` imports the storage layer (SQLAlchemy, Alembic) and opens, checks, migrates and, for the
demo, seeds the database on a worker thread; `LazyDebtorList` is the debtor-list service the window
gets at once, and which waits for the database on first use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cobrador_desktop.app.config import DB_FILENAME, Profile
from cobrador_desktop.app.marks import BenchMarks
from cobrador_desktop.domain.clock import SystemClock

if TYPE_CHECKING:
    # types only: the records load after the window's first paint
    from cobrador_desktop.domain.agreements import AgreementRequest
    from cobrador_desktop.domain.records import (
        DebtorCounts,
        DebtorDetail,
        DebtorPage,
        DebtorQuery,
        DebtorSort,
        PaymentRequest,
        PromiseRequest,
    )
    from cobrador_desktop.domain.regua import Regua
    from cobrador_desktop.services.events import ChangeFeed
    from cobrador_desktop.storage.db import Database

log = logging.getLogger("cobrador.app")


class Backend:
    """Opens the database off the GUI thread; services await `ready()`."""

    def __init__(self, profile: Profile, *, reset_demo: bool,
                 marks: BenchMarks | None = None) -> None:
        self.profile = profile
        self.reset_demo = reset_demo
        self.marks = marks or BenchMarks()
        self._future: Future[Database] | None = None
        #: grows when a restore replaces the database: services built on the old one are rebuilt
        self.generation = 0

    def start(self) -> None:
        """Begin opening the database on its own thread; needs no event loop yet, so the window
        can call it right after its first paint, while the rest of the program still loads."""
        future: Future[Database] = Future()

        def work() -> None:
            try:
                db = self._open()
                self.marks.mark("database_open")
                future.set_result(db)
            except BaseException as exc:  # delivered to whoever awaits ready()
                future.set_exception(exc)

        self._future = future
        threading.Thread(target=work, name="cobrador-open-db", daemon=True).start()

    async def restore_and_reopen(self, backup: Path, *,
                                 operator_id: int | None = None) -> Database:
        """Put `backup` in place of the database file (kept beside it, renamed), then open again.

        The database open now, if any, is closed first (whoever used it must have stopped), and
        the services built on it are rebuilt on first use (`generation`). When the swap is
        refused (another program has the file open), the old file is opened again and the error
        raised. The restored database gets an audit entry naming the copy and `operator_id`.
        """
        import asyncio

        from cobrador_desktop.services.backup_restore import record_restore
        from cobrador_desktop.storage.backup import restore_sqlite

        path = self.profile.sqlite_path
        assert path is not None
        loop = asyncio.get_running_loop()
        if self._future is not None and self._future.done() and \
                self._future.exception() is None:
            await loop.run_in_executor(None, self._future.result().close)
        self.generation += 1
        try:
            kept = await loop.run_in_executor(None, restore_sqlite, backup, path)
        except BaseException:
            self.start()  # the file as it was
            raise
        log.warning("database restored from %s; the file it replaced was kept as %s", backup,
                    kept)
        self.start()
        db = await self.ready()
        now = SystemClock().now()
        await loop.run_in_executor(None, partial(record_restore, db, backup=backup, kept=kept,
                                                 operator_id=operator_id, now=now))
        return db

    async def ready(self) -> Database:
        import asyncio

        if self._future is None:
            self.start()
        assert self._future is not None
        return await asyncio.wrap_future(self._future)

    def _open(self) -> Database:
        from cobrador_desktop.storage.db import open_database

        if self.profile.is_demo and self.reset_demo:
            _remove_demo_database(self.profile)
        db = open_database(self.profile.database_url, backup_dir=self.profile.backup_dir)
        if self.profile.is_demo:
            from cobrador_desktop.services.demo import is_seeded, seed_demo_sync

            if not is_seeded(db):
                now = SystemClock().now()
                today = now.astimezone(ZoneInfo(self.profile.timezone)).date()
                seed_demo_sync(db, today=today, now=now)
                log.info("demo data seeded for %s", today)
        return db

    def close(self, timeout: float = 60.0) -> None:
        """Close the database; an opening still under way (a migration, the demo seed) is let
        finish first, so quitting early never interrupts it half-way."""
        if self._future is None:
            return
        try:
            db = self._future.result(timeout=timeout)
        except Exception:  # already reported to the user when it happened
            return
        db.close()


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
        self._generation = 0  # the backend's generation `_service` was built on
        #: the debtor screen's service, on the same database (the window finds it here)
        self.detail = LazyDebtorDetail(backend)

    async def _get(self) -> Any:
        if self._service is None or self._generation != self._backend.generation:
            self._generation = self._backend.generation
            db = await self._backend.ready()
            from cobrador_desktop.services.debtors import DebtorListService

            self._service = DebtorListService(db, today=self._today)
        return self._service

    def _today(self) -> date:
        """The shop's date: the date filters ("em atraso", "vence em 7 dias") follow its clock."""
        return SystemClock().now().astimezone(ZoneInfo(self._backend.profile.timezone)).date()

    async def page(self, sort: DebtorSort, after: tuple[Any, ...] | None = None,
                   limit: int = 200, query: DebtorQuery | None = None) -> DebtorPage:
        service = await self._get()
        page: DebtorPage = await service.page(sort, after, limit, query)
        return page

    async def count(self, query: DebtorQuery | None = None) -> int:
        service = await self._get()
        return int(await service.count(query))

    async def counts(self) -> DebtorCounts:
        service = await self._get()
        counts: DebtorCounts = await service.counts()
        return counts


class LazyDebtorDetail:
    """The debtor-detail service (open a debtor, record a payment, add a note), available as soon
    as the database is open."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._service: Any = None
        self._generation = 0  # the backend's generation `_service` was built on

    async def _get(self) -> Any:
        if self._service is None or self._generation != self._backend.generation:
            self._generation = self._backend.generation
            db = await self._backend.ready()
            from cobrador_desktop.services.debtor_detail import DebtorDetailService

            timezone = ZoneInfo(self._backend.profile.timezone)
            self._service = DebtorDetailService(
                db, clock=SystemClock(),
                today=lambda: SystemClock().now().astimezone(timezone).date())
        return self._service

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> DebtorDetail:
        service = await self._get()
        detail: DebtorDetail = await getattr(service, method)(*args, **kwargs)
        return detail

    async def load(self, debtor_id: int) -> DebtorDetail:
        return await self._call("load", debtor_id)

    async def record_payment(self, request: PaymentRequest, *,
                             operator_id: int | None = None) -> DebtorDetail:
        return await self._call("record_payment", request, operator_id=operator_id)

    async def add_note(self, debtor_id: int, text: str, *,
                       operator_id: int | None = None) -> DebtorDetail:
        return await self._call("add_note", debtor_id, text, operator_id=operator_id)

    async def record_promise(self, request: PromiseRequest, *,
                             operator_id: int | None = None) -> DebtorDetail:
        return await self._call("record_promise", request, operator_id=operator_id)

    async def cancel_promise(self, promise_id: int, reason: str, *,
                             operator_id: int | None = None) -> DebtorDetail:
        return await self._call("cancel_promise", promise_id, reason, operator_id=operator_id)

    async def propose_agreement(self, request: AgreementRequest, *,
                                operator_id: int | None = None) -> DebtorDetail:
        return await self._call("propose_agreement", request, operator_id=operator_id)

    async def cancel_agreement(self, agreement_id: int, reason: str, *,
                               operator_id: int | None = None) -> DebtorDetail:
        return await self._call("cancel_agreement", agreement_id, reason,
                                operator_id=operator_id)

    async def clear_wrong_party(self, debtor_id: int, phone_id: int, reason: str, *,
                                operator_id: int | None) -> DebtorDetail:
        return await self._call("clear_wrong_party", debtor_id, phone_id, reason,
                                operator_id=operator_id)


class _LazyService:
    """A service built on the database the first time it is used (its module imported then, so
    the window's first paint never waits for it)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._service: Any = None
        self._generation = 0  # the backend's generation `_service` was built on

    def _make(self, db: Database) -> Any:
        raise NotImplementedError

    async def _get(self) -> Any:
        if self._service is None or self._generation != self._backend.generation:
            self._generation = self._backend.generation
            self._service = self._make(await self._backend.ready())
        return self._service


class LazyRegua(_LazyService):
    """The régua service (`services.regua.ReguaService`), available as soon as the database is
    open."""

    def _make(self, db: Database) -> Any:
        from cobrador_desktop.services.regua import ReguaService

        return ReguaService(db, SystemClock())

    async def load(self) -> Regua:
        regua: Regua = await (await self._get()).load()
        return regua

    async def template_names(self) -> tuple[str, ...]:
        return tuple(await (await self._get()).template_names())

    async def save(self, regua: Regua, operator_id: int | None) -> None:
        await (await self._get()).save(regua, operator_id)


class LazyShopSettings(_LazyService):
    """The shop's settings (`services.shop_settings.ShopSettingsService`) for the Configurações
    page, available as soon as the database is open."""

    def _make(self, db: Database) -> Any:
        from cobrador_desktop.services.shop_settings import ShopSettingsService

        return ShopSettingsService(db, SystemClock())

    async def load(self) -> Any:
        return await (await self._get()).load()

    async def save_shop(self, fields: Mapping[str, object], operator_id: int | None) -> Any:
        return await (await self._get()).save_shop(fields, operator_id)

    async def save_pix(self, key: str, name: str, city: str, operator_id: int | None) -> Any:
        return await (await self._get()).save_pix(key, name, city, operator_id)

    async def save_profile(self, fields: Mapping[str, object], operator_id: int | None) -> Any:
        return await (await self._get()).save_profile(fields, operator_id)

    async def save_capacity(self, operators: int, conversations_each: int,
                            operator_id: int | None) -> Any:
        return await (await self._get()).save_capacity(operators, conversations_each,
                                                       operator_id)

    async def save_agreement_break(self, days: int, operator_id: int | None) -> int:
        days = await (await self._get()).save_agreement_break(days, operator_id)
        return int(days)


class _LazyForwarder(_LazyService):
    """A lazy service whose every public method is the service's own, awaited once the
    database is open."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await getattr(await self._get(), name)(*args, **kwargs)

        call.__name__ = name
        return call


class LazyInbox(_LazyForwarder):
    """The shared inbox (`services.inbox.InboxService`, the `InboxSource` the window's Caixa de
    entrada calls), available as soon as the database is open. `feed` is the window's change
    feed: the webhook receiver in this process publishes to it, and the inbox subscribes at once,
    before the database is ready."""

    def __init__(self, backend: Backend, feed: ChangeFeed) -> None:
        super().__init__(backend)
        self.feed = feed

    def _make(self, db: Database) -> Any:
        from cobrador_desktop.services.inbox import InboxService

        return InboxService(db, SystemClock(), shop_zone=self._backend.profile.timezone,
                            feed=self.feed)

    def subscribe(self, callback: Callable[[frozenset[int]], None]) -> Callable[[], None]:
        return self.feed.subscribe(callback)


class LazyOperators(_LazyForwarder):
    """Operators, sign-in and the audit log (`services.operators.OperatorService`, the window's
    `OperatorSource`), available as soon as the database is open."""

    def _make(self, db: Database) -> Any:
        from cobrador_desktop.services.operators import OperatorService

        return OperatorService(db, SystemClock(), shop_zone=self._backend.profile.timezone)


class LazyReminders(_LazyService):
    """The reminder planner's dry run (`ReminderService.plan`) for the Régua page's preview."""

    def _make(self, db: Database) -> Any:
        from cobrador_desktop.services.reminders import ReminderService

        return ReminderService(db, SystemClock(), shop_zone=self._backend.profile.timezone)

    async def plan(self, at: datetime) -> Any:
        return await (await self._get()).plan(at)


class LazyTemplates(_LazyService):
    """The Modelos tab's service (`services.templates.TemplateService`); `config` says where the
    Cloud API is (the demo's emulator once it runs, else the environment's number; None: none)."""

    def __init__(self, backend: Backend, config: Callable[[], Any]) -> None:
        super().__init__(backend)
        self._config = config

    def _make(self, db: Database) -> Any:
        from cobrador_desktop.services.templates import TemplateService
        from cobrador_desktop.whatsapp.client import CloudApiClient

        def client() -> Any:
            config = self._config()
            return CloudApiClient(config) if config is not None else None

        return TemplateService(db, SystemClock(), client,
                               configured=lambda: self._config() is not None)

    def number_configured(self) -> bool:
        return self._config() is not None

    async def templates(self) -> Any:
        return await (await self._get()).templates()

    async def submit_pack(self, operator_id: int | None) -> Any:
        return await (await self._get()).submit_pack(operator_id)

    async def sync(self) -> Any:
        return await (await self._get()).sync()

    async def find_debtors(self, text: str) -> Any:
        return await (await self._get()).find_debtors(text)

    async def preview(self, name: str, debtor_id: int | None) -> Any:
        return await (await self._get()).preview(name, debtor_id)


class LazyListExporter:
    """The debtor list's CSV/XLSX export, on the database once it is open; the file is written on
    a worker thread, each page read on the database thread."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    async def export_list(self, target: Path, query: DebtorQuery, sort: DebtorSort, *,
                          progress: Callable[[int, int], None],
                          cancelled: Callable[[], bool], operator_id: int | None = None) -> int:
        import asyncio

        from cobrador_desktop.services.export_list import export_list

        db = await self._backend.ready()
        timezone = ZoneInfo(self._backend.profile.timezone)
        today = SystemClock().now().astimezone(timezone).date()
        done = await asyncio.get_running_loop().run_in_executor(None, partial(
            export_list, db, target, query=query, sort=sort, today=today, tz=timezone,
            progress=progress, cancelled=cancelled, operator_id=operator_id))
        return done.rows


def latest_backup_or_none(profile: Profile) -> Path | None:
    from cobrador_desktop.storage.backup import latest_backup

    return latest_backup(profile.backup_dir)
