"""What the inbox screen needs from the services layer (issue 6), as one Protocol.

`services.inbox.InboxService` implements it over the database and the outbox; the UI tests drive
the view-model and the views with an in-memory fake of the same shape.

Every call that acts names the operator signed in on this PC (`operator_id`). Calls raise
`domain.inbox.InboxError` subclasses (a `KnownError`) for what an operator can fix: the screen
shows the message and hint and keeps what was typed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from cobrador_desktop.domain.inbox import (
    ConversationHeader,
    ConversationPage,
    GuardVerdict,
    InboxChange,
    InboxCounts,
    InboxFilter,
    MessagePage,
    Operator,
    QuickReply,
    SendOutcome,
    TemplateChoice,
)


class InboxSource(Protocol):
    """The shared inbox over one WhatsApp number."""

    # ------------------------------------------------------------------ reading
    async def operators(self) -> tuple[Operator, ...]:
        """The active operators (for "who are you" on this PC, and transfers)."""
        ...

    async def conversations(self, filter: InboxFilter, operator_id: int | None, *,
                            after: tuple[Any, ...] | None = None, limit: int = 60,
                            search: str = "") -> ConversationPage:
        """A page of the list, most recent activity first (keyset `after`); `search` matches
        the debtor's name or the phone's digits."""
        ...

    async def counts(self, operator_id: int | None) -> InboxCounts:
        """The tabs' badges and the total unread."""
        ...

    async def header(self, conversation_id: int) -> ConversationHeader:
        """The open conversation's state (raises ConversationNotFound)."""
        ...

    async def messages(self, conversation_id: int, *, before_id: int | None = None,
                       limit: int = 60) -> MessagePage:
        """Messages oldest first: the newest `limit` ones, or those before `before_id`."""
        ...

    async def messages_since(self, conversation_id: int, after_id: int,
                             changed_ids: tuple[int, ...] = ()) -> tuple[Any, ...]:
        """New messages after `after_id` plus the current rows of `changed_ids` (ticks that
        moved), oldest first: a tuple of `MessageRow`."""
        ...

    async def changes(self, cursor: tuple[Any, ...]) -> InboxChange:
        """What changed since `cursor` (() on the first call: `all=True`); cheap enough to poll
        several times a second. Catches changes made by other processes and PCs."""
        ...

    async def mark_read(self, conversation_id: int, operator_id: int | None) -> None:
        """The operator opened the conversation: its unread count goes to 0."""
        ...

    # ------------------------------------------------------------------ several operators
    async def claim(self, conversation_id: int, operator_id: int) -> None:
        """Take an unassigned conversation (AlreadyAssigned if someone has it)."""
        ...

    async def transfer(self, conversation_id: int, operator_id: int, to_operator_id: int | None,
                       ) -> None:
        """Give it to another operator (None: back to the queue)."""
        ...

    async def resolve(self, conversation_id: int, operator_id: int) -> None:
        ...

    async def reopen(self, conversation_id: int, operator_id: int) -> None:
        ...

    async def set_typing(self, conversation_id: int, operator_id: int, typing: bool) -> None:
        """Hold (renew) or release the typing lock; SomeoneTyping if another operator holds it."""
        ...

    async def set_labels(self, conversation_id: int, operator_id: int,
                         labels: tuple[str, ...]) -> None:
        ...

    async def add_note(self, conversation_id: int, operator_id: int, text: str) -> int:
        """A private note in the conversation (never sent); returns its message id."""
        ...

    # ------------------------------------------------------------------ composing
    async def quick_replies(self) -> tuple[QuickReply, ...]:
        ...

    async def save_quick_reply(self, shortcut: str, title: str, text: str,
                               operator_id: int | None) -> QuickReply:
        ...

    async def fill_quick_reply(self, conversation_id: int, text: str) -> str:
        """`text` with {nome}, {valor}, {vencimento}, {pix}, {link_pagamento}, {loja} filled
        from the conversation's debtor and oldest open debt."""
        ...

    async def templates(self, conversation_id: int) -> tuple[TemplateChoice, ...]:
        """Templates for this conversation, filled and previewed; unusable ones carry why."""
        ...

    async def check(self, conversation_id: int, kind: str, text: str) -> GuardVerdict:
        """The send guard's answer for a reply (`kind` = "text") or a template (`kind` = its
        name) now, without queueing anything (shown inline as the operator types)."""
        ...

    async def send_text(self, conversation_id: int, operator_id: int, text: str, *,
                        seen_message_id: int | None, send_at: datetime | None = None,
                        force: bool = False, confirm_note: str | None = None) -> SendOutcome:
        """Queue a free-text reply (Collision unless `force`; WindowClosed; SendRefused).
        `confirm_note`: the owner confirms what the send guard asks the owner to confirm, with
        this note in the audit log (OwnerOnly for anyone else; ReasonRequired when blank)."""
        ...

    async def send_template(self, conversation_id: int, operator_id: int, name: str,
                            language: str, *, seen_message_id: int | None,
                            send_at: datetime | None = None,
                            force: bool = False,
                            confirm_note: str | None = None) -> SendOutcome:
        """Queue an approved template filled from the debt (SendRefused, Collision);
        `confirm_note` as for `send_text`."""
        ...

    async def send_action(self, conversation_id: int, operator_id: int, action: str, *,
                          seen_message_id: int | None, force: bool = False) -> SendOutcome:
        """A one-click action that sends: `pix` (copia e cola of the open balance), `wa_link`
        (the shop's wa.me link), `call_offer` (offers a call with the `tel:` link)."""
        ...
