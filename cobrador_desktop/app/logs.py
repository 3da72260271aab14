"""Logging: a rotating file in the data folder, named loggers per layer, secrets masked.

COMPLIANCE.md §4.6: logs never hold tokens, and mask phones and CPF/CNPJ. The filter below rewrites
every record (with `domain.redact`) before any handler sees it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cobrador_desktop.domain.redact import redact

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
        return True


def setup_logging(log_dir: Path | None, *, verbose: bool = False,
                  to_stderr: bool = False) -> Path | None:
    """Configure the `cobrador` logger tree; return the log file path (None if not writable)."""
    root = logging.getLogger("cobrador")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    redactor = RedactingFilter()
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
    return path
