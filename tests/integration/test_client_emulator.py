"""The Cloud API client against the local emulator over real HTTP on 127.0.0.1 (§2, §3, §7, §11)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest

from cobrador_desktop.domain.clock import FakeClock
from cobrador_desktop.whatsapp.client import (
    CloudApiClient,
    CloudApiConfig,
    ListRow,
    ListSection,
    TemplateButton,
)
from cobrador_desktop.whatsapp.emulator.server import Emulator
from cobrador_desktop.whatsapp.emulator.state import EmulatorConfig
from cobrador_desktop.whatsapp.errors import CloudApiError, ErrorKind, SendOutcomeUnknown

T = TypeVar("T")
TOKEN = "emulated-token-for-the-client-tests"
DEBTOR = "+5511987654321"


class Harness:
    def __init__(self, emulator: Emulator, client: CloudApiClient, control: httpx.AsyncClient) -> None:
        self.emulator = emulator
        self.client = client
        self._control = control

    async def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self._control.request(method, f"{self.emulator.control_url}/{path}", json=body)
        response.raise_for_status()
        return response.json()

    async def open_window(self, phone: str = DEBTOR) -> str:
        reply = await self.control("POST", "inbound", {"from": phone, "type": "text", "text": "oi"})
        return str(reply["id"])

    async def sent(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = (await self.control("GET", "sent"))["messages"]
        return messages


def run(scenario: Callable[[Harness], Awaitable[T]], *, token: str = TOKEN,
        timeout: httpx.Timeout | None = None) -> T:
    async def main() -> T:
        config = EmulatorConfig(access_token=TOKEN, hang_seconds=5.0,
                                clock=FakeClock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC)))
        emulator = Emulator(config)
        base_url = await emulator.start()
        api = CloudApiConfig(base_url=base_url, phone_number_id=config.phone_number_id,
                             waba_id=config.waba_id, access_token=token)
        try:
            async with httpx.AsyncClient() as control, CloudApiClient(
                    api, timeout=timeout or httpx.Timeout(20, connect=5, write=10)) as client:
                return await scenario(Harness(emulator, client, control))
        finally:
            await emulator.stop()
    return asyncio.run(main())


def test_template_send_is_accepted_and_recorded_once() -> None:
    async def scenario(h: Harness) -> None:
        result = await h.client.send_template(
            DEBTOR, "vencimento_hoje_v1", body_params=["Maria", "3/10", "R$ 150,00"],
            buttons=[TemplateButton.quick_reply(0, "PIX:d42:3"),
                     TemplateButton.quick_reply(1, "PAID:d42:3"), TemplateButton.quick_reply(2, "STOP:d42")],
            callback_data="ob:1")
        assert result.wamid.startswith("wamid.")
        assert result.input == DEBTOR and result.wa_id == "5511987654321"
        assert result.message_status == "accepted"
        sent = await h.sent()
        assert [(m["id"], m["biz_opaque_callback_data"]) for m in sent] == [(result.wamid, "ob:1")]
    run(scenario)


def test_free_text_outside_the_window_needs_a_template() -> None:
    async def scenario(h: Harness) -> None:
        with pytest.raises(CloudApiError) as caught:
            await h.client.send_text(DEBTOR, "Oi, Maria!")
        assert caught.value.code == 131047
        assert caught.value.kind is ErrorKind.TEMPLATE
        assert caught.value.fbtrace_id
        assert await h.sent() == []
    run(scenario)


def test_inside_the_window_text_buttons_list_and_mark_read_go_through() -> None:
    async def scenario(h: Harness) -> None:
        inbound = await h.open_window()
        await h.client.mark_read(inbound, typing=True)
        await h.client.send_text(DEBTOR, "Segue o código PIX.", reply_to=inbound)
        await h.control("POST", "clock/advance", {"seconds": 10})  # pair rate: 1 per 6 s
        await h.client.send_buttons(DEBTOR, "Como prefere pagar?", [("pix:d42:3", "PIX")],
                                    footer="Loja Exemplo")
        await h.control("POST", "clock/advance", {"seconds": 10})
        await h.client.send_list(DEBTOR, "Escolha a parcela.", "Ver parcelas",
                                 [ListSection("Em atraso", [ListRow("inst:42:3", "Parcela 3")])])
        assert [m["type"] for m in await h.sent()] == ["text", "interactive", "interactive"]
    run(scenario)


def test_wrong_parameter_count_and_unknown_template_are_refused() -> None:
    async def scenario(h: Harness) -> None:
        with pytest.raises(CloudApiError) as caught:
            await h.client.send_template(DEBTOR, "vencimento_hoje_v1", body_params=["Maria"])
        assert caught.value.code == 132000 and caught.value.kind is ErrorKind.NO_RETRY
        with pytest.raises(CloudApiError) as caught:
            await h.client.send_template(DEBTOR, "nao_existe_v9", body_params=["x"])
        assert caught.value.code == 132001 and caught.value.http_status == 404
    run(scenario)


def test_an_expired_token_stops_the_number() -> None:
    async def scenario(h: Harness) -> None:
        await h.control("PUT", "faults", {"token_expired": True})
        with pytest.raises(CloudApiError) as caught:
            await h.client.phone_info()
        assert caught.value.code == 190 and caught.value.kind is ErrorKind.STOP
        assert "token" in caught.value.message.lower()
    run(scenario)


def test_a_wrong_token_is_an_auth_stop() -> None:
    async def scenario(h: Harness) -> None:
        with pytest.raises(CloudApiError) as caught:
            await h.client.list_templates()
        assert caught.value.kind is ErrorKind.STOP
    run(scenario, token="not-the-token")


def test_templates_are_listed_across_pages_created_and_deleted() -> None:
    async def scenario(h: Harness) -> None:
        before = await h.client.list_templates(limit=2)
        names = [t["name"] for t in before]
        assert "vencimento_hoje_v1" in names and len(names) == len(set(names)) >= 3
        created = await h.client.create_template({
            "name": "aviso_teste_v1", "language": "pt_BR", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Olá, {{1}}. Teste."}]})
        assert created["status"] == "PENDING"
        with pytest.raises(CloudApiError) as caught:
            await h.client.create_template({
                "name": "aviso_teste_v1", "language": "pt_BR", "category": "UTILITY",
                "components": [{"type": "BODY", "text": "Olá, {{1}}. Teste."}]})
        assert caught.value.subcode == 2388024 and caught.value.kind is ErrorKind.NO_RETRY
        assert len(await h.client.list_templates(limit=2)) == len(before) + 1
        await h.client.delete_template("aviso_teste_v1")
        assert len(await h.client.list_templates()) == len(before)
    run(scenario)


def test_phone_info() -> None:
    async def scenario(h: Harness) -> None:
        info = await h.client.phone_info()
        assert info.verified_name == "Loja Exemplo"
        assert info.quality_rating == "GREEN"
        assert info.messaging_limit_tier == "TIER_250"
        assert info.throughput_level == "STANDARD"
    run(scenario)


@pytest.mark.parametrize(("fault", "outcome", "accepted"), [
    ("http_500", ErrorKind.RETRY, 0),
    ("http_503", ErrorKind.RETRY, 0),
    ("http_502_html", ErrorKind.RETRY, 0),
    ("reset_before", SendOutcomeUnknown, 0),  # the client cannot tell before from after
    ("reset_after", SendOutcomeUnknown, 1),
    ("timeout_after", SendOutcomeUnknown, 1),
])
def test_faults_on_a_send(fault: str, outcome: ErrorKind | type[Exception], accepted: int) -> None:
    async def scenario(h: Harness) -> None:
        await h.control("PUT", "faults", {"rules": [{"kind": fault, "times": 1}]})
        send = h.client.send_template(DEBTOR, "pagamento_recebido_v1",
                                      body_params=["Maria", "R$ 150,00", "23/11", "3/10"])
        if isinstance(outcome, ErrorKind):
            with pytest.raises(CloudApiError) as caught:
                await send
            assert caught.value.kind is outcome
        else:
            with pytest.raises(outcome):
                await send
        assert len(await h.sent()) == accepted
    run(scenario, timeout=httpx.Timeout(1.0, connect=1.0))


def test_a_timeout_on_a_read_is_retryable() -> None:
    async def scenario(h: Harness) -> None:
        await h.control("PUT", "faults", {"rules": [{"kind": "timeout_before", "times": 1}]})
        with pytest.raises(CloudApiError) as caught:
            await h.client.phone_info()
        assert caught.value.kind is ErrorKind.RETRY
        assert (await h.client.phone_info()).verified_name == "Loja Exemplo"
    run(scenario, timeout=httpx.Timeout(0.5, connect=1.0))
