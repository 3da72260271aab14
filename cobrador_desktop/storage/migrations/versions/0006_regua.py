"""The reminder schedule (régua): its steps, what the scheduler did with each (debt, step), tasks
for people, and the facts the send guard weighs on debts and identity checks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('debts') as batch:
        batch.add_column(sa.Column('status_at', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('payment_claimed_at', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('prescription_confirmed_at', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('thanked_at', UTC_DATETIME, nullable=True))
    with op.batch_alter_table('debtor_phones') as batch:
        batch.add_column(sa.Column('cpc_at', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('cpc_message_id', sa.String(length=128), nullable=True))
    op.create_table(
        'regua_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('offset_days', sa.Integer(), nullable=False),
        sa.Column('repeat_every_days', sa.Integer(), nullable=True),
        sa.Column('repeat_until_days', sa.Integer(), nullable=True),
        sa.Column('purpose', sa.String(length=24), nullable=False),
        sa.Column('template', sa.String(length=512), nullable=False),
        sa.Column('segment', sa.String(length=16), nullable=False),
        sa.Column('grace_days', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', UTC_DATETIME, nullable=False),
        sa.CheckConstraint('repeat_every_days IS NULL OR repeat_every_days > 0',
                           name=op.f('ck_regua_steps_repeat_positive')),
        sa.CheckConstraint('grace_days >= 0', name=op.f('ck_regua_steps_grace_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_regua_steps')),
    )
    op.create_table(
        'regua_sends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('debt_id', sa.Integer(), nullable=False),
        sa.Column('debtor_id', sa.Integer(), nullable=False),
        sa.Column('phone_id', sa.Integer(), nullable=True),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('purpose', sa.String(length=24), nullable=False),
        sa.Column('template', sa.String(length=512), nullable=True),
        sa.Column('planned_for', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('reason_code', sa.String(length=40), nullable=True),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('decision', sa.JSON(), nullable=True),
        sa.Column('created_at', UTC_DATETIME, nullable=False),
        sa.CheckConstraint("state IN ('queued', 'blocked', 'skipped')",
                           name=op.f('ck_regua_sends_state')),
        sa.ForeignKeyConstraint(['debt_id'], ['debts.id'],
                                name=op.f('fk_regua_sends_debt_id_debts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'],
                                name=op.f('fk_regua_sends_debtor_id_debtors'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['phone_id'], ['phones.id'],
                                name=op.f('fk_regua_sends_phone_id_phones'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'],
                                name=op.f('fk_regua_sends_outbox_id_outbox'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_regua_sends')),
        sa.UniqueConstraint('debt_id', 'step', name=op.f('uq_regua_sends_debt_id')),
    )
    op.create_index('ix_regua_sends_debtor_created', 'regua_sends', ['debtor_id', 'created_at'],
                    unique=False)
    op.create_index('ix_regua_sends_phone_purpose', 'regua_sends', ['phone_id', 'purpose'],
                    unique=False)
    op.create_table(
        'tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('debtor_id', sa.Integer(), nullable=False),
        sa.Column('phone_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTC_DATETIME, nullable=False),
        sa.Column('done_at', UTC_DATETIME, nullable=True),
        sa.Column('done_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'],
                                name=op.f('fk_tasks_debtor_id_debtors'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['phone_id'], ['phones.id'],
                                name=op.f('fk_tasks_phone_id_phones'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by'], ['operators.id'],
                                name=op.f('fk_tasks_created_by_operators')),
        sa.ForeignKeyConstraint(['done_by'], ['operators.id'],
                                name=op.f('fk_tasks_done_by_operators')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    )
    op.create_index(op.f('ix_tasks_debtor_id'), 'tasks', ['debtor_id'], unique=False)
    op.create_index('ix_tasks_open', 'tasks', ['done_at', 'kind'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tasks_open', table_name='tasks')
    op.drop_index(op.f('ix_tasks_debtor_id'), table_name='tasks')
    op.drop_table('tasks')
    op.drop_index('ix_regua_sends_phone_purpose', table_name='regua_sends')
    op.drop_index('ix_regua_sends_debtor_created', table_name='regua_sends')
    op.drop_table('regua_sends')
    op.drop_table('regua_steps')
    with op.batch_alter_table('debtor_phones') as batch:
        batch.drop_column('cpc_message_id')
        batch.drop_column('cpc_at')
    with op.batch_alter_table('debts') as batch:
        batch.drop_column('thanked_at')
        batch.drop_column('prescription_confirmed_at')
        batch.drop_column('payment_claimed_at')
        batch.drop_column('status_at')
