"""The account sync against the emulator over HTTP: templates and the number's health land in
the database, change when Meta's side changes, and a template Meta dropped can no longer be used."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.settings import NUMBER_QUALITY, NumberQuality
from cobrador_desktop.services.account_sync import AccountSync, number_quality, template_state
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import Template
from cobrador_desktop.storage.repos.settings import read_json_setting
from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.emulator.server import Emulator
from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig

T = TypeVar("T")
TOKEN = "emulated-token-for-the-sync-tests"


def _run(database: Database, clock: FakeClock,
         scenario: Callable[[AccountSync, httpx.AsyncClient, str], Awaitable[T]]) -> T:
    async def main() -> T:
        emulator = Emulator(EmulatorConfig(access_token=TOKEN, clock=clock))
        base_url = await emulator.start()
        config = emulator.config
        api = CloudApiConfig(base_url=base_url, phone_number_id=config.phone_number_id,
                             waba_id=config.waba_id, access_token=TOKEN)
        try:
            async with httpx.AsyncClient() as control, CloudApiClient(api) as client:
                return await scenario(AccountSync(database, client, clock), control,
                                      emulator.control_url)
        finally:
            await emulator.stop()
    return asyncio.run(main())


def _templates(database: Database) -> dict[str, tuple[str, str, str | None]]:
    return database.run_sync(lambda s: {
        t.name: (t.status, t.category, t.quality) for t in s.scalars(select(Template))})


def test_templates_and_the_number_health_are_synced_and_follow_meta(
        database: Database, clock: FakeClock) -> None:
    async def scenario(sync: AccountSync, control: httpx.AsyncClient, url: str) -> list[Any]:
        first = await sync.run()
        again = await sync.run()
        (await control.post(f"{url}/templates/parcela_em_atraso_v1/status",
                            json={"status": "PAUSED"})).raise_for_status()
        (await control.put(f"{url}/phone", json={"quality_rating": "YELLOW"})).raise_for_status()
        third = await sync.run()
        return [first, again, third]

    first, again, third = _run(database, clock, scenario)
    assert first.templates.added >= 6 and first.templates.changed == 0
    assert first.quality == NumberQuality("GREEN", "TIER_250")
    assert (again.templates.added, again.templates.changed, again.templates.gone) == (0, 0, ())
    assert third.templates.changed == 1 and third.quality.quality == "YELLOW"
    rows = _templates(database)
    assert rows["parcela_em_atraso_v1"][0] == "PAUSED"
    assert rows["vencimento_hoje_v1"] == ("APPROVED", "UTILITY", "GREEN")
    body = database.run_sync(lambda s: s.scalars(select(Template.components).where(
        Template.name == "vencimento_hoje_v1")).one())
    assert any(c.get("type") == "BODY" and "{{1}}" in c.get("text", "") for c in body)
    stored = database.run_sync(lambda s: read_json_setting(s, NUMBER_QUALITY))
    assert stored == NumberQuality("YELLOW", "TIER_250")


def test_a_template_meta_no_longer_lists_is_marked_deleted(
        database: Database, clock: FakeClock) -> None:
    async def scenario(sync: AccountSync, control: httpx.AsyncClient, url: str) -> Any:
        await sync.run()
        await sync._api.delete_template("lembrete_acordo_v1")  # type: ignore[attr-defined]
        return await sync.run()

    result = _run(database, clock, scenario)
    assert result.templates.gone == ("lembrete_acordo_v1 (pt_BR)",)
    assert _templates(database)["lembrete_acordo_v1"][0] == "DELETED"


def test_unknown_values_from_meta_are_read_safely() -> None:
    assert number_quality("NA", "TIER_NOT_SET") == NumberQuality("UNKNOWN", None)
    assert number_quality(None, None) == NumberQuality("UNKNOWN", None)
    assert number_quality("red", "tier_1k") == NumberQuality("RED", "TIER_1K")
    assert template_state({"status": "APPROVED"}) is None
    state = template_state({"name": "x_v1", "language": "pt_BR", "status": "rejected",
                            "rejected_reason": "INVALID_FORMAT", "components": ["junk", {}],
                            "quality_score": {"score": "UNKNOWN"}, "id": 123})
    assert state is not None
    assert (state.status, state.rejected_reason, state.components, state.meta_id) == (
        "REJECTED", "INVALID_FORMAT", [{}], "123")
