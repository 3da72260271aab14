"""The dossier's offered file name: whose it is and when, valid on every system."""

from __future__ import annotations

from datetime import date

import pytest

from cobrador_desktop.domain.dossier import file_name


@pytest.mark.parametrize(("name", "expected"), [
    ("Maria Aparecida Souza", "dossie-maria-aparecida-souza-2026-11-23.pdf"),
    ("  JOÃO d'Ávila / Filho: *?<>|", "dossie-joao-d-avila-filho-2026-11-23.pdf"),
    ("Titular anonimizado nº 12", "dossie-titular-anonimizado-no-12-2026-11-23.pdf"),
    ("***", "dossie-devedor-2026-11-23.pdf"),
    ("a" * 200, f"dossie-{'a' * 60}-2026-11-23.pdf"),
])
def test_the_offered_name(name: str, expected: str) -> None:
    assert file_name(name, date(2026, 11, 23)) == expected
