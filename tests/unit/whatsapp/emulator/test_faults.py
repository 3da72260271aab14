"""Fault injection: 5xx, HTML 502, timeouts before/after processing, resets, latency, nth call."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.unit.whatsapp.emulator.harness import error_code, running, template_payload, with_receiver


async def _sent_total(h: object) -> int:
    from tests.unit.whatsapp.emulator.harness import Harness
    assert isinstance(h, Harness)
    return int((await h.control("GET", "sent")).json()["total"])


def test_5xx_and_html_502_process_nothing() -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.control("PUT", "faults", {"rules": [
                {"kind": "http_500", "nth": 1}, {"kind": "http_503", "nth": 2},
                {"kind": "http_502_html", "nth": 3}]})
            first, second, third = [await h.send(template_payload()) for _ in range(3)]
            assert first.status_code == 500 and error_code(first) == 131000
            assert second.status_code == 503 and error_code(second) == 133004
            assert third.status_code == 502 and third.headers["content-type"].startswith("text/html")
            assert await _sent_total(h) == 0
            assert (await h.send(template_payload())).status_code == 200

    asyncio.run(scenario())


def test_rules_by_recipient_template_and_times() -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.control("PUT", "faults", {"rules": [
                {"kind": "http_500", "recipient": "5521", "times": 1},
                {"kind": "http_503", "template": "vencimento_hoje_v1"}]})
            assert (await h.send(template_payload())).status_code == 200
            assert (await h.send(template_payload(to="+5521987654321"))).status_code == 500
            assert (await h.send(template_payload(to="+5521987654321"))).status_code == 200
            hoje = template_payload(name="vencimento_hoje_v1", values=["Maria", "3/10", "R$ 150,00"])
            assert (await h.send(hoje)).status_code == 503
            rules = (await h.control("PUT", "faults", {})).json()["rules"]
            assert [r["fired"] for r in rules] == [1, 1]
            assert (await h.control("PUT", "faults", {"rules": [{"kind": "boom"}]})).status_code == 400

    asyncio.run(scenario())


def test_timeout_before_processing_creates_nothing() -> None:
    async def scenario() -> None:
        async with running(timeout=0.3) as h:
            await h.control("PUT", "faults", {"rules": [{"kind": "timeout_before", "times": 1}]})
            with pytest.raises(httpx.ReadTimeout):
                await h.send(template_payload())
            assert await _sent_total(h) == 0

    asyncio.run(scenario())


def test_timeout_after_processing_is_the_unknown_case() -> None:
    async def scenario() -> None:
        async with with_receiver(timeout=0.3) as (h, rx):
            await h.control("PUT", "faults", {"rules": [{"kind": "timeout_after", "times": 1}]})
            with pytest.raises(httpx.ReadTimeout):
                await h.send(template_payload(biz_opaque_callback_data="ob:77"))
            sent = (await h.control("GET", "sent")).json()
            assert sent["total"] == 1
            wamid = sent["messages"][0]["id"]
            await h.advance(20)
            statuses = rx.statuses()
            assert statuses == [(wamid, "sent"), (wamid, "delivered"), (wamid, "read")]
            assert rx.payloads[0]["entry"][0]["changes"][0]["value"]["statuses"][0][
                "biz_opaque_callback_data"] == "ob:77"

    asyncio.run(scenario())


@pytest.mark.parametrize(("kind", "created"), [("reset_before", 0), ("reset_after", 1)])
def test_connection_reset(kind: str, created: int) -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.control("PUT", "faults", {"rules": [{"kind": kind, "times": 1}]})
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                await h.send(template_payload())
            assert await _sent_total(h) == created

    asyncio.run(scenario())


def test_latency_is_added() -> None:
    async def scenario() -> None:
        async with running() as h:
            await h.control("PUT", "faults", {"rules": [{"kind": "latency", "latency_ms": 200,
                                                          "path": "/messages"}]})
            started = time.perf_counter()
            assert (await h.send(template_payload())).status_code == 200
            assert time.perf_counter() - started >= 0.2

    asyncio.run(scenario())
