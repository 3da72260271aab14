"""One debtor in full, for the debtor screen; recording payments and notes, audited.

`load` reads everything in four indexed queries (debtor with phones; debts with payments; the
newest messages; the debtor's audit entries) with Core statements built once, so opening a debtor
with 50 debts and 200 events costs a few milliseconds. Writes take the operator (None until
sign-in exists), append to the audit log and refresh the list's summary columns in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import Session, aliased

from cobrador_desktop.domain.errors import DebtorAnonymised, DebtorNotFound
from cobrador_desktop.domain.notes import append_note, clean_note, parse_notes
from cobrador_desktop.domain.payments import allocate
from cobrador_desktop.domain.records import (
    DebtorDetail,
    DebtRecord,
    NoteRecord,
    PaymentRecord,
    PaymentRequest,
    PhoneState,
    TimelineEvent,
    TimelineKind,
)
from cobrador_desktop.storage.orm import (
    AuditEntry,
    Conversation,
    Debt,
    Debtor,
    DebtorPhone,
    Message,
    Operator,
    Payment,
    Phone,
)
from cobrador_desktop.storage.repos import agreements, audit, promises
from cobrador_desktop.storage.repos.debtor_summaries import refresh_summaries

#: newest messages shown in the timeline (older ones: the conversation screen)
MESSAGE_LIMIT = 300
#: newest audit entries about the debtor shown in the timeline
AUDIT_LIMIT = 200
#: audit actions whose event the timeline already shows (the payment, the note) with its author
PAYMENT_ACTION = "payment.record"
NOTE_ACTION = "debtor.note"
_SHOWN_ELSEWHERE = (PAYMENT_ACTION, NOTE_ACTION)

_other_link = aliased(DebtorPhone)
_recorder = aliased(Operator)
_sender = aliased(Operator)

_DEBTOR_AND_PHONES = (
    select(
        Debtor.id, Debtor.name, Debtor.document, Debtor.document_type, Debtor.email,
        Debtor.address, Debtor.city, Debtor.uf, Debtor.tags, Debtor.notes, Debtor.opted_out,
        Debtor.created_at, Debtor.anonymised_at, Debtor.open_cents, Debtor.segment,
        Debtor.reach, Debtor.in_agreement, Operator.name.label("operator_name"),
        DebtorPhone.phone_id, DebtorPhone.role, DebtorPhone.label, DebtorPhone.never_message,
        DebtorPhone.wrong_party, DebtorPhone.wrong_party_at, DebtorPhone.cpc_status,
        Phone.e164, Phone.kind, Phone.whatsapp_status, Phone.whatsapp_checked_at,
        Phone.opted_out.label("phone_opted_out"), Phone.opted_out_at, Phone.opt_out_source,
        Phone.opt_in_source, Phone.opt_in_at, Phone.suppressed, Phone.suppression_source,
        exists().where(_other_link.phone_id == DebtorPhone.phone_id,
                       _other_link.debtor_id != DebtorPhone.debtor_id).label("shared"),
    )
    .outerjoin(Operator, Operator.id == Debtor.assigned_operator_id)
    .outerjoin(DebtorPhone, DebtorPhone.debtor_id == Debtor.id)
    .outerjoin(Phone, Phone.id == DebtorPhone.phone_id)
    .where(Debtor.id == bindparam("debtor_id"))
    # own phones first, then reference contacts
    .order_by(DebtorPhone.role, DebtorPhone.position, DebtorPhone.id)
)

_DEBTS_AND_PAYMENTS = (
    select(
        Debt.id, Debt.description, Debt.amount_cents, Debt.paid_cents, Debt.due_date,
        Debt.status, Debt.installment_number, Debt.installment_count, Debt.external_id,
        Debt.created_at, Payment.id.label("payment_id"),
        Payment.amount_cents.label("payment_cents"), Payment.paid_on, Payment.method,
        Payment.note, Payment.recorded_by, Payment.created_at.label("payment_created_at"),
        _recorder.name.label("recorder_name"),
    )
    .outerjoin(Payment, Payment.debt_id == Debt.id)
    .outerjoin(_recorder, _recorder.id == Payment.recorded_by)
    .where(Debt.debtor_id == bindparam("debtor_id"))
    .order_by(Debt.due_date, Debt.id, Payment.paid_on, Payment.id)
)

_MESSAGES = (
    select(
        Message.id, Message.direction, Message.type, Message.text, Message.template_name,
        Message.status, Message.error_code, Message.error_detail, Message.created_at,
        _sender.name.label("sender_name"),
    )
    .join(Conversation, Conversation.id == Message.conversation_id)
    .outerjoin(_sender, _sender.id == Message.operator_id)
    .where(Conversation.debtor_id == bindparam("debtor_id"))
    .order_by(Message.created_at.desc(), Message.id.desc())
    .limit(MESSAGE_LIMIT + 1)
)

_AUDIT = (
    select(AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.details,
           Operator.name.label("operator_name"))
    .outerjoin(Operator, Operator.id == AuditEntry.operator_id)
    .where(AuditEntry.object_type == "debtor", AuditEntry.object_id == bindparam("object_id"),
           AuditEntry.action.not_in(_SHOWN_ELSEWHERE))
    .order_by(AuditEntry.id.desc())
    .limit(AUDIT_LIMIT + 1)
)


def load(session: Session, debtor_id: int) -> DebtorDetail:
    """Everything the debtor screen shows about `debtor_id`.

    Raises:
        DebtorNotFound: no such debtor.
    """
    connection = session.connection()
    params = {"debtor_id": debtor_id}
    rows = connection.execute(_DEBTOR_AND_PHONES, params).all()
    if not rows:
        raise DebtorNotFound(debtor_id=debtor_id)
    debts = _debts(connection.execute(_DEBTS_AND_PAYMENTS, params).all())
    messages = connection.execute(_MESSAGES, params).all()
    audits = connection.execute(_AUDIT, {"object_id": str(debtor_id)}).all()
    first = rows[0]
    notes = parse_notes(first.notes)
    timeline = _timeline(debts, messages[:MESSAGE_LIMIT], audits[:AUDIT_LIMIT], notes)
    return DebtorDetail(
        id=first.id, name=first.name, document=first.document,
        document_type=first.document_type, email=first.email, address=first.address,
        city=first.city, uf=first.uf, tags=tuple(str(t) for t in first.tags or ()),
        opted_out=bool(first.opted_out), operator_name=first.operator_name,
        created_at=first.created_at, anonymised_at=first.anonymised_at,
        open_cents=first.open_cents, segment=first.segment, reach=first.reach,
        in_agreement=bool(first.in_agreement),
        phones=tuple(_phone(r) for r in rows if r.phone_id is not None),
        debts=debts, notes=notes, timeline=timeline,
        timeline_truncated=len(messages) > MESSAGE_LIMIT or len(audits) > AUDIT_LIMIT,
        promises=promises.list_promises(session, debtor_id),
        agreements=agreements.list_agreements(session, debtor_id),
    )


def _phone(r: Any) -> PhoneState:
    return PhoneState(
        phone_id=r.phone_id, e164=r.e164, kind=r.kind, role=r.role, label=r.label,
        whatsapp=r.whatsapp_status, whatsapp_checked_at=r.whatsapp_checked_at,
        opted_out=bool(r.phone_opted_out), opted_out_at=r.opted_out_at,
        opt_out_source=r.opt_out_source, opt_in_source=r.opt_in_source, opt_in_at=r.opt_in_at,
        suppressed=bool(r.suppressed), suppression_source=r.suppression_source,
        never_message=bool(r.never_message), wrong_party=bool(r.wrong_party),
        wrong_party_at=r.wrong_party_at, cpc_status=r.cpc_status, shared=bool(r.shared),
    )


def _debts(rows: Sequence[Any]) -> tuple[DebtRecord, ...]:
    """Debt records from the debt x payment rows (one row per payment, one for a debt without)."""
    debts: list[DebtRecord] = []
    payments: dict[int, list[PaymentRecord]] = {}
    for r in rows:
        if not debts or debts[-1].id != r.id:
            debts.append(DebtRecord(
                id=r.id, description=r.description, amount_cents=r.amount_cents,
                paid_cents=r.paid_cents, due_date=r.due_date, status=r.status,
                installment_number=r.installment_number, installment_count=r.installment_count,
                external_id=r.external_id, created_at=r.created_at))
            payments[r.id] = []
        if r.payment_id is not None:
            payments[r.id].append(PaymentRecord(
                id=r.payment_id, debt_id=r.id, amount_cents=r.payment_cents, paid_on=r.paid_on,
                method=r.method, note=r.note, recorded_by=r.recorded_by,
                recorded_by_name=r.recorder_name, created_at=r.payment_created_at))
    return tuple(DebtRecord(
        id=d.id, description=d.description, amount_cents=d.amount_cents, paid_cents=d.paid_cents,
        due_date=d.due_date, status=d.status, installment_number=d.installment_number,
        installment_count=d.installment_count, external_id=d.external_id,
        created_at=d.created_at, payments=tuple(payments[d.id])) for d in debts)


def _payment_instant(payment: PaymentRecord) -> datetime:
    """When a payment sorts in the timeline: its recording time on its own day, else midday."""
    if payment.created_at.date() == payment.paid_on:
        return payment.created_at
    # 15:00 UTC is midday in Brazil: the same calendar day in every Brazilian zone
    return datetime.combine(payment.paid_on, time(15, 0), UTC)


#: an inbox note (direction `note`) is the operator's, never a message to anyone
_MESSAGE_KINDS = {"in": TimelineKind.MESSAGE_IN, "out": TimelineKind.MESSAGE_OUT,
                  "note": TimelineKind.NOTE}


def _timeline(debts: tuple[DebtRecord, ...], messages: Sequence[Any], audits: Sequence[Any],
              notes: tuple[NoteRecord, ...]) -> tuple[TimelineEvent, ...]:
    events: list[TimelineEvent] = []
    for debt in debts:
        events.append(TimelineEvent(
            at=debt.created_at, kind=TimelineKind.DEBT, ref_id=debt.id, text=debt.description,
            amount_cents=debt.amount_cents, status=debt.status))
        events.extend(TimelineEvent(
            at=_payment_instant(p), kind=TimelineKind.PAYMENT, ref_id=p.id,
            text=debt.description, amount_cents=p.amount_cents, status=p.method,
            actor=p.recorded_by_name, date_only=_payment_instant(p) != p.created_at,
            detail=p.note) for p in debt.payments)
    for m in messages:
        events.append(TimelineEvent(
            at=m.created_at, kind=_MESSAGE_KINDS.get(m.direction, TimelineKind.MESSAGE_OUT),
            ref_id=m.id,
            text=m.text or (m.template_name or "") or f"[{m.type}]", status=m.status,
            actor=m.sender_name, detail=m.error_detail))
    for a in audits:
        events.append(_audit_event(a))
    events.extend(TimelineEvent(at=n.at, kind=TimelineKind.NOTE, text=n.text, actor=n.author)
                  for n in notes if n.at is not None)
    # newest first; for equal instants the later-made record first
    events.sort(key=lambda e: (e.at, e.ref_id or 0), reverse=True)
    return tuple(events)


#: promise and agreement entries: the amount and the date are shown, not the raw details
_MONEY_ACTIONS = (*promises.ACTIONS, *agreements.ACTIONS)


def _audit_event(a: Any) -> TimelineEvent:
    details = a.details if isinstance(a.details, dict) else {}
    if a.action in _MONEY_ACTIONS:
        amount = details.get("amount_cents", details.get("total_cents"))
        # status: the promise's date, or the agreement's number of instalments
        status = details.get("due_date", details.get("installments"))
        return TimelineEvent(
            at=a.at, kind=TimelineKind.AUDIT, ref_id=a.id, text=a.action,
            actor=a.operator_name, amount_cents=amount if isinstance(amount, int) else None,
            status=None if status is None else str(status))
    return TimelineEvent(at=a.at, kind=TimelineKind.AUDIT, ref_id=a.id, text=a.action,
                         actor=a.operator_name, detail=_details_text(a.details))


def _details_text(details: Any) -> str | None:
    if not isinstance(details, dict) or not details:
        return None
    text = ", ".join(f"{key}: {value}" for key, value in sorted(details.items()))
    return text if len(text) <= 200 else text[:199] + "…"


def record_payment(session: Session, request: PaymentRequest, *, operator_id: int | None,
                   now: datetime, today: date) -> tuple[int, ...]:
    """Record a payment (already checked by `domain.payments.validate_payment`).

    The debts are read locked (FOR UPDATE on PostgreSQL, so two PCs cannot pay the same balance
    twice), the payment is split by `domain.payments.allocate`, each debt paid in full becomes
    `paid`, the audit log gets one entry and the list's summary columns are refreshed.

    Returns:
        The ids of the payments written (one per debt paid).

    Raises:
        DebtorNotFound: no such debtor.
        Overpayment, DebtNotPayable, NothingOpen: see `allocate`.
    """
    debtor_id = request.debtor_id
    found = session.execute(
        select(Debtor.id).where(Debtor.id == debtor_id).with_for_update()).first()
    if found is None:
        raise DebtorNotFound(debtor_id=debtor_id)
    rows = session.execute(
        select(Debt.id, Debt.description, Debt.amount_cents, Debt.paid_cents, Debt.due_date,
               Debt.status, Debt.installment_number, Debt.installment_count, Debt.external_id,
               Debt.created_at)
        .where(Debt.debtor_id == debtor_id).order_by(Debt.id).with_for_update()).all()
    debts = {r.id: DebtRecord(
        id=r.id, description=r.description, amount_cents=r.amount_cents, paid_cents=r.paid_cents,
        due_date=r.due_date, status=r.status, installment_number=r.installment_number,
        installment_count=r.installment_count, external_id=r.external_id,
        created_at=r.created_at) for r in rows}
    parts = allocate(request.amount_cents, list(debts.values()), request.debt_id)
    ids: list[int] = []
    for debt_id, cents in parts:
        payment = Payment(debt_id=debt_id, amount_cents=cents, paid_on=request.paid_on,
                          method=request.method.value, recorded_by=operator_id,
                          note=request.note, created_at=now)
        session.add(payment)
        session.flush()
        ids.append(payment.id)
        debt = debts[debt_id]
        paid = debt.paid_cents + cents
        values: dict[str, Any] = {"paid_cents": paid, "updated_at": now}
        if paid >= debt.amount_cents:
            values["status"], values["status_at"] = "paid", now
        session.execute(update(Debt).where(Debt.id == debt_id).values(**values))
    audit.append(
        session, action=PAYMENT_ACTION, operator_id=operator_id, object_type="debtor",
        object_id=debtor_id, now=now,
        details={
            "amount_cents": request.amount_cents, "paid_on": request.paid_on.isoformat(),
            "method": request.method.value, "debt_id": request.debt_id,
            "payments": [{"id": pid, "debt_id": debt_id, "amount_cents": cents}
                         for pid, (debt_id, cents) in zip(ids, parts, strict=True)],
            # the note's words are personal data: the audit log (never edited) keeps no copy
            "with_note": request.note is not None,
            "settled": [debt_id for debt_id, cents in parts
                        if debts[debt_id].paid_cents + cents >= debts[debt_id].amount_cents],
        })
    promises.keep_promises(session, debtor_id, now=now)
    agreements.settle_after_payment(session, [debtor_id], now, operator_id=operator_id)
    refresh_summaries(session, [debtor_id], today)
    return tuple(ids)


def add_note(session: Session, debtor_id: int, text: str, *, operator_id: int | None,
             now: datetime) -> NoteRecord:
    """Add a note to a debtor, stamped with the time and the operator's name, and audit it.

    Raises:
        DebtorNotFound: no such debtor.
        DebtorAnonymised: the person's data was anonymised.
        InvalidNote, NoteTooLong: see `domain.notes.clean_note`.
    """
    note = clean_note(text)
    row = session.execute(
        select(Debtor.notes, Debtor.anonymised_at).where(Debtor.id == debtor_id)
        .with_for_update()).first()
    if row is None:
        raise DebtorNotFound(debtor_id=debtor_id)
    if row.anonymised_at is not None:
        raise DebtorAnonymised()
    author = None
    if operator_id is not None:
        author = session.execute(
            select(Operator.name).where(Operator.id == operator_id)).scalar_one_or_none()
    session.execute(update(Debtor).where(Debtor.id == debtor_id).values(
        notes=append_note(row.notes, note, now, author), updated_at=now))
    audit.append(session, action=NOTE_ACTION, operator_id=operator_id, object_type="debtor",
                 object_id=debtor_id, now=now, details={"chars": len(note)})
    return NoteRecord(text=note, at=now.replace(second=0, microsecond=0), author=author)


WRONG_PARTY_CLEARED = "phone.wrong_party_cleared"


def clear_wrong_party(session: Session, debtor_id: int, phone_id: int, reason: str, *,
                      operator_id: int | None, now: datetime, today: date) -> bool:
    """Undo a "não sou eu" on one of the debtor's numbers (the owner's decision, with a reason).

    The number's identity goes back to unverified: the identity check runs again before any
    debt detail is sent. Returns False when the number was not flagged (nothing changed).

    Raises:
        DebtorNotFound: the debtor has no such number.
    """
    link = session.execute(select(DebtorPhone).where(
        DebtorPhone.debtor_id == debtor_id, DebtorPhone.phone_id == phone_id)
        .with_for_update()).scalar_one_or_none()
    if link is None:
        raise DebtorNotFound(debtor_id=debtor_id)
    if not link.wrong_party:
        return False
    flagged_at = link.wrong_party_at
    link.wrong_party, link.wrong_party_at = False, None
    link.cpc_status, link.cpc_at, link.cpc_message_id = "unverified", None, None
    session.flush()
    audit.append(session, action=WRONG_PARTY_CLEARED, operator_id=operator_id,
                 object_type="debtor", object_id=debtor_id, now=now, details={
                     "phone_id": phone_id, "reason": reason,
                     "flagged_at": flagged_at.astimezone(UTC).isoformat() if flagged_at else None})
    refresh_summaries(session, [debtor_id], today)
    return True
