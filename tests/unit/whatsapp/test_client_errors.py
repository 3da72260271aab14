"""How the client reports failures (§3, §7): classified errors, unknown outcomes, no secrets leaked."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from cobrador_desktop.whatsapp.client import CloudApiClient, CloudApiConfig
from cobrador_desktop.whatsapp.errors import CloudApiError, ErrorKind, SendOutcomeUnknown
from tests.unit.whatsapp.helpers import BASE, CONFIG, FIXTURES, TOKEN, Recorder, ok, run

Call = Callable[[CloudApiClient], Awaitable[Any]]

SENDS: dict[str, Call] = {
    "send": lambda c: c.send({"messaging_product": "whatsapp", "to": "551187654321", "type": "text",
                              "text": {"body": "oi"}}),
    "send_text": lambda c: c.send_text("551187654321", "oi"),
    "send_template": lambda c: c.send_template("551187654321", "vencimento_hoje_v1",
                                               body_params=["Maria"]),
    "send_buttons": lambda c: c.send_buttons("551187654321", "Escolha", [("a", "A")]),
}
# Calls whose repetition does no harm: a lost answer is only a transient error.
OTHERS: dict[str, Call] = {
    "mark_read": lambda c: c.mark_read("wamid.IN1"),
    "list_templates": lambda c: c.list_templates(),
    "phone_info": lambda c: c.phone_info(),
    "create_template": lambda c: c.create_template({"name": "x"}),
    "delete_template": lambda c: c.delete_template("x"),
}
ALL = {**SENDS, **OTHERS}

NOT_SENT = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout]
MAYBE_SENT = [httpx.WriteTimeout, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError,
              httpx.WriteError]


def raising(exc_type: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)
    return handler


@pytest.mark.parametrize("exc_type", NOT_SENT)
@pytest.mark.parametrize("name", sorted(ALL))
def test_failures_before_the_request_left_are_safe_to_retry(
        name: str, exc_type: type[httpx.TransportError]) -> None:
    with pytest.raises(CloudApiError) as caught:
        run(Recorder(raising(exc_type)), ALL[name])
    error = caught.value
    assert error.kind is ErrorKind.RETRY
    assert error.code is None and error.http_status is None
    assert error.title == exc_type.__name__
    assert isinstance(error.__cause__, exc_type)


@pytest.mark.parametrize("exc_type", MAYBE_SENT)
@pytest.mark.parametrize("name", sorted(SENDS))
def test_a_send_whose_answer_was_lost_is_an_unknown_outcome(
        name: str, exc_type: type[httpx.TransportError]) -> None:
    with pytest.raises(SendOutcomeUnknown) as caught:
        run(Recorder(raising(exc_type)), SENDS[name])
    assert caught.value.reason == exc_type.__name__
    assert "sem confirmação da Meta" in caught.value.message


@pytest.mark.parametrize("exc_type", MAYBE_SENT)
@pytest.mark.parametrize("name", sorted(OTHERS))
def test_other_calls_whose_answer_was_lost_are_retried(
        name: str, exc_type: type[httpx.TransportError]) -> None:
    with pytest.raises(CloudApiError) as caught:
        run(Recorder(raising(exc_type)), OTHERS[name])
    assert caught.value.kind is ErrorKind.RETRY


FIXTURE_KINDS = {
    "131047_reengagement": ErrorKind.TEMPLATE,
    "130429_throughput": ErrorKind.PACE,
    "131056_pair_rate": ErrorKind.PACE,
    "131026_undeliverable": ErrorKind.NO_RETRY,
    "132001_template_missing": ErrorKind.NO_RETRY,
    "132015_template_paused": ErrorKind.WAIT,
    "131000_generic": ErrorKind.RETRY,
    "133004_server_unavailable": ErrorKind.RETRY,
    "190_token_expired": ErrorKind.STOP,
    "131031_account_locked": ErrorKind.STOP,
    "80007_waba_rate_limit": ErrorKind.PACE,
    "template_2388019_template_limit": ErrorKind.NO_RETRY,
}


def fixture_response(name: str) -> httpx.Response:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return httpx.Response(data["http_status"], json=data["body"])


@pytest.mark.parametrize(("fixture", "kind"), sorted(FIXTURE_KINDS.items()))
@pytest.mark.parametrize("name", ["send_text", "send_template", "list_templates", "mark_read"])
def test_error_answers_become_classified_errors(fixture: str, kind: ErrorKind, name: str) -> None:
    response = fixture_response(fixture)
    with pytest.raises(CloudApiError) as caught:
        run(Recorder(response), ALL[name])
    error = caught.value
    assert error.kind is kind
    assert error.http_status == response.status_code
    assert error.fbtrace_id == response.json()["error"]["fbtrace_id"]


def test_an_error_answer_to_a_send_is_a_known_refusal_not_an_unknown_outcome() -> None:
    # 5xx means Meta answered: the message was not accepted, so retrying it is safe (§3).
    with pytest.raises(CloudApiError) as caught:
        run(Recorder(fixture_response("131000_generic")), SENDS["send_text"])
    assert caught.value.kind is ErrorKind.RETRY


def test_an_html_gateway_page_is_a_retryable_error() -> None:
    page = (FIXTURES / "502_bad_gateway.html").read_bytes()
    response = httpx.Response(502, content=page, headers={"Content-Type": "text/html"})
    with pytest.raises(CloudApiError) as caught:
        run(Recorder(response), SENDS["send_text"])
    assert caught.value.kind is ErrorKind.RETRY
    assert caught.value.code is None


def test_an_unreadable_2xx_answer_to_a_read_is_a_retryable_error() -> None:
    with pytest.raises(CloudApiError) as caught:
        run(Recorder(httpx.Response(200, content=b"<html></html>")), OTHERS["phone_info"])
    assert caught.value.kind is ErrorKind.RETRY


def test_a_redirect_is_not_followed_with_the_token() -> None:
    rec = Recorder(httpx.Response(302, headers={"Location": "https://elsewhere.test/steal"}))
    with pytest.raises(CloudApiError) as caught:
        run(rec, SENDS["send_text"])
    assert len(rec.requests) == 1
    assert caught.value.kind is ErrorKind.NO_RETRY


# ---------------------------------------------------------------- secrets and logs


def test_the_token_never_appears_in_repr_or_str() -> None:
    assert TOKEN not in repr(CONFIG) and TOKEN not in str(CONFIG)
    assert "access_token" not in repr(CONFIG)
    client = CloudApiClient(CONFIG, transport=httpx.MockTransport(lambda r: ok()))
    assert TOKEN not in repr(client)
    for name in ("190_token_expired", "131047_reengagement"):
        with pytest.raises(CloudApiError) as caught:
            run(Recorder(fixture_response(name)), SENDS["send_text"])
        error = caught.value
        assert TOKEN not in repr(error) and TOKEN not in str(error)
        assert all(TOKEN not in str(value) for value in vars(error).values())


def test_logs_name_the_trace_id_but_neither_token_nor_bodies(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CloudApiError):
        run(Recorder(fixture_response("131047_reengagement")),
            lambda c: c.send_text("551187654321", "SEGREDO-DO-CORPO"))
    with pytest.raises(SendOutcomeUnknown):
        run(Recorder(raising(httpx.ReadTimeout)),
            lambda c: c.send_text("551187654321", "SEGREDO-DO-CORPO"))
    wa_records = [r for r in caplog.records if r.name == "cobrador.wa"]
    assert wa_records
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "AhuUqbWQs0pFq6qrnBtLHvr" in text
    assert "131047" in text
    assert "ReadTimeout" in text
    assert TOKEN not in text
    assert "SEGREDO-DO-CORPO" not in text


# ---------------------------------------------------------------- configuration


def test_default_timeouts_follow_the_reference() -> None:
    client = CloudApiClient(CONFIG)
    timeout = client._http.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (5, 20, 10, 20)


@pytest.mark.parametrize("url", ["", "graph.facebook.com/v25.0", "ftp://x/v25.0"])
def test_a_base_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        CloudApiConfig(base_url=url, phone_number_id="1", waba_id="2", access_token="t")


def test_a_trailing_slash_in_the_base_url_is_harmless() -> None:
    config = CloudApiConfig(base_url=BASE + "/", phone_number_id="1", waba_id="2", access_token="t")
    rec = Recorder(ok())

    async def main() -> None:
        async with CloudApiClient(config, transport=httpx.MockTransport(rec)) as client:
            await client.send_text("551187654321", "oi")

    asyncio.run(main())
    assert str(rec.requests[0].url) == f"{BASE}/1/messages"


def test_the_context_manager_closes_the_pool() -> None:
    async def main() -> CloudApiClient:
        async with CloudApiClient(CONFIG, transport=httpx.MockTransport(lambda r: ok())) as client:
            pass
        return client

    assert asyncio.run(main())._http.is_closed
