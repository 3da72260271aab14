"""An in-memory shared inbox shaped like `InboxSource` (issue 6), for the inbox's UI tests.

It keeps the rules the screen relies on: a claim is refused when someone else has the
conversation (`AlreadyAssigned`), a reply is refused when newer messages arrived since the author
looked (`Collision`, unless `force`), free text is refused when the 24-hour window is closed
(`WindowClosed`), another operator's live typing lock refuses `set_typing` (`SomeoneTyping`), and
`changes(cursor)` reports exactly the conversations touched since the cursor.

Build the data with `add_conversation` / `add_message` (or `populate` for a realistic list), act
as the outside world with `receive` (a debtor writes) and `tick` (a status arrives), and inspect
`calls` to see what the screen asked for. `fail[method] = error` makes the next call raise.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cobrador_desktop.domain.clock import Clock, FakeClock
from cobrador_desktop.domain.inbox import (
    TYPING_LOCK,
    AlreadyAssigned,
    Collision,
    ConversationHeader,
    ConversationNotFound,
    ConversationPage,
    GuardVerdict,
    InboxChange,
    InboxCounts,
    InboxFilter,
    MessagePage,
    MessageRow,
    NotYours,
    Operator,
    QuickReply,
    SendOutcome,
    SendRefused,
    SomeoneTyping,
    TemplateChoice,
    WindowClosed,
)
from cobrador_desktop.domain.text import fold

WINDOW = timedelta(hours=24)

OPERATORS = (Operator(1, "Carla Rezende", "owner"), Operator(2, "Marcos Lima", "operator"),
             Operator(3, "Joana Prado", "operator"))

_FIRST = ("Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Heitor", "Isabela",
          "João", "Karina", "Lucas", "Mariana", "Nicolas", "Otávio", "Patrícia", "Rafael")
_LAST = ("Silva", "Santos", "Oliveira", "Souza", "Ferreira", "Alves", "Pereira", "Lima", "Costa")
_INBOUND = ("Oi, recebi a mensagem. Posso pagar na sexta?", "Já paguei ontem, segue o comprovante",
            "Quanto fica pra quitar tudo?", "Pode mandar o PIX?", "Não consigo pagar esse mês 😔",
            "Consigo dividir em 3x?", "Quem é?", "Boa tarde! Vou passar na loja amanhã",
            "Me liga depois das 18h por favor")
_OUTBOUND = ("Olá {nome}! Sua parcela de R$ 150,00 venceu dia 10/11. Podemos ajudar?",
             "Claro! Segue o PIX copia e cola abaixo.", "Combinado, aguardo o comprovante 🙂",
             "Podemos parcelar em até 3x sem juros. Quer que eu monte a proposta?")


@dataclass
class _Conversation:
    id: int
    debtor_id: int | None
    debtor_name: str | None
    phone: str
    status: str = "open"
    assigned: int | None = None
    typing: int | None = None
    typing_until: datetime | None = None
    unread: int = 0
    last_inbound_at: datetime | None = None
    waiting_since: datetime | None = None
    labels: tuple[str, ...] = ()
    open_cents: int = 0
    opted_out: bool = False
    wrong_party: bool = False
    messages: list[MessageRow] = field(default_factory=list)
    changed: int = 0


class FakeInboxSource:
    """`InboxSource` over dictionaries; every rule the screen shows an error for is kept."""

    def __init__(self, clock: Clock | None = None,
                 operators: tuple[Operator, ...] = OPERATORS) -> None:
        self.clock = clock or FakeClock()
        self._operators = operators
        self._convs: dict[int, _Conversation] = {}
        self._next_conv = 1
        self._next_message = 1
        self._seq = 0
        #: (method name, args) of every call, in order
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        #: method name -> an error its next call raises (then forgotten)
        self.fail: dict[str, BaseException] = {}
        #: when set, every call waits for it (to hold answers back)
        self.gate: asyncio.Event | None = None
        self.quick = [QuickReply(1, "/pix", "PIX", "Segue o PIX: {pix}"),
                      QuickReply(2, "/obrigado", "Agradecer", "Obrigado, {nome}!")]
        self.verdict = GuardVerdict("allow")

    # ================================================================== builder
    def add_conversation(self, name: str | None = "Ana Silva", phone: str | None = None, *,
                         debtor_id: int | None = None, assigned: int | None = None,
                         status: str = "open", labels: tuple[str, ...] = (),
                         open_cents: int = 15_000, opted_out: bool = False) -> int:
        """A conversation with no messages yet; returns its id."""
        cid = self._next_conv
        self._next_conv += 1
        self._convs[cid] = _Conversation(
            id=cid, debtor_id=(debtor_id or cid) if name is not None else None, debtor_name=name,
            phone=phone or f"+55119{87650000 + cid:08d}", status=status, assigned=assigned,
            labels=tuple(sorted(labels)), open_cents=open_cents if name else 0,
            opted_out=opted_out)
        self._touch(cid)
        return cid

    def add_message(self, conversation_id: int, direction: str = "in", text: str = "Oi", *,
                    at: datetime | None = None, status: str | None = None, type: str = "text",
                    operator: int | None = None, **extra: Any) -> int:
        """A message in the conversation (written `at`, default now); returns its id.

        Inbound ones count as unread and open the window; an operator's outbound reply clears
        `waiting_since`. `extra` fills MessageRow's optional fields (error_text, buttons…).
        """
        conv = self._conv(conversation_id)
        when = at or self.clock.now()
        mid = self._next_message
        self._next_message += 1
        default = {"in": "received", "out": "sent", "note": "note"}[direction]
        name = self._name(operator) if operator is not None else extra.pop("operator_name", None)
        conv.messages.append(MessageRow(
            id=mid, direction=direction, type=type, text=text, created_at=when,
            status=status or default, operator_name=name, **extra))
        if direction == "in":
            conv.unread += 1
            conv.last_inbound_at = max(conv.last_inbound_at or when, when)
            conv.waiting_since = conv.waiting_since or when
            if conv.status == "resolved":
                conv.status = "open"
        elif direction == "out" and operator is not None:
            conv.waiting_since = None
        self._touch(conversation_id)
        return mid

    def receive(self, conversation_id: int, text: str, at: datetime | None = None) -> int:
        """The debtor writes (as a webhook would store it)."""
        return self.add_message(conversation_id, "in", text, at=at)

    def tick(self, message_id: int, status: str, *, error_text: str | None = None,
             error_code: int | None = None) -> None:
        """A status arrives for an outbound message."""
        for conv in self._convs.values():
            for number, message in enumerate(conv.messages):
                if message.id == message_id:
                    conv.messages[number] = replace(message, status=status,
                                                    error_text=error_text, error_code=error_code)
                    self._touch(conv.id)
                    return
        raise KeyError(message_id)

    def lock(self, conversation_id: int, operator_id: int | None) -> None:
        """Another operator starts (or stops, None) typing there."""
        conv = self._conv(conversation_id)
        conv.typing = operator_id
        conv.typing_until = self.clock.now() + TYPING_LOCK if operator_id else None
        self._touch(conversation_id)

    def populate(self, count: int = 40, *, seed: int = 6, messages: int = 6) -> list[int]:
        """`count` realistic conversations over the last days; returns their ids."""
        rng = random.Random(seed)
        now = self.clock.now()
        ids = []
        for i in range(count):
            known = i % 11 != 5
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" if known else None
            assigned = rng.choice((1, 2, 3, None, None)) if i % 7 else None
            status = "resolved" if i % 9 == 8 else "open"
            labels = rng.choice(((), (), ("promessa",), ("acordo", "vip"), ("sem resposta",)))
            cid = self.add_conversation(name, assigned=assigned, labels=labels,
                                        open_cents=rng.randint(3_000, 90_000))
            end = now - timedelta(minutes=rng.randint(1, 60 * 30) + i * 20)
            gaps = [rng.randint(2, 600) for _ in range(messages - 1)]
            last_in = rng.random() < 0.6  # the debtor wrote last
            for n in range(messages):
                at = end - timedelta(minutes=sum(gaps[n:]))
                inbound = (messages - 1 - n) % 2 == (0 if last_in else 1)
                if inbound:
                    self.add_message(cid, "in", rng.choice(_INBOUND), at=at)
                else:
                    self.add_message(cid, "out", rng.choice(_OUTBOUND).format(
                        nome=(name or "cliente").split()[0]), at=at, status="read",
                        operator=assigned or 1)
            conv = self._conv(cid)
            conv.status = status
            if status == "resolved":
                conv.waiting_since = None
            if rng.random() < 0.5:
                conv.unread = 0
            ids.append(cid)
        return ids

    # ================================================================== helpers
    def _conv(self, conversation_id: int) -> _Conversation:
        try:
            return self._convs[conversation_id]
        except KeyError:
            raise ConversationNotFound() from None

    def _touch(self, conversation_id: int) -> None:
        self._seq += 1
        self._convs[conversation_id].changed = self._seq

    def _name(self, operator_id: int | None) -> str | None:
        return next((o.name for o in self._operators if o.id == operator_id), None)

    async def _enter(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        await asyncio.sleep(0)  # a real await, as the database thread would be
        if self.gate is not None:
            await self.gate.wait()
        error = self.fail.pop(name, None)
        if error is not None:
            raise error

    def _typing(self, conv: _Conversation) -> int | None:
        if conv.typing is None or conv.typing_until is None or \
                conv.typing_until <= self.clock.now():
            return None
        return conv.typing

    def row(self, conversation_id: int) -> Any:
        """The list's row of a conversation (a `ConversationRow`)."""
        from cobrador_desktop.domain.inbox import ConversationRow

        conv = self._conv(conversation_id)
        last = conv.messages[-1] if conv.messages else None
        typing = self._typing(conv)
        at = last.created_at if last else None
        preview = ""
        if last is not None:
            preview = (last.text.splitlines() or [""])[0][:80] or f"[{_MEDIA.get(last.type, last.type)}]"
        return ConversationRow(
            id=conv.id, debtor_id=conv.debtor_id, debtor_name=conv.debtor_name, phone=conv.phone,
            status=conv.status, assigned_operator_id=conv.assigned,
            assigned_operator_name=self._name(conv.assigned), typing_operator_id=typing,
            typing_operator_name=self._name(typing), unread=conv.unread, last_message_at=at,
            last_message_preview=preview, last_direction=last.direction if last else None,
            last_inbound_at=conv.last_inbound_at, waiting_since=conv.waiting_since,
            labels=conv.labels, open_cents=conv.open_cents, sort_key=_key(at, conv.id))

    def _in(self, conv: _Conversation, which: InboxFilter, operator_id: int | None) -> bool:
        resolved = conv.status == "resolved"
        if which is InboxFilter.RESOLVED:
            return resolved
        if resolved:
            return False
        if which is InboxFilter.MINE:
            return operator_id is not None and conv.assigned == operator_id
        if which is InboxFilter.UNASSIGNED:
            return conv.assigned is None
        if which is InboxFilter.WAITING:
            return conv.waiting_since is not None
        return True

    # ================================================================== reading
    async def operators(self) -> tuple[Operator, ...]:
        await self._enter("operators")
        return self._operators

    async def conversations(self, filter: InboxFilter, operator_id: int | None, *,
                            after: tuple[Any, ...] | None = None, limit: int = 60,
                            search: str = "") -> ConversationPage:
        await self._enter("conversations", filter, operator_id, after, limit, search)
        words = fold(search.strip())
        digits = "".join(ch for ch in search if ch.isdigit())
        rows = [self.row(c.id) for c in self._convs.values() if self._in(c, filter, operator_id)
                and (not words or words in fold(c.debtor_name or "")
                     or (digits and digits in c.phone))]
        rows.sort(key=lambda r: r.sort_key)
        if after is not None:
            rows = [r for r in rows if r.sort_key > after]
        return ConversationPage(rows=tuple(rows[:limit]), has_more=len(rows) > limit)

    async def counts(self, operator_id: int | None) -> InboxCounts:
        await self._enter("counts", operator_id)
        convs = list(self._convs.values())

        def n(which: InboxFilter) -> int:
            return sum(self._in(c, which, operator_id) for c in convs)

        return InboxCounts(mine=n(InboxFilter.MINE), unassigned=n(InboxFilter.UNASSIGNED),
                           all=n(InboxFilter.ALL), waiting=n(InboxFilter.WAITING),
                           resolved=n(InboxFilter.RESOLVED),
                           unread_total=sum(c.unread for c in convs if c.status != "resolved"))

    async def header(self, conversation_id: int) -> ConversationHeader:
        await self._enter("header", conversation_id)
        conv = self._conv(conversation_id)
        known = sorted({label for c in self._convs.values() for label in c.labels})
        return ConversationHeader(
            row=self.row(conversation_id),
            window_closes_at=conv.last_inbound_at + WINDOW if conv.last_inbound_at else None,
            phone_opted_out=conv.opted_out, phone_wrong_party=conv.wrong_party,
            last_message_id=conv.messages[-1].id if conv.messages else None,
            known_labels=tuple(known))

    async def messages(self, conversation_id: int, *, before_id: int | None = None,
                       limit: int = 60) -> MessagePage:
        await self._enter("messages", conversation_id, before_id, limit)
        rows = self._conv(conversation_id).messages
        if before_id is not None:
            rows = [m for m in rows if m.id < before_id]
        return MessagePage(messages=tuple(rows[-limit:]) if limit else (),
                           has_older=len(rows) > limit)

    async def messages_since(self, conversation_id: int, after_id: int,
                             changed_ids: tuple[int, ...] = ()) -> tuple[Any, ...]:
        await self._enter("messages_since", conversation_id, after_id, changed_ids)
        wanted = set(changed_ids)
        return tuple(m for m in self._conv(conversation_id).messages
                     if m.id > after_id or m.id in wanted)

    async def changes(self, cursor: tuple[Any, ...]) -> InboxChange:
        await self._enter("changes", cursor)
        if not cursor:
            return InboxChange(all=True, cursor=(self._seq,))
        since = cursor[0]
        ids = frozenset(c.id for c in self._convs.values() if c.changed > since)
        return InboxChange(conversation_ids=ids, cursor=(self._seq,))

    async def mark_read(self, conversation_id: int, operator_id: int | None) -> None:
        await self._enter("mark_read", conversation_id, operator_id)
        conv = self._conv(conversation_id)
        if conv.unread:
            conv.unread = 0
            self._touch(conversation_id)

    # ================================================================== several operators
    async def claim(self, conversation_id: int, operator_id: int) -> None:
        await self._enter("claim", conversation_id, operator_id)
        conv = self._conv(conversation_id)
        if conv.assigned is not None and conv.assigned != operator_id:
            raise AlreadyAssigned(operator=self._name(conv.assigned))
        conv.assigned = operator_id
        self._touch(conversation_id)

    async def transfer(self, conversation_id: int, operator_id: int, to_operator_id: int | None,
                       ) -> None:
        await self._enter("transfer", conversation_id, operator_id, to_operator_id)
        conv = self._conv(conversation_id)
        conv.assigned = to_operator_id
        if to_operator_id is None:
            conv.waiting_since = conv.waiting_since or self.clock.now()
        self._touch(conversation_id)

    async def resolve(self, conversation_id: int, operator_id: int) -> None:
        await self._enter("resolve", conversation_id, operator_id)
        conv = self._conv(conversation_id)
        conv.status, conv.waiting_since = "resolved", None
        self._touch(conversation_id)

    async def reopen(self, conversation_id: int, operator_id: int) -> None:
        await self._enter("reopen", conversation_id, operator_id)
        self._conv(conversation_id).status = "open"
        self._touch(conversation_id)

    async def set_typing(self, conversation_id: int, operator_id: int, typing: bool) -> None:
        await self._enter("set_typing", conversation_id, operator_id, typing)
        conv = self._conv(conversation_id)
        holder = self._typing(conv)
        if holder is not None and holder != operator_id:
            if typing:
                raise SomeoneTyping(operator=self._name(holder))
            return
        if typing:
            self.lock(conversation_id, operator_id)
        elif holder == operator_id:
            self.lock(conversation_id, None)

    async def set_labels(self, conversation_id: int, operator_id: int,
                         labels: tuple[str, ...]) -> None:
        await self._enter("set_labels", conversation_id, operator_id, labels)
        self._conv(conversation_id).labels = tuple(sorted(set(labels)))
        self._touch(conversation_id)

    async def add_note(self, conversation_id: int, operator_id: int, text: str) -> int:
        await self._enter("add_note", conversation_id, operator_id, text)
        return self.add_message(conversation_id, "note", text, operator=operator_id)

    # ================================================================== composing
    async def quick_replies(self) -> tuple[QuickReply, ...]:
        await self._enter("quick_replies")
        return tuple(self.quick)

    async def save_quick_reply(self, shortcut: str, title: str, text: str,
                               operator_id: int | None) -> QuickReply:
        await self._enter("save_quick_reply", shortcut, title, text, operator_id)
        reply = QuickReply(len(self.quick) + 1, shortcut, title, text)
        self.quick = [q for q in self.quick if q.shortcut != shortcut] + [reply]
        return reply

    async def fill_quick_reply(self, conversation_id: int, text: str) -> str:
        await self._enter("fill_quick_reply", conversation_id, text)
        conv = self._conv(conversation_id)
        first = (conv.debtor_name or "").split(" ")[0]
        value = f"R$ {conv.open_cents // 100},{conv.open_cents % 100:02d}"
        return (text.replace("{nome}", first).replace("{valor}", value)
                .replace("{pix}", "00020126PIXFAKE").replace("{loja}", "Loja Exemplo")
                .replace("{vencimento}", "10/11/2026").replace("{link_pagamento}", ""))

    async def templates(self, conversation_id: int) -> tuple[TemplateChoice, ...]:
        await self._enter("templates", conversation_id)
        name = (self._conv(conversation_id).debtor_name or "cliente").split(" ")[0]
        return (TemplateChoice(
            name="lembrete_vencido", language="pt_BR", purpose="reminder", category="UTILITY",
            status="approved", quality="GREEN", values=(name, "R$ 150,00"),
            preview=f"Olá {name}, sua parcela de R$ 150,00 está em aberto.",
            buttons=("Já paguei", "Falar com atendente"), debt_id=None),)

    async def check(self, conversation_id: int, kind: str, text: str) -> GuardVerdict:
        await self._enter("check", conversation_id, kind, text)
        return self.verdict

    def window_open(self, conversation_id: int) -> bool:
        """True while free text may be sent."""
        last = self._conv(conversation_id).last_inbound_at
        return last is not None and last + WINDOW > self.clock.now()

    def _guard_send(self, conv: _Conversation, operator_id: int, seen: int | None,
                    force: bool) -> None:
        if conv.assigned is not None and conv.assigned != operator_id:
            raise NotYours(operator=self._name(conv.assigned))
        if self.verdict.level == "block":
            reason = self.verdict.reasons[0][1] if self.verdict.reasons else "bloqueado"
            raise SendRefused(reason=reason)
        newer = [m for m in conv.messages if seen is None or m.id > seen]
        newer = [m for m in newer if m.direction != "note"]
        if newer and not force:
            others = [m.operator_name for m in newer if m.direction == "out" and m.operator_name]
            raise Collision(count=len(newer), operator=others[-1] if others else None)

    def _queue(self, conv: _Conversation, operator_id: int, text: str, send_at: datetime | None,
               **extra: Any) -> SendOutcome:
        mid = self.add_message(conv.id, "out", text, status="queued", operator=operator_id,
                               scheduled_for=send_at, **extra)
        conv.unread = 0
        return SendOutcome(message_id=mid, verdict=self.verdict, scheduled_for=send_at)

    async def send_text(self, conversation_id: int, operator_id: int, text: str, *,
                        seen_message_id: int | None, send_at: datetime | None = None,
                        force: bool = False) -> SendOutcome:
        await self._enter("send_text", conversation_id, operator_id, text, seen_message_id,
                          send_at, force)
        conv = self._conv(conversation_id)
        if not self.window_open(conversation_id):
            raise WindowClosed()
        self._guard_send(conv, operator_id, seen_message_id, force)
        return self._queue(conv, operator_id, text, send_at, purpose="free_reply")

    async def send_template(self, conversation_id: int, operator_id: int, name: str,
                            language: str, *, seen_message_id: int | None,
                            send_at: datetime | None = None,
                            force: bool = False) -> SendOutcome:
        await self._enter("send_template", conversation_id, operator_id, name, language,
                          seen_message_id, send_at, force)
        conv = self._conv(conversation_id)
        self._guard_send(conv, operator_id, seen_message_id, force)
        choice = (await self.templates(conversation_id))[0]
        return self._queue(conv, operator_id, choice.preview, send_at, type="template",
                           template_name=name, buttons=choice.buttons, purpose="reminder")

    async def send_action(self, conversation_id: int, operator_id: int, action: str, *,
                          seen_message_id: int | None, force: bool = False) -> SendOutcome:
        await self._enter("send_action", conversation_id, operator_id, action, seen_message_id,
                          force)
        conv = self._conv(conversation_id)
        if not self.window_open(conversation_id):
            raise WindowClosed()
        self._guard_send(conv, operator_id, seen_message_id, force)
        texts = {"pix": "PIX copia e cola: 00020126PIXFAKE", "wa_link": "https://wa.me/5511900000000",
                 "call_offer": "Prefere uma ligação? tel:+5511900000000"}
        return self._queue(conv, operator_id, texts[action], None, purpose="free_reply")


_MEDIA = {"image": "imagem", "audio": "áudio", "document": "documento", "video": "vídeo",
          "sticker": "figurinha", "location": "localização"}


def _key(at: datetime | None, cid: int) -> tuple[Any, ...]:
    """Newest activity first, then the newest conversation."""
    stamp = (at or datetime(1970, 1, 1, tzinfo=UTC)).timestamp()
    return (-stamp, -cid)
