"""The shared inbox over the database and the outbox (`ui.viewmodels.inbox_ports.InboxSource`).

Every reply passes the send guard (`domain.policy.evaluate`) before `OutboxService.enqueue_in`
queues it, in the same transaction as the checks that keep operators from stepping on each other:
the conversation is someone else's (NotYours), someone else is typing (SomeoneTyping), messages
arrived since the author last looked (Collision), the 24-hour window closed (WindowClosed). The
sends themselves (text, templates, one-click actions) are `services.inbox_send`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.inbox import (
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
    TemplateChoice,
)
from cobrador_desktop.domain.inbox_actions import OperatorNotActive, TemplateUnavailable
from cobrador_desktop.domain.policy import evaluate
from cobrador_desktop.domain.roles import clean_reason
from cobrador_desktop.services import inbox_send as send
from cobrador_desktop.services.authz import register, require_owner
from cobrador_desktop.services.events import ChangeFeed
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import inbox as repo
from cobrador_desktop.storage.repos import inbox_read as read
from cobrador_desktop.whatsapp.errors import classify


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
        """To an active operator (OperatorNotActive otherwise), or None: back to the queue."""
        now = self._clock.now()

        def work(session: Any) -> None:
            if to_operator_id is not None and to_operator_id not in {
                    r[0] for r in read.operators(session)}:
                raise OperatorNotActive(operator=to_operator_id)
            repo.transfer(session, conversation_id, operator_id, to_operator_id, now)
        await self._db.run(work)

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
        return await self._db.run(lambda s: send.quick_reply_text(s, conversation_id, text))

    async def templates(self, conversation_id: int) -> tuple[TemplateChoice, ...]:
        return await self._db.run(lambda s: send.template_choices(s, conversation_id))

    async def check(self, conversation_id: int, kind: str, text: str) -> GuardVerdict:
        """The guard on a free-text reply (`kind` "text") or on the template named `kind`."""
        now = self._clock.now()
        if kind == "text":
            return await self._db.run(lambda s: send.verdict(send.decide_text(
                s, conversation_id, text, now)))

        def template(session: Any) -> GuardVerdict:
            language = next((c.language for c in send.template_choices(session, conversation_id)
                             if c.name == kind), "pt_BR")
            try:
                request, _, facts = send.template_send(session, conversation_id, kind, language,
                                                       now, self._shop_zone)
            except (SendRefused, TemplateUnavailable) as refused:
                return GuardVerdict("block", (("TEMPLATE_BLOCKED", refused.message),))
            return send.verdict(evaluate(request, facts, now))
        return await self._db.run(template)

    async def send_text(self, conversation_id: int, operator_id: int, text: str, *,
                        seen_message_id: int | None, send_at: datetime | None = None,
                        force: bool = False, confirm_note: str | None = None) -> SendOutcome:
        """Free text (the window must be open). `confirm_note`: the owner confirms a
        CONFIRM-level verdict (a disputed or old debt) or a lint block, with this note in the
        audit log (OwnerOnly, audited, for anyone else; ReasonRequired for an empty note)."""
        now = self._clock.now()
        note = await self._confirming(confirm_note, operator_id, send.CONFIRM_ACTION, now)
        return await self._db.run(lambda s: send.queue_text(
            s, conversation_id, operator_id, text, seen_message_id=seen_message_id,
            send_at=send_at, force=force, now=now, confirm_note=note))

    async def _confirming(self, note: str | None, operator_id: int, action: str,
                          now: datetime) -> str | None:
        if note is None:
            return None
        note = clean_reason(note)
        await require_owner(self._db, operator_id, action, now)
        return note

    async def send_template(self, conversation_id: int, operator_id: int, name: str,
                            language: str, *, seen_message_id: int | None,
                            send_at: datetime | None = None,
                            force: bool = False, confirm_note: str | None = None) -> SendOutcome:
        """An approved template filled from the debt; no 24-hour window needed (SendRefused
        when it cannot be chosen or the guard refuses; Collision; NotYours; SomeoneTyping).
        `confirm_note` as for `send_text`."""
        now = self._clock.now()
        note = await self._confirming(confirm_note, operator_id, CONFIRM_TEMPLATE_ACTION, now)

        def work(session: Any) -> SendOutcome:
            request, payload, facts = send.template_send(
                session, conversation_id, name, language, now, self._shop_zone)
            return send.queue(session, conversation_id, operator_id, request, payload, facts,
                              seen_message_id=seen_message_id, send_at=send_at, force=force,
                              now=now, confirm_note=note)
        return await self._db.run(work)

    async def send_action(self, conversation_id: int, operator_id: int, action: str, *,
                          seen_message_id: int | None, force: bool = False) -> SendOutcome:
        """`pix`, `wa_link` or `call_offer` as free text (the window must be open)."""
        now = self._clock.now()

        def work(session: Any) -> SendOutcome:
            text, reveals = send.action_text(session, conversation_id, action)
            return send.queue_text(session, conversation_id, operator_id, text,
                                   seen_message_id=seen_message_id, send_at=None, force=force,
                                   now=now, reveals_debt=reveals)
        return await self._db.run(work)


#: confirming a template send; `send.CONFIRM_ACTION` is the free text's
CONFIRM_TEMPLATE_ACTION = "send.confirm_template"
register(send.CONFIRM_ACTION, f"{__name__}.InboxService.send_text", send.CONFIRM_WHAT)
register(CONFIRM_TEMPLATE_ACTION, f"{__name__}.InboxService.send_template", send.CONFIRM_WHAT)
