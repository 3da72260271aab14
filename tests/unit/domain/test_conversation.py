"""Statuses only move forward; the 24-hour window with its safety margin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cobrador_desktop.domain.conversation import apply_status, window_closes_at, window_is_open

ORDER = ["queued", "sending", "sent", "delivered", "read"]


@pytest.mark.parametrize(("current", "incoming", "expected", "applied"), [
    ("sending", "sent", "sent", True),
    ("sent", "delivered", "delivered", True),
    ("sent", "read", "read", True),          # read may come before delivered
    ("read", "delivered", "read", False),    # ... and delivered after it changes nothing
    ("delivered", "delivered", "delivered", False),  # duplicates
    ("unknown", "sent", "sent", True),       # a lost outcome reconciled by a status
    ("sent", "played", "read", True),
    ("sending", "failed", "failed", True),
    ("sent", "failed", "failed", True),
    ("failed", "read", "failed", False),     # failed is terminal
    ("sent", "deleted", "sent", False),      # an unknown status changes nothing
])
def test_apply_status(current: str, incoming: str, expected: str, applied: bool) -> None:
    change = apply_status(current, incoming)
    assert (change.status, change.applied) == (expected, applied)


@pytest.mark.parametrize("current", ["delivered", "read"])
def test_failure_after_delivery_is_flagged_not_applied(current: str) -> None:
    change = apply_status(current, "failed")
    assert change.status == current and not change.applied and change.flagged


def test_any_arrival_order_ends_at_the_furthest_status() -> None:
    import itertools

    for arrivals in itertools.permutations(["sent", "delivered", "read", "delivered"]):
        status = "sending"
        for incoming in arrivals:
            status = apply_status(status, incoming).status
        assert status == "read"


def test_window() -> None:
    last = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    assert window_closes_at(None) is None
    assert not window_is_open(None, last)
    assert window_is_open(last, last + timedelta(hours=23, minutes=54))
    assert not window_is_open(last, last + timedelta(hours=23, minutes=55))  # the safety margin
    assert not window_is_open(last, last + timedelta(days=2))
