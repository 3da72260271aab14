"""The shared inbox over the database and the outbox (`ui.viewmodels.inbox_ports.InboxSource`).

Every reply passes the send guard (`domain.policy.evaluate`) before `OutboxService.enqueue_in`
queues it, in the same transaction as the checks that keep operators from stepping on each other:
the conversation is someone else's (NotYours), someone else is typing (SomeoneTyping), messages
arrived since the author last looked (Collision), the 24-hour window closed (WindowClosed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.conversation import window_is_open
from cobrador_desktop.domain.inbox import (
    Collision,
    ConversationHeader,
    ConversationPage,
    GuardVerdict,
    InboxChange,
    InboxCounts,
    InboxFilter,
    MessagePage,
    MessageRow,
    Operator,
    QuickReply,
    SendOutcome,
    SendRefused,
    SomeoneTyping,
    TemplateChoice,
    WindowClosed,
)
from cobrador_desktop.domain.policy import Decision, SendRequest, Severity, evaluate
from cobrador_desktop.services.events import ChangeFeed
from cobrador_desktop.services.outbox import OutboxService
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import inbox as repo
from cobrador_desktop.storage.repos import inbox_read as read
from cobrador_desktop.storage.repos import outbox as outbox_repo
from cobrador_desktop.whatsapp.errors import classify

FREE_REPLY = "free_reply"


def verdict(decision: Decision) -> GuardVerdict:
    """The composer's inline answer from the guard's decision."""
    reasons = tuple((r.code, r.message) for r in _ordered(decision))
    if decision.allowed:
        warns = any(r.severity is Severity.WARN for r in decision.reasons)
        return GuardVerdict("warn" if warns else "allow", reasons)
    if all(r.severity is Severity.CONFIRM for r in decision.blocking):
        return GuardVerdict("confirm", reasons)
    return GuardVerdict("block", reasons, decision.next_allowed_at)


def _ordered(decision: Decision) -> list[Any]:
    main = decision.main_reason
    rest = [r for r in decision.reasons if r is not main]
    return [main, *rest] if main is not None else rest


def error_text(message: MessageRow) -> MessageRow:
    """A failed message's pt-BR reason and next step (Meta's code), or the guard's reason."""
    if message.status != "failed" or message.error_code is None:
        return message
    rule = classify(message.error_code, None)
    return replace(message, error_text=f"{rule.message_pt} {rule.hint_pt}".strip())


class InboxService:
    """`InboxSource` over the database; `feed` tells this window about webhooks at once."""

    def __init__(self, db: Runner, clock: Clock, *, shop_zone: str,
                 feed: ChangeFeed | None = None) -> None:
        self._db = db
        self._clock = clock
        self._shop_zone = shop_zone
        self.feed = feed

    def subscribe(self, callback: Callable[[frozenset[int]], None]) -> Callable[[], None]:
        """Called with the conversation ids a webhook changed (no-op without a feed)."""
        if self.feed is None:
            return lambda: None
        return self.feed.subscribe(callback)

    # ------------------------------------------------------------------ reading
    async def operators(self) -> tuple[Operator, ...]:
        rows = await self._db.run(read.operators)
        return tuple(Operator(*r) for r in rows)

    async def conversations(self, filter: InboxFilter, operator_id: int | None, *,
                            after: tuple[Any, ...] | None = None, limit: int = 60,
                            search: str = "") -> ConversationPage:
        now = self._clock.now()
        return await self._db.run(lambda s: read.list_page(
            s, filter, operator_id, now=now, after=after, limit=limit, search=search))

    async def counts(self, operator_id: int | None) -> InboxCounts:
        return await self._db.run(lambda s: read.counts(s, operator_id))

    async def header(self, conversation_id: int) -> ConversationHeader:
        now = self._clock.now()
        return await self._db.run(lambda s: read.header(s, conversation_id, now))

    async def messages(self, conversation_id: int, *, before_id: int | None = None,
                       limit: int = 60) -> MessagePage:
        now = self._clock.now()
        page = await self._db.run(lambda s: read.messages(
            s, conversation_id, now=now, before_id=before_id, limit=limit))
        return MessagePage(tuple(error_text(m) for m in page.messages), page.has_older)

    async def messages_since(self, conversation_id: int, after_id: int,
                             changed_ids: tuple[int, ...] = ()) -> tuple[Any, ...]:
        now = self._clock.now()
        rows = await self._db.run(lambda s: read.messages_since(
            s, conversation_id, after_id, changed_ids, now))
        return tuple(error_text(m) for m in rows)

    async def changes(self, cursor: tuple[Any, ...]) -> InboxChange:
        def work(session: Any) -> InboxChange:
            now = read.signature(session)
            if not cursor:
                return InboxChange(all=True, cursor=now)
            if tuple(cursor) == now:
                return InboxChange(cursor=now)
            return InboxChange(read.changed_since(session, cursor), cursor=now)
        return await self._db.run(work)

    async def mark_read(self, conversation_id: int, operator_id: int | None) -> None:
        now = self._clock.now()
        await self._db.run(lambda s: repo.mark_read(s, conversation_id, now))

    # ------------------------------------------------------------------ several operators
    async def claim(self, conversation_id: int, operator_id: int) -> None:
        now = self._clock.now()
        await self._db.run(lambda s: repo.claim(s, conversation_id, operator_id, now))

    async def transfer(self, conversation_id: int, operator_id: int,
                       to_operator_id: int | None) -> None:
        now = self._clock.now()
        await self._db.run(lambda s: repo.transfer(
            s, conversation_id, operator_id, to_operator_id, now))

    async def resolve(self, conversation_id: int, operator_id: int) -> None:
        now = self._clock.now()
        await self._db.run(lambda s: repo.resolve(s, conversation_id, operator_id, now))

    async def reopen(self, conversation_id: int, operator_id: int) -> None:
        now = self._clock.now()
        await self._db.run(lambda s: repo.reopen(s, conversation_id, operator_id, now))

    async def set_typing(self, conversation_id: int, operator_id: int, typing: bool) -> None:
        now = self._clock.now()
        await self._db.run(lambda s: repo.set_typing(s, conversation_id, operator_id, typing, now))

    async def set_labels(self, conversation_id: int, operator_id: int,
                         labels: tuple[str, ...]) -> None:
        now = self._clock.now()
        await self._db.run(lambda s: repo.set_labels(s, conversation_id, labels, now))

    async def add_note(self, conversation_id: int, operator_id: int, text: str) -> int:
        now = self._clock.now()
        return await self._db.run(lambda s: repo.add_note(
            s, conversation_id, operator_id, text, now))

    # ------------------------------------------------------------------ composing
    async def quick_replies(self) -> tuple[QuickReply, ...]:
        return await self._db.run(read.quick_replies)

    async def save_quick_reply(self, shortcut: str, title: str, text: str,
                               operator_id: int | None) -> QuickReply:
        now = self._clock.now()

        def work(session: Any) -> QuickReply:
            saved = repo.save_quick_reply(session, shortcut, title, text, operator_id, now)
            return next(q for q in read.quick_replies(session) if q.id == saved)
        return await self._db.run(work)

    async def fill_quick_reply(self, conversation_id: int, text: str) -> str:
        values = await self._db.run(lambda s: read.fill_values(s, conversation_id))
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    async def templates(self, conversation_id: int) -> tuple[TemplateChoice, ...]:
        return ()  # TODO(issue 6): engineer A ran out of time; see the report

    async def check(self, conversation_id: int, kind: str, text: str) -> GuardVerdict:
        now = self._clock.now()
        return await self._db.run(lambda s: verdict(_decide(s, conversation_id, text, now)))

    async def send_text(self, conversation_id: int, operator_id: int, text: str, *,
                        seen_message_id: int | None, send_at: datetime | None = None,
                        force: bool = False) -> SendOutcome:
        now = self._clock.now()

        return await self._db.run(lambda s: queue_text(
            s, conversation_id, operator_id, text, seen_message_id=seen_message_id,
            send_at=send_at, force=force, now=now))

    async def send_template(self, conversation_id: int, operator_id: int, name: str,
                            language: str, *, seen_message_id: int | None,
                            send_at: datetime | None = None,
                            force: bool = False) -> SendOutcome:
        raise SendRefused(reason="modelos ainda não disponíveis na caixa de entrada")

    async def send_action(self, conversation_id: int, operator_id: int, action: str, *,
                          seen_message_id: int | None, force: bool = False) -> SendOutcome:
        raise SendRefused(reason="ação ainda não disponível")


def queue_text(session: Any, conversation_id: int, operator_id: int, text: str, *,
               seen_message_id: int | None, send_at: datetime | None, force: bool,
               now: datetime) -> SendOutcome:
    """An operator's free-text reply: the inbox's checks, then the send guard, then the outbox."""
    _may_reply(session, conversation_id, operator_id, seen_message_id, force, now)
    decision = _decide(session, conversation_id, text, now)
    if not decision.allowed and not (send_at and decision.next_allowed_at):
        reason = decision.main_reason
        raise SendRefused(reason=reason.message if reason else "")
    outbox_id = OutboxService.enqueue_in(
        session, conversation_id=conversation_id, payload=_text_request(text),
        purpose=FREE_REPLY, kind="reply", message_type="text", text=text, decision=decision,
        now=now, operator_id=operator_id, send_at=send_at)
    repo.set_typing(session, conversation_id, operator_id, False, now)
    return SendOutcome(outbox_repo.message_id_of(session, outbox_id), verdict(decision), send_at)


def _text_request(body: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "type": "text",
            "text": {"body": body, "preview_url": False}}


def _decide(session: Any, conversation_id: int, text: str, now: datetime) -> Decision:
    """The send guard on this reply, on the number's facts read now."""
    facts = outbox_repo.send_facts(session, conversation_id)
    return evaluate(SendRequest(kind="reply", purpose=FREE_REPLY, message_type="text",
                                text=text), facts, now)


def _may_reply(session: Any, conversation_id: int, operator_id: int, seen: int | None,
               force: bool, now: datetime) -> None:
    """NotYours / SomeoneTyping / Collision / WindowClosed, or claim it by replying."""
    row = read.row(session, conversation_id, now)
    if row.typing_operator_id not in (None, operator_id):
        raise SomeoneTyping(operator=row.typing_operator_name or "?")
    repo.ensure_mine(session, conversation_id, operator_id, now)
    if not force:
        count, other = read.newer_messages(session, conversation_id, seen, operator_id)
        if count and seen is not None:
            raise Collision(count=count, operator=repo.operator_name(session, other))
    if not window_is_open(row.last_inbound_at, now):
        raise WindowClosed()
