"""Does the webhook URL answer Meta's subscription check? The set-up wizard's "Testar webhook".

Makes the same GET Meta makes when the shop saves the callback URL in its app dashboard
(`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`, WHATSAPP_CLOUD_API.md §4.2) and
checks that the challenge comes back as the body. The verify token is never logged.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum

import httpx

log = logging.getLogger("cobrador.wa")


class ProbeOutcome(StrEnum):
    OK = "ok"  # 200 with the challenge echoed
    REFUSED = "refused"  # 403 (or 401): the receiver did not accept the verify token
    WRONG_ANSWER = "wrong_answer"  # 2xx with something else than the challenge
    HTTP_ERROR = "http_error"  # another status (404: wrong path, 5xx: the receiver failed)
    UNREACHABLE = "unreachable"  # no connection (wrong address, tunnel down, nothing listening)
    TIMEOUT = "timeout"  # connected but no answer in time
    TLS = "tls"  # the certificate was refused (Meta refuses it too)


@dataclass(frozen=True)
class ProbeResult:
    outcome: ProbeOutcome
    #: the HTTP status, when an answer came
    status: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is ProbeOutcome.OK


async def probe_handshake(url: str, verify_token: str, *, timeout: float = 10.0,
                          transport: httpx.AsyncBaseTransport | None = None) -> ProbeResult:
    """GET `url` as Meta's subscription check would, with a fresh random challenge."""
    challenge = str(secrets.randbelow(10**10))
    params = {"hub.mode": "subscribe", "hub.verify_token": verify_token,
              "hub.challenge": challenge}
    try:
        async with httpx.AsyncClient(timeout=timeout, transport=transport,
                                     follow_redirects=False) as client:
            response = await client.get(url, params=params)
    except httpx.TimeoutException as exc:
        if isinstance(exc, httpx.ConnectTimeout):
            return _logged(url, ProbeResult(ProbeOutcome.UNREACHABLE))
        return _logged(url, ProbeResult(ProbeOutcome.TIMEOUT))
    except httpx.ConnectError as exc:
        tls = "CERTIFICATE" in str(exc).upper() or "SSL" in str(exc).upper()
        return _logged(url, ProbeResult(ProbeOutcome.TLS if tls else ProbeOutcome.UNREACHABLE))
    except httpx.HTTPError:
        return _logged(url, ProbeResult(ProbeOutcome.UNREACHABLE))
    status = response.status_code
    if status in (401, 403):
        outcome = ProbeOutcome.REFUSED
    elif not response.is_success:
        outcome = ProbeOutcome.HTTP_ERROR
    elif response.text.strip() == challenge:
        outcome = ProbeOutcome.OK
    else:
        outcome = ProbeOutcome.WRONG_ANSWER
    return _logged(url, ProbeResult(outcome, status))


def _logged(url: str, result: ProbeResult) -> ProbeResult:
    # the URL has no secret (the token goes in the query, which is not logged)
    log.info("webhook handshake test of %s: %s (HTTP %s)", url.split("?")[0],
             result.outcome.value, result.status)
    return result
