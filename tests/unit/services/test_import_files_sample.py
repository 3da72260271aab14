"""Charset detection reads a sample of a large file, and the whole file must decode with what it
picked (else the whole file is detected)."""

from __future__ import annotations

import pytest

from cobrador_desktop.services import import_files
from cobrador_desktop.services.import_files import DETECTION_SAMPLE, decode


def test_a_large_file_whose_accents_start_late_is_still_windows_1252() -> None:
    ascii_part = "nome;valor;vencimento\r\n" + "Ana Silva;10,00;01/12/2026\r\n" * 5000
    assert len(ascii_part) > DETECTION_SAMPLE
    text = ascii_part + "João Conceição “Zé”;10,00;01/12/2026\r\n" * 50
    assert decode(text.encode("cp1252")) == (text, "Windows-1252")


def test_when_the_sample_misleads_the_whole_file_decides(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = import_files._detect

    def spy(data: bytes, sample: bytes) -> tuple[str, str] | None:
        calls.append(len(sample))
        return real(data, sample)
    monkeypatch.setattr(import_files, "_detect", spy)
    # the sample is cp1252 text; far below, a byte cp1252 does not define (0x81) only
    # Latin-1 can read: the sampled pick fails to decode all, the whole file is detected again
    body = ("Conceição;10,00;01/12/2026\r\n" * 4000).encode("cp1252")
    data = body + "Ab\x81c;1,00;01/12/2026\r\n".encode("latin-1")
    text, name = decode(data)
    assert calls == [DETECTION_SAMPLE, len(data)]
    assert name != "Windows-1252" and len(text) == len(data)  # a single-byte encoding that fits
