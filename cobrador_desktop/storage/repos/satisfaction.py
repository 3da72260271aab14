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


def survey_rows(session: Session, start_at: datetime, end_at: datetime
                ) -> tuple[list[AnswerRow], list[SentRow]]:
    """Every survey tap and every survey that left, created in [start_at, end_at), in one pass
    over the messages: the surveys are the régua's step `PESQUISA` or the pack's template."""
    regua_surveys = (select(OutboxItem.message_id)
                     .join(ReguaSend, ReguaSend.outbox_id == OutboxItem.id)
                     .where(ReguaSend.step == SURVEY_STEP))
    is_answer = and_(Message.direction == "in", Message.type.in_(_TAP_TYPES),
                     _answer("intent").as_string() == SURVEY_INTENT)
    is_sent = and_(Message.direction == "out", Message.status.in_(LEFT_STATUSES),
                   or_(Message.template_name == SURVEY_TEMPLATE, Message.id.in_(regua_surveys)))
    rows = session.execute(
        select(Message.created_at, Message.conversation_id, Message.direction,
               _answer("debt_id").as_integer(), _answer("score").as_string())
        .where(Message.created_at >= start_at, Message.created_at < end_at,
               or_(is_answer, is_sent)))
    answers: list[AnswerRow] = []
    sent: list[SentRow] = []
    for at, conversation, direction, debt, score in rows:
        if direction == "in":
            answers.append(AnswerRow(at, conversation, debt, score))
        else:
            sent.append(SentRow(at, conversation))
    return answers, sent
