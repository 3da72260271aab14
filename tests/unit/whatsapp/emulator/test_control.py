"""Control API: sent counts, reset, recipients, clock, real-clock mode and run_emulator."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from cobrador_desktop.domain.clock import SystemClock
from cobrador_desktop.whatsapp.emulator import Emulator, EmulatorConfig, run_emulator
from tests.unit.whatsapp.emulator.harness import MARIA, SECRET, Receiver, running, template_payload


def test_sent_lists_messages_per_recipient_and_filters() -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.send(template_payload())
            await h.send(template_payload())
            await h.send(template_payload(to="+5521987654321"))
            sent = (await h.control("GET", "sent")).json()
            assert sent["total"] == 3
            assert sent["per_recipient"] == {"5511987654321": 2, "5521987654321": 1}
            first = sent["messages"][0]
            assert first["template"] == "lembrete_vencimento_v1" and first["type"] == "template"
            assert first["accepted_at"] == "2026-11-23T13:00:00+00:00"
            only = (await h.control("GET", "sent?to=%2B5521987654321")).json()
            assert only["total"] == 1

    asyncio.run(scenario())


def test_reset_forgets_messages_windows_templates_and_faults() -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.inbound()
            await h.text()
            await h.control("POST", "templates/lembrete_vencimento_v1/status", {"status": "PAUSED"})
            await h.control("PUT", "faults", {"rules": [{"kind": "http_500", "path": "/nowhere"}]})
            assert (await h.control("POST", "reset")).json() == {"ok": True}
            assert (await h.control("GET", "sent")).json()["total"] == 0
            assert (await h.text()).status_code == 400  # window forgotten
            assert (await h.send(template_payload())).status_code == 200  # template approved again
            assert (await h.control("PUT", "faults", {})).json()["rules"] == []

    asyncio.run(scenario())


def test_bad_control_requests() -> None:
    async def scenario() -> None:
        async with running() as h:
            assert (await h.control("POST", "inbound", {"text": "sem remetente"})).status_code == 400
            assert (await h.control("POST", "inbound", {"from": MARIA, "type": "poll"})).status_code == 400
            assert (await h.control("POST", "clock/advance", {"seconds": -1})).status_code == 400
            assert (await h.control("PUT", "phone", {"color": "blue"})).status_code == 400
            assert (await h.control("PUT", "faults", {"window_mode": "maybe"})).status_code == 400
            status = await h.control("POST", "templates/lembrete_vencimento_v1/status", {"status": "X"})
            assert status.status_code == 400
            assert (await h.control("PUT", "recipients", {"no_whatsapp": "x"})).status_code == 400

    asyncio.run(scenario())


def test_real_clock_mode_refuses_advance_and_delivers_on_time() -> None:
    async def scenario() -> None:
        receiver = Receiver()
        url = await receiver.start()
        emu = Emulator(EmulatorConfig(clock=SystemClock(), webhook_url=url, app_secret=SECRET,
                                      status_delays=(0.05, 0.1, 0.15)))
        await emu.start()
        try:
            async with httpx.AsyncClient() as client:
                refused = await client.post(f"{emu.control_url}/clock/advance", json={"seconds": 1})
                assert refused.status_code == 409
                sent = await client.post(f"{emu.base_url}/{emu.config.phone_number_id}/messages",
                                         json=template_payload(),
                                         headers={"Authorization": f"Bearer {emu.config.access_token}"})
                assert sent.status_code == 200
                for _ in range(100):
                    if len(receiver.bodies) == 3:
                        break
                    await asyncio.sleep(0.02)
            assert [s for _, s in receiver.statuses()] == ["sent", "delivered", "read"]
            assert all(receiver.signatures_ok)
        finally:
            await emu.stop()
            await receiver.stop()

    asyncio.run(scenario())


def test_run_emulator_serves_until_cancelled() -> None:
    async def scenario() -> None:
        # Find a free port, then let run_emulator bind it.
        probe = Emulator(EmulatorConfig())
        base = await probe.start()
        port = int(base.split(":")[2].split("/")[0])
        await probe.stop()
        task = asyncio.create_task(run_emulator("127.0.0.1", port, None, None, "tok", "555", "777"))
        try:
            async with httpx.AsyncClient() as client:
                for _ in range(50):
                    with contextlib.suppress(httpx.ConnectError):
                        info = await client.get(f"http://127.0.0.1:{port}/v25.0/555",
                                                headers={"Authorization": "Bearer tok"})
                        break
                    await asyncio.sleep(0.02)
                assert info.status_code == 200 and info.json()["id"] == "555"
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        assert task.cancelled()

    asyncio.run(scenario())
