"""Webhook ingest on both databases: idempotent inbound, forward-only statuses, the 9th digit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobrador_desktop.domain.webhook_events import (
    ApiErrorInfo,
    InboundMessage,
    StatusUpdate,
    TemplateUpdate,
)
from cobrador_desktop.storage.db import Database
from cobrador_desktop.storage.orm import (
    Conversation,
    Message,
    MessageEvent,
    OutboxItem,
    Phone,
    Template,
    WebhookDelivery,
)
from cobrador_desktop.storage.repos.ingest import IngestSummary, ingest_events, store_delivery
from tests.unit.storage.factories import add_debtor, add_phone

T = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def inbound(wamid: str, wa_id: str | None = "551187654321", *, text: str = "Oi",
            at: datetime = T, user_id: str | None = None) -> InboundMessage:
    return InboundMessage(
        phone_number_id="1122334455667", wamid=wamid, from_wa_id=wa_id, from_user_id=user_id,
        timestamp=at, type="text", text=text, payload=None, context_wamid=None,
        profile_name="Maria", errors=(), raw={"id": wamid})


def status(wamid: str, value: str, *, at: datetime = T, code: int | None = None,
           callback: str | None = None) -> StatusUpdate:
    errors = (ApiErrorInfo(code, "Message undeliverable", "", "Message Undeliverable."),) \
        if code else ()
    return StatusUpdate(
        phone_number_id="1122334455667", wamid=wamid, status=value, timestamp=at,
        recipient_wa_id="551187654321", recipient_user_id=None, callback_data=callback,
        errors=errors, pricing_category="utility", pricing_type="regular", raw={})


def ingest(db: Database, *events: Any) -> IngestSummary:
    def work(session: Session) -> IngestSummary:
        delivery = store_delivery(session, b"{}", received_at=T, parsed_ok=True, problem=None,
                                  events=len(events))
        return ingest_events(session, events, delivery_id=delivery, received_at=T)
    return db.run_sync(work)


def _outbound(session: Session, phone_id: int, *, wamid: str | None, state: str,
              status_value: str) -> tuple[int, int]:
    conversation = session.scalar(select(Conversation).where(Conversation.phone_id == phone_id))
    if conversation is None:
        conversation = Conversation(phone_id=phone_id)
        session.add(conversation)
        session.flush()
    message = Message(conversation_id=conversation.id, wamid=wamid, direction="out",
                      type="template", text="Lembrete", status=status_value, created_at=T)
    session.add(message)
    session.flush()
    outbox = OutboxItem(message_id=message.id, to="+5511987654321", request={},
                        purpose="reminder", kind="automated", state=state)
    session.add(outbox)
    session.flush()
    return message.id, outbox.id


def test_inbound_without_the_9th_digit_lands_on_the_debtor(database: Database) -> None:
    debtor = database.run_sync(lambda s: add_debtor(s, "Maria Souza"))
    phone = database.run_sync(lambda s: add_phone(s, debtor, "+5511987654321"))
    summary = ingest(database, inbound("wamid.A1", "551187654321", text="Já paguei"))
    assert summary.inbound_new == 1

    def check(session: Session) -> None:
        conversation = session.scalar(select(Conversation).where(Conversation.phone_id == phone))
        assert conversation is not None and conversation.debtor_id == debtor
        assert conversation.last_inbound_at == T and conversation.unread_count == 1
        message = session.scalar(select(Message).where(Message.wamid == "wamid.A1"))
        assert message is not None and message.text == "Já paguei"
        assert message.direction == "in" and message.status == "received"
        stored = session.get(Phone, phone)
        assert stored is not None and stored.wa_id == "551187654321"  # learned
        assert session.scalar(select(func.count()).select_from(Phone)) == 1  # no second contact
    database.run_sync(check)


def test_the_same_message_twice_is_stored_once(database: Database) -> None:
    first = ingest(database, inbound("wamid.B1"), inbound("wamid.B1"))
    again = ingest(database, inbound("wamid.B1"))
    assert (first.inbound_new, first.inbound_duplicate, again.inbound_duplicate) == (1, 1, 1)
    count = database.run_sync(lambda s: s.scalar(select(func.count()).select_from(Message)))
    unread = database.run_sync(lambda s: s.scalar(select(Conversation.unread_count)))
    assert (count, unread) == (1, 1)
    deliveries = database.run_sync(
        lambda s: s.scalar(select(func.count()).select_from(WebhookDelivery)))
    assert deliveries == 2  # every body is kept raw, even a replay


def test_unknown_sender_gets_an_unlinked_conversation(database: Database) -> None:
    ingest(database, inbound("wamid.C1", "5521988887777"))

    def check(session: Session) -> None:
        phone = session.scalar(select(Phone))
        assert phone is not None and phone.e164 == "+5521988887777" and phone.kind == "mobile"
        conversation = session.scalar(select(Conversation))
        assert conversation is not None and conversation.debtor_id is None
    database.run_sync(check)


def test_a_shared_number_is_linked_to_nobody(database: Database) -> None:
    def seed(session: Session) -> None:
        a, b = add_debtor(session, "Ana"), add_debtor(session, "Bia")
        phone_id = add_phone(session, a, "+5511987654321")
        from cobrador_desktop.storage.orm import DebtorPhone
        session.add(DebtorPhone(debtor_id=b, phone_id=phone_id))
    database.run_sync(seed)
    ingest(database, inbound("wamid.D1"))
    assert database.run_sync(lambda s: s.scalar(select(Conversation.debtor_id))) is None


def test_the_window_follows_the_newest_inbound_not_the_last_arrived(database: Database) -> None:
    ingest(database, inbound("wamid.E2", at=T), inbound("wamid.E1", at=T - timedelta(hours=3)))
    assert database.run_sync(lambda s: s.scalar(select(Conversation.last_inbound_at))) == T


def test_statuses_move_forward_whatever_their_order(database: Database) -> None:
    debtor = database.run_sync(lambda s: add_debtor(s, "Maria"))
    phone = database.run_sync(lambda s: add_phone(s, debtor, "+5511987654321"))
    message_id, _outbox = database.run_sync(
        lambda s: _outbound(s, phone, wamid="wamid.OUT1", state="sent", status_value="sent"))
    first = ingest(database, status("wamid.OUT1", "read", at=T + timedelta(minutes=2)),
                   status("wamid.OUT1", "delivered", at=T + timedelta(minutes=1)),
                   status("wamid.OUT1", "read"))
    assert (first.statuses_applied, first.statuses_kept, first.statuses_duplicate) == (1, 1, 1)

    def check(session: Session) -> None:
        message = session.get(Message, message_id)
        assert message is not None and message.status == "read"
        events = session.scalars(select(MessageEvent).order_by(MessageEvent.status)).all()
        assert [(e.status, e.applied) for e in events] == [("delivered", False), ("read", True)]
        phone_row = session.get(Phone, phone)
        assert phone_row is not None and phone_row.whatsapp_status == "yes"
    database.run_sync(check)


def test_a_failure_marks_the_phone_without_whatsapp(database: Database) -> None:
    debtor = database.run_sync(lambda s: add_debtor(s, "Maria"))
    phone = database.run_sync(lambda s: add_phone(s, debtor, "+5511987654321"))
    message_id, outbox_id = database.run_sync(
        lambda s: _outbound(s, phone, wamid="wamid.OUT2", state="sent", status_value="sent"))
    ingest(database, status("wamid.OUT2", "failed", code=131026))

    def check(session: Session) -> None:
        message = session.get(Message, message_id)
        assert message is not None and message.status == "failed"
        assert message.error_code == 131026 and message.error_detail == "Message Undeliverable."
        outbox = session.get(OutboxItem, outbox_id)
        assert outbox is not None and outbox.state == "failed" and outbox.last_error_code == 131026
        phone_row = session.get(Phone, phone)
        assert phone_row is not None and phone_row.whatsapp_status == "no"
    database.run_sync(check)


def test_a_status_reconciles_a_send_whose_answer_was_lost(database: Database) -> None:
    debtor = database.run_sync(lambda s: add_debtor(s, "Maria"))
    phone = database.run_sync(lambda s: add_phone(s, debtor, "+5511987654321"))
    message_id, outbox_id = database.run_sync(
        lambda s: _outbound(s, phone, wamid=None, state="unknown", status_value="unknown"))
    ingest(database, status("wamid.LATE", "delivered", callback=f"ob:{outbox_id}"))

    def check(session: Session) -> None:
        message = session.get(Message, message_id)
        assert message is not None
        assert (message.wamid, message.status) == ("wamid.LATE", "delivered")
        outbox = session.get(OutboxItem, outbox_id)
        assert outbox is not None and outbox.state == "sent"
    database.run_sync(check)


def test_a_status_for_an_unknown_message_is_kept(database: Database) -> None:
    summary = ingest(database, status("wamid.NOBODY", "delivered"))
    assert summary.orphan_statuses == 1
    kept = database.run_sync(lambda s: s.scalar(
        select(MessageEvent.applied).where(MessageEvent.wamid == "wamid.NOBODY")))
    assert kept is False


def test_template_status_updates_the_template(database: Database) -> None:
    def seed(session: Session) -> None:
        session.add(Template(name="lembrete_vencimento_v1", language="pt_BR", status="APPROVED"))
    database.run_sync(seed)
    event = TemplateUpdate(field="message_template_status_update", template_id="1",
                           name="lembrete_vencimento_v1", language="pt_BR", value="PAUSED",
                           reason=None, raw={})
    assert ingest(database, event).templates_updated == 1
    assert database.run_sync(lambda s: s.scalar(select(Template.status))) == "PAUSED"


def test_a_batch_from_a_new_sender_makes_one_contact_and_counts_every_message(
        database: Database) -> None:
    summary = ingest(database, inbound("wamid.F1", "5521988887777", at=T - timedelta(minutes=2)),
                     inbound("wamid.F2", "5521988887777", at=T),
                     inbound("wamid.F3", "5521988887777", at=T - timedelta(minutes=1)))
    assert summary.inbound_new == 3 and len(summary.conversation_ids) == 1

    def check(session: Session) -> None:
        assert session.scalar(select(func.count()).select_from(Phone)) == 1
        conversation = session.scalar(select(Conversation))
        assert conversation is not None
        assert (conversation.unread_count, conversation.last_inbound_at) == (3, T)
        assert conversation.last_message_at == T
    database.run_sync(check)


def test_unread_count_adds_to_what_the_database_holds(database: Database) -> None:
    ingest(database, inbound("wamid.G1"))
    database.run_sync(lambda s: s.execute(
        Conversation.__table__.update().values(unread_count=0)))  # an operator read it
    ingest(database, inbound("wamid.G2"), inbound("wamid.G3"))
    assert database.run_sync(lambda s: s.scalar(select(Conversation.unread_count))) == 2


def test_a_whole_lifecycle_in_one_delivery_ends_read_and_is_kept_once(database: Database) -> None:
    debtor = database.run_sync(lambda s: add_debtor(s, "Maria"))
    phone = database.run_sync(lambda s: add_phone(s, debtor, "+5511987654321"))
    first, _ = database.run_sync(
        lambda s: _outbound(s, phone, wamid="wamid.H1", state="sending", status_value="sending"))
    summary = ingest(database, status("wamid.H1", "sent"), status("wamid.H1", "delivered"),
                     status("wamid.H1", "delivered"), status("wamid.H1", "read"),
                     inbound("wamid.H-in", text="Recebi"))
    assert (summary.statuses_applied, summary.statuses_duplicate, summary.inbound_new) == (3, 1, 1)

    def check(session: Session) -> None:
        message = session.get(Message, first)
        assert message is not None and message.status == "read"
        assert session.scalar(select(func.count()).select_from(MessageEvent)) == 3
        outbox = session.scalar(select(OutboxItem))
        assert outbox is not None and outbox.state == "sent"
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        row = session.get(Phone, phone)
        assert row is not None and (row.whatsapp_status, row.wa_id) == ("yes", "551187654321")
    database.run_sync(check)


def test_a_sender_known_only_by_user_id_is_found(database: Database) -> None:
    ingest(database, inbound("wamid.I1", "5521988887777", user_id="BR.bsuid.1"))
    summary = ingest(database, inbound("wamid.I2", None, user_id="BR.bsuid.1"),
                     inbound("wamid.I3", None, user_id="BR.bsuid.unknown"))
    assert (summary.inbound_new, summary.other_events) == (1, 1)
    counts = database.run_sync(lambda s: (s.scalar(select(func.count()).select_from(Phone)),
                                          s.scalar(select(Conversation.unread_count))))
    assert counts == (1, 2)


def test_an_old_12_digit_id_prefers_the_number_with_the_9th_digit(database: Database) -> None:
    # both forms stored (an old import): Meta's 12-digit id is the mobile with the 9th digit
    debtor = database.run_sync(lambda s: add_debtor(s, "Maria"))
    mobile = database.run_sync(lambda s: add_phone(s, debtor, "+5511987654321"))
    other = database.run_sync(lambda s: add_debtor(s, "Rita"))
    database.run_sync(lambda s: add_phone(s, other, "+551187654321"))
    ingest(database, inbound("wamid.J1", "5511987654321"), inbound("wamid.J2", "551187654321"))
    linked = database.run_sync(lambda s: dict(s.execute(
        select(Message.wamid, Conversation.phone_id).join(Conversation)).all()))
    assert linked == {"wamid.J1": mobile, "wamid.J2": mobile}
    assert database.run_sync(lambda s: s.scalar(select(func.count()).select_from(Phone))) == 2
