"""The database schema as SQLAlchemy 2 typed ORM classes.

Rules that hold everywhere here:
- money is integer centavos (`*_cents`), never a float;
- debt dates are plain `date`s; instants are timezone-aware UTC (`UTCDateTime`);
- idempotency lives in unique constraints (wamid; one phone per E.164; one template per name+language);
- the same code runs on SQLite and PostgreSQL (no dialect-only types).

ORM objects never leave the database worker thread: repositories turn them into frozen dataclasses.
Every change to this file needs an Alembic migration in `storage/migrations/versions/`.

No `from __future__ import annotations` here: SQLAlchemy would have to evaluate every string
annotation at import, which costs ~20 ms of start-up; forward references are quoted instead.
"""

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store instants as aware UTC datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


# --------------------------------------------------------------------------- people


class Operator(Base):
    """Someone who uses the app: the shop owner or an operator."""

    __tablename__ = "operators"
    __table_args__ = (CheckConstraint("role IN ('owner', 'operator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    login: Mapped[str] = mapped_column(String(60), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="operator")
    #: argon2 hash (operators issue); null until a password is set
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Debtor(Base):
    """A person or company that owes the shop.

    The `open_cents` … `last_contact_at` columns are a summary of the debts and messages, kept up to
    date by `storage.repos.debtors.refresh_summaries`, so the list stays instant at 100k debtors.
    """

    __tablename__ = "debtors"
    __table_args__ = (
        CheckConstraint("document_type IN ('cpf', 'cnpj')", name="document_type"),
        Index("ix_debtors_name_key", "name_key", "id"),
        Index("ix_debtors_open_cents", "open_cents", "id"),
        Index("ix_debtors_oldest_open_due", "oldest_open_due", "id"),
        Index("ix_debtors_next_due", "next_due", "id"),
        # the counts of the list's quick filters and segments read only this index
        Index("ix_debtors_flags", "segment", "reach", "in_agreement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: name folded for search and sorting: lower case, accents removed
    name_key: Mapped[str] = mapped_column(String(200))
    #: CPF (11 digits) or CNPJ (14 characters, digits or the alphanumeric form), no punctuation
    document: Mapped[str | None] = mapped_column(String(14), unique=True)
    document_type: Mapped[str | None] = mapped_column(String(4))
    email: Mapped[str | None] = mapped_column(String(254))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    uf: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    #: the person asked not to be contacted at all (on top of per-phone opt-outs)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    anonymised_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    open_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    open_debts: Mapped[int] = mapped_column(Integer, default=0)
    oldest_open_due: Mapped[date | None] = mapped_column(Date)
    next_due: Mapped[date | None] = mapped_column(Date)
    last_contact_at: Mapped[datetime | None] = mapped_column()
    #: payment-history segment (`domain.records.Segment`), kept by `refresh_summaries`
    segment: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    #: whom we can message (`domain.records.Reach`), kept by `refresh_summaries`
    reach: Mapped[str] = mapped_column(String(12), default="ok", server_default="ok")
    #: some debt is under an agreement (status "agreement"), kept by `refresh_summaries`
    in_agreement: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: what search finds the debtor by (`domain.search.build_search_text`), kept by
    #: `refresh_summaries`; indexed by migration 0003 (FTS5 trigram on SQLite, pg_trgm on PostgreSQL)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    phones: Mapped[list["DebtorPhone"]] = relationship(
        back_populates="debtor", cascade="all, delete-orphan", order_by="DebtorPhone.position")
    debts: Mapped[list["Debt"]] = relationship(
        back_populates="debtor", cascade="all, delete-orphan", order_by="Debt.due_date")


class Phone(Base):
    """One telephone number (E.164), whoever it belongs to.

    Flags that belong to the *number* live here (WhatsApp status, opt-out, opt-in evidence); flags that
    belong to a number *for a debtor* (wrong party, reference contact) live on `DebtorPhone`, because
    one number may be shared by several debtors.
    """

    __tablename__ = "phones"
    __table_args__ = (
        CheckConstraint("kind IN ('mobile', 'landline', 'unknown')", name="kind"),
        CheckConstraint("whatsapp_status IN ('unknown', 'yes', 'no')", name="whatsapp_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="unknown")
    #: the id WhatsApp returned for this number (may lack the 9th digit)
    wa_id: Mapped[str | None] = mapped_column(String(20), index=True)
    #: WhatsApp's business-scoped user id ("BR.…"), learned from webhooks (§5 of the API notes)
    bsuid: Mapped[str | None] = mapped_column(String(140), unique=True)
    whatsapp_status: Mapped[str] = mapped_column(String(8), default="unknown")
    whatsapp_checked_at: Mapped[datetime | None] = mapped_column()
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column()
    opt_out_source: Mapped[str | None] = mapped_column(String(200))
    #: opt-in evidence (COMPLIANCE.md §5): where, when, the exact wording, who recorded it
    opt_in_source: Mapped[str | None] = mapped_column(String(200))
    opt_in_at: Mapped[datetime | None] = mapped_column()
    opt_in_wording: Mapped[str | None] = mapped_column(Text)
    opt_in_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    #: on a suppression list the owner imported or typed (with its source)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    suppression_source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    links: Mapped[list["DebtorPhone"]] = relationship(back_populates="phone")


class DebtorPhone(Base):
    """A debtor's use of a phone: their own, or a reference contact that can never be messaged."""

    __tablename__ = "debtor_phones"
    __table_args__ = (
        UniqueConstraint("debtor_id", "phone_id"),
        CheckConstraint("role IN ('own', 'reference')", name="role"),
        CheckConstraint(
            "cpc_status IN ('unverified', 'pending', 'confirmed', 'denied')", name="cpc_status"),
        CheckConstraint("role = 'own' OR never_message", name="reference_never_messaged"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    phone_id: Mapped[int] = mapped_column(ForeignKey("phones.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="own")
    #: set for reference contacts; no UI or service may unset it (a check constraint enforces it)
    never_message: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "não sou eu": never message this number for this debtor again; only the owner clears it
    wrong_party: Mapped[bool] = mapped_column(Boolean, default=False)
    wrong_party_at: Mapped[datetime | None] = mapped_column()
    #: right-party contact (identity check) state for this debtor on this number
    cpc_status: Mapped[str] = mapped_column(String(12), default="unverified")
    #: when the identity answer (or an operator's manual confirmation) set `cpc_status`
    cpc_at: Mapped[datetime | None] = mapped_column()
    #: the inbound message that answered the identity check (its wamid); None when set by hand
    cpc_message_id: Mapped[str | None] = mapped_column(String(128))
    label: Mapped[str | None] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)

    debtor: Mapped["Debtor"] = relationship(back_populates="phones")
    phone: Mapped["Phone"] = relationship(back_populates="links")


# --------------------------------------------------------------------------- money


class Debt(Base):
    """Something a debtor owes: usually one instalment (parcela) of a purchase."""

    __tablename__ = "debts"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("paid_cents >= 0", name="paid_not_negative"),
        CheckConstraint(
            "status IN ('open', 'paid', 'cancelled', 'disputed', 'agreement')", name="status"),
        Index("ix_debts_debtor_due", "debtor_id", "due_date"),
        Index("ix_debts_status_due", "status", "due_date"),
        # the Resultados' overdue debts at a period's start: one range sum, read from the index
        Index("ix_debts_due_status_amount", "due_date", "status", "amount_cents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    #: the shop's own id for this debt (from its spreadsheet or system); unique when given
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: sum of this debt's payments, kept by the repository that records them
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    installment_number: Mapped[int | None] = mapped_column(Integer)
    installment_count: Mapped[int | None] = mapped_column(Integer)
    #: the agreement this debt is an instalment of (the debts it renegotiated point to it through
    #: agreement_debts and have status `agreement`)
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="SET NULL"), index=True)
    #: when the status last changed to paid, cancelled, disputed or agreement (None: never, or
    #: before schema 0006)
    status_at: Mapped[datetime | None] = mapped_column()
    #: the debtor said "já paguei" and nobody reconciled it yet: automation pauses
    payment_claimed_at: Mapped[datetime | None] = mapped_column()
    #: the owner confirmed, with a note in the audit log, that this old debt is not prescribed
    prescription_confirmed_at: Mapped[datetime | None] = mapped_column()
    #: the thank-you / receipt went out for this debt's payment (sent once, ever)
    thanked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    debtor: Mapped["Debtor"] = relationship(back_populates="debts")
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="debt", cascade="all, delete-orphan", order_by="Payment.paid_on")


class Agreement(Base):
    """An acordo: open debts renegotiated into a down payment and instalments (new debts).

    The amounts are itemised as the CDC asks: what was owed, the fine (capped at 2 % by art. 52
    §1º), the interest, any discount, and the total the instalments add up to.
    """

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'completed', 'broken', 'cancelled')",
                        name="status"),
        CheckConstraint("installments > 0", name="installments_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"),
                                           index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    fine_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    down_payment_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    installments: Mapped[int] = mapped_column(Integer)
    first_due: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()


class AgreementDebt(Base):
    """A debt an agreement renegotiated, with the balance it had then."""

    __tablename__ = "agreement_debts"
    __table_args__ = (UniqueConstraint("agreement_id", "debt_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"))
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id", ondelete="CASCADE"), index=True)
    balance_cents: Mapped[int] = mapped_column(BigInteger)


class Promise(Base):
    """A promise to pay: the debtor said they would pay this much by this date."""

    __tablename__ = "promises"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'kept', 'broken', 'cancelled')", name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_promises_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"),
                                           index=True)
    debt_id: Mapped[int | None] = mapped_column(ForeignKey("debts.id", ondelete="SET NULL"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: how it was made: "whatsapp", "telefone", "balcão", …
    channel: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()


class Payment(Base):
    """Money received for a debt (partial payments are normal)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "method IN ('pix', 'dinheiro', 'cartao', 'boleto', 'transferencia', 'outro')",
            name="method"),
        # the Resultados: what came in per day, and each debt's payments by day (read from the
        # indexes alone)
        Index("ix_payments_paid_on", "paid_on", "amount_cents"),
        Index("ix_payments_debt_paid", "debt_id", "paid_on", "amount_cents"),
        # the Resultados: a debtor's payments around a day (a reminder that worked)
        Index("ix_payments_debtor_paid", "debtor_id", "paid_on"),
        # ...and who paid in a period (the days from first message to payment)
        Index("ix_payments_paid_debtor", "paid_on", "debtor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16), default="outro")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    note: Mapped[str | None] = mapped_column(Text)
    #: a bank-statement line's key (`import --payments`): the same line is never registered twice
    import_key: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: its debt's debtor: a fact the database keeps (migration 0009's triggers), never written
    #: by the program
    debtor_id: Mapped[int | None] = mapped_column(Integer)

    debt: Mapped["Debt"] = relationship(back_populates="payments")


# --------------------------------------------------------------------------- WhatsApp


class Conversation(Base):
    """The thread with one phone number on the shop's one WhatsApp number."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'waiting', 'resolved')", name="status"),
        Index("ix_conversations_last_message", "last_message_at"),
        # the inbox list: one status (or all), newest activity first, keyset on (at, id)
        Index("ix_conversations_status_last", "status", "last_message_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_id: Mapped[int] = mapped_column(ForeignKey("phones.id"), unique=True)
    debtor_id: Mapped[int | None] = mapped_column(
        ForeignKey("debtors.id", ondelete="SET NULL"), index=True)
    assigned_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: the 24 h customer-service window opens at the debtor's last inbound message
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    last_message_at: Mapped[datetime | None] = mapped_column()
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: bumped by every change the inbox shows (a message either way, a status tick, a claim, the
    #: typing lock, labels, resolve): the inbox's poll compares its maximum
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: the debtor wrote and no operator answered since (None: nobody is waiting)
    waiting_since: Mapped[datetime | None] = mapped_column()
    #: who is typing a reply now, until when (an expired lock is nobody's)
    typing_operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    typing_until: Mapped[datetime | None] = mapped_column()
    #: the conversation's labels (strings), sorted
    labels: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    resolved_at: Mapped[datetime | None] = mapped_column()

    messages: Mapped[list["Message"]] = relationship(
        back_populates="conversation", order_by="Message.created_at")


class Message(Base):
    """One message in a conversation: inbound (`in`), outbound (`out`), or an operator's private
    note (`note`, status `note`: never sent, never counted as contact either way)."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out', 'note')", name="direction"),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown',"
            " 'received', 'note')",
            name="status"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        # the inbox's pages of one conversation and its last message: a range scan by id
        Index("ix_messages_conversation_key", "conversation_id", "id"),
        # the Resultados and the costs: a period's messages one way, in time order, with the
        # facts they are counted and priced by (read from the index alone)...
        Index("ix_messages_out_facts", "direction", "created_at", "status", "template_name",
              "operator_id", "step", "segment", "debtor_id", "replied_at", "window_open",
              "billed_category", "billed_type"),
        # ...one debtor's messages one way (their first message; a segment change)...
        Index("ix_messages_debtor_direction", "debtor_id", "direction", "created_at", "status"),
        # ...and one conversation's messages one way around an instant (a reply, the 24 h window,
        # the first message that left, a reminder)
        Index("ix_messages_conversation_direction", "conversation_id", "direction", "created_at",
              "status", "template_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"))
    #: WhatsApp's message id; unique, so a webhook delivered twice is stored once
    wamid: Mapped[str | None] = mapped_column(String(128), unique=True)
    direction: Mapped[str] = mapped_column(String(4))
    type: Mapped[str] = mapped_column(String(20), default="text")
    text: Mapped[str] = mapped_column(Text, default="")
    #: the structured parts (template parameters, buttons, media ids) as sent or received
    payload: Mapped[dict[str, Any] | None] = mapped_column()
    template_name: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(10))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_detail: Mapped[str | None] = mapped_column(Text)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_at: Mapped[datetime | None] = mapped_column()

    # Facts the database keeps on the row for the Resultados and the costs (migration 0009's
    # triggers follow every write that changes one); the program never writes them.
    #: its conversation's debtor, and that debtor's segment
    debtor_id: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(16))
    #: the régua step that queued it (outbound)
    step: Mapped[str | None] = mapped_column(String(16))
    #: the conversation's first inbound message after it and less than 7 days after (outbound)
    replied_at: Mapped[datetime | None] = mapped_column()
    #: an inbound message in the 24 h up to it: the customer-service window (outbound)
    window_open: Mapped[bool | None] = mapped_column(Boolean)
    #: the largest pricing category and type Meta's status webhooks gave its wamid
    billed_category: Mapped[str | None] = mapped_column(String(40))
    billed_type: Mapped[str | None] = mapped_column(String(40))

    conversation: Mapped["Conversation"] = relationship(back_populates="messages")


class OutboxItem(Base):
    """A message waiting to leave: every outbound message is a row here before it is an HTTP call."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled')",
            name="state"),
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    to: Mapped[str] = mapped_column(String(20))
    request: Mapped[dict[str, Any]] = mapped_column()
    purpose: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    #: the send guard's decision for this row (COMPLIANCE.md §2); the régua issue makes it required
    decision: Mapped[dict[str, Any] | None] = mapped_column()
    last_error_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """One verified webhook POST, stored raw before it is answered (commit before 200)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    #: False when the signed body could not be understood (kept for inspection)
    parsed_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    problem: Mapped[str | None] = mapped_column(Text)
    events: Mapped[int] = mapped_column(Integer, default=0)


class MessageEvent(Base):
    """A delivery status Meta reported for one of our messages, stored once per (wamid, status).

    Statuses arrive out of order, twice, or for messages we do not know (yet): every one is kept
    here, and only those that move a message forward are applied to it (`applied`).
    """

    __tablename__ = "message_events"
    __table_args__ = (
        UniqueConstraint("wamid", "status"),
        # what Meta billed for a message (the costs), read from the index alone
        Index("ix_message_events_wamid_pricing", "wamid", "pricing_category", "pricing_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wamid: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column()
    recipient_wa_id: Mapped[str | None] = mapped_column(String(20))
    callback_data: Mapped[str | None] = mapped_column(String(512))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_title: Mapped[str | None] = mapped_column(String(200))
    error_details: Mapped[str | None] = mapped_column(Text)
    pricing_category: Mapped[str | None] = mapped_column(String(40))
    pricing_type: Mapped[str | None] = mapped_column(String(40))
    #: whether it changed the message (False: stale, duplicate-rank, or no such message yet)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Template(Base):
    """A WhatsApp message template, as Meta knows it (synced) plus our purpose metadata."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("name", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(10), default="pt_BR")
    category: Mapped[str] = mapped_column(String(20), default="UTILITY")
    status: Mapped[str] = mapped_column(String(20), default="PENDING")
    parameter_format: Mapped[str] = mapped_column(String(12), default="POSITIONAL")
    components: Mapped[list[Any]] = mapped_column(default=list)
    purpose: Mapped[str | None] = mapped_column(String(24))
    meta_id: Mapped[str | None] = mapped_column(String(40))
    quality: Mapped[str | None] = mapped_column(String(10))
    rejected_reason: Mapped[str | None] = mapped_column(String(200))
    synced_at: Mapped[datetime | None] = mapped_column()


# --------------------------------------------------------------------------- bookkeeping


class ReguaStep(Base):
    """One step of the shop's reminder schedule (régua de cobrança), `domain.regua.Step`."""

    __tablename__ = "regua_steps"
    __table_args__ = (
        CheckConstraint("repeat_every_days IS NULL OR repeat_every_days > 0",
                        name="repeat_positive"),
        CheckConstraint("grace_days >= 0", name="grace_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: days from the due date (-3 = three days before, 0 = on the day, 7 = a week late)
    offset_days: Mapped[int] = mapped_column(Integer)
    repeat_every_days: Mapped[int | None] = mapped_column(Integer)
    repeat_until_days: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(24))
    template: Mapped[str] = mapped_column(String(512))
    #: a debtor segment (`domain.records.Segment`), `*` for everyone, `acordo` for agreement
    #: instalments
    segment: Mapped[str] = mapped_column(String(16), default="*")
    grace_days: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReguaSend(Base):
    """What the scheduler did with one (debt, step): queued it, the guard stopped it, or it was
    skipped. Unique per (debt, step): a step goes out once, ever (COMPLIANCE.md §2.4)."""

    __tablename__ = "regua_sends"
    __table_args__ = (
        UniqueConstraint("debt_id", "step"),
        CheckConstraint("state IN ('queued', 'blocked', 'skipped')", name="state"),
        Index("ix_regua_sends_debtor_created", "debtor_id", "created_at"),
        Index("ix_regua_sends_phone_purpose", "phone_id", "purpose"),
        # the step that queued an outbound message (the Resultados' funnel by step)
        Index("ix_regua_sends_outbox", "outbox_id", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id", ondelete="CASCADE"))
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"))
    phone_id: Mapped[int | None] = mapped_column(ForeignKey("phones.id", ondelete="SET NULL"))
    #: the concrete step (`D-3`, `D+30`; identity checks `CPC1`, `CPC2`…)
    step: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(24))
    template: Mapped[str | None] = mapped_column(String(512))
    #: the day the step belonged to (its due moment, in the shop's zone)
    planned_for: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10))
    #: the guard's main reason (blocked) or why it was skipped (`STEP_GRACE_PASSED`, `NO_PHONE`…)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    decision: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Task(Base):
    """Work for a person: call the debtor, find another phone, review a broken agreement…"""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_open", "done_at", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"),
                                           index=True)
    phone_id: Mapped[int | None] = mapped_column(ForeignKey("phones.id", ondelete="SET NULL"))
    #: `call` (the debtor prefers a call), `find_phone` (não sou eu / no WhatsApp),
    #: `agreement_broken` (goes back to the owner), `payment_claim` (já paguei), `no_contact`
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
    done_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class AuditEntry(Base):
    """Append-only, hash-chained record of sensitive actions (COMPLIANCE.md §4.4)."""

    __tablename__ = "audit_log"
    #: a debtor's screen reads its entries: without this, every opening scans the whole log
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class PhoneBlock(Base):
    """What must outlive an anonymised person: a salted hash of their number and its blocks.

    LGPD anonymisation deletes the number itself; an opt-out or "não sou eu" must still stop a
    re-imported copy of it (COMPLIANCE.md). The salt is per installation, in `settings`.
    """

    __tablename__ = "phone_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    wrong_party: Mapped[bool] = mapped_column(Boolean, default=False)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuickReply(Base):
    """A saved answer the inbox's composer offers after `/` (`/pix` -> its text with variables)."""

    __tablename__ = "quick_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Setting(Base):
    """One saved setting (never a secret: those live in the OS keyring)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ResultsDayMark(Base):
    """A shop day whose funnel and spend counts are stored (migration 0010): read only while the
    mark is there; the database's triggers take it away when what the counts depend on changes."""

    __tablename__ = "results_day_marks"
    __table_args__ = (Index("ix_results_day_marks_span", "start_at", "end_at"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: the zone's offset from UTC the day was counted in (-180 for São Paulo)
    offset_minutes: Mapped[int] = mapped_column(Integer)
    #: the day's span in UTC, [start_at, end_at)
    start_at: Mapped[datetime] = mapped_column()
    end_at: Mapped[datetime] = mapped_column()
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResultsDayFunnel(Base):
    """One stored day's funnel for one (step, template, operator, segment); "" is none."""

    __tablename__ = "results_day_funnel"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    template: Mapped[str] = mapped_column(String(512), primary_key=True)
    operator: Mapped[str] = mapped_column(String(16), primary_key=True)
    segment: Mapped[str] = mapped_column(String(16), primary_key=True)
    sent: Mapped[int] = mapped_column(Integer)
    delivered: Mapped[int] = mapped_column(Integer)
    read: Mapped[int] = mapped_column(Integer)
    replied: Mapped[int] = mapped_column(Integer)
    paid: Mapped[int] = mapped_column(Integer)


class ResultsDaySpend(Base):
    """One stored day's delivered messages for one (template, billed category and type, window
    open); "" is none."""

    __tablename__ = "results_day_spend"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    template: Mapped[str] = mapped_column(String(512), primary_key=True)
    billed_category: Mapped[str] = mapped_column(String(40), primary_key=True)
    billed_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    window_open: Mapped[int] = mapped_column(Integer, primary_key=True)
    messages: Mapped[int] = mapped_column(Integer)
