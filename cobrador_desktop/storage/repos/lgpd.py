"""LGPD actions on one person: read everything we hold about them, and anonymise them.

Anonymising keeps what the shop's accounting needs (debts' amounts, dates and statuses, payments'
amounts, dates and methods) and removes who the person was. Their phone numbers go too, but an
opt-out, "não sou eu" or suppression must outlive them (COMPLIANCE.md §4): each flagged number
leaves a `PhoneBlock` holding only sha256(salt + E.164), the salt being random per installation
and kept in `settings`. `phone_block_for` finds the block of a number being created again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobrador_desktop.domain.errors import DebtorNotFound
from cobrador_desktop.domain.text import fold
from cobrador_desktop.storage.orm import (
    Agreement,
    AuditEntry,
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    MessageEvent,
    OutboxItem,
    Payment,
    Phone,
    PhoneBlock,
    Promise,
    ReguaSend,
    Setting,
    Task,
)
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.debtor_summaries import refresh_summaries
from cobrador_desktop.storage.repos.lgpd_raw import person_identifiers, scrub_deliveries

#: the `settings` key of the installation's phone-hash salt (never logged, never exported)
SALT_KEY = "phone_hash_salt"
ANONYMISE_ACTION = "debtor.anonymise"
EXPORT_ACTION = "debtor.export_personal_data"
#: outbox rows not yet gone: an anonymised person must not receive them any more
_PENDING_OUTBOX = ("queued", "failed", "unknown")


def anonymised_name(debtor_id: int) -> str:
    """The name an anonymised debtor keeps: no one can be recognised by it."""
    return f"Titular anonimizado nº {debtor_id}"


# --------------------------------------------------------------------------- phone hashes


def _salt(session: Session, *, create: bool) -> bytes | None:
    row = session.get(Setting, SALT_KEY)
    if row is not None:
        return bytes.fromhex(str(row.value["salt"]))
    if not create:
        return None
    salt = secrets.token_bytes(32)
    try:
        # a savepoint: another PC may create it at the same moment; theirs then wins
        with session.begin_nested():
            session.add(Setting(key=SALT_KEY, value={"salt": salt.hex()}))
    except IntegrityError:
        row = session.get(Setting, SALT_KEY, populate_existing=True)
        assert row is not None
        return bytes.fromhex(str(row.value["salt"]))
    return salt


def _hash(salt: bytes, e164: str) -> str:
    return hashlib.sha256(salt + e164.encode("ascii")).hexdigest()


def phone_hash(session: Session, e164: str) -> str:
    """The salted SHA-256 (hex) of an E.164 number; creates the installation's salt on first use."""
    salt = _salt(session, create=True)
    assert salt is not None
    return _hash(salt, e164)


def phone_block_for(session: Session, e164: str) -> PhoneBlock | None:
    """The block an anonymised person left on this number, if any.

    A phone created for `e164` (by an import, by hand) must take over the block's flags:
    `opted_out`, `suppressed` on the `Phone`, `wrong_party` on its `DebtorPhone`.
    """
    salt = _salt(session, create=False)
    if salt is None:  # no salt yet: nobody was ever anonymised here
        return None
    return session.scalars(
        select(PhoneBlock).where(PhoneBlock.phone_hash == _hash(salt, e164))).one_or_none()


def blocks_for(session: Session, numbers: Iterable[str]) -> dict[str, PhoneBlock]:
    """The blocks left on any of `numbers` (E.164), by number: `phone_block_for` for a batch.

    One query per 500 numbers, none at all before anyone was ever anonymised (no salt yet), so an
    import of 100k rows pays almost nothing for it.
    """
    salt = _salt(session, create=False)
    if salt is None:
        return {}
    by_hash = {_hash(salt, e164): e164 for e164 in set(numbers)}
    hashes = list(by_hash)
    found: dict[str, PhoneBlock] = {}
    for start in range(0, len(hashes), 500):
        for block in session.scalars(select(PhoneBlock).where(
                PhoneBlock.phone_hash.in_(hashes[start:start + 500]))):
            found[by_hash[block.phone_hash]] = block
    return found


def _block(session: Session, e164: str, *, opted_out: bool, wrong_party: bool, suppressed: bool,
           now: datetime) -> None:
    digest = phone_hash(session, e164)
    block = session.scalars(
        select(PhoneBlock).where(PhoneBlock.phone_hash == digest)).one_or_none()
    if block is None:
        block = PhoneBlock(phone_hash=digest, opted_out=False, wrong_party=False,
                           suppressed=False, reason="anonimização (LGPD)", created_at=now)
        session.add(block)
    # flags only ever add up: a second anonymisation never clears a first one's block
    block.opted_out = block.opted_out or opted_out
    block.wrong_party = block.wrong_party or wrong_party
    block.suppressed = block.suppressed or suppressed


# --------------------------------------------------------------------------- anonymise


@dataclass(frozen=True)
class AnonymiseResult:
    """What anonymising one debtor changed (counts only: no personal data)."""

    debtor_id: int
    phones_removed: int
    blocks: int
    messages_cleared: int
    already: bool = False
    #: raw webhook bodies that named them and were rewritten without them
    raw_bodies: int = 0


def anonymise(session: Session, debtor_id: int, *, now: datetime, today: date,
              operator_id: int | None = None) -> AnonymiseResult:
    """Remove a debtor's identity, keeping their debts and payments for the shop's accounting.

    Args:
        session: the worker thread's session (the whole change is its one transaction).
        debtor_id: whom.
        now: when (audit and block times).
        today: the shop's date (the list's summaries).
        operator_id: who asked.

    Returns:
        The counts; `already=True` (and nothing changed) when they were anonymised before.

    Raises:
        DebtorNotFound: no such debtor.
    """
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise DebtorNotFound(debtor_id=debtor_id)
    if debtor.anonymised_at is not None:
        return AnonymiseResult(debtor_id, 0, 0, 0, already=True)
    links = session.execute(
        select(DebtorPhone, Phone).join(Phone, Phone.id == DebtorPhone.phone_id)
        .where(DebtorPhone.debtor_id == debtor_id)).all()
    conversations = set(session.scalars(
        select(Conversation.id).where(Conversation.debtor_id == debtor_id)))
    blocks = removed = 0
    gone: list[str] = []  # numbers no one else keeps: the raw webhook bodies must forget them
    gone_ids: list[str | None] = []
    for link, phone in links:
        own = link.role == "own"
        opted_out = phone.opted_out or (own and debtor.opted_out)
        if opted_out or link.wrong_party or phone.suppressed:
            _block(session, phone.e164, opted_out=opted_out, wrong_party=link.wrong_party,
                   suppressed=phone.suppressed, now=now)
            blocks += 1
        session.delete(link)
        removed += 1
        others = session.scalar(select(func.count()).select_from(DebtorPhone).where(
            DebtorPhone.phone_id == phone.id, DebtorPhone.debtor_id != debtor_id))
        if others:
            continue  # the number is someone else's too: it stays theirs
        gone.append(phone.e164)
        gone_ids.extend((phone.wa_id, phone.bsuid))
        conversation = session.scalar(
            select(Conversation.id).where(Conversation.phone_id == phone.id))
        if conversation is None:
            session.flush()
            session.delete(phone)
        else:
            # the conversation's rows point at it: keep the row, but not the number
            conversations.add(conversation)
            _scrub_phone(phone)
    messages = _clear_conversations(session, sorted(conversations))
    raw_bodies = scrub_deliveries(session, person_identifiers(gone, gone_ids))
    _scrub_debtor(session, debtor, now)
    session.flush()
    refresh_summaries(session, [debtor_id], today)
    audit.append(session, action=ANONYMISE_ACTION, operator_id=operator_id,
                 object_type="debtor", object_id=debtor_id, now=now,
                 details={"phones_removed": removed, "phone_blocks": blocks,
                          "messages_cleared": messages, "raw_bodies": raw_bodies})
    return AnonymiseResult(debtor_id, removed, blocks, messages, raw_bodies=raw_bodies)


def _scrub_phone(phone: Phone) -> None:
    phone.e164 = f"anon-{phone.id}"  # unique like the number was, and not a number
    phone.wa_id = None
    phone.bsuid = None
    phone.opt_in_wording = None
    phone.opt_in_source = None
    phone.opt_out_source = None
    phone.suppression_source = None


def _clear_conversations(session: Session, ids: list[int]) -> int:
    if not ids:
        return 0
    session.execute(update(Conversation).where(Conversation.id.in_(ids))
                    .values(debtor_id=None, unread_count=0, labels=[]))
    message_ids = list(session.scalars(select(Message.id).where(Message.conversation_id.in_(ids))))
    wamids = [w for w in session.scalars(
        select(Message.wamid).where(Message.conversation_id.in_(ids))) if w]
    # statuses and instants stay (delivery statistics); the words and the media go
    session.execute(update(Message).where(Message.conversation_id.in_(ids))
                    .values(text="", payload=None, error_detail=None))
    if wamids:
        session.execute(update(MessageEvent).where(MessageEvent.wamid.in_(wamids))
                        .values(recipient_wa_id=None))
    if message_ids:
        session.execute(update(OutboxItem).where(OutboxItem.message_id.in_(message_ids),
                                                 OutboxItem.state.in_(_PENDING_OUTBOX))
                        .values(state="cancelled"))
        session.execute(update(OutboxItem).where(OutboxItem.message_id.in_(message_ids))
                        .values(to="", request={}))
    return len(message_ids)


def _scrub_debtor(session: Session, debtor: Debtor, now: datetime) -> None:
    debtor.name = anonymised_name(debtor.id)
    debtor.name_key = fold(debtor.name)
    for field in ("document", "document_type", "email", "address", "city", "uf", "notes"):
        setattr(debtor, field, None)
    debtor.tags = []
    debtor.anonymised_at = now
    # free text beside the amounts may name people ("pago pela irmã"): it goes, the numbers stay
    debt_ids = select(Debt.id).where(Debt.debtor_id == debtor.id).scalar_subquery()
    session.execute(update(Payment).where(Payment.debt_id.in_(debt_ids)).values(note=None))
    session.execute(update(Promise).where(Promise.debtor_id == debtor.id).values(note=None))
    session.execute(update(Agreement).where(Agreement.debtor_id == debtor.id).values(note=None))
    session.execute(update(Task).where(Task.debtor_id == debtor.id).values(note=None))
    # the guard's reasons may quote the message ("trecho") that named the person
    session.execute(update(ReguaSend).where(ReguaSend.debtor_id == debtor.id).values(decision=None))


# --------------------------------------------------------------------------- export


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def person_data(session: Session, debtor_id: int) -> dict[str, Any]:
    """Everything held about one debtor, as JSON-able dicts (LGPD art. 18 II access request).

    Raises:
        DebtorNotFound: no such debtor.
    """
    d = session.get(Debtor, debtor_id)
    if d is None:
        raise DebtorNotFound(debtor_id=debtor_id)
    phones = [_phone(link, phone) for link, phone in session.execute(
        select(DebtorPhone, Phone).join(Phone, Phone.id == DebtorPhone.phone_id)
        .where(DebtorPhone.debtor_id == debtor_id)
        .order_by(DebtorPhone.position, DebtorPhone.id))]
    debts = list(session.scalars(select(Debt).where(Debt.debtor_id == debtor_id)
                                 .order_by(Debt.due_date, Debt.id)))
    payments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in session.scalars(select(Payment).where(Payment.debt_id.in_([x.id for x in debts]))
                             .order_by(Payment.paid_on, Payment.id)):
        payments[p.debt_id].append({
            "id": p.id, "amount_cents": p.amount_cents, "paid_on": _iso(p.paid_on),
            "method": p.method, "note": p.note, "recorded_by": p.recorded_by,
            "created_at": _iso(p.created_at)})
    return {
        "identity": {
            "id": d.id, "name": d.name, "document": d.document, "document_type": d.document_type,
            "email": d.email, "address": d.address, "city": d.city, "uf": d.uf,
            "tags": list(d.tags or []), "notes": d.notes, "opted_out": d.opted_out,
            "created_at": _iso(d.created_at), "anonymised_at": _iso(d.anonymised_at)},
        "phones": phones,
        "debts": [{
            "id": x.id, "external_id": x.external_id, "description": x.description,
            "amount_cents": x.amount_cents, "paid_cents": x.paid_cents,
            "due_date": _iso(x.due_date), "status": x.status,
            "installment_number": x.installment_number,
            "installment_count": x.installment_count, "agreement_id": x.agreement_id,
            "payments": payments.get(x.id, [])} for x in debts],
        "agreements": [_columns(a) for a in session.scalars(
            select(Agreement).where(Agreement.debtor_id == debtor_id).order_by(Agreement.id))],
        "promises": [_columns(p) for p in session.scalars(
            select(Promise).where(Promise.debtor_id == debtor_id).order_by(Promise.id))],
        "reminders": [_columns(r) for r in session.scalars(
            select(ReguaSend).where(ReguaSend.debtor_id == debtor_id).order_by(ReguaSend.id))],
        "tasks": [_columns(t) for t in session.scalars(
            select(Task).where(Task.debtor_id == debtor_id).order_by(Task.id))],
        "conversations": _conversations(session, debtor_id),
        "audit": [{
            "id": e.id, "at": _iso(e.at), "operator_id": e.operator_id, "action": e.action,
            "details": e.details} for e in session.scalars(
                select(AuditEntry).where(AuditEntry.object_type == "debtor",
                                         AuditEntry.object_id == str(debtor_id))
                .order_by(AuditEntry.id))],
    }


def _phone(link: DebtorPhone, phone: Phone) -> dict[str, Any]:
    return {
        "e164": phone.e164, "kind": phone.kind, "role": link.role, "label": link.label,
        "whatsapp_status": phone.whatsapp_status, "never_message": link.never_message,
        "wrong_party": link.wrong_party, "wrong_party_at": _iso(link.wrong_party_at),
        "cpc_status": link.cpc_status,
        "opted_out": phone.opted_out, "opted_out_at": _iso(phone.opted_out_at),
        "opt_out_source": phone.opt_out_source,
        "suppressed": phone.suppressed, "suppression_source": phone.suppression_source,
        "opt_in": {"source": phone.opt_in_source, "at": _iso(phone.opt_in_at),
                   "wording": phone.opt_in_wording, "recorded_by": phone.opt_in_recorded_by},
    }


def _columns(row: Agreement | Promise | ReguaSend | Task) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        out[column.key] = _iso(value) if isinstance(value, date | datetime) else value
    return out


def _conversations(session: Session, debtor_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Conversation, Phone.e164).join(Phone, Phone.id == Conversation.phone_id)
        .where(Conversation.debtor_id == debtor_id).order_by(Conversation.id)).all()
    out = []
    for conversation, e164 in rows:
        messages = session.scalars(
            select(Message).where(Message.conversation_id == conversation.id)
            .order_by(Message.created_at, Message.id))
        out.append({
            "id": conversation.id, "phone": e164, "status": conversation.status,
            "labels": list(conversation.labels or ()),
            "messages": [{
                "id": m.id, "direction": m.direction, "type": m.type, "text": m.text,
                "template_name": m.template_name, "status": m.status,
                "created_at": _iso(m.created_at), "status_at": _iso(m.status_at)}
                for m in messages]})
    return out


def record_export(session: Session, debtor_id: int, *, now: datetime,
                  operator_id: int | None = None) -> None:
    """Audit that someone's personal data left the program (who, when, whose id)."""
    audit.append(session, action=EXPORT_ACTION, operator_id=operator_id, object_type="debtor",
                 object_id=debtor_id, now=now, details={})

