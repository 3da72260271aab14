"""The post-payment survey's rows (SQLite and PostgreSQL): the taps and the surveys that left.

What counts is defined in `domain.satisfaction`; this module only reads. The answer lives in the
inbound message's JSON payload (`answer.intent`, `answer.score`, `answer.debt_id`), read with
SQLAlchemy's JSON paths: `JSON_EXTRACT` on SQLite, `#>>` on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.results import LEFT_STATUSES
from cobrador_desktop.domain.satisfaction import (
    SURVEY_INTENT,
    SURVEY_TEMPLATE,
    AnswerRow,
    SentRow,
)
from cobrador_desktop.domain.settings import PAYMENT_SURVEY
from cobrador_desktop.storage.orm import Message, OutboxItem, ReguaSend
from cobrador_desktop.storage.repos.reminders import SURVEY_STEP
from cobrador_desktop.storage.repos.settings import read_json_setting, write_json_setting

#: message types a survey tap arrives as (reply buttons; a template's quick reply)
_TAP_TYPES = ("interactive", "button")


def _answer(key: str) -> Any:
    return Message.payload[("answer", key)]


def survey_enabled(session: Session) -> bool:
    """The setting `PAYMENT_SURVEY` (off by default)."""
    return bool(read_json_setting(session, PAYMENT_SURVEY))


def set_survey_enabled(session: Session, on: bool, *, operator_id: int | None,
                       now: datetime) -> bool:
    """Switch the survey on or off (audited); returns the value stored."""
    return bool(write_json_setting(session, PAYMENT_SURVEY, on, operator_id=operator_id,
                                   now=now))


def answers(session: Session, start_at: datetime, end_at: datetime) -> list[AnswerRow]:
    """Every survey tap created in [start_at, end_at)."""
    rows = session.execute(
        select(Message.created_at, Message.conversation_id, _answer("debt_id").as_integer(),
               _answer("score").as_string())
        .where(Message.direction == "in", Message.type.in_(_TAP_TYPES),
               Message.created_at >= start_at, Message.created_at < end_at,
               _answer("intent").as_string() == SURVEY_INTENT))
    return [AnswerRow(at, conversation, debt, score) for at, conversation, debt, score in rows]


def surveys_sent(session: Session, start_at: datetime, end_at: datetime) -> list[SentRow]:
    """Every survey that left, created in [start_at, end_at): the régua's step `PESQUISA` or the
    pack's survey template."""
    rows = session.execute(
        select(Message.created_at, Message.conversation_id)
        .outerjoin(OutboxItem, OutboxItem.message_id == Message.id)
        .outerjoin(ReguaSend, and_(ReguaSend.outbox_id == OutboxItem.id,
                                   ReguaSend.step == SURVEY_STEP))
        .where(Message.direction == "out", Message.status.in_(LEFT_STATUSES),
               Message.created_at >= start_at, Message.created_at < end_at,
               or_(ReguaSend.id.is_not(None), Message.template_name == SURVEY_TEMPLATE)))
    return [SentRow(at, conversation) for at, conversation in rows]
