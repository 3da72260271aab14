"""An injectable clock: every "now" in the program comes from a `Clock`.

Instants are aware `datetime`s in UTC; tests use `FakeClock` and move it by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

#: the shop's zone when COBRADOR_TIMEZONE is not set (INTERFACES.md §2)
DEFAULT_SHOP_ZONE = "America/Sao_Paulo"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Real time passing, but starting from a chosen instant (`COBRADOR_CLOCK_START`).

    For runs against the local emulator only: end-to-end tests and training sessions that must
    behave the same on a Sunday night as on a Monday afternoon (the send guard keeps contact
    hours by this clock).
    """

    def __init__(self, start: datetime, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware instant")
        self._start = start.astimezone(UTC)
        self._monotonic = monotonic
        self._origin = monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._monotonic() - self._origin)


class FakeClock:
    """A clock that stands still until told to move (for tests and the emulator)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = instant.astimezone(UTC)
