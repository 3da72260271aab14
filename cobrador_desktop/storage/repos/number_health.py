"""The number's health as the database holds it (SQLite and PostgreSQL): the quality setting's
row, the templates and the recent failures by error code (`domain.number_health`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.number_health import FailureReason, TemplateHealth
from cobrador_desktop.domain.settings import NUMBER_QUALITY, NumberQuality
from cobrador_desktop.storage.orm import Message, Setting, Template
from cobrador_desktop.storage.repos.settings import read_json_setting


def quality(session: Session) -> tuple[NumberQuality, datetime | None]:
    """The number's quality and tier, and when that setting was last written (None: never)."""
    row = session.get(Setting, NUMBER_QUALITY.key)
    return read_json_setting(session, NUMBER_QUALITY), row.updated_at if row else None


def last_sync(session: Session) -> datetime | None:
    """The last time the account sync listed the templates."""
    return session.scalar(select(func.max(Template.synced_at)))


def templates(session: Session) -> list[TemplateHealth]:
    """Every template but the deleted ones (any order)."""
    rows = session.execute(
        select(Template.name, Template.language, Template.category, Template.status,
               Template.quality, Template.rejected_reason)
        .where(Template.status != "DELETED"))
    return [TemplateHealth(*row) for row in rows]


def failures(session: Session, since: datetime, until: datetime) -> list[FailureReason]:
    """Outbound messages failed in [since, until] by error code: count, last change and the
    latest one's detail, most frequent first (one pass: window functions over the failures)."""
    at = func.coalesce(Message.status_at, Message.created_at)
    code = Message.error_code
    failed = (
        select(code.label("code"),
               func.count().over(partition_by=code).label("n"),
               at.label("last_at"),  # the latest failure's, on its row (rank 1)
               Message.error_detail.label("detail"),
               func.row_number().over(partition_by=code,
                                      order_by=(at.desc(), Message.id.desc()))
               .label("rank"))
        .where(Message.direction == "out", Message.status == "failed", at >= since,
               at <= until).subquery())
    rows = session.execute(select(failed.c.code, failed.c.n, failed.c.last_at, failed.c.detail)
                           .where(failed.c.rank == 1))
    found = [FailureReason(error, int(n), last_at, detail) for error, n, last_at, detail in rows]
    return sorted(found, key=lambda f: (-f.count, f.code is None, f.code or 0))
