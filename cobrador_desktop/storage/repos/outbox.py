"""The outbox as the rest of the program sees it (the sender arrives with the outbox service)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.storage.orm import OutboxItem

#: rows still waiting to leave
WAITING = ("queued", "sending")


def queue_length(session: Session) -> int:
    """How many messages wait to be sent."""
    return int(session.scalar(
        select(func.count()).select_from(OutboxItem).where(OutboxItem.state.in_(WAITING))) or 0)
