"""Logging: a rotating file in the data folder, named loggers per layer, secrets masked.

COMPLIANCE.md §4.6: logs never hold tokens, and mask phones and CPF/CNPJ. The filter below rewrites
every record (with `domain.redact`) before any handler writes it: it is installed on every handler
of the `cobrador` tree, of the root logger (libraries) and on Python's last-resort handler. Besides
the patterns (Bearer, EAA… tokens, long hex secrets, key=value), it removes every secret value the
process knows (`domain.redact.remember_secret`: the secret store's and the environment's).
"""

from __future__ import annotations

import logging
from pathlib import Path

from cobrador_desktop.domain.redact import redact

__all__ = ["LOG_FILE", "RedactingFilter", "install_redaction", "redact", "setup_logging"]

LOG_FILE = "cobrador.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Masks secrets and personal data in the final message (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg = redact(message)
        record.args = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_REDACTOR = RedactingFilter()


def install_redaction() -> None:
    """Put the redacting filter on every handler there is: the `cobrador` tree's, the root
    logger's (what libraries log) and Python's last-resort handler (idempotent)."""
    handlers = [*logging.getLogger("cobrador").handlers, *logging.getLogger().handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(_REDACTOR)


def setup_logging(log_dir: Path | None, *, verbose: bool = False,
                  to_stderr: bool = False) -> Path | None:
    """Configure the `cobrador` logger tree; return the log file path (None if not writable)."""
    from cobrador_desktop.app.secrets import remember_environment_secrets

    remember_environment_secrets()  # WHATSAPP_* secrets are hidden even where they look plain
    root = logging.getLogger("cobrador")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    redactor = _REDACTOR
    path: Path | None = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            path = log_dir / LOG_FILE
            # imported here: logging.handlers pulls in socket, pickle and queue (start-up time)
            from logging.handlers import RotatingFileHandler

            file_handler = RotatingFileHandler(
                path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        except OSError:
            path = None
        else:
            file_handler.setFormatter(logging.Formatter(_FORMAT))
            file_handler.addFilter(redactor)
            root.addHandler(file_handler)
    if to_stderr:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter(_FORMAT))
        stream.addFilter(redactor)
        root.addHandler(stream)
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    install_redaction()
    return path
