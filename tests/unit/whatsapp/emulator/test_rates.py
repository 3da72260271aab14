"""Throughput (80/s over a sliding second) and the per-recipient pair rate, on a FakeClock."""

from __future__ import annotations

import asyncio

from tests.unit.whatsapp.emulator.harness import error_code, running, template_payload


def test_throughput_limit_over_a_sliding_second() -> None:
    async def scenario() -> None:
        async with running(throughput_per_second=10) as h:
            for i in range(10):
                response = await h.send(template_payload(to=f"+55119876500{i:02d}"))
                assert response.status_code == 200
            over = await h.send(template_payload(to="+5511987650099"))
            assert over.status_code == 400 and error_code(over) == 130429
            await h.advance(0.5)
            assert error_code(await h.send(template_payload(to="+5511987650098"))) == 130429
            await h.advance(0.5)
            assert (await h.send(template_payload(to="+5511987650097"))).status_code == 200
            assert (await h.control("GET", "sent")).json()["total"] == 11

    asyncio.run(scenario())


def test_default_throughput_is_80_and_inbound_counts() -> None:
    async def scenario() -> None:
        async with running() as h:
            for i in range(79):
                assert (await h.send(template_payload(to=f"+5511987650{i:03d}"))).status_code == 200
            await h.inbound("+5521999990000")
            assert error_code(await h.send(template_payload(to="+5511987651999"))) == 130429

    asyncio.run(scenario())


def test_throughput_option_429_with_retry_after() -> None:
    async def scenario() -> None:
        async with running(throughput_per_second=1, throughput_http_429=True) as h:
            await h.send(template_payload())
            over = await h.send(template_payload(to="+5511912345678"))
            assert over.status_code == 429 and over.headers["Retry-After"] == "1"
            assert error_code(over) == 130429

    asyncio.run(scenario())


def test_pair_rate_burst_then_one_per_six_seconds() -> None:
    async def scenario() -> None:
        async with running(pair_burst=3, throughput_per_second=1000) as h:
            for _ in range(3):
                assert (await h.send(template_payload())).status_code == 200
            blocked = await h.send(template_payload())
            assert blocked.status_code == 400 and error_code(blocked) == 131056
            # Another recipient is not affected.
            assert (await h.send(template_payload(to="+5521987654321"))).status_code == 200
            await h.advance(5)
            assert error_code(await h.send(template_payload())) == 131056
            await h.advance(1)
            assert (await h.send(template_payload())).status_code == 200
            assert error_code(await h.send(template_payload())) == 131056
            counts = (await h.control("GET", "sent")).json()["per_recipient"]
            assert counts == {"5511987654321": 4, "5521987654321": 1}

    asyncio.run(scenario())


def test_default_pair_burst_is_45() -> None:
    async def scenario() -> None:
        async with running() as h:
            for _ in range(45):
                assert (await h.send(template_payload())).status_code == 200
            assert error_code(await h.send(template_payload())) == 131056

    asyncio.run(scenario())
