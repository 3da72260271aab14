"""KnownError messages: parameters filled, and no "cópia salva em nenhuma" when there is no backup."""

from __future__ import annotations

from cobrador_desktop.domain.errors import (
    NO_BACKUP,
    DatabaseCorrupt,
    InvalidAmount,
    KnownError,
    MigrationFailed,
)


def test_parameters_fill_message_and_hint() -> None:
    err = DatabaseCorrupt(path="/d/cobrador.db", backup="/d/backups/c.db")
    assert "/d/cobrador.db" in err.message
    assert "/d/backups/c.db" in err.hint
    assert str(err) == f"{err.message} {err.hint}"
    assert "{" not in err.message_source or "{path}" in err.message_source  # source stays raw


def test_no_backup_changes_the_hint_not_into_nonsense() -> None:
    for err in (DatabaseCorrupt(path="/d/c.db", backup=NO_BACKUP),
                MigrationFailed(detail="x", backup=NO_BACKUP)):
        assert NO_BACKUP not in err.hint
        assert "suporte" in err.hint


def test_exit_codes_follow_the_interface() -> None:
    assert InvalidAmount(value="abc").exit_code == 2
    assert KnownError().exit_code == 1


def test_missing_parameter_leaves_the_template() -> None:
    assert "{value}" in InvalidAmount().message
