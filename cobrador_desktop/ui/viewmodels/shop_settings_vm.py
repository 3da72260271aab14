"""The Configurações page's editable sections as the view sees them: load, save each section.

Each section ("shop", "pix", "hours", "capacity", "agreement") saves on its own through the
service on the qasync loop. A refused save reports the pt-BR message for that section only and
changes nothing else: the view keeps what was typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.settings import Capacity, ShopDetails
from cobrador_desktop.services.pix import ShopPix
from cobrador_desktop.services.shop_settings import ShopSettings, check_code
from cobrador_desktop.ui.dialogs.known_error_dialog import known_text
from cobrador_desktop.ui.tasks import TaskRunner

log = logging.getLogger("cobrador.ui")

SHOP, PIX, HOURS, CAPACITY, AGREEMENT = "shop", "pix", "hours", "capacity", "agreement"
SECTIONS = (SHOP, PIX, HOURS, CAPACITY, AGREEMENT)


class ShopSettingsSource(Protocol):
    """What the page needs from the services layer (`ShopSettingsService`)."""

    async def load(self) -> ShopSettings: ...

    async def save_shop(self, fields: Mapping[str, object], operator_id: int | None
                        ) -> ShopDetails | None: ...

    async def save_pix(self, key: str, name: str, city: str, operator_id: int | None
                       ) -> ShopPix: ...

    async def save_profile(self, fields: Mapping[str, object], operator_id: int | None
                           ) -> ContactProfile: ...

    async def save_capacity(self, operators: int, conversations_each: int,
                            operator_id: int | None) -> Capacity: ...

    async def save_agreement_break(self, days: int, operator_id: int | None) -> int: ...


class ShopSettingsViewModel(QObject):
    """Loads the shop's settings and saves one section at a time."""

    #: the saved settings were read (a `ShopSettings`)
    loaded = Signal(object)
    #: reading failed (its pt-BR text)
    load_failed = Signal(str)
    #: a section was saved: its name and the settings as now saved (a `ShopSettings`)
    saved = Signal(str, object)
    #: a section's save was refused: its name and what is wrong, in pt-BR; nothing was saved
    save_failed = Signal(str, str)
    #: a section's save started (True) or finished (False)
    busy_changed = Signal(str, bool)

    def __init__(self, source: ShopSettingsSource, *,
                 operator_id: Callable[[], int | None] = lambda: None,
                 parent: QObject | None = None) -> None:
        """Args:
            source: the shop-settings service.
            operator_id: who is working (None until operators sign in): recorded with a save.
        """
        super().__init__(parent)
        self._source = source
        self._operator_id = operator_id
        self._tasks = TaskRunner("shop-settings")
        self.settings: ShopSettings | None = None

    def pix_check_code(self) -> str | None:
        """The saved receiver's copia-e-cola of R$ 1,00 (None: no receiver saved)."""
        if self.settings is None:
            return None
        try:
            return check_code(self.settings.pix)
        except KnownError:  # a receiver saved by an older version the code refuses now
            return None

    # ------------------------------------------------------------------ service
    def load(self) -> None:
        """Read the saved settings (`loaded` or `load_failed`)."""
        self._tasks.spawn(self._load(), "load")

    async def _load(self) -> None:
        try:
            settings = await self._source.load()
        except KnownError as error:
            self.load_failed.emit(known_text(error))
            return
        self.settings = settings
        self.loaded.emit(settings)

    def save_shop(self, fields: Mapping[str, object]) -> None:
        """Save the identity (`trade_name`, `legal_name`, `document`, `address`, `uf`)."""
        async def save() -> ShopSettings:
            shop = await self._source.save_shop(fields, self._operator_id())
            return replace(self._current(), shop=shop)

        self._save(SHOP, save())

    def save_pix(self, key: str, name: str, city: str) -> None:
        """Save the PIX receiver."""
        async def save() -> ShopSettings:
            pix = await self._source.save_pix(key, name, city, self._operator_id())
            return replace(self._current(), pix=pix)

        self._save(PIX, save())

    def save_hours(self, fields: Mapping[str, object]) -> None:
        """Save contact hours and caps (`ContactProfile` field names)."""
        async def save() -> ShopSettings:
            profile = await self._source.save_profile(fields, self._operator_id())
            return replace(self._current(), profile=profile)

        self._save(HOURS, save())

    def save_capacity(self, operators: int, conversations_each: int) -> None:
        """Save the team's capacity."""
        async def save() -> ShopSettings:
            capacity = await self._source.save_capacity(operators, conversations_each,
                                                        self._operator_id())
            return replace(self._current(), capacity=capacity)

        self._save(CAPACITY, save())

    def save_agreement_break(self, days: int) -> None:
        """Save after how many days late an agreement is broken."""
        async def save() -> ShopSettings:
            saved = await self._source.save_agreement_break(days, self._operator_id())
            return replace(self._current(), agreement_break_days=saved)

        self._save(AGREEMENT, save())

    def close(self) -> None:
        """Cancel whatever is under way (the window is closing)."""
        self._tasks.cancel_all()

    # ------------------------------------------------------------------ internals
    def _current(self) -> ShopSettings:
        return self.settings if self.settings is not None else ShopSettings()

    def _save(self, section: str, coro: Coroutine[Any, Any, ShopSettings]) -> None:
        async def run() -> None:
            self.busy_changed.emit(section, True)
            try:
                settings = await coro
            except KnownError as error:
                self.save_failed.emit(section, known_text(error))
                return
            finally:
                self.busy_changed.emit(section, False)
            self.settings = settings
            self.saved.emit(section, settings)

        self._tasks.spawn(run(), section)
