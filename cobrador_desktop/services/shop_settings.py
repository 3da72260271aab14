"""The shop's own settings as the Configurações screen reads and changes them.

Identity (names, CNPJ, address, UF), PIX receiver, contact hours and caps, team capacity and the
agreement break: each saved on its own, checked by its declaration in `domain.settings` (or
`services.pix` for the receiver) and audited. Every save takes the operator who asked, and only
the owner may save (`services.authz.owner_only`: an operator gets `OwnerOnly`, audited).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.contact_hours import ContactProfile
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.pix import build_charge, encode_brcode
from cobrador_desktop.domain.settings import (
    AGREEMENT_BREAK_AFTER_DAYS,
    SHOP_PIX_KEY,
    Capacity,
    ShopDetails,
    dump_profile,
)
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.pix import ShopPix, check_shop_pix
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos import settings as repo
from cobrador_desktop.storage.repos.bulk import dataset_marker, mark_dataset

#: the amount of the copia-e-cola shown to check a receiver (R$ 1,00)
CHECK_AMOUNT_CENTS = 100


@dataclass(frozen=True)
class ShopSettings:
    """Everything the Configurações screen edits, as saved (defaults where never set)."""

    shop: ShopDetails | None = None
    pix: ShopPix = field(default_factory=ShopPix)
    profile: ContactProfile = field(default_factory=ContactProfile)
    capacity: Capacity = field(default_factory=Capacity)
    agreement_break_days: int = AGREEMENT_BREAK_AFTER_DAYS.default


def check_code(pix: ShopPix) -> str | None:
    """The copia-e-cola of R$ 1,00 to the receiver, for the owner to test in a bank app; None
    while the receiver is incomplete."""
    if pix.key is None or pix.name is None or pix.city is None:
        return None
    return encode_brcode(build_charge(pix.key, pix.name, pix.city,
                                      amount_cents=CHECK_AMOUNT_CENTS))


class ShopSettingsService:
    """Reads and saves the shop's settings through the database thread."""

    def __init__(self, db: Runner, clock: Clock) -> None:
        """Args:
            db: the database runner.
            clock: the instant recorded with a change (audit log, `updated_at`).
        """
        self._db = db
        self._clock = clock

    async def load(self) -> ShopSettings:
        """The saved settings, defaults where the shop never set one."""
        def work(session: Any) -> ShopSettings:
            guard = repo.read_guard_settings(session)
            return ShopSettings(
                shop=guard.shop_details,
                pix=ShopPix.from_setting(dataset_marker(session, SHOP_PIX_KEY)),
                profile=guard.profile, capacity=guard.capacity,
                agreement_break_days=repo.read_setting(session, AGREEMENT_BREAK_AFTER_DAYS))

        return await self._db.run(work)

    @owner_only("settings.shop", QT_TRANSLATE_NOOP("Roles", "mudar a identificação da loja"))
    async def save_shop(self, fields: Mapping[str, object], operator_id: int | None
                        ) -> ShopDetails | None:
        """Save the shop's identity: `trade_name`, `legal_name`, `document`, `address`, `uf`.

        Raises:
            InvalidInput: a field is missing or wrong (the message names it); nothing is saved.
        """
        now = self._clock.now()
        return await self._db.run(lambda session: repo.write_shop(
            session, dict(fields), operator_id=operator_id, now=now))

    @owner_only("settings.pix", QT_TRANSLATE_NOOP("Roles", "mudar a chave PIX da loja"))
    async def save_pix(self, key: str, name: str, city: str, operator_id: int | None
                       ) -> ShopPix:
        """Save the shop's PIX receiver (the key normalised), audited.

        Raises:
            InvalidInput: the key, name or city cannot make a PIX code; nothing is saved.
        """
        pix = check_shop_pix(key, name, city)  # before the round trip: the message comes at once
        now = self._clock.now()

        def work(session: Any) -> ShopPix:
            before = ShopPix.from_setting(dataset_marker(session, SHOP_PIX_KEY))
            mark_dataset(session, SHOP_PIX_KEY, pix.as_setting(), now)
            audit.append(session, action=repo.CHANGE_ACTION, operator_id=operator_id,
                         object_type="setting", object_id=SHOP_PIX_KEY, now=now,
                         details={"from": before.as_setting(), "to": pix.as_setting()})
            return pix

        return await self._db.run(work)

    @owner_only("settings.contact_hours",
                QT_TRANSLATE_NOOP("Roles", "mudar os horários e limites de contato"))
    async def save_profile(self, fields: Mapping[str, object], operator_id: int | None
                           ) -> ContactProfile:
        """Change some of the contact hours and caps (`ContactProfile` field names; times as
        `time` or "HH:MM"); the fields not given keep their saved values.

        Raises:
            InvalidInput: a value is refused (a window outside 08:00–20:00, a cap out of range);
                the message names the setting; nothing is saved.
        """
        now = self._clock.now()

        def work(session: Any) -> ContactProfile:
            merged = dump_profile(repo.read_guard_settings(session).profile) | dict(fields)
            return repo.write_contact_profile(session, merged, operator_id=operator_id, now=now)

        return await self._db.run(work)

    @owner_only("settings.capacity", QT_TRANSLATE_NOOP("Roles", "mudar a capacidade da equipe"))
    async def save_capacity(self, operators: int, conversations_each: int,
                            operator_id: int | None) -> Capacity:
        """Save the team's capacity (operators × new conversations each a day), audited.

        Raises:
            InvalidInput: a number out of range; nothing is saved.
        """
        now = self._clock.now()
        value = {"operators": operators, "conversations_each": conversations_each}
        return await self._db.run(lambda session: repo.write_capacity(
            session, value, operator_id=operator_id, now=now))

    @owner_only("settings.agreement_break",
                QT_TRANSLATE_NOOP("Roles", "mudar quando um acordo é rompido"))
    async def save_agreement_break(self, days: int, operator_id: int | None) -> int:
        """Save after how many days late an agreement is broken, audited.

        Raises:
            SettingOutOfRange: outside 1–365; nothing is saved.
        """
        now = self._clock.now()
        return await self._db.run(lambda session: repo.write_setting(
            session, AGREEMENT_BREAK_AFTER_DAYS, days, operator_id=operator_id, now=now))
