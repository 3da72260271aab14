"""Webhooks: raw deliveries, per-message status events, and the phone's business-scoped user id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('parsed_ok', sa.Boolean(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    op.create_index(op.f('ix_webhook_deliveries_received_at'), 'webhook_deliveries',
                    ['received_at'], unique=False)
    op.create_table('message_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wamid', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipient_wa_id', sa.String(length=20), nullable=True),
    sa.Column('callback_data', sa.String(length=512), nullable=True),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('error_title', sa.String(length=200), nullable=True),
    sa.Column('error_details', sa.Text(), nullable=True),
    sa.Column('pricing_category', sa.String(length=40), nullable=True),
    sa.Column('pricing_type', sa.String(length=40), nullable=True),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'],
                            name=op.f('fk_message_events_delivery_id_webhook_deliveries'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_events')),
    sa.UniqueConstraint('wamid', 'status', name=op.f('uq_message_events_wamid'))
    )
    op.create_index(op.f('ix_message_events_wamid'), 'message_events', ['wamid'], unique=False)
    with op.batch_alter_table('phones') as batch:
        batch.add_column(sa.Column('bsuid', sa.String(length=140), nullable=True))
        batch.create_unique_constraint(op.f('uq_phones_bsuid'), ['bsuid'])


def downgrade() -> None:
    with op.batch_alter_table('phones') as batch:
        batch.drop_constraint(op.f('uq_phones_bsuid'), type_='unique')
        batch.drop_column('bsuid')
    op.drop_index(op.f('ix_message_events_wamid'), table_name='message_events')
    op.drop_table('message_events')
    op.drop_index(op.f('ix_webhook_deliveries_received_at'), table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
