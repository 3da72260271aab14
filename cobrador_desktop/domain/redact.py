"""Masking secrets and personal data in text that leaves the program (logs, crash reports).

COMPLIANCE.md §4.6: tokens, app secrets and passwords never appear; phones and CPF/CNPJ are masked.
One table serves the log filter (`app/logs.py`) and the crash report (`ui/errors.py`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

REDACTED = "***"
#: shorter values are not remembered: replacing them everywhere would garble ordinary text
MIN_SECRET_LENGTH = 4
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|SENHA", re.IGNORECASE)

#: user:password@ in any URL (postgresql://, postgresql+psycopg://, https://)
_URL_PASSWORD = (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^:/@\s]+:)[^@\s]*@"), rf"\1{REDACTED}@")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    _URL_PASSWORD,
    # Authorization headers and bare Meta access tokens (they start with EAA)
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]+"), rf"\1{REDACTED}"),
    (re.compile(r"\bEAA[A-Za-z0-9]{10,}"), f"EAA{REDACTED}"),
    # Meta app secrets are 32 hex digits; longer hex runs (signatures, keys) go too
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), REDACTED),
    # key=value and key: value secrets
    (re.compile(r"(?i)\b(access_token|app_secret|verify_token|password|senha|secret)"
                r"(\s*[=:]\s*)[^&\s]+"), rf"\1\2{REDACTED}"),
    # Brazilian phones (E.164 or bare 55…): keep country code, DDD and the last two digits
    (re.compile(r"(\+?55\d{2})\d{6,7}(\d{2})\b"), r"\1*****\2"),
    # CPF, punctuated or not
    (re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"), "***.***.***-**"),
    # CNPJ, numeric or alphanumeric, punctuated
    (re.compile(r"\b[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}/[0-9A-Z]{4}-\d{2}\b"),
     "**.***.***/****-**"),
)


_known_lock = threading.Lock()
#: the secret values this process has read or saved, longest first (see `remember_secret`)
_known: tuple[str, ...] = ()


def remember_secret(value: str | None) -> None:
    """Have `redact` remove `value` wherever it appears from now on, in this process.

    The secret store calls it for every secret it reads or saves, and for the environment's
    WHATSAPP_* secrets, so a token that looks like nothing in particular is still hidden in the
    logs and crash reports. Values shorter than `MIN_SECRET_LENGTH` are ignored.
    """
    global _known
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _known_lock:
        if value not in _known:
            _known = tuple(sorted((*_known, value), key=len, reverse=True))


def known_secret_count() -> int:
    """How many secret values `redact` removes by value (for `check` and tests)."""
    return len(_known)


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Mask secrets and personal data in `text`.

    Every value given to `remember_secret` is removed wherever it appears. With `environ`, the
    values of variables whose names say TOKEN/SECRET/PASSWORD are removed too.
    """
    for value in _known:
        if value in text:
            text = text.replace(value, REDACTED)
    if environ is not None:
        for name, value in environ.items():
            if _SECRET_NAME.search(name) and len(value) >= 4:
                text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def mask_url_password(url: str) -> str:
    """A URL fit to show: `postgresql://ana:segredo@db/x` -> `postgresql://ana:***@db/x`."""
    pattern, replacement = _URL_PASSWORD
    return pattern.sub(replacement, url)


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret."""
    return _SECRET_NAME.search(name) is not None
