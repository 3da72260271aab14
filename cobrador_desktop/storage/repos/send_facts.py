"""Everything the send guard weighs, for many messages at once (`gather`, COMPLIANCE.md §2.1).

The régua plans a day for every open debt (100,000 at shop scale) and the outbox re-judges each
of its rows at send time: both need `SendFacts(complete=True, …)`, filled from the database in a
few bulk statements — one per table and per `IN (…)` list of `import_write.LOOKUP_CHUNK` ids —
never one per message.

Where each fact comes from:
- the number: `phones` (opt-out, suppression, opt-in evidence, E.164); the debtor's person-wide
  opt-out (`debtors.opted_out`) counts as the number's opt-out;
- the number for this debtor: `debtor_phones` (wrong party, reference contact, identity check);
  a number linked to more than one debtor is shared;
- where the debtor lives: `debtors.uf`, `debtors.city`; the owner's settings (profile, holidays,
  shop identity, the number's quality): `settings`;
- the debt: `debts` (status and when it changed, agreement instalment, open balance), the
  debtor's open `promises` (any of them pauses automation: the latest promised date counts);
- history: outbound `messages` of the last 8 days in the number's conversation and in the
  debtor's conversations (kind and purpose from their `outbox` row; failed and cancelled ones
  never reached anyone and do not count), `regua_sends` queued for (debt, step), and whether the
  debtor's last inbound is newer than every outbound (a reply waits) or a message with debt
  details already went out in the number's conversation;
- the template: `templates` by name (pt_BR first); unknown: None, so the guard blocks with
  FACTS_MISSING.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.policy import SendFacts
from cobrador_desktop.domain.policy_facts import (
    CANCELLED,
    PAID,
    DebtFacts,
    PastSend,
    SendHistory,
    TemplateFacts,
)
from cobrador_desktop.domain.policy_rules import DEBT_DETAIL_PURPOSES
from cobrador_desktop.storage.orm import (
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    OutboxItem,
    Phone,
    Promise,
    ReguaSend,
    Template,
)
from cobrador_desktop.storage.repos.import_write import in_chunks
from cobrador_desktop.storage.repos.settings import read_guard_settings

T = TypeVar("T")
#: how far back outbound messages count (the weekly cap is a rolling 7 days, plus a day of zones)
HISTORY_DAYS = 8
#: the language a template is looked up in first
LANGUAGE = "pt_BR"
#: a message without an outbox row (sent before the outbox, or by the demo) counts as this
UNKNOWN_KIND, UNKNOWN_PURPOSE = "business_initiated", "unknown"
#: outbox states of a row that left the queue (its `updated_at` is when it went out)
WENT_OUT = ("sending", "sent", "unknown")
#: from this many ids on, a table is read in one statement without an IN list: a day that plans
#: most of the shop reads whole tables faster than through hundreds of IN lists (rows of others
#: are read too, and never looked up)
WHOLE_TABLE_AT = 20_000


@dataclass(frozen=True)
class FactsTarget:
    """One message to judge: to whom, on which number, about which debt, step and template."""

    debtor_id: int
    phone_id: int
    debt_id: int | None = None
    step: str | None = None  # the concrete régua code ("D+7", "CPC1") or None
    template: str | None = None  # template name, for TemplateFacts


@dataclass(frozen=True)
class _Chat:
    phone_id: int
    debtor_id: int | None
    last_inbound_at: datetime | None


def gather(session: Session, targets: Sequence[FactsTarget], *, now: datetime,
           shop_zone: str, exclude_outbox_ids: Collection[int] = ()) -> list[SendFacts]:
    """complete=True facts for every target, same order, in a few bulk queries (chunked).

    Args:
        exclude_outbox_ids: outbox rows being judged themselves (the sender's re-check): their
            message and their `regua_sends` row are not history yet.
    """
    if not targets:
        return []
    settings = read_guard_settings(session)
    excluded = set(exclude_outbox_ids)
    phone_ids = {t.phone_id for t in targets}
    debtor_ids = {t.debtor_id for t in targets}
    phones = _phones(session, phone_ids)
    links, sharers = _links(session, phone_ids)
    debtors = _debtors(session, debtor_ids)
    chats, by_phone, by_debtor = _chats(session, phone_ids, debtor_ids)
    recent, last_out, detailed = _messages(session, chats.keys(), now, excluded)
    debts = _debts(session, {t.debt_id for t in targets if t.debt_id is not None})
    promised = _promises(session, debtor_ids)
    steps = _steps(session, targets, excluded)
    templates = _templates(session, {t.template for t in targets if t.template})

    shared = {"complete": True, "shop_zone": shop_zone, "shop_uf": settings.shop_uf,
              "profile": settings.profile, "custom_holidays": settings.custom_holidays,
              "shop": settings.shop, "number_quality": settings.number_quality}
    facts = []
    for t in targets:
        phone = phones.get(t.phone_id)
        link = links.get((t.debtor_id, t.phone_id))
        debtor = debtors.get(t.debtor_id)
        own_chat = by_phone.get(t.phone_id)
        chat_ids = by_debtor.get(t.debtor_id, [])
        if own_chat is not None and own_chat not in chat_ids:
            chat_ids = [*chat_ids, own_chat]
        sent = [PastSend(at=at, kind=kind, purpose=purpose,
                         same_phone=chats[chat].phone_id == t.phone_id,
                         same_debtor=chats[chat].debtor_id == t.debtor_id, text=text)
                for chat in chat_ids for at, kind, purpose, text in recent.get(chat, ())]
        if len(sent) > 1:
            sent.sort(key=lambda s: s.at)
        history = SendHistory(
            recent=tuple(sent),
            step_sent_at=(steps.get((t.debt_id, t.step))
                          if t.debt_id is not None and t.step is not None else None),
            reply_waiting=any(_waiting(chats[chat], last_out.get(chat)) for chat in chat_ids),
            debt_details_sent=own_chat in detailed)
        debt = None
        if t.debt_id is not None and (row := debts.get(t.debt_id)) is not None:
            debt = _debt_facts(row, promised.get(t.debtor_id))
        facts.append(_build(SendFacts, shared, {
            "last_inbound_at": chats[own_chat].last_inbound_at if own_chat is not None else None,
            "phone_opted_out": bool(phone is None or phone.opted_out
                                    or (debtor is not None and debtor.opted_out)),
            "opted_out_at": phone.opted_out_at if phone is not None else None,
            "phone_suppressed": bool(phone is not None and phone.suppressed),
            "suppression_source": phone.suppression_source if phone is not None else None,
            "wrong_party": bool(link is not None and link.wrong_party),
            "wrong_party_at": link.wrong_party_at if link is not None else None,
            # a number not linked to this debtor is nobody's to message about them
            "reference_contact": (link is None or link.role == "reference"
                                  or bool(link.never_message)),
            "debtor_uf": debtor.uf if debtor is not None else None,
            "debtor_municipality": debtor.city if debtor is not None else None,
            "phone_e164": phone.e164 if phone is not None else None,
            "optin_at": phone.opt_in_at if phone is not None else None,
            "cpc_state": link.cpc_status if link is not None else None,
            "phone_shared": len(sharers.get(t.phone_id, ())) > 1,
            "debt": debt, "history": history,
            "template": templates.get(t.template) if t.template else None}))
    return facts


def _build(cls: type[T], shared: dict[str, Any], own: dict[str, Any]) -> T:
    """`cls(**shared, **own)` for a frozen dataclass given every field, without its __init__
    (a fifth of the time at 100,000 targets); the names are checked against the class once."""
    if cls not in _CHECKED:
        given = shared.keys() | own.keys()
        if {f.name for f in fields(cls)} != given:  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__} built with fields {sorted(given)}")
        _CHECKED.add(cls)
    built = object.__new__(cls)
    built.__dict__.update(shared)
    built.__dict__.update(own)
    return built


_CHECKED: set[type] = set()


def _waiting(chat: _Chat, last_out: datetime | None) -> bool:
    inbound = chat.last_inbound_at
    return inbound is not None and (last_out is None or inbound > last_out)


def _rows(session: Session, query: Any, column: Any, ids: Collection[Any]
          ) -> Iterator[Any]:
    """The rows of `query` whose `column` is in `ids` (and, past `WHOLE_TABLE_AT` ids, the
    others too): one statement per IN list of `LOOKUP_CHUNK` ids, built once."""
    if len(ids) >= WHOLE_TABLE_AT:
        yield from session.execute(query)
        return
    statement = query.where(column.in_(bindparam("ids", expanding=True)))
    for chunk in in_chunks(ids):
        yield from session.execute(statement, {"ids": chunk})


def _phones(session: Session, ids: Collection[int]) -> dict[int, Any]:
    p = Phone
    return {row.id: row for row in _rows(session, select(
        p.id, p.e164, p.opted_out, p.opted_out_at, p.suppressed, p.suppression_source,
        p.opt_in_at), p.id, ids)}


def _links(session: Session, phone_ids: Collection[int]
           ) -> tuple[dict[tuple[int, int], Any], dict[int, set[int]]]:
    """Every debtor's link to these numbers, and who each number is linked to."""
    d, links, sharers = DebtorPhone, {}, defaultdict(set)
    for row in _rows(session, select(d.debtor_id, d.phone_id, d.role, d.never_message,
                                     d.wrong_party, d.wrong_party_at, d.cpc_status),
                     d.phone_id, phone_ids):
        links[(row.debtor_id, row.phone_id)] = row
        sharers[row.phone_id].add(row.debtor_id)
    return links, sharers


def _debtors(session: Session, ids: Collection[int]) -> dict[int, Any]:
    return {row.id: row for row in _rows(
        session, select(Debtor.id, Debtor.uf, Debtor.city, Debtor.opted_out), Debtor.id, ids)}


def _chats(session: Session, phone_ids: Collection[int], debtor_ids: Collection[int]
           ) -> tuple[dict[int, _Chat], dict[int, int], dict[int, list[int]]]:
    """The numbers' conversations and the debtors' ones: by id, by phone, by debtor."""
    c = Conversation
    columns = (c.id, c.phone_id, c.debtor_id, c.last_inbound_at)
    chats: dict[int, _Chat] = {}
    if max(len(phone_ids), len(debtor_ids)) >= WHOLE_TABLE_AT:
        lookups: Any = ((c.id, {*phone_ids, *debtor_ids}),)  # many: the whole table, once
    else:
        lookups = ((c.phone_id, phone_ids), (c.debtor_id, debtor_ids))
    for column, ids in lookups:
        for row in _rows(session, select(*columns), column, ids):
            chats[row.id] = _Chat(row.phone_id, row.debtor_id, row.last_inbound_at)
    by_phone = {chat.phone_id: chat_id for chat_id, chat in chats.items()}
    by_debtor: dict[int, list[int]] = defaultdict(list)
    for chat_id, chat in chats.items():
        if chat.debtor_id is not None:
            by_debtor[chat.debtor_id].append(chat_id)
    return chats, by_phone, by_debtor


def _messages(session: Session, chat_ids: Collection[int], now: datetime, excluded: set[int]
              ) -> tuple[dict[int, list[tuple[datetime, str, str, str]]], dict[int, datetime],
                         set[int]]:
    """Per conversation: its outbound messages of the last days (at, kind, purpose, text), when
    the last outbound went out, and whether one with debt details ever did."""
    m, o = Message, OutboxItem
    went_out = [m.direction == "out", m.status != "failed"]
    if excluded:
        went_out.append(or_(o.id.is_(None), o.id.not_in(list(excluded))))
    since = now - timedelta(days=HISTORY_DAYS)
    detail = func.max(case((o.purpose.in_(sorted(DEBT_DETAIL_PURPOSES)), 1), else_=0))
    # a row that waited in the outbox (held for the morning, a cap) counts when it went out,
    # not when it was queued: else several held rows go out the same day, each under the cap
    out_at = case((o.state.in_(WENT_OUT), o.updated_at), else_=m.created_at)
    recent: dict[int, list[tuple[datetime, str, str, str]]] = defaultdict(list)
    last_out: dict[int, datetime] = {}
    detailed: set[int] = set()
    joined = m.__table__.outerjoin(o.__table__, o.message_id == m.id)
    for row in _rows(session, select(m.conversation_id, out_at.label("at"), o.kind, o.purpose,
                                     m.text)
                     .select_from(joined).where(out_at >= since, *went_out),
                     m.conversation_id, chat_ids):
        recent[row.conversation_id].append((_aware(row.at), row.kind or UNKNOWN_KIND,
                                            row.purpose or UNKNOWN_PURPOSE, row.text or ""))
    for row in _rows(session, select(m.conversation_id, func.max(out_at).label("last"),
                                     detail.label("detail"))
                     .select_from(joined).where(*went_out).group_by(m.conversation_id),
                     m.conversation_id, chat_ids):
        if row.last is not None:
            last_out[row.conversation_id] = _aware(row.last)
        if row.detail:
            detailed.add(row.conversation_id)
    return recent, last_out, detailed


def _aware(value: Any) -> datetime:
    """An aggregate's instant as an aware UTC datetime, whatever the driver hands back."""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(instant, datetime)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _debts(session: Session, ids: Collection[int]) -> dict[int, Any]:
    d = Debt
    return {row.id: row for row in _rows(session, select(
        d.id, d.status, d.status_at, d.agreement_id, d.due_date, d.amount_cents, d.paid_cents,
        d.payment_claimed_at, d.prescription_confirmed_at), d.id, ids)}


def _debt_facts(row: Any, promised_for: date | None) -> DebtFacts:
    balance = max(int(row.amount_cents) - int(row.paid_cents), 0)
    still_open = balance > 0 and row.status not in (PAID, CANCELLED)
    return _build(DebtFacts, _NO_CHARGES, {
        "status": row.status, "status_at": row.status_at,
        "is_agreement": row.agreement_id is not None,
        "oldest_open_due": row.due_date if still_open else None, "open_balance_cents": balance,
        "payment_claimed_at": row.payment_claimed_at, "promised_for": promised_for,
        "prescription_confirmed_at": row.prescription_confirmed_at})


#: what is charged beyond the original value: nothing is recorded per item yet
_NO_CHARGES: dict[str, Any] = {"charges_cents": MappingProxyType({})}


def _promises(session: Session, debtor_ids: Collection[int]) -> dict[int, date]:
    """The latest date among each debtor's open promises."""
    p, found = Promise, {}
    for debtor_id, due in _rows(session, select(p.debtor_id, func.max(p.due_date))
                                .where(p.status == "open").group_by(p.debtor_id),
                                p.debtor_id, debtor_ids):
        found[debtor_id] = due if isinstance(due, date) else date.fromisoformat(str(due))
    return found


def _steps(session: Session, targets: Sequence[FactsTarget], excluded: set[int]
           ) -> dict[tuple[int, str], datetime]:
    """When each (debt, step) of the targets was queued by the régua."""
    wanted = {(t.debt_id, t.step) for t in targets if t.debt_id is not None and t.step}
    if not wanted:
        return {}
    r, found = ReguaSend, {}
    query = select(r.debt_id, r.step, r.created_at).where(
        r.step.in_(sorted({step for _, step in wanted})), r.state == "queued")
    if excluded:
        query = query.where(or_(r.outbox_id.is_(None), r.outbox_id.not_in(list(excluded))))
    for row in _rows(session, query, r.debt_id, {debt for debt, _ in wanted}):
        if (row.debt_id, row.step) in wanted:
            found[(row.debt_id, row.step)] = row.created_at
    return found


def _templates(session: Session, names: Collection[str]) -> dict[str, TemplateFacts]:
    t, found = Template, {}
    for row in _rows(session, select(t.name, t.language, t.status, t.category, t.quality)
                     .order_by(t.id), t.name, names):
        if row.name in found and row.language != LANGUAGE:
            continue  # the pt_BR one wins
        found[row.name] = TemplateFacts(name=row.name, status=row.status, category=row.category,
                                        quality=row.quality or "UNKNOWN")
    return found
