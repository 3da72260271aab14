"""The shared inbox's records: what the conversation list, the open conversation and the composer
show, and what an operator asks of it (issue 6). Pure: no Qt, SQL or HTTP.

Several operators share one WhatsApp number. A conversation is *assigned* to one of them (or to
nobody: the queue); an operator *claims* an unassigned one. While someone types a reply the
conversation carries a short-lived *typing lock* ("Fulano está respondendo") that the others see,
on this PC or on another one sharing the database. A reply names the last message its author had
seen (`seen_message_id`): if another message arrived or another operator answered since, the send
is refused with `Collision` so the operator reads it first (and may send anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

#: a typing lock lasts this long without a heartbeat (the composer renews it while text changes)
TYPING_LOCK = timedelta(seconds=30)
#: how often the composer renews its lock while the operator keeps typing
TYPING_HEARTBEAT = timedelta(seconds=10)


class InboxFilter(StrEnum):
    """The conversation list's tabs."""

    MINE = "mine"  # assigned to me, not resolved
    UNASSIGNED = "unassigned"  # the queue: nobody's, not resolved
    ALL = "all"  # every conversation not resolved
    WAITING = "waiting"  # the debtor wrote last and nobody answered yet (not resolved)
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """One line of the conversation list.

    Attributes:
        id: the conversation.
        debtor_id / debtor_name: the debtor the number belongs to (None: an unknown number).
        phone: the number in E.164 (`+5511987654321`); the list shows it masked only in exports.
        status: `open`, `waiting` or `resolved` (the table's values).
        assigned_operator_id / assigned_operator_name: whose it is (None: the queue).
        typing_operator_id / typing_operator_name: who holds the typing lock now (expired locks
            are read as None).
        unread: inbound messages nobody opened yet.
        last_message_at: when the last message (either way) was written.
        last_message_preview: its first line, trimmed to ~80 characters; a template shows its
            text, media its kind ("[imagem]").
        last_direction: `in`, `out` or `note` of that message.
        last_inbound_at: the debtor's last message (opens the 24-hour window).
        waiting_since: the debtor wrote and nobody has answered since; None otherwise.
        labels: the conversation's labels, sorted.
        open_cents: what the debtor owes now (0 for an unknown number).
        sort_key: the keyset cursor of this row (pass it as `after` for the next page).
    """

    id: int
    debtor_id: int | None
    debtor_name: str | None
    phone: str
    status: str
    assigned_operator_id: int | None
    assigned_operator_name: str | None
    typing_operator_id: int | None
    typing_operator_name: str | None
    unread: int
    last_message_at: datetime | None
    last_message_preview: str
    last_direction: str | None
    last_inbound_at: datetime | None
    waiting_since: datetime | None
    labels: tuple[str, ...]
    open_cents: int
    sort_key: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ConversationPage:
    """A page of the list, newest activity first; `has_more` when another page follows."""

    rows: tuple[ConversationRow, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class InboxCounts:
    """The badges on the list's tabs (and the tray's unread count)."""

    mine: int
    unassigned: int
    all: int
    waiting: int
    resolved: int
    unread_total: int


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One bubble of a conversation.

    Attributes:
        id: the message (ids grow with time within a conversation: the paging key).
        direction: `in` (the debtor), `out` (the shop) or `note` (a private note, never sent).
        type: `text`, `template`, `interactive`, `button`, `image`, `audio`, `document`, …
        text: what the person reads (a template rendered; media: its caption or "").
        created_at: when it was written (inbound: WhatsApp's timestamp).
        status: outbound `queued`/`sending`/`sent`/`delivered`/`read`/`failed`/`unknown`;
            inbound `received`; notes `note`.
        error_code / error_text: a failed send's Meta code and its pt-BR explanation with the
            next step (from `whatsapp.errors`, or the send guard's reason when it refused).
        operator_name: who wrote it (outbound by an operator, notes); None for the régua or the
            debtor.
        template_name: the template an outbound template used.
        buttons: quick-reply labels shown under a template or interactive message.
        scheduled_for: a "send later" message's time while it waits; None otherwise.
        purpose: the outbox purpose (`free_reply`, `reminder`, `system_reply`…) when outbound.
    """

    id: int
    direction: str
    type: str
    text: str
    created_at: datetime
    status: str
    error_code: int | None = None
    error_text: str | None = None
    operator_name: str | None = None
    template_name: str | None = None
    buttons: tuple[str, ...] = ()
    scheduled_for: datetime | None = None
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class MessagePage:
    """Messages oldest first; `has_older` when more lie before the first one."""

    messages: tuple[MessageRow, ...]
    has_older: bool


@dataclass(frozen=True, slots=True)
class ConversationHeader:
    """What the open conversation shows above and beside the bubbles.

    Attributes:
        row: the list's row for it (assignment, lock, labels, window).
        window_closes_at: when free text stops being allowed (None: closed, never opened).
        phone_opted_out / phone_wrong_party: the number said PARAR / "não sou eu".
        last_message_id: the newest message id (what the composer passes as `seen_message_id`).
        known_labels: labels used in the shop (for the label picker), sorted.
    """

    row: ConversationRow
    window_closes_at: datetime | None
    phone_opted_out: bool
    phone_wrong_party: bool
    last_message_id: int | None
    known_labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuickReply:
    """A saved answer the composer offers after `/`: `/pix` -> its text with variables.

    `text` may hold `{nome}`, `{valor}`, `{vencimento}`, `{pix}`, `{link_pagamento}`, `{loja}`.
    """

    id: int
    shortcut: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """An approved template the composer offers when the 24-hour window is closed.

    `values` are filled from the debtor's oldest open debt (`templates.values_for`); `preview` is
    the text the debtor will read; `blocked_reason` (pt-BR) is set when it cannot be chosen
    (paused, rejected, a value missing).
    """

    name: str
    language: str
    purpose: str | None
    category: str
    status: str
    quality: str | None
    values: tuple[str, ...]
    preview: str
    buttons: tuple[str, ...]
    debt_id: int | None
    blocked_reason: str | None = None


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    """The send guard's answer shown inline in the composer before anything is queued.

    `level`: `allow`, `warn` (may send; show the warnings), `confirm` (the owner must confirm
    with a note) or `block` (cannot send now; `retry_at` says when it could, if ever).
    `reasons`: (code, pt-BR message) pairs, the main one first.
    """

    level: str
    reasons: tuple[tuple[str, str], ...] = ()
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What a send did: the message id now in the conversation (queued), and the guard's answer."""

    message_id: int
    verdict: GuardVerdict
    scheduled_for: datetime | None = None


@dataclass(frozen=True, slots=True)
class Operator:
    """Someone who works in the inbox."""

    id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class InboxChange:
    """What changed since the last look (the inbox's poll and the in-process feed).

    `conversation_ids` changed (new message, status, claim, lock, label); `all` when the reader
    should reload everything (first look, or too much changed).
    """

    conversation_ids: frozenset[int] = frozenset()
    all: bool = False
    cursor: tuple[Any, ...] = field(default=())


# --------------------------------------------------------------------------- errors


class InboxError(KnownError):
    """Something an operator asked of the inbox that cannot be done now."""


class AlreadyAssigned(InboxError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Esta conversa já está com {operator}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Peça a {operator} para transferi-la a você, ou escolha outra conversa na "
        "fila de não atribuídas.")


class NotYours(InboxError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Esta conversa está com {operator}, não com você.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Para responder, peça a {operator} que a transfira a você.")


class SomeoneTyping(InboxError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "{operator} está respondendo esta conversa agora.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Aguarde a resposta de {operator} ou combine com a equipe antes de "
        "escrever.")


class Collision(InboxError):
    """New messages arrived (or another operator answered) after the author last looked.

    `params`: `count` new messages, `operator` (who answered, if someone did).
    """

    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "Chegaram {count} mensagem(ns) nesta conversa enquanto você escrevia.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Leia as mensagens novas antes de enviar. Se a sua resposta ainda fizer "
        "sentido, envie de novo.")


class WindowClosed(InboxError):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A janela de 24 horas desta conversa está fechada.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Fora da janela o WhatsApp só aceita modelos aprovados: escolha um modelo "
        "na lista abaixo da conversa.")


class SendRefused(InboxError):
    """The send guard refused the message; `params['reason']` is its pt-BR reason."""

    message_template = QT_TRANSLATE_NOOP("KnownError", "Mensagem não enviada: {reason}")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Nada foi colocado na fila. Veja o motivo acima e tente de novo quando ele "
        "não valer mais.")


class ConversationNotFound(InboxError):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Esta conversa não existe mais.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Atualize a caixa de entrada.")
