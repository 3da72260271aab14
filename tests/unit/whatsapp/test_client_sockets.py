"""Real sockets on 127.0.0.1: what a dropped or silent server means for a send (§3)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import httpx
import pytest

from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.errors import CloudApiError, ErrorKind, SendOutcomeUnknown

Handler = Callable[[asyncio.StreamReader, asyncio.Event], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    await reader.readexactly(length)


async def _with_server(handler: Handler, call: Callable[[CloudApiClient], Awaitable[object]]) -> object:
    done = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await handler(reader, done)
        finally:
            writer.close()
            await writer.wait_closed()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = CloudApiConfig(base_url=f"http://127.0.0.1:{port}/v25.0", phone_number_id="1",
                            waba_id="2", access_token="t")
    try:
        async with CloudApiClient(config, timeout=httpx.Timeout(0.3, connect=1)) as client:
            return await call(client)
    finally:
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        server.close()
        await server.wait_closed()


async def _silent(reader: asyncio.StreamReader, done: asyncio.Event) -> None:
    await _read_request(reader)
    await done.wait()  # the request arrived; the answer never comes


async def _hang_up(reader: asyncio.StreamReader, done: asyncio.Event) -> None:
    await _read_request(reader)  # the request arrived; the connection drops before any answer


def _send(client: CloudApiClient) -> Awaitable[object]:
    return client.send_text("551187654321", "oi")


@pytest.mark.parametrize("handler", [_silent, _hang_up])
def test_a_send_that_reached_the_server_without_an_answer_is_unknown(handler: Handler) -> None:
    with pytest.raises(SendOutcomeUnknown):
        asyncio.run(_with_server(handler, _send))


@pytest.mark.parametrize("handler", [_silent, _hang_up])
def test_a_read_that_got_no_answer_is_retried(handler: Handler) -> None:
    with pytest.raises(CloudApiError) as caught:
        asyncio.run(_with_server(handler, lambda c: c.phone_info()))
    assert caught.value.kind is ErrorKind.RETRY


def test_nobody_listening_is_safe_to_retry() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = CloudApiConfig(base_url=f"http://127.0.0.1:{port}/v25.0", phone_number_id="1",
                            waba_id="2", access_token="t")

    async def main() -> None:
        async with CloudApiClient(config) as client:
            await _send(client)

    with pytest.raises(CloudApiError) as caught:
        asyncio.run(main())
    assert caught.value.kind is ErrorKind.RETRY
    assert caught.value.title == "ConnectError"
