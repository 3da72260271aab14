"""Is this request really from Meta? Signature and verify-token checks (WHATSAPP_CLOUD_API.md §4.2).

Pure standard library, so the receiver, the emulator and the tests share one definition. The
signature covers the **raw bytes** of the body: Meta signs an escaped-unicode form (`Jo\\u00e3o`),
so decoding and re-serialising before checking would refuse every accented name.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

#: Bodies above 1 MiB are refused with 413 before they are read whole.
MAX_BODY = 1 << 20
#: The header carrying `sha256=<hex>`; the legacy SHA-1 `X-Hub-Signature` is ignored on purpose.
SIGNATURE_HEADER = "X-Hub-Signature-256"

_PREFIX = "sha256="
_HEX = frozenset("0123456789abcdef")


def sign(raw: bytes, secret: bytes) -> str:
    """Signs a body the way Meta does.

    Args:
        raw: the exact bytes that will be sent.
        secret: the app secret.

    Returns:
        The `X-Hub-Signature-256` header value, `sha256=<lowercase hex>`.
    """
    return _PREFIX + hmac.new(secret, raw, hashlib.sha256).hexdigest()


def signature_ok(raw: bytes, header: str | None, secrets: Sequence[bytes]) -> bool:
    """Tells whether `header` is a valid signature of `raw` under any of `secrets`.

    Several secrets are accepted so the app secret can be rotated without losing webhooks in
    flight. Empty secrets are skipped: an unconfigured secret must never accept anything.

    Args:
        raw: the body exactly as received, before any decoding.
        header: the `X-Hub-Signature-256` value, or None when the header is missing.
        secrets: the current app secret first, then any previous ones.

    Returns:
        True when the signature matches; False for a missing, malformed or wrong one.
    """
    if not header:
        return False
    header = header.strip()
    if header[: len(_PREFIX)].lower() != _PREFIX:
        return False
    # Meta sends lowercase hex; a non-hex or non-ASCII value is refused before compare_digest,
    # which raises TypeError on non-ASCII str.
    given = header[len(_PREFIX):].lower()
    if len(given) != 64 or not _HEX.issuperset(given):
        return False
    matched = False
    for secret in secrets:
        if secret:
            expected = hmac.new(secret, raw, hashlib.sha256).hexdigest()
            # no short-circuit: the time taken does not depend on which secret matched
            matched |= hmac.compare_digest(expected, given)
    return matched


def handshake(params: Mapping[str, str], verify_token: str) -> str | None:
    """Answers Meta's subscription check (`GET /webhook?hub.mode=subscribe&…`).

    Args:
        params: the query parameters (`hub.mode`, `hub.verify_token`, `hub.challenge`).
        verify_token: the token the shop typed in Meta's dashboard; empty means not configured,
            and then nothing is accepted.

    Returns:
        The challenge to answer with 200 as `text/plain`, or None to answer 403.
    """
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    token = params.get("hub.verify_token")
    challenge = params.get("hub.challenge")
    if token is None or not challenge:
        return None
    if not hmac.compare_digest(token.encode("utf-8", "surrogateescape"),
                               verify_token.encode("utf-8", "surrogateescape")):
        return None
    return challenge
