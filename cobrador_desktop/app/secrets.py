"""The one module that talks to the OS keyring (ARCHITECTURE.md §7).

Saving and reading secrets arrives with the operators and security issue; for now this only tells
whether a usable keyring backend exists, for `check` and the settings screen.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    backend: str


def keyring_status() -> KeyringStatus:
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend must not crash `check`
        return KeyringStatus(False, type(exc).__name__)
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return KeyringStatus(False, name)
    try:
        priority = float(backend.priority)
    except Exception:
        priority = 0.0
    return KeyringStatus(priority > 0, name)
