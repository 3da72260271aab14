"""Indexes for the Resultados screen and the message costs (100k debtors, 1M messages).

- messages (direction, created_at, status, conversation_id, template_name, operator_id, wamid):
  a period's outbound messages in time order with what they are counted and priced by;
- messages (conversation_id, direction, created_at, status, template_name): one conversation's
  messages one way around an instant (a reply, the 24 h window, the first message that left, a
  reminder);
- payments (paid_on, amount_cents) and (debt_id, paid_on, amount_cents);
- debts (due_date, status, amount_cents): the debts overdue at a period's start;
- regua_sends (outbox_id, step): the step that queued a message;
- message_events (wamid, pricing_category, pricing_type): what Meta billed.

Indexes only: no data changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, table, columns)
INDEXES = (
    ("ix_messages_direction_created", "messages",
     ["direction", "created_at", "status", "conversation_id", "template_name", "operator_id",
      "wamid"]),
    ("ix_messages_conversation_direction", "messages",
     ["conversation_id", "direction", "created_at", "status", "template_name"]),
    ("ix_payments_paid_on", "payments", ["paid_on", "amount_cents"]),
    ("ix_payments_debt_paid", "payments", ["debt_id", "paid_on", "amount_cents"]),
    ("ix_debts_due_status_amount", "debts", ["due_date", "status", "amount_cents"]),
    ("ix_regua_sends_outbox", "regua_sends", ["outbox_id", "step"]),
    ("ix_message_events_wamid_pricing", "message_events",
     ["wamid", "pricing_category", "pricing_type"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
