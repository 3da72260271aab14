"""ShopSettingsService on SQLite and PostgreSQL: each save stored, audited with who and what; a
refused save stores nothing and says what is wrong in Portuguese."""

from __future__ import annotations

import asyncio
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.errors import InvalidDocument, InvalidInput
from cobrador_desktop.domain.pix import decode_brcode
from cobrador_desktop.domain.settings import (
    ContactWindowInvalid,
    SettingOutOfRange,
    ShopDetails,
)
from cobrador_desktop.services.shop_settings import ShopSettings, ShopSettingsService, check_code
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Operator


def _audit(db: Database) -> list[tuple[str | None, int | None]]:
    return db.run_sync(lambda s: [
        (row.object_id, row.operator_id) for row in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "setting.change")
            .order_by(AuditEntry.id))])


def test_each_save_is_stored_and_audited(database: Database, clock: FakeClock) -> None:
    service = ShopSettingsService(database, clock)
    assert asyncio.run(service.load()) == ShopSettings()  # nothing saved: the defaults

    def owner(session: Any) -> int:
        person = Operator(name="Dona Loja", login="dona", role="owner")
        session.add(person)
        session.flush()
        return person.id

    who = database.run_sync(owner)

    async def save_all() -> None:
        await service.save_shop({"trade_name": " Loja Exemplo ", "legal_name": "Exemplo Ltda",
                                 "document": "11.222.333/0001-81", "address": "Rua A, 1",
                                 "uf": "sp"}, who)
        await service.save_pix("11.222.333/0001-81", "Loja Exemplo", "Campinas", who)
        await service.save_profile({"weekday_start": "08:00", "daily_cap": 2}, who)
        await service.save_profile({"saturday_enabled": True}, who)  # keeps the earlier change
        await service.save_capacity(2, 30, who)
        await service.save_agreement_break(60, who)

    asyncio.run(save_all())
    saved = asyncio.run(service.load())
    assert saved.shop == ShopDetails("Loja Exemplo", "Exemplo Ltda", "11222333000181",
                                     "Rua A, 1", "SP")
    assert (saved.pix.key, saved.pix.name, saved.pix.city) == (
        "11222333000181", "Loja Exemplo", "Campinas")
    assert saved.profile.weekday_start == time(8) and saved.profile.daily_cap == 2
    assert saved.profile.saturday_enabled
    assert saved.capacity.daily_new_conversations == 60
    assert saved.agreement_break_days == 60
    assert _audit(database) == [(key, who) for key in (
        "guard.shop", "shop.pix", "guard.contact_profile", "guard.contact_profile",
        "guard.capacity", "agreement_break_after_days")]
    code = check_code(saved.pix)
    assert code is not None and decode_brcode(code).charge.amount_cents == 100


@pytest.mark.parametrize(("save", "error", "text"), [
    (lambda s: s.save_shop({"trade_name": "Loja", "legal_name": "Loja Ltda",
                            "document": "11.222.333/0001-82", "address": "Rua A"}, None),
     InvalidDocument, "CPF/CNPJ inválido"),
    (lambda s: s.save_shop({"trade_name": "Loja", "legal_name": "Loja Ltda",
                            "document": "11222333000181", "address": "Rua A", "uf": "XX"}, None),
     InvalidInput, "UF da loja"),
    (lambda s: s.save_profile({"weekday_end": "20:30"}, None), ContactWindowInvalid,
     "Horário de segunda a sexta"),
    (lambda s: s.save_capacity(0, 40, None), SettingOutOfRange, "Atendentes"),
    (lambda s: s.save_agreement_break(0, None), SettingOutOfRange, "Romper acordo"),
    (lambda s: s.save_pix("", "Loja", "Campinas", None), InvalidInput, ""),
])
def test_a_refused_save_stores_nothing(database: Database, clock: FakeClock, save: object,
                                       error: type[Exception], text: str) -> None:
    service = ShopSettingsService(database, clock)
    with pytest.raises(error) as raised:
        asyncio.run(save(service))  # type: ignore[operator]
    assert isinstance(raised.value, InvalidInput)
    assert text in raised.value.message_source.format(**raised.value.params)
    assert asyncio.run(service.load()) == ShopSettings()
    assert _audit(database) == []
