"""Day totals for the Resultados and the costs: the funnel and the spend counts of closed days.

A quarter's funnel is 400,000 messages at 100,000 debtors; once a day's reply and payment windows
have passed, its counts hardly ever change, so `storage.repos.results_days` stores them per day
and the screen adds up ninety small rows instead of counting ninety days' messages again:

- `results_day_marks`: which shop days are stored, with the zone offset they were counted in
  and their UTC span;
- `results_day_funnel`: per day and (step, template, operator, segment), the funnel's counts;
- `results_day_spend`: per day and (template, billed category and type, window open), the
  delivered messages the costs price.

It also indexes the payments by (day, debtor): who paid in a period, read from the index alone
(the days from first message to payment).

A day is only ever read while its mark is there, and the database takes the mark away whenever
something its counts depend on changes, whoever writes: a message written, deleted, or changed
in what it is counted by (status, template, operator, or the facts of 0009 — so a reply, a step,
a segment, a debtor, a price follow through those), and a payment written, deleted, moved or
re-dated (its day and the 7 days before it, `domain.results.PAYMENT_WINDOW_DAYS`). The next
reading counts the day again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: a payment counts for the messages of its day and of this many days before (frozen here: a
#: later change of the window needs a migration that changes these triggers)
_WINDOW_DAYS = 7
#: the message columns a day's counts depend on
_COUNTED = ("status", "template_name", "operator_id", "step", "segment", "debtor_id",
            "replied_at", "window_open", "billed_category", "billed_type", "created_at",
            "direction")

_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _COUNTED)
_PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _COUNTED)


def _sqlite_at(instant: str) -> str:
    return f"DELETE FROM results_day_marks WHERE start_at <= {instant} AND end_at > {instant};"


def _sqlite_paid(day: str) -> str:
    return (f"DELETE FROM results_day_marks WHERE day >= date({day}, '-{_WINDOW_DAYS} days') "
            f"AND day <= {day};")


SQLITE_TRIGGERS = {
    "results_days_message_insert": f"""
        CREATE TRIGGER results_days_message_insert AFTER INSERT ON messages BEGIN
            {_sqlite_at('NEW.created_at')}
        END""",
    "results_days_message_delete": f"""
        CREATE TRIGGER results_days_message_delete AFTER DELETE ON messages BEGIN
            {_sqlite_at('OLD.created_at')}
        END""",
    "results_days_message_update": f"""
        CREATE TRIGGER results_days_message_update AFTER UPDATE ON messages
        WHEN {_SQLITE_CHANGED} BEGIN
            {_sqlite_at('NEW.created_at')}
            {_sqlite_at('OLD.created_at')}
        END""",
    "results_days_payment_insert": f"""
        CREATE TRIGGER results_days_payment_insert AFTER INSERT ON payments BEGIN
            {_sqlite_paid('NEW.paid_on')}
        END""",
    "results_days_payment_delete": f"""
        CREATE TRIGGER results_days_payment_delete AFTER DELETE ON payments BEGIN
            {_sqlite_paid('OLD.paid_on')}
        END""",
    "results_days_payment_update": f"""
        CREATE TRIGGER results_days_payment_update AFTER UPDATE ON payments
        WHEN NEW.paid_on IS NOT OLD.paid_on OR NEW.debtor_id IS NOT OLD.debtor_id BEGIN
            {_sqlite_paid('NEW.paid_on')}
            {_sqlite_paid('OLD.paid_on')}
        END""",
}

_PG_FUNCTIONS = {
    "results_days_message": """
        CREATE FUNCTION results_days_message() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'DELETE' THEN
                DELETE FROM results_day_marks
                WHERE start_at <= NEW.created_at AND end_at > NEW.created_at;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM results_day_marks
                WHERE start_at <= OLD.created_at AND end_at > OLD.created_at;
            END IF;
            RETURN NULL;
        END $$""",
    "results_days_payment": f"""
        CREATE FUNCTION results_days_payment() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'DELETE' THEN
                DELETE FROM results_day_marks
                WHERE day >= NEW.paid_on - {_WINDOW_DAYS} AND day <= NEW.paid_on;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM results_day_marks
                WHERE day >= OLD.paid_on - {_WINDOW_DAYS} AND day <= OLD.paid_on;
            END IF;
            RETURN NULL;
        END $$""",
}
_PG_TRIGGER_SQL = (
    "CREATE TRIGGER results_days_message_write AFTER INSERT OR DELETE ON messages "
    "FOR EACH ROW EXECUTE FUNCTION results_days_message()",
    f"CREATE TRIGGER results_days_message_update AFTER UPDATE ON messages FOR EACH ROW "
    f"WHEN ({_PG_CHANGED}) EXECUTE FUNCTION results_days_message()",
    "CREATE TRIGGER results_days_payment_write AFTER INSERT OR DELETE ON payments "
    "FOR EACH ROW EXECUTE FUNCTION results_days_payment()",
    "CREATE TRIGGER results_days_payment_update AFTER UPDATE ON payments FOR EACH ROW "
    "WHEN (NEW.paid_on IS DISTINCT FROM OLD.paid_on OR NEW.debtor_id IS DISTINCT FROM "
    "OLD.debtor_id) EXECUTE FUNCTION results_days_payment()",
)
#: (trigger, table) as made above
PG_TRIGGERS = (
    ("results_days_message_write", "messages"), ("results_days_message_update", "messages"),
    ("results_days_payment_write", "payments"), ("results_days_payment_update", "payments"),
)
TABLES = ("results_day_marks", "results_day_funnel", "results_day_spend")
PAYMENT_INDEX = ("ix_payments_paid_debtor", ["paid_on", "debtor_id"])


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        "results_day_marks",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_results_day_marks")),
    )
    op.create_index("ix_results_day_marks_span", "results_day_marks", ["start_at", "end_at"])
    op.create_table(
        "results_day_funnel",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=512), nullable=False),
        sa.Column("operator", sa.String(length=16), nullable=False),
        sa.Column("segment", sa.String(length=16), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("read", sa.Integer(), nullable=False),
        sa.Column("replied", sa.Integer(), nullable=False),
        sa.Column("paid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "step", "template", "operator", "segment",
                                name=op.f("pk_results_day_funnel")),
    )
    op.create_table(
        "results_day_spend",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("template", sa.String(length=512), nullable=False),
        sa.Column("billed_category", sa.String(length=40), nullable=False),
        sa.Column("billed_type", sa.String(length=40), nullable=False),
        sa.Column("window_open", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "template", "billed_category", "billed_type",
                                "window_open", name=op.f("pk_results_day_spend")),
    )
    op.create_index(PAYMENT_INDEX[0], "payments", PAYMENT_INDEX[1])
    if conn.dialect.name == "postgresql":
        for function in _PG_FUNCTIONS.values():
            conn.exec_driver_sql(function)
        for trigger in _PG_TRIGGER_SQL:
            conn.exec_driver_sql(trigger)
    else:
        for trigger in SQLITE_TRIGGERS.values():
            conn.exec_driver_sql(trigger)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for trigger, table in PG_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in _PG_FUNCTIONS:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for trigger in SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_index(PAYMENT_INDEX[0], table_name="payments")
    op.drop_index("ix_results_day_marks_span", table_name="results_day_marks")
    for table in reversed(TABLES):
        op.drop_table(table)
