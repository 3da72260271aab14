"""Logs never hold secrets, and mask phones and CPF/CNPJ (COMPLIANCE.md §4.6)."""

from __future__ import annotations

import logging
from pathlib import Path

from cobrador_desktop.app.logs import redact, setup_logging


def test_redact_masks_secrets_and_personal_data() -> None:
    line = ("Authorization: Bearer EAAGm0PX4ZCpsBAKZCsecret123 token EAAB1234567890abcdef "
            "access_token=abc123 postgresql+psycopg://ana:s3nh4@db/cobrador "
            "telefone +5511987654321 cpf 123.456.789-09 e 52998224725 cnpj 12.ABC.345/01DE-35")
    masked = redact(line)
    for secret in ("EAAGm0PX4ZCpsBAKZCsecret123", "EAAB1234567890abcdef", "abc123", "s3nh4",
                   "987654321", "123.456.789-09", "52998224725", "12.ABC.345/01DE-35"):
        assert secret not in masked, secret
    assert "+5511*****21" in masked


def test_log_file_is_redacted(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs")
    assert path is not None
    logger = logging.getLogger("cobrador.test")
    logger.info("enviando para %s com token %s", "+5521998887777", "Bearer EAAsegredo12345678")
    try:
        raise ValueError("senha=hunter2")
    except ValueError:
        logger.exception("falhou")
    for handler in logging.getLogger("cobrador").handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "998887777" not in text and "EAAsegredo" not in text and "hunter2" not in text
    assert "enviando para" in text and "falhou" in text
    setup_logging(None)
