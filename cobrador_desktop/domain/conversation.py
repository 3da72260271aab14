"""Conversation rules with no I/O: the 24-hour window and the delivery-status state machine.

WHATSAPP_CLOUD_API.md §3 and §6: statuses arrive late, twice and out of order, so a message only
ever moves *forward* (queued < sending/unknown < sent < delivered < read); `failed` ends a message
that had not been delivered, but a `failed` after delivered/read is kept and flagged, not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)
#: the last minutes of the window are treated as closed: a send takes time to arrive
WINDOW_SAFETY = timedelta(minutes=5)

RANK: dict[str, int] = {
    "queued": 0,
    "sending": 1,
    "unknown": 1,
    "sent": 2,
    "delivered": 3,
    "read": 4,
    "played": 4,  # a voice message listened to: the same as read
}
TERMINAL_FAILURE = "failed"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What an incoming status does to a message.

    Attributes:
        status: the message's status afterwards.
        applied: whether the message changed.
        flagged: a contradiction to show an operator (`failed` after delivered/read).
    """

    status: str
    applied: bool
    flagged: bool = False


def apply_status(current: str, incoming: str) -> StatusChange:
    """The message status after `incoming` arrives for a message that is `current`."""
    incoming = "read" if incoming == "played" else incoming
    if current == TERMINAL_FAILURE:
        return StatusChange(current, applied=False)
    if incoming == TERMINAL_FAILURE:
        if RANK.get(current, 0) <= RANK["sent"]:
            return StatusChange(TERMINAL_FAILURE, applied=True)
        return StatusChange(current, applied=False, flagged=True)
    if incoming not in RANK:
        return StatusChange(current, applied=False)
    if RANK[incoming] > RANK.get(current, 0):
        return StatusChange(incoming, applied=True)
    return StatusChange(current, applied=False)


def window_closes_at(last_inbound_at: datetime | None) -> datetime | None:
    """When free text stops being allowed: 24 h after the person's last message, minus a margin."""
    if last_inbound_at is None:
        return None
    return last_inbound_at + WINDOW - WINDOW_SAFETY


def window_is_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether a free-text message may be sent now (WHATSAPP_CLOUD_API.md §6)."""
    closes = window_closes_at(last_inbound_at)
    return closes is not None and now < closes
