"""Message facts for the Resultados and the costs: what each message is counted by, on its row.

At 100,000 debtors and 1,000,000 messages, the screen spent its time looking things up per
message (its conversation's debtor and segment, the régua step that queued it, whether the debtor
replied, whether the 24 h window was open, what Meta billed): a few microseconds each, seconds
over a quarter's 400,000 messages. This migration keeps those facts on `messages` itself, so a
period's funnel and spend are one pass over one index:

- `debtor_id`, `segment`: its conversation's debtor and that debtor's segment (both directions);
- `step`: the régua step that queued it (`regua_sends.step` through its outbox row);
- `replied_at`: the first inbound message of its conversation after it and less than 7 days
  after (`domain.results.REPLY_WINDOW_DAYS`), for outbound messages;
- `window_open`: an inbound message of its conversation in the 24 h up to it (the customer
  service window, what the costs price by), for outbound messages;
- `billed_category`, `billed_type`: the largest `pricing_category`/`pricing_type` Meta's status
  webhooks reported for its wamid.

The database keeps them, not the program: triggers (SQLite) and trigger functions (PostgreSQL)
follow every write that changes one — a message inserted either way round (an inbound one
replies to the outbound ones before it and opens the window for those after), an inbound one
deleted, an outbox row or a régua send linked, a conversation given another debtor, a debtor's
segment changed, a status webhook's prices — whoever writes (the app, an import, the demo, a
test's raw insert). Messages never change conversation, direction or instant after they are
written, so those updates are not followed. The facts are filled for the messages already there.

Payments get one fact too, `payments.debtor_id` (their debt's debtor, followed when a payment is
written or moved to another debt and when a debt changes debtor), so "did this debtor pay around
that day" is one probe of `ix_payments_debtor_paid` instead of one per debt.

`ix_messages_direction_created` gives way to `ix_messages_out_facts`, the same order with the
facts (read from the index alone); `ix_messages_debtor_direction` finds one debtor's messages
(their first message, a segment change).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, type) of the columns added to `messages`
COLUMNS = (
    ("debtor_id", sa.Integer()),
    ("segment", sa.String(length=16)),
    ("step", sa.String(length=16)),
    ("replied_at", sa.DateTime(timezone=True)),
    ("window_open", sa.Boolean()),
    ("billed_category", sa.String(length=40)),
    ("billed_type", sa.String(length=40)),
)
#: (name, columns) of the indexes made here
INDEXES = (
    ("ix_messages_out_facts",
     ["direction", "created_at", "status", "template_name", "operator_id", "step", "segment",
      "debtor_id", "replied_at", "window_open", "billed_category", "billed_type"]),
    ("ix_messages_debtor_direction", ["debtor_id", "direction", "created_at", "status"]),
)
PAYMENT_INDEX = ("ix_payments_debtor_paid", ["debtor_id", "paid_on"])
REPLACED_INDEX = ("ix_messages_direction_created",
                  ["direction", "created_at", "status", "conversation_id", "template_name",
                   "operator_id", "wamid"])

# --- SQLite ---------------------------------------------------------------------------------
# Instants are stored as "YYYY-MM-DD HH:MM:SS.ffffff"; `_sq(x, '+7 days')` is x moved in that
# same text (to the millisecond), so it compares with stored instants as they compare.


def _sq(instant: str, modifier: str) -> str:
    return f"(strftime('%Y-%m-%d %H:%M:%f', {instant}, '{modifier}') || '000')"


def _sqlite_replied(m: str) -> str:
    """The first reply to outbound message `m` (a row alias or NEW)."""
    return (f"(SELECT min(i.created_at) FROM messages i WHERE i.conversation_id = "
            f"{m}.conversation_id AND i.direction = 'in' AND i.created_at > {m}.created_at "
            f"AND i.created_at < {_sq(f'{m}.created_at', '+7 days')})")


def _sqlite_window(m: str) -> str:
    """Whether an inbound message opened the 24 h window of outbound message `m`."""
    return (f"EXISTS (SELECT 1 FROM messages i WHERE i.conversation_id = {m}.conversation_id "
            f"AND i.direction = 'in' AND i.created_at <= {m}.created_at "
            f"AND i.created_at > {_sq(f'{m}.created_at', '-24 hours')})")


def _step(message_id: str) -> str:
    """The step of the régua send that queued a message (an outbox row is made after its
    message, so a message's own insert never finds one)."""
    return (f"(SELECT rs.step FROM outbox o JOIN regua_sends rs ON rs.outbox_id = o.id "
            f"WHERE o.message_id = {message_id} ORDER BY rs.id LIMIT 1)")


def _outbox_step(outbox_id: str) -> str:
    return (f"(SELECT rs.step FROM regua_sends rs WHERE rs.outbox_id = {outbox_id} "
            f"ORDER BY rs.id LIMIT 1)")


def _billed(column: str, wamid: str) -> str:
    return f"(SELECT max(e.{column}) FROM message_events e WHERE e.wamid = {wamid})"


_SQLITE_TRIGGERS = {
    "messages_facts_insert": f"""
        CREATE TRIGGER messages_facts_insert AFTER INSERT ON messages BEGIN
            UPDATE messages SET
                debtor_id = (SELECT c.debtor_id FROM conversations c
                             WHERE c.id = NEW.conversation_id),
                segment = (SELECT d.segment FROM conversations c JOIN debtors d
                           ON d.id = c.debtor_id WHERE c.id = NEW.conversation_id),
                replied_at = CASE WHEN NEW.direction = 'out'
                                  THEN {_sqlite_replied('NEW')} END,
                window_open = CASE WHEN NEW.direction = 'out'
                                   THEN {_sqlite_window('NEW')} END,
                billed_category = {_billed('pricing_category', 'NEW.wamid')},
                billed_type = {_billed('pricing_type', 'NEW.wamid')}
            WHERE id = NEW.id;
            UPDATE messages SET replied_at = NEW.created_at
            WHERE NEW.direction = 'in' AND conversation_id = NEW.conversation_id
              AND direction = 'out' AND created_at < NEW.created_at
              AND created_at > {_sq('NEW.created_at', '-8 days')}
              AND NEW.created_at < {_sq('created_at', '+7 days')}
              AND (replied_at IS NULL OR replied_at > NEW.created_at);
            UPDATE messages SET window_open = 1
            WHERE NEW.direction = 'in' AND conversation_id = NEW.conversation_id
              AND direction = 'out' AND created_at >= NEW.created_at
              AND created_at < {_sq('NEW.created_at', '+25 hours')}
              AND NEW.created_at > {_sq('created_at', '-24 hours')}
              AND NOT coalesce(window_open, 0);
        END""",
    "messages_facts_delete": f"""
        CREATE TRIGGER messages_facts_delete AFTER DELETE ON messages
        WHEN OLD.direction = 'in' BEGIN
            UPDATE messages SET replied_at = {_sqlite_replied('messages')}
            WHERE conversation_id = OLD.conversation_id AND direction = 'out'
              AND replied_at = OLD.created_at;
            UPDATE messages SET window_open = {_sqlite_window('messages')}
            WHERE conversation_id = OLD.conversation_id AND direction = 'out'
              AND created_at >= OLD.created_at
              AND created_at < {_sq('OLD.created_at', '+25 hours')} AND window_open;
        END""",
    "messages_facts_wamid": f"""
        CREATE TRIGGER messages_facts_wamid AFTER UPDATE OF wamid ON messages
        WHEN NEW.wamid IS NOT OLD.wamid BEGIN
            UPDATE messages SET billed_category = {_billed('pricing_category', 'NEW.wamid')},
                                billed_type = {_billed('pricing_type', 'NEW.wamid')}
            WHERE id = NEW.id;
        END""",
    "message_events_facts_insert": f"""
        CREATE TRIGGER message_events_facts_insert AFTER INSERT ON message_events
        WHEN NEW.wamid IS NOT NULL BEGIN
            UPDATE messages SET billed_category = {_billed('pricing_category', 'NEW.wamid')},
                                billed_type = {_billed('pricing_type', 'NEW.wamid')}
            WHERE wamid = NEW.wamid;
        END""",
    "message_events_facts_update": f"""
        CREATE TRIGGER message_events_facts_update
        AFTER UPDATE OF pricing_category, pricing_type ON message_events
        WHEN NEW.wamid IS NOT NULL BEGIN
            UPDATE messages SET billed_category = {_billed('pricing_category', 'NEW.wamid')},
                                billed_type = {_billed('pricing_type', 'NEW.wamid')}
            WHERE wamid = NEW.wamid;
        END""",
    "outbox_facts_insert": f"""
        CREATE TRIGGER outbox_facts_insert AFTER INSERT ON outbox
        WHEN NEW.message_id IS NOT NULL BEGIN
            UPDATE messages SET step = {_outbox_step('NEW.id')} WHERE id = NEW.message_id;
        END""",
    "outbox_facts_update": f"""
        CREATE TRIGGER outbox_facts_update AFTER UPDATE OF message_id ON outbox
        WHEN NEW.message_id IS NOT NULL BEGIN
            UPDATE messages SET step = {_outbox_step('NEW.id')} WHERE id = NEW.message_id;
        END""",
    "regua_sends_facts_insert": """
        CREATE TRIGGER regua_sends_facts_insert AFTER INSERT ON regua_sends
        WHEN NEW.outbox_id IS NOT NULL BEGIN
            UPDATE messages SET step = NEW.step
            WHERE id = (SELECT o.message_id FROM outbox o WHERE o.id = NEW.outbox_id);
        END""",
    "regua_sends_facts_update": """
        CREATE TRIGGER regua_sends_facts_update AFTER UPDATE OF outbox_id, step ON regua_sends
        WHEN NEW.outbox_id IS NOT NULL BEGIN
            UPDATE messages SET step = NEW.step
            WHERE id = (SELECT o.message_id FROM outbox o WHERE o.id = NEW.outbox_id);
        END""",
    "conversations_facts_debtor": """
        CREATE TRIGGER conversations_facts_debtor AFTER UPDATE OF debtor_id ON conversations
        WHEN NEW.debtor_id IS NOT OLD.debtor_id BEGIN
            UPDATE messages SET debtor_id = NEW.debtor_id,
                segment = (SELECT d.segment FROM debtors d WHERE d.id = NEW.debtor_id)
            WHERE conversation_id = NEW.id;
        END""",
    "payments_facts_insert": """
        CREATE TRIGGER payments_facts_insert AFTER INSERT ON payments BEGIN
            UPDATE payments SET debtor_id = (SELECT d.debtor_id FROM debts d
                                             WHERE d.id = NEW.debt_id) WHERE id = NEW.id;
        END""",
    "payments_facts_debt": """
        CREATE TRIGGER payments_facts_debt AFTER UPDATE OF debt_id ON payments BEGIN
            UPDATE payments SET debtor_id = (SELECT d.debtor_id FROM debts d
                                             WHERE d.id = NEW.debt_id) WHERE id = NEW.id;
        END""",
    "debts_facts_debtor": """
        CREATE TRIGGER debts_facts_debtor AFTER UPDATE OF debtor_id ON debts
        WHEN NEW.debtor_id IS NOT OLD.debtor_id BEGIN
            UPDATE payments SET debtor_id = NEW.debtor_id WHERE debt_id = NEW.id;
        END""",
    "debtors_facts_segment": """
        CREATE TRIGGER debtors_facts_segment AFTER UPDATE OF segment ON debtors
        WHEN NEW.segment IS NOT OLD.segment BEGIN
            UPDATE messages SET segment = NEW.segment WHERE debtor_id = NEW.id;
        END""",
}

# --- PostgreSQL -----------------------------------------------------------------------------
# One function per table; a message's own facts are set BEFORE INSERT (no second row version).

_PG_REPLIED = ("(SELECT min(i.created_at) FROM messages i WHERE i.conversation_id = "
               "{m}.conversation_id AND i.direction = 'in' AND i.created_at > {m}.created_at "
               "AND i.created_at < {m}.created_at + INTERVAL '7 days')")
_PG_WINDOW = ("EXISTS (SELECT 1 FROM messages i WHERE i.conversation_id = {m}.conversation_id "
              "AND i.direction = 'in' AND i.created_at <= {m}.created_at "
              "AND i.created_at > {m}.created_at - INTERVAL '24 hours')")

_PG_FUNCTIONS = {
    "messages_facts_before": f"""
        CREATE FUNCTION messages_facts_before() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT c.debtor_id, d.segment INTO NEW.debtor_id, NEW.segment
            FROM conversations c LEFT JOIN debtors d ON d.id = c.debtor_id
            WHERE c.id = NEW.conversation_id;
            IF NEW.direction = 'out' THEN
                NEW.replied_at := {_PG_REPLIED.format(m='NEW')};
                NEW.window_open := {_PG_WINDOW.format(m='NEW')};
            ELSE
                NEW.replied_at := NULL;
                NEW.window_open := NULL;
            END IF;
            NEW.billed_category := {_billed('pricing_category', 'NEW.wamid')};
            NEW.billed_type := {_billed('pricing_type', 'NEW.wamid')};
            RETURN NEW;
        END $$""",
    "messages_facts_after": """
        CREATE FUNCTION messages_facts_after() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE messages SET replied_at = NEW.created_at
                WHERE conversation_id = NEW.conversation_id AND direction = 'out'
                  AND created_at < NEW.created_at
                  AND created_at > NEW.created_at - INTERVAL '7 days'
                  AND (replied_at IS NULL OR replied_at > NEW.created_at);
                UPDATE messages SET window_open = TRUE
                WHERE conversation_id = NEW.conversation_id AND direction = 'out'
                  AND created_at >= NEW.created_at
                  AND created_at < NEW.created_at + INTERVAL '24 hours'
                  AND NOT coalesce(window_open, FALSE);
                RETURN NULL;
            ELSIF TG_OP = 'DELETE' THEN
                UPDATE messages m SET replied_at = """ + _PG_REPLIED.format(m="m") + """
                WHERE m.conversation_id = OLD.conversation_id AND m.direction = 'out'
                  AND m.replied_at = OLD.created_at;
                UPDATE messages m SET window_open = """ + _PG_WINDOW.format(m="m") + """
                WHERE m.conversation_id = OLD.conversation_id AND m.direction = 'out'
                  AND m.created_at >= OLD.created_at
                  AND m.created_at < OLD.created_at + INTERVAL '24 hours' AND m.window_open;
                RETURN NULL;
            END IF;
            -- UPDATE OF wamid
            UPDATE messages SET billed_category = """ + _billed("pricing_category", "NEW.wamid") + """,
                                billed_type = """ + _billed("pricing_type", "NEW.wamid") + """
            WHERE id = NEW.id;
            RETURN NULL;
        END $$""",
    "message_events_facts": f"""
        CREATE FUNCTION message_events_facts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE messages SET billed_category = {_billed('pricing_category', 'NEW.wamid')},
                                billed_type = {_billed('pricing_type', 'NEW.wamid')}
            WHERE wamid = NEW.wamid;
            RETURN NULL;
        END $$""",
    "outbox_facts": f"""
        CREATE FUNCTION outbox_facts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE messages SET step = {_outbox_step('NEW.id')} WHERE id = NEW.message_id;
            RETURN NULL;
        END $$""",
    "regua_sends_facts": """
        CREATE FUNCTION regua_sends_facts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE messages SET step = NEW.step
            WHERE id = (SELECT o.message_id FROM outbox o WHERE o.id = NEW.outbox_id);
            RETURN NULL;
        END $$""",
    "conversations_facts": """
        CREATE FUNCTION conversations_facts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE messages SET debtor_id = NEW.debtor_id,
                segment = (SELECT d.segment FROM debtors d WHERE d.id = NEW.debtor_id)
            WHERE conversation_id = NEW.id;
            RETURN NULL;
        END $$""",
    "payments_facts": """
        CREATE FUNCTION payments_facts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.debtor_id := (SELECT d.debtor_id FROM debts d WHERE d.id = NEW.debt_id);
            RETURN NEW;
        END $$""",
    "debts_facts": """
        CREATE FUNCTION debts_facts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE payments SET debtor_id = NEW.debtor_id WHERE debt_id = NEW.id;
            RETURN NULL;
        END $$""",
    "debtors_facts": """
        CREATE FUNCTION debtors_facts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE messages SET segment = NEW.segment WHERE debtor_id = NEW.id;
            RETURN NULL;
        END $$""",
}

_PG_TRIGGER_SQL = (
    "CREATE TRIGGER messages_facts_before BEFORE INSERT ON messages FOR EACH ROW "
    "EXECUTE FUNCTION messages_facts_before()",
    # a row trigger with a WHEN may not read both NEW and OLD on INSERT OR DELETE: two triggers
    "CREATE TRIGGER messages_facts_inbound_insert AFTER INSERT ON messages FOR EACH ROW "
    "WHEN (NEW.direction = 'in') EXECUTE FUNCTION messages_facts_after()",
    "CREATE TRIGGER messages_facts_inbound_delete AFTER DELETE ON messages FOR EACH ROW "
    "WHEN (OLD.direction = 'in') EXECUTE FUNCTION messages_facts_after()",
    "CREATE TRIGGER messages_facts_wamid AFTER UPDATE OF wamid ON messages FOR EACH ROW "
    "WHEN (NEW.wamid IS DISTINCT FROM OLD.wamid) EXECUTE FUNCTION messages_facts_after()",
    "CREATE TRIGGER message_events_facts AFTER INSERT OR UPDATE OF pricing_category, "
    "pricing_type ON message_events FOR EACH ROW WHEN (NEW.wamid IS NOT NULL) "
    "EXECUTE FUNCTION message_events_facts()",
    "CREATE TRIGGER outbox_facts AFTER INSERT OR UPDATE OF message_id ON outbox FOR EACH ROW "
    "WHEN (NEW.message_id IS NOT NULL) EXECUTE FUNCTION outbox_facts()",
    "CREATE TRIGGER regua_sends_facts AFTER INSERT OR UPDATE OF outbox_id, step ON regua_sends "
    "FOR EACH ROW WHEN (NEW.outbox_id IS NOT NULL) EXECUTE FUNCTION regua_sends_facts()",
    "CREATE TRIGGER conversations_facts AFTER UPDATE OF debtor_id ON conversations FOR EACH ROW "
    "WHEN (NEW.debtor_id IS DISTINCT FROM OLD.debtor_id) EXECUTE FUNCTION conversations_facts()",
    "CREATE TRIGGER payments_facts BEFORE INSERT OR UPDATE OF debt_id ON payments FOR EACH ROW "
    "EXECUTE FUNCTION payments_facts()",
    "CREATE TRIGGER debts_facts AFTER UPDATE OF debtor_id ON debts FOR EACH ROW "
    "WHEN (NEW.debtor_id IS DISTINCT FROM OLD.debtor_id) EXECUTE FUNCTION debts_facts()",
    "CREATE TRIGGER debtors_facts AFTER UPDATE OF segment ON debtors FOR EACH ROW "
    "WHEN (NEW.segment IS DISTINCT FROM OLD.segment) EXECUTE FUNCTION debtors_facts()",
)
#: (trigger, table) as made above, for the downgrade and the tests
PG_TRIGGERS = (
    ("messages_facts_before", "messages"), ("messages_facts_inbound_insert", "messages"),
    ("messages_facts_inbound_delete", "messages"), ("messages_facts_wamid", "messages"),
    ("message_events_facts", "message_events"), ("outbox_facts", "outbox"),
    ("regua_sends_facts", "regua_sends"), ("conversations_facts", "conversations"),
    ("payments_facts", "payments"), ("debts_facts", "debts"), ("debtors_facts", "debtors"),
)
SQLITE_TRIGGERS = tuple(_SQLITE_TRIGGERS)


def _backfill(conn: sa.Connection, postgres: bool) -> None:
    """The facts of the messages already there (each column in one statement)."""
    if postgres:
        replied, window = _PG_REPLIED.format(m="messages"), _PG_WINDOW.format(m="messages")
    else:
        replied, window = _sqlite_replied("messages"), _sqlite_window("messages")
    statements = (
        "UPDATE messages SET debtor_id = (SELECT c.debtor_id FROM conversations c "
        "WHERE c.id = messages.conversation_id)",
        "UPDATE messages SET segment = (SELECT d.segment FROM debtors d "
        "WHERE d.id = messages.debtor_id) WHERE debtor_id IS NOT NULL",
        f"UPDATE messages SET step = {_step('messages.id')} WHERE direction = 'out'",
        f"UPDATE messages SET replied_at = {replied}, window_open = {window} "
        "WHERE direction = 'out'",
        f"UPDATE messages SET billed_category = {_billed('pricing_category', 'messages.wamid')}, "
        f"billed_type = {_billed('pricing_type', 'messages.wamid')} "
        "WHERE wamid IN (SELECT wamid FROM message_events)",
    )
    for statement in statements:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("UPDATE payments SET debtor_id = (SELECT d.debtor_id FROM debts d "
                         "WHERE d.id = payments.debt_id)")


def upgrade() -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    # plain ADD COLUMN on both (a batch rebuild of `messages` would be slow for nothing)
    for name, type_ in COLUMNS:
        op.add_column("messages", sa.Column(name, type_, nullable=True))
    op.add_column("payments", sa.Column("debtor_id", sa.Integer(), nullable=True))
    _backfill(conn, postgres)
    op.drop_index(REPLACED_INDEX[0], table_name="messages")
    for name, columns in INDEXES:
        op.create_index(name, "messages", columns, unique=False)
    op.create_index(PAYMENT_INDEX[0], "payments", PAYMENT_INDEX[1], unique=False)
    if postgres:
        for function in _PG_FUNCTIONS.values():
            conn.exec_driver_sql(function)
        for trigger in _PG_TRIGGER_SQL:
            conn.exec_driver_sql(trigger)
    else:
        for trigger in _SQLITE_TRIGGERS.values():
            conn.exec_driver_sql(trigger)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for trigger, table in PG_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in _PG_FUNCTIONS:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for trigger in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_index(PAYMENT_INDEX[0], table_name="payments")
    op.drop_column("payments", "debtor_id")
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="messages")
    op.create_index(REPLACED_INDEX[0], "messages", REPLACED_INDEX[1], unique=False)
    for name, _ in reversed(COLUMNS):
        op.drop_column("messages", name)
