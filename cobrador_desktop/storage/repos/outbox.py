"""The outbox tables: the queue length for `/healthz`, and the durable outbox the sender drives."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from cobrador_desktop.domain.clock import DEFAULT_SHOP_ZONE
from cobrador_desktop.domain.conversation import RANK, TERMINAL_FAILURE, apply_status
from cobrador_desktop.domain.policy import Decision, SendFacts
from cobrador_desktop.storage.orm import (
    Conversation,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    Template,
    UTCDateTime,
)
from cobrador_desktop.storage.repos import outbox_regua

#: the zone the sender judges foreign numbers in when none is given (COBRADOR_TIMEZONE's default)

#: rows still waiting to leave
WAITING = ("queued", "sending")


def queue_length(session: Session) -> int:
    """How many messages wait to be sent."""
    return int(session.scalar(
        select(func.count()).select_from(OutboxItem).where(OutboxItem.state.in_(WAITING))) or 0)


# --------------------------------------------------------------------------- the durable outbox
#
# Every function below runs inside the caller's transaction (one `Runner.run`). The sender claims
# rows (`claim`) and commits *before* their HTTP calls, so a crash mid-send leaves them `sending`,
# which `interrupted_to_unknown` turns into `unknown` at the next start: never sent twice.
# Several `record_*` calls may share one transaction (the sender records results in batches).


@dataclass(frozen=True)
class OutboxRow:
    """A row of the outbox with what sending it needs."""

    id: int
    message_id: int
    conversation_id: int
    to: str
    request: dict[str, Any]
    purpose: str
    kind: str
    message_type: str
    text: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error_code: int | None
    decision: dict[str, Any] | None
    #: the régua step this row sends (`D+7`, `CPC1`); None for rows the régua did not queue
    step: str | None = None


def unknown_count(session: Session) -> int:
    """How many sends lost their answer and wait for an operator to check them."""
    return int(session.scalar(
        select(func.count()).select_from(OutboxItem).where(OutboxItem.state == "unknown")) or 0)


def _row(item: OutboxItem, message: Message) -> OutboxRow:
    return OutboxRow(
        id=item.id, message_id=item.message_id, conversation_id=message.conversation_id,
        to=item.to, request=dict(item.request), purpose=item.purpose, kind=item.kind,
        message_type=message.type, text=message.text, state=item.state, attempts=item.attempts,
        next_attempt_at=item.next_attempt_at, last_error_code=item.last_error_code,
        decision=item.decision)


def _phone(session: Session, conversation_id: int) -> tuple[Conversation, Phone]:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(f"no conversation {conversation_id}")
    phone = session.get(Phone, conversation.phone_id)
    assert phone is not None  # a foreign key
    return conversation, phone


def add_outbound(session: Session, *, conversation_id: int, request: dict[str, Any], purpose: str,
                 kind: str, message_type: str, text: str, decision: dict[str, Any],
                 operator_id: int | None, now: datetime,
                 next_attempt_at: datetime | None = None) -> int:
    """Insert the outbound message (`queued`) and its outbox row; returns the outbox row id.

    `next_attempt_at`: when the sender may first take it (None: now). The conversation shows the
    message (`last_message_at`, `changed_at`); one written by an operator answers the debtor
    (`waiting_since` cleared).
    """
    conversation, phone = _phone(session, conversation_id)
    conversation.changed_at = now
    if conversation.last_message_at is None or conversation.last_message_at < now:
        conversation.last_message_at = now
    if operator_id is not None:
        conversation.waiting_since = None
    template = request.get("template")
    message = Message(
        conversation_id=conversation_id, direction="out", type=message_type, text=text,
        payload=request, status="queued", operator_id=operator_id, created_at=now, status_at=now,
        template_name=str(template.get("name")) if isinstance(template, dict) else None)
    session.add(message)
    session.flush()
    item = OutboxItem(message_id=message.id, to=phone.e164, request=request, purpose=purpose,
                      kind=kind, state="queued", attempts=0,
                      next_attempt_at=next_attempt_at or now,
                      decision=decision, created_at=now, updated_at=now)
    session.add(item)
    session.flush()
    return item.id


def send_facts(session: Session, conversation_id: int) -> SendFacts:
    """What the send guard needs about the conversation's number and debtor, read now."""
    conversation, phone = _phone(session, conversation_id)
    link = None
    if conversation.debtor_id is not None:
        link = session.scalar(select(DebtorPhone).where(
            DebtorPhone.debtor_id == conversation.debtor_id, DebtorPhone.phone_id == phone.id))
    return _facts(conversation, phone, link)


def _facts(conversation: Any, phone: Any, link: Any) -> SendFacts:
    """The guard's facts from a conversation, a phone and the debtor's link (objects or rows)."""
    return SendFacts(
        last_inbound_at=conversation.last_inbound_at, phone_opted_out=phone.opted_out,
        opted_out_at=phone.opted_out_at, phone_suppressed=phone.suppressed,
        suppression_source=phone.suppression_source,
        wrong_party=bool(link and link.wrong_party), wrong_party_at=link.wrong_party_at if link else None,
        reference_contact=bool(link and (link.role == "reference" or link.never_message)))


class Due(NamedTuple):
    """A queued row whose time has come."""

    id: int
    conversation_id: int
    purpose: str


def due(session: Session, now: datetime, limit: int, *,
        purposes: Collection[str] | None = None, exclude: Collection[int] = ()) -> list[Due]:
    """Queued rows whose time has come, oldest first.

    Args:
        purposes: only rows with one of these purposes (None: all).
        exclude: conversation ids to leave out (recipients still in their spacing wait), so they
            do not fill the batch ahead of rows that can go now.

    On PostgreSQL the rows are locked for this transaction, skipping rows another sender holds.
    """
    query = (select(OutboxItem.id, Message.conversation_id, OutboxItem.purpose)
             .join(Message, Message.id == OutboxItem.message_id)
             .where(OutboxItem.state == "queued",
                    or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= now))
             .order_by(OutboxItem.next_attempt_at, OutboxItem.id).limit(limit))
    if purposes is not None:
        query = query.where(OutboxItem.purpose.in_(list(purposes)))
    if exclude:
        query = query.where(Message.conversation_id.not_in(list(exclude)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=OutboxItem, skip_locked=True)
    return [Due(row_id, conversation_id, purpose)
            for row_id, conversation_id, purpose in session.execute(query)]


def next_due_at(session: Session, *, purposes: Collection[str] | None = None) -> datetime | None:
    """When the earliest queued row (with one of `purposes`, if given) becomes due (None: none)."""
    query = select(func.min(OutboxItem.next_attempt_at)).where(OutboxItem.state == "queued")
    if purposes is not None:
        query = query.where(OutboxItem.purpose.in_(list(purposes)))
    return session.scalar(query)


def lock_queued(session: Session, outbox_id: int) -> OutboxRow | None:
    """The row if it is still `queued`, locked for this transaction on PostgreSQL; else None."""
    query = select(OutboxItem).where(OutboxItem.id == outbox_id, OutboxItem.state == "queued")
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    item = session.scalar(query)
    if item is None:
        return None
    message = session.get(Message, item.message_id)
    assert message is not None  # a foreign key
    return _row(item, message)


def mark_sending(session: Session, outbox_id: int, now: datetime) -> str:
    """Claim the row for one HTTP try; returns the recipient (the stored wa_id, else E.164)."""
    item, message = _load(session, outbox_id)
    _, phone = _phone(session, message.conversation_id)
    item.state, item.attempts, item.updated_at = "sending", item.attempts + 1, now
    item.to = phone.wa_id or phone.e164
    message.status, message.status_at = "sending", now
    return item.to


def cancel(session: Session, outbox_id: int, decision: dict[str, Any], reason: str,
           now: datetime) -> None:
    """The guard refused the row at send time: cancelled, never tried; the message shows why."""
    item, message = _load(session, outbox_id)
    item.state, item.decision, item.updated_at = "cancelled", decision, now
    message.status, message.error_detail, message.status_at = "failed", reason, now


# The tables themselves, for the statements that run for every message (claim, record_sent):
# plain Core costs a fraction of the CPU of ORM objects.
_OUTBOX_TABLE, _MESSAGES_TABLE = cast(Table, OutboxItem.__table__), cast(Table, Message.__table__)
_CONVERSATIONS, _PHONES = cast(Table, Conversation.__table__), cast(Table, Phone.__table__)
_LINKS = cast(Table, DebtorPhone.__table__)
_OUTBOX, _MESSAGES = _OUTBOX_TABLE.c, _MESSAGES_TABLE.c
_NOW = bindparam("now", type_=UTCDateTime())
_CLAIM_OUTBOX = (update(_OUTBOX_TABLE).where(_OUTBOX.id == bindparam("row_id"))
                 .values(state="sending", attempts=_OUTBOX.attempts + 1,
                         to=bindparam("recipient"), updated_at=_NOW,
                         decision=bindparam("decision_json", type_=_OUTBOX.decision.type)))
_CLAIM_MESSAGE = (update(_MESSAGES_TABLE).where(_MESSAGES.id == bindparam("message_id"))
                  .values(status="sending", status_at=_NOW))
_CANCEL_OUTBOX = (update(_OUTBOX_TABLE).where(_OUTBOX.id == bindparam("row_id"))
                  .values(state="cancelled", updated_at=_NOW,
                          decision=bindparam("decision_json", type_=_OUTBOX.decision.type)))
_CANCEL_MESSAGE = (update(_MESSAGES_TABLE).where(_MESSAGES.id == bindparam("message_id"))
                   .values(status="failed", error_detail=bindparam("reason"), status_at=_NOW))


#: a message moved (sending, sent, failed…): its conversation changed for the inbox's poll
_TOUCH = (update(_CONVERSATIONS).where(_CONVERSATIONS.c.id.in_(
    select(_MESSAGES.conversation_id).where(_MESSAGES.id.in_(bindparam("ids", expanding=True)))))
    .values(changed_at=_NOW))


def _touch(session: Session, message_ids: Collection[int], now: datetime) -> None:
    if message_ids:
        session.execute(_TOUCH, {"ids": list(message_ids), "now": now})


_HOLD_OUTBOX = (update(_OUTBOX_TABLE).where(_OUTBOX.id == bindparam("row_id"))
                .values(next_attempt_at=bindparam("at"), updated_at=_NOW,
                        decision=bindparam("decision_json", type_=_OUTBOX.decision.type)))


class Claimed(NamedTuple):
    """A row `claim` looked at: `to` is the recipient it is now `sending` to, None if cancelled
    or held for a later slot."""

    row: OutboxRow
    to: str | None


def claim(session: Session, ids: Sequence[int], now: datetime,
          decide: Callable[[OutboxRow, SendFacts], Decision], *,
          shop_zone: str = DEFAULT_SHOP_ZONE) -> list[Claimed]:
    """Claim several rows in one transaction: `decide` (the send guard) judges each on fresh facts.

    A row the régua queued is judged on complete facts (`outbox_regua.regua_facts`: the debt,
    the history, the settings… with `shop_zone` for foreign numbers) and carries its `step`;
    when cancelled, its step shows `blocked` with the reason. Other rows get the number's flags
    and the 24-hour window (`_facts`).

    Rows no longer `queued` (another sender took them, or they changed) are left out; on
    PostgreSQL the rows are locked, skipping those another sender holds. An allowed row becomes
    `sending` (attempts + 1); one refused for a while (contact hours, holidays, caps) stays
    `queued` until the guard's next slot; one refused for good is cancelled with the reason. Returns the rows
    in the order of `ids`; each `row` shows the row as it was before the claim.

    Plain column reads and UPDATEs (no ORM objects): this runs for every message sent.
    """
    o, m, c, p = _OUTBOX, _MESSAGES, _CONVERSATIONS.c, _PHONES.c
    query = (select(o.id, o.message_id, o.to, o.request, o.purpose, o.kind, o.state, o.attempts,
                    o.next_attempt_at, o.last_error_code, o.decision, m.conversation_id, m.type,
                    m.text, c.debtor_id, c.last_inbound_at, p.id.label("phone_id"), p.e164,
                    p.wa_id, p.opted_out, p.opted_out_at, p.suppressed, p.suppression_source)
             .select_from(_OUTBOX_TABLE.join(_MESSAGES_TABLE, m.id == o.message_id)
                          .join(_CONVERSATIONS, c.id == m.conversation_id)
                          .join(_PHONES, p.id == c.phone_id))
             .where(o.id.in_(list(ids)), o.state == "queued"))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=_OUTBOX_TABLE, skip_locked=True)
    found = {r.id: r for r in session.execute(query)}
    links: dict[tuple[int, int], Any] = {}
    if found:
        d = _LINKS.c
        for link in session.execute(
                select(d.debtor_id, d.phone_id, d.role, d.never_message, d.wrong_party,
                       d.wrong_party_at)
                .where(d.phone_id.in_({r.phone_id for r in found.values()}))):
            links[(link.debtor_id, link.phone_id)] = link
    regua = outbox_regua.regua_facts(session, found.values(), now=now, shop_zone=shop_zone)
    steps_blocked: list[dict[str, Any]] = []
    claimed: list[Claimed] = []
    sending: list[dict[str, Any]] = []
    cancelled: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for outbox_id in ids:
        r = found.get(outbox_id)
        if r is None:
            continue
        row = OutboxRow(
            id=r.id, message_id=r.message_id, conversation_id=r.conversation_id, to=r.to,
            request=dict(r.request), purpose=r.purpose, kind=r.kind, message_type=r.type,
            text=r.text, state=r.state, attempts=r.attempts, next_attempt_at=r.next_attempt_at,
            last_error_code=r.last_error_code, decision=r.decision)
        if (planned := regua.get(r.id)) is not None:
            row = replace(row, step=planned.step)
            decision = decide(row, planned.facts)
        else:
            decision = decide(row, _facts(r, r, links.get((r.debtor_id, r.phone_id))))
        ids_of = {"row_id": r.id, "message_id": r.message_id, "now": now}
        if decision.allowed:
            to = r.wa_id or r.e164
            # the decision that let it go is the one kept (not the night's that held it)
            sending.append({**ids_of, "recipient": to, "decision_json": decision.to_json()})
            claimed.append(Claimed(row, to))
        elif (retry_at := decision.retry_at(f"outbox:{r.id}")) is not None:
            held.append({"row_id": r.id, "now": now, "at": retry_at,
                         "decision_json": decision.to_json()})
            claimed.append(Claimed(row, None))
        else:
            reason = decision.main_reason
            cancelled.append({**ids_of, "decision_json": decision.to_json(),
                              "reason": reason.message if reason else ""})
            claimed.append(Claimed(row, None))
            if row.step is not None:
                steps_blocked.append({"row_id": r.id, "decision_json": decision.to_json(),
                                      "code": reason.code if reason else None})
    if sending:
        session.execute(_CLAIM_OUTBOX, sending)
        session.execute(_CLAIM_MESSAGE, sending)
    if cancelled:
        session.execute(_CANCEL_OUTBOX, cancelled)
        session.execute(_CANCEL_MESSAGE, cancelled)
    if held:
        session.execute(_HOLD_OUTBOX, held)
    _touch(session, [r["message_id"] for r in (*sending, *cancelled)], now)
    outbox_regua.record_cancelled(session, steps_blocked)
    return claimed


#: message statuses a `sent` moves forward (the domain's rule, computed once for plain UPDATEs)
_BEFORE_SENT = tuple(status for status in (*RANK, TERMINAL_FAILURE)
                     if apply_status(status, "sent").applied)


_SENT_OUTBOX = (update(_OUTBOX_TABLE).where(_OUTBOX.id == bindparam("row_id")).values(
    state=case((_OUTBOX.state == "sending", "sent"), else_=_OUTBOX.state),
    updated_at=_NOW))
_SENT_MESSAGE = (update(_MESSAGES_TABLE).where(_MESSAGES.id == bindparam("message_id")).values(
    wamid=func.coalesce(_MESSAGES.wamid, bindparam("wamid")),
    status=case((_MESSAGES.status.in_(_BEFORE_SENT), "sent"), else_=_MESSAGES.status),
    status_at=case((_MESSAGES.status.in_(_BEFORE_SENT), _NOW), else_=_MESSAGES.status_at)))


def record_sent(session: Session, outbox_id: int, wamid: str, now: datetime, *,
                message_id: int | None = None) -> None:
    """Meta accepted the send: keep its id (a status webhook may already have moved the row).

    Two plain UPDATEs and no loads: this runs for every message sent. `message_id` saves the
    look-up when the caller knows it.
    """
    if message_id is None:
        message_id = session.scalar(select(OutboxItem.message_id).where(OutboxItem.id == outbox_id))
        if message_id is None:
            raise LookupError(f"no outbox row {outbox_id}")
    session.execute(_SENT_OUTBOX, {"row_id": outbox_id, "now": now})
    session.execute(_SENT_MESSAGE, {"message_id": message_id, "wamid": wamid, "now": now})
    _touch(session, (message_id,), now)


def record_unknown(session: Session, outbox_id: int, now: datetime) -> None:
    """The answer was lost: the row becomes `unknown` and is never sent again automatically."""
    item, message = _load(session, outbox_id)
    if item.state == "sending":
        item.state, item.updated_at = "unknown", now
    if message.status in ("queued", "sending"):
        message.status, message.status_at = "unknown", now
    _touch(session, (message.id,), now)


def record_retry(session: Session, outbox_id: int, code: int | None, at: datetime,
                 now: datetime) -> None:
    """A transient failure: back to the queue until `at`."""
    item, message = _load(session, outbox_id)
    item.state, item.next_attempt_at, item.last_error_code = "queued", at, code
    item.updated_at = now
    message.status, message.status_at = "queued", now


def record_failed(session: Session, outbox_id: int, code: int | None, detail: str,
                  now: datetime) -> None:
    """A permanent failure: Meta's code and the pt-BR reason go on the message."""
    item, message = _load(session, outbox_id)
    item.state, item.last_error_code, item.updated_at = "failed", code, now
    message.status, message.error_code, message.error_detail = "failed", code, detail
    message.status_at = now
    _touch(session, (message.id,), now)


def record_not_tried(session: Session, outbox_id: int, now: datetime) -> None:
    """The number's queue stopped before this row left (auth/account): back to `queued` as it was."""
    item, message = _load(session, outbox_id)
    item.state, item.attempts, item.updated_at = "queued", max(item.attempts - 1, 0), now
    message.status, message.status_at = "queued", now


def flag_no_whatsapp(session: Session, conversation_id: int, now: datetime) -> None:
    """Meta could not deliver to the number (131026): it may not have WhatsApp; never retried."""
    _, phone = _phone(session, conversation_id)
    phone.whatsapp_status, phone.whatsapp_checked_at = "no", now


def flag_template_stale(session: Session, name: str, language: str) -> int:
    """Meta says our copy of a template is wrong (132000/132001): mark it for the next sync.

    The schema has no "needs sync" flag: a template whose `synced_at` is empty is one the sync
    must fetch again. Returns how many templates were marked (0 if we never stored it).
    """
    result = session.execute(update(Template).where(Template.name == name,
                                                    Template.language == language)
                             .values(synced_at=None))
    return int(getattr(result, "rowcount", 0) or 0)


def interrupted_to_unknown(session: Session, now: datetime) -> int:
    """Rows left `sending` (the program stopped mid-send) become `unknown`; returns how many."""
    items = list(session.scalars(select(OutboxItem).where(OutboxItem.state == "sending")))
    for item in items:
        record_unknown(session, item.id, now)
    return len(items)


def rows_in_state(session: Session, state: str, limit: int = 500) -> list[OutboxRow]:
    """Rows in one state, oldest first (e.g. the `unknown` ones an operator must look at)."""
    pairs = session.execute(
        select(OutboxItem, Message).join(Message, Message.id == OutboxItem.message_id)
        .where(OutboxItem.state == state).order_by(OutboxItem.id).limit(limit)).all()
    return [_row(item, message) for item, message in pairs]


def _load(session: Session, outbox_id: int) -> tuple[OutboxItem, Message]:
    item = session.get(OutboxItem, outbox_id)
    if item is None:
        raise LookupError(f"no outbox row {outbox_id}")
    message = session.get(Message, item.message_id)
    assert message is not None  # a foreign key
    return item, message


def message_id_of(session: Session, outbox_id: int) -> int:
    """The message an outbox row sends."""
    found = session.scalar(select(OutboxItem.message_id).where(OutboxItem.id == outbox_id))
    if found is None:
        raise LookupError(f"no outbox row {outbox_id}")
    return int(found)
