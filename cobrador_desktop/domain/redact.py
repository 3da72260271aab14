"""Masking secrets and personal data in text that leaves the program (logs, crash reports).

COMPLIANCE.md §4.6: tokens, app secrets and passwords never appear; phones and CPF/CNPJ are masked.
One table serves the log filter (`app/logs.py`) and the crash report (`ui/errors.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

REDACTED = "***"
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|SENHA", re.IGNORECASE)

#: user:password@ in any URL (postgresql://, postgresql+psycopg://, https://)
_URL_PASSWORD = (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^:/@\s]+:)[^@\s]*@"), rf"\1{REDACTED}@")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    _URL_PASSWORD,
    # Authorization headers and bare Meta access tokens (they start with EAA)
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]+"), rf"\1{REDACTED}"),
    (re.compile(r"\bEAA[A-Za-z0-9]{10,}"), f"EAA{REDACTED}"),
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


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Mask secrets and personal data in `text`.

    With `environ`, the values of variables whose names say TOKEN/SECRET/PASSWORD are removed too,
    wherever they appear.
    """
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
