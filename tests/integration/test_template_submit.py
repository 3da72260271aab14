"""Submitting the template pack to the emulator over HTTP: what the account lacks is created
PENDING, stored with its purpose and audited; Meta's approval or rejection arrives with the sync,
and only an approved template is usable."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.domain.settings import ShopDetails
from cobrador_desktop.domain.template_pack import PACK
from cobrador_desktop.domain.template_records import (
    NOT_SUBMITTED,
    NumberNotConfigured,
    ShopNotIdentified,
    SubmitOutcome,
)
from cobrador_desktop.services.templates import TemplateService
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import AuditEntry, Operator, Template
from cobrador_desktop.storage.repos.settings import write_shop
from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.emulator.server import Emulator
from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig

T = TypeVar("T")
TOKEN = "emulated-token-for-the-template-tests"
SHOP = ShopDetails(trade_name="Doces da Vila", legal_name="Doces da Vila Ltda",
                   document="11222333000181", address="Rua A, 1 - Campinas/SP", uf="SP")


def _set_shop(database: Database, clock: FakeClock) -> None:
    def work(session: Any) -> None:
        write_shop(session, SHOP, operator_id=None, now=clock.now())
        if session.get(Operator, 1) is None:
            session.add(Operator(id=1, name="Ana (dona)", login="ana", role="owner"))
    database.run_sync(work)


def _run(database: Database, clock: FakeClock,
         scenario: Callable[[TemplateService, httpx.AsyncClient, str, Emulator], Awaitable[T]],
         ) -> T:
    async def main() -> T:
        emulator = Emulator(EmulatorConfig(access_token=TOKEN, clock=clock))
        base_url = await emulator.start()
        config = emulator.config
        api = CloudApiConfig(base_url=base_url, phone_number_id=config.phone_number_id,
                             waba_id=config.waba_id, access_token=TOKEN)

        def factory() -> AbstractAsyncContextManager[Any]:
            return CloudApiClient(api)

        try:
            async with httpx.AsyncClient() as control:
                return await scenario(TemplateService(database, clock, factory), control,
                                      emulator.control_url, emulator)
        finally:
            await emulator.stop()
    return asyncio.run(main())


def test_the_pack_is_created_pending_then_follows_meta_and_only_approved_is_usable(
        database: Database, clock: FakeClock) -> None:
    _set_shop(database, clock)
    dropped = ("lembrete_acordo_v1", "parcela_em_atraso_v1", "pesquisa_satisfacao_v1")

    async def scenario(service: TemplateService, control: httpx.AsyncClient, url: str,
                       emulator: Emulator) -> Any:
        for name in dropped:  # the emulator starts with the pack approved: take three away
            emulator.templates.delete(name)
        results = await service.submit_pack(operator_id=1)
        after_submit = await service.templates()
        again = await service.submit_pack(operator_id=1)
        for name, status in (("pesquisa_satisfacao_v1", "APPROVED"),
                             ("lembrete_acordo_v1", "REJECTED")):
            (await control.post(f"{url}/templates/{name}/status",
                                json={"status": status})).raise_for_status()
        await service.sync()
        return results, after_submit, again, await service.templates()

    results, after_submit, again, synced = _run(database, clock, scenario)
    by_name = {r.name: r for r in results}
    created = {n for n, r in by_name.items() if r.outcome is SubmitOutcome.CREATED}
    assert created == set(dropped)
    assert all(by_name[n].status == "PENDING" for n in created)
    assert by_name["vencimento_hoje_v1"].outcome is SubmitOutcome.EXISTS
    assert len(results) == len(PACK)
    # the second click sends nothing: every pack template is on the account now
    assert {r.outcome for r in again} == {SubmitOutcome.EXISTS}

    shown = {t.name: t for t in after_submit}
    assert shown["pesquisa_satisfacao_v1"].status == "PENDING"
    assert not shown["pesquisa_satisfacao_v1"].usable
    assert shown["vencimento_hoje_v1"].usable and shown["vencimento_hoje_v1"].purpose == "reminder"

    rows = database.run_sync(lambda s: {t.name: (t.status, t.purpose, t.meta_id, t.components)
                                        for t in s.scalars(select(Template))})
    status, purpose, meta_id, components = rows["pesquisa_satisfacao_v1"]
    assert (status, purpose) == ("APPROVED", "payment_receipt") and meta_id  # after the sync
    assert {"type": "FOOTER", "text": "Doces da Vila Ltda - CNPJ 11.222.333/0001-81"} in components
    # what Meta keeps is what was sent: the body names this shop
    assert any("Doces da Vila" in c.get("text", "") for c in components if c["type"] == "BODY")

    audited = database.run_sync(lambda s: sorted(
        (e.object_id, e.operator_id, e.details["outcome"]) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "template.submit"))))
    assert audited == sorted((n, 1, "created") for n in created)

    after_sync = {t.name: t for t in synced}
    assert after_sync["pesquisa_satisfacao_v1"].status == "APPROVED"
    assert after_sync["pesquisa_satisfacao_v1"].usable
    assert after_sync["lembrete_acordo_v1"].status == "REJECTED"
    assert not after_sync["lembrete_acordo_v1"].usable
    assert after_sync["lembrete_acordo_v1"].purpose == "agreement_installment"


def test_meta_refusing_one_template_is_reported_in_portuguese_and_the_rest_go(
        database: Database, clock: FakeClock) -> None:
    """A name Meta still holds as deleted (blocked for weeks) is refused with 2388024."""
    _set_shop(database, clock)

    async def scenario(service: TemplateService, control: httpx.AsyncClient, url: str,
                       emulator: Emulator) -> Any:
        (await control.post(f"{url}/templates/lembrete_vencimento_v1/status",
                            json={"status": "DELETED"})).raise_for_status()
        emulator.templates.delete("pesquisa_satisfacao_v1")  # one the account lacks
        return await service.submit_pack(operator_id=None)

    results = _run(database, clock, scenario)
    by_name = {r.name: r for r in results}
    refused = by_name["lembrete_vencimento_v1"]
    assert refused.outcome is SubmitOutcome.REFUSED and refused.error is not None
    assert refused.error.message == "Já existe um modelo com este nome e idioma."
    assert "Use outro nome" in refused.error.hint
    assert by_name["pesquisa_satisfacao_v1"].outcome is SubmitOutcome.CREATED
    audited = database.run_sync(lambda s: {e.object_id: e.details for e in s.scalars(
        select(AuditEntry).where(AuditEntry.action == "template.submit"))})
    assert audited["lembrete_vencimento_v1"]["outcome"] == "refused"
    assert audited["lembrete_vencimento_v1"]["error"] == "100"


def test_without_the_shop_or_a_number_nothing_is_sent(database: Database,
                                                      clock: FakeClock) -> None:
    service = TemplateService(database, clock, lambda: None)
    with pytest.raises(ShopNotIdentified):
        asyncio.run(service.submit_pack(operator_id=None))
    _set_shop(database, clock)
    with pytest.raises(NumberNotConfigured):
        asyncio.run(service.submit_pack(operator_id=None))
    with pytest.raises(NumberNotConfigured):
        asyncio.run(service.sync())
    shown = asyncio.run(service.templates())
    assert {t.name for t in shown} == {t.name for t in PACK}
    assert {t.status for t in shown} == {NOT_SUBMITTED}


def test_the_preview_fills_a_real_debtor_and_names_each_variable(
        database: Database, clock: FakeClock) -> None:
    from datetime import date

    from cobrador_desktop.storage.orm import Debt, Debtor

    _set_shop(database, clock)

    def add(session: Any) -> int:
        debtor = Debtor(name="Maria da Silva Souza", name_key="maria da silva souza",
                        search_text="maria da silva souza")
        session.add(debtor)
        session.flush()
        session.add_all([
            Debt(debtor_id=debtor.id, amount_cents=15_000, paid_cents=5_000,
                 due_date=date(2026, 10, 5), installment_number=2, installment_count=6),
            Debt(debtor_id=debtor.id, amount_cents=9_990, due_date=date(2026, 12, 5),
                 installment_number=3, installment_count=6)])
        session.flush()
        return int(debtor.id)

    debtor_id = database.run_sync(add)
    service = TemplateService(database, clock, lambda: None)
    preview = asyncio.run(service.preview("parcela_em_atraso_v1", debtor_id))
    assert [(v.number, v.label, v.value) for v in preview.variables] == [
        (1, "Nome", "Maria"), (2, "Parcela", "2/6"), (3, "Vencimento", "05/10/2026"),
        (4, "Valor em aberto", "R$ 100,00"),
        (5, "Composição do valor", "R$ 150,00 de valor original, R$ 50,00 já pagos")]
    assert preview.text.startswith("Olá, Maria. A parcela 2/6 do seu crediário na Doces da Vila")
    assert preview.text.endswith("Doces da Vila Ltda - CNPJ 11.222.333/0001-81")
    assert preview.buttons[-1] == "Parar mensagens" and preview.status == NOT_SUBMITTED
    found = asyncio.run(service.find_debtors("maria"))
    assert [(d.debtor_id, d.name) for d in found] == [(debtor_id, "Maria da Silva Souza")]
    identity = asyncio.run(service.preview("confirmacao_identidade_v1", debtor_id))
    assert [v.value for v in identity.variables] == ["Maria S."]
    example = asyncio.run(service.preview("lembrete_vencimento_v1", None))
    assert [v.value for v in example.variables] == ["Ana", "2/6", "R$ 89,90", "15/06/2026"]
