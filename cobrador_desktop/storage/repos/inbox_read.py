"""The shared inbox's reads: the conversation list (keyset pages per tab), the tabs' counts, the
open conversation's header and message pages, and the cheap change signature the inbox polls.

The list is a keyset over (last_message_at desc, id desc) on `ix_conversations_status_last`;
each row's last message comes from a correlated `max(id)` on `ix_messages_conversation_key`, so a
page costs the same at 100 or 100,000 conversations, and a conversation's page of messages is an
index range scan however long it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from cobrador_desktop.domain.conversation import window_closes_at
from cobrador_desktop.domain.inbox import (
    ConversationHeader,
    ConversationNotFound,
    ConversationPage,
    ConversationRow,
    InboxCounts,
    InboxFilter,
    MessagePage,
    MessageRow,
    QuickReply,
)
from cobrador_desktop.domain.money import format_brl
from cobrador_desktop.domain.policy import Decision
from cobrador_desktop.domain.templates import day_text, first_name
from cobrador_desktop.domain.text import fold
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    MessageEvent,
    Operator,
    OutboxItem,
    Phone,
)
from cobrador_desktop.storage.orm import QuickReply as QuickReplyRow
from cobrador_desktop.storage.repos.settings import read_guard_settings

RESOLVED = "resolved"
PREVIEW_CHARS = 80

_c, _last = Conversation, aliased(Message, name="last_message")
_holder, _typist = aliased(Operator, name="holder"), aliased(Operator, name="typist")
_LAST_ID = (select(func.max(Message.id)).where(Message.conversation_id == _c.id)
            .correlate(_c).scalar_subquery())
_ROW: Any = (select(
    _c.id, _c.debtor_id, Debtor.name.label("debtor_name"), Phone.e164, _c.status,
    _c.assigned_operator_id, _holder.name.label("holder_name"), _c.typing_operator_id,
    _typist.name.label("typist_name"), _c.typing_until, _c.unread_count, _c.last_message_at,
    _c.last_inbound_at, _c.waiting_since, _c.labels, Debtor.open_cents,
    _last.id.label("last_id"), _last.text.label("last_text"), _last.type.label("last_type"),
    _last.direction.label("last_direction"), _last.template_name.label("last_template"))
    .join(Phone, Phone.id == _c.phone_id)
    .outerjoin(Debtor, Debtor.id == _c.debtor_id)
    .outerjoin(_holder, _holder.id == _c.assigned_operator_id)
    .outerjoin(_typist, _typist.id == _c.typing_operator_id)
    .outerjoin(_last, _last.id == _LAST_ID))


def _where(query: Any, filter: InboxFilter, operator_id: int | None) -> Any:
    if filter is InboxFilter.RESOLVED:
        return query.where(_c.status == RESOLVED)
    query = query.where(_c.status != RESOLVED)
    if filter is InboxFilter.MINE:
        return query.where(_c.assigned_operator_id == (operator_id or -1))
    if filter is InboxFilter.UNASSIGNED:
        return query.where(_c.assigned_operator_id.is_(None))
    if filter is InboxFilter.WAITING:
        return query.where(_c.waiting_since.is_not(None))
    return query


def _search(query: Any, search: str) -> Any:
    words = fold(search)
    digits = "".join(ch for ch in search if ch.isdigit())
    if not words:
        return query
    match = [Debtor.name_key.contains(words, autoescape=True)]
    if len(digits) >= 3:
        match.append(Phone.e164.contains(digits, autoescape=True))
    return query.where(or_(*match))


def preview(text: str, message_type: str, template: str | None) -> str:
    """The list's one-line preview of a message."""
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    if not first:
        first = template or (f"[{message_type}]" if message_type != "text" else "")
    return first if len(first) <= PREVIEW_CHARS else first[:PREVIEW_CHARS - 1] + "…"


def _row(r: Any, now: datetime) -> ConversationRow:
    typing = r.typing_until is not None and r.typing_until > now
    return ConversationRow(
        id=r.id, debtor_id=r.debtor_id, debtor_name=r.debtor_name, phone=r.e164, status=r.status,
        assigned_operator_id=r.assigned_operator_id, assigned_operator_name=r.holder_name,
        typing_operator_id=r.typing_operator_id if typing else None,
        typing_operator_name=r.typist_name if typing else None, unread=r.unread_count,
        last_message_at=r.last_message_at,
        last_message_preview=preview(r.last_text, r.last_type or "text", r.last_template)
        if r.last_id is not None else "",
        last_direction=r.last_direction, last_inbound_at=r.last_inbound_at,
        waiting_since=r.waiting_since, labels=tuple(sorted(str(x) for x in r.labels or ())),
        open_cents=int(r.open_cents or 0),
        sort_key=(r.last_message_at.isoformat() if r.last_message_at else None, r.id))


def list_page(session: Session, filter: InboxFilter, operator_id: int | None, *,
              now: datetime, after: Sequence[Any] | None = None, limit: int = 60,
              search: str = "") -> ConversationPage:
    """A page of the list, newest activity first; `after` is the last row's `sort_key`."""
    query = _search(_where(_ROW, filter, operator_id), search)
    if after:
        at = datetime.fromisoformat(after[0]) if after[0] else None
        last_id = int(after[1])
        if at is None:
            query = query.where(_c.last_message_at.is_(None), _c.id < last_id)
        else:
            query = query.where(or_(_c.last_message_at < at,
                                    and_(_c.last_message_at == at, _c.id < last_id),
                                    _c.last_message_at.is_(None)))
    query = query.order_by(_c.last_message_at.desc().nulls_last(), _c.id.desc()).limit(limit + 1)
    rows = session.execute(query).all()
    return ConversationPage(tuple(_row(r, now) for r in rows[:limit]), len(rows) > limit)


def row(session: Session, conversation_id: int, now: datetime) -> ConversationRow:
    found = session.execute(_ROW.where(_c.id == conversation_id)).first()
    if found is None:
        raise ConversationNotFound(conversation_id=conversation_id)
    return _row(found, now)


def counts(session: Session, operator_id: int | None) -> InboxCounts:
    active = _c.status != RESOLVED

    def count(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    r = session.execute(select(
        count(active, _c.assigned_operator_id == (operator_id or -1)),
        count(active, _c.assigned_operator_id.is_(None)), count(active),
        count(active, _c.waiting_since.is_not(None)), count(_c.status == RESOLVED),
        func.coalesce(func.sum(case((active, _c.unread_count), else_=0)), 0))).one()
    return InboxCounts(*(int(v) for v in r))


def header(session: Session, conversation_id: int, now: datetime) -> ConversationHeader:
    conversation = row(session, conversation_id, now)
    flags = session.execute(
        select(Phone.opted_out, DebtorPhone.wrong_party).select_from(_c)
        .join(Phone, Phone.id == _c.phone_id)
        .outerjoin(DebtorPhone, and_(DebtorPhone.phone_id == _c.phone_id,
                                     DebtorPhone.debtor_id == _c.debtor_id))
        .where(_c.id == conversation_id)).one()
    last_id = session.scalar(select(func.max(Message.id))
                             .where(Message.conversation_id == conversation_id))
    return ConversationHeader(
        row=conversation, window_closes_at=window_closes_at(conversation.last_inbound_at),
        phone_opted_out=bool(flags.opted_out), phone_wrong_party=bool(flags.wrong_party),
        last_message_id=last_id, known_labels=known_labels(session))


def known_labels(session: Session) -> tuple[str, ...]:
    found: set[str] = set()
    for labels in session.scalars(select(_c.labels)):  # JSON has no DISTINCT on PostgreSQL
        found.update(str(x) for x in labels or ())
    return tuple(sorted(found))


_MESSAGE = (select(Message.id, Message.direction, Message.type, Message.text,
                   Message.created_at, Message.status, Message.error_code, Message.error_detail,
                   Message.template_name, Message.payload, Operator.name.label("author"),
                   OutboxItem.purpose, OutboxItem.state, OutboxItem.next_attempt_at,
                   OutboxItem.decision)
            .outerjoin(Operator, Operator.id == Message.operator_id)
            .outerjoin(OutboxItem, OutboxItem.message_id == Message.id))


def _buttons(payload: Any) -> tuple[str, ...]:
    interactive = payload.get("interactive") if isinstance(payload, dict) else None
    action = interactive.get("action") if isinstance(interactive, dict) else None
    buttons = action.get("buttons") if isinstance(action, dict) else None
    if not isinstance(buttons, list):
        return ()
    return tuple(str(b.get("reply", {}).get("title", "")) for b in buttons
                 if isinstance(b, dict))


def _message(r: Any, now: datetime) -> MessageRow:
    # unpacked as a tuple: a Row's attribute lookups by name cost more than the rest together
    # (a conversation opens with 60 of these; bench/bench_inbox.py `inbox.page_read`)
    (id_, direction, type_, text, created_at, status, error_code, error_detail, template_name,
     payload, author, purpose, state, next_attempt_at, decision) = r
    error_text = None
    if state == "cancelled" and decision:
        reason = Decision.from_json(decision).main_reason
        error_text = reason.message if reason else error_detail
    elif status == "failed":
        error_text = error_detail
    waiting = state == "queued" and next_attempt_at is not None and next_attempt_at > now
    return MessageRow(id_, direction, type_, text or "", created_at, status, error_code,
                      error_text, author, template_name,
                      _buttons(payload) if payload else (),
                      next_attempt_at if waiting else None, purpose)


def _page_query(older: bool, limit: int) -> Any:
    query = _MESSAGE.where(Message.conversation_id == bindparam("conversation_id"))
    if older:
        query = query.where(Message.id < bindparam("before_id"))
    return query.order_by(Message.id.desc()).limit(limit + 1)


#: the page query as SQLite text with its parameters in order, per (older, limit)
_PAGE_SQL: dict[tuple[bool, int], tuple[str, tuple[str, ...], dict[str, Any]]] = {}


def _sqlite_page_rows(session: Session, conversation_id: int, before_id: int | None,
                      limit: int) -> list[tuple[Any, ...]]:
    """The page's rows read with the sqlite3 module and converted here: SQLAlchemy's statement
    execution and per-value type processing cost several times the query itself, and a
    conversation opens with this read (bench/bench_inbox.py `inbox.page_read`). Same SQL, same
    values as `_page_query` through SQLAlchemy (tests/unit/storage/test_inbox_repo.py compares)."""
    key = (before_id is not None, limit)
    compiled = _PAGE_SQL.get(key)
    if compiled is None:
        statement = _page_query(*key).compile(dialect=session.get_bind().dialect)
        compiled = _PAGE_SQL[key] = (statement.string, tuple(statement.positiontup or ()),
                                     dict(statement.params))
    sql, names, fixed = compiled
    values = {**fixed, "conversation_id": conversation_id, "before_id": before_id}
    raw = session.connection().connection.driver_connection
    assert raw is not None
    rows = raw.execute(sql, [values[name] for name in names]).fetchall()
    return [(r[0], r[1], r[2], r[3], _utc(r[4]), r[5], r[6], r[7], r[8], _json(r[9]), r[10],
             r[11], r[12], _utc(r[13]), _json(r[14])) for r in rows]


def _utc(value: Any) -> datetime | None:
    """An instant as SQLAlchemy stores it in SQLite (naive UTC text) -> an aware UTC datetime."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return None if value is None else json.loads(value)


def messages(session: Session, conversation_id: int, *, now: datetime,
             before_id: int | None = None, limit: int = 60) -> MessagePage:
    """The newest `limit` messages (before `before_id`), oldest first: an index range scan."""
    if session.get_bind().dialect.name == "sqlite":
        rows: Sequence[Any] = _sqlite_page_rows(session, conversation_id, before_id, limit)
    else:
        rows = session.execute(_page_query(before_id is not None, limit), {
            "conversation_id": conversation_id, "before_id": before_id}).all()
    page = [_message(r, now) for r in rows[:limit]]
    page.reverse()
    return MessagePage(tuple(page), len(rows) > limit)


def messages_since(session: Session, conversation_id: int, after_id: int,
                   changed_ids: Sequence[int], now: datetime) -> tuple[MessageRow, ...]:
    newer = Message.id > after_id
    if changed_ids:
        newer = or_(newer, Message.id.in_(list(changed_ids)))
    rows = session.execute(_MESSAGE.where(Message.conversation_id == conversation_id, newer)
                           .order_by(Message.id)).all()
    return tuple(_message(r, now) for r in rows)


def newer_messages(session: Session, conversation_id: int, after_id: int | None,
                   operator_id: int) -> tuple[int, int | None]:
    """Messages after `after_id` its author did not write: (how many, the operator who answered
    among them, if any). Notes do not count."""
    query = (select(Message.direction, Message.operator_id)
             .where(Message.conversation_id == conversation_id, Message.direction != "note",
                    or_(Message.operator_id.is_(None), Message.operator_id != operator_id)))
    if after_id is not None:
        query = query.where(Message.id > after_id)
    rows = session.execute(query).all()
    other = next((r.operator_id for r in rows if r.operator_id is not None), None)
    return len(rows), other


def signature(session: Session) -> tuple[int, int, str]:
    """(max message id, max status event id, max changed_at): cheap, all three index ends."""
    top_message = session.scalar(select(func.max(Message.id))) or 0
    top_event = session.scalar(select(func.max(MessageEvent.id))) or 0
    changed = session.scalar(select(func.max(_c.changed_at)))
    return int(top_message), int(top_event), changed.isoformat() if changed else ""


def changed_since(session: Session, cursor: Sequence[Any]) -> frozenset[int]:
    """Conversations changed after `cursor` (a `signature`): by changed_at or a newer message."""
    since = datetime.fromisoformat(cursor[2]) if cursor[2] else None
    ids: set[int] = set(session.scalars(
        select(Message.conversation_id).where(Message.id > int(cursor[0])).distinct()))
    if since is not None:
        ids.update(session.scalars(select(_c.id).where(_c.changed_at > since)))
    else:
        ids.update(session.scalars(select(_c.id)))
    return frozenset(ids)


def quick_replies(session: Session) -> tuple[QuickReply, ...]:
    rows = session.scalars(select(QuickReplyRow).order_by(QuickReplyRow.shortcut))
    return tuple(QuickReply(r.id, r.shortcut, r.title, r.text) for r in rows)


def operators(session: Session) -> tuple[tuple[int, str, str], ...]:
    rows = session.execute(select(Operator.id, Operator.name, Operator.role)
                           .where(Operator.active.is_(True)).order_by(Operator.name, Operator.id))
    return tuple((r.id, r.name, r.role) for r in rows)


def fill_values(session: Session, conversation_id: int) -> dict[str, str]:
    """What a quick reply's {nome}, {valor}, {vencimento} and {loja} become for this conversation
    (empty when unknown; {pix} and {link_pagamento} are the service's)."""
    debtor = session.execute(select(Debtor.id, Debtor.name, Debtor.open_cents, Debtor.document_type)
                             .join(_c, _c.debtor_id == Debtor.id)
                             .where(_c.id == conversation_id)).first()
    shop = read_guard_settings(session).shop
    values = {"nome": "", "valor": "", "vencimento": "", "pix": "", "link_pagamento": "",
              "loja": shop.trade_name if shop is not None else ""}
    if debtor is None:
        return values
    owed, oldest = session.execute(select(
        func.sum(Debt.amount_cents - Debt.paid_cents), func.min(Debt.due_date)).where(
        Debt.debtor_id == debtor.id, Debt.status == "open")).one()
    values.update(nome=first_name(debtor.name, is_company=debtor.document_type == "cnpj"),
                  valor=format_brl(int(owed)) if owed else "",
                  vencimento=day_text(oldest) if oldest else "")
    return values
