"""A one-shot probe of the Cloud API connection for `cobrador-desktop check`.

Reads the phone number's display name and quality; the full client arrives with the WhatsApp
platform issue and will take this over.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import httpx

PHONE_FIELDS = "display_phone_number,verified_name,quality_rating"


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    #: "ok" | "auth" | "not_found" | "offline" | "error"
    kind: str
    detail: str


def probe_phone_number(base_url: str, phone_number_id: str, token: str,
                       *, timeout: float = 10.0) -> ProbeResult:
    """GET /{phone-number-id}: is the API reachable and does the token work?"""
    url = f"{base_url.rstrip('/')}/{phone_number_id}"
    try:
        response = httpx.get(url, params={"fields": PHONE_FIELDS},
                             headers={"Authorization": f"Bearer {token}"},
                             timeout=httpx.Timeout(timeout, connect=5.0))
    except httpx.HTTPError as exc:
        return ProbeResult(False, "offline", type(exc).__name__)
    if response.status_code == 200:
        try:
            body = response.json()
        except ValueError:
            return ProbeResult(False, "error", "resposta que não é JSON")
        name = body.get("verified_name") or body.get("display_phone_number") or phone_number_id
        return ProbeResult(True, "ok", f"{name} (qualidade {body.get('quality_rating', '?')})")
    code = None
    with contextlib.suppress(ValueError, AttributeError):
        code = response.json().get("error", {}).get("code")
    if response.status_code == 401 or code in (0, 190):
        return ProbeResult(False, "auth", f"HTTP {response.status_code}, código {code}")
    if response.status_code == 404 or code in (33, 100):
        return ProbeResult(False, "not_found", f"HTTP {response.status_code}, código {code}")
    return ProbeResult(False, "error", f"HTTP {response.status_code}, código {code}")
