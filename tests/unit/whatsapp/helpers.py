"""Shared pieces of the client tests: a recording `httpx.MockTransport` handler and a runner."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig

T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "meta" / "errors"
TOKEN = "EAAG-secret-token-0123456789abcdef"
BASE = "https://graph.example.test/v25.0"
CONFIG = CloudApiConfig(base_url=BASE, phone_number_id="1122334455667", waba_id="9988776655",
                        access_token=TOKEN)
WAMID = "wamid.HBgMNTUxMTg3NjU0MzIxFQIAERgSMDk2QkQ0RkJBNjE0RjQ1Q0I3AA=="
ACCEPTED = {"messaging_product": "whatsapp",
            "contacts": [{"input": "+5511987654321", "wa_id": "551187654321"}],
            "messages": [{"id": WAMID, "message_status": "accepted"}]}


class Recorder:
    """A MockTransport handler that records requests and answers from a queue or a function."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
                 ) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def last_json(self) -> Any:
        return json.loads(self.requests[-1].content)


def run(recorder: Recorder, call: Callable[[CloudApiClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with CloudApiClient(CONFIG, transport=httpx.MockTransport(recorder)) as client:
            return await call(client)
    return asyncio.run(main())


def ok(body: Any = None) -> httpx.Response:
    return httpx.Response(200, json=ACCEPTED if body is None else body)
