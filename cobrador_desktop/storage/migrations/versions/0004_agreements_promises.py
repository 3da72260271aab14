"""Agreements (acordos) and promises to pay, phone blocks that outlive anonymisation, and the
audit log indexed by the object it is about.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('debtor_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('principal_cents', sa.BigInteger(), nullable=False),
        sa.Column('fine_cents', sa.BigInteger(), nullable=False),
        sa.Column('interest_cents', sa.BigInteger(), nullable=False),
        sa.Column('discount_cents', sa.BigInteger(), nullable=False),
        sa.Column('total_cents', sa.BigInteger(), nullable=False),
        sa.Column('down_payment_cents', sa.BigInteger(), nullable=False),
        sa.Column('installments', sa.Integer(), nullable=False),
        sa.Column('first_due', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTC_DATETIME, nullable=False),
        sa.Column('ended_at', UTC_DATETIME, nullable=True),
        sa.CheckConstraint("status IN ('active', 'completed', 'broken', 'cancelled')",
                           name=op.f('ck_agreements_status')),
        sa.CheckConstraint("installments > 0", name=op.f('ck_agreements_installments_positive')),
        sa.ForeignKeyConstraint(['created_by'], ['operators.id'],
                                name=op.f('fk_agreements_created_by_operators')),
        sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'],
                                name=op.f('fk_agreements_debtor_id_debtors'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    )
    op.create_index(op.f('ix_agreements_debtor_id'), 'agreements', ['debtor_id'], unique=False)
    op.create_table(
        'agreement_debts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('debt_id', sa.Integer(), nullable=False),
        sa.Column('balance_cents', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'],
                                name=op.f('fk_agreement_debts_agreement_id_agreements'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['debt_id'], ['debts.id'],
                                name=op.f('fk_agreement_debts_debt_id_debts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_debts')),
        sa.UniqueConstraint('agreement_id', 'debt_id', name=op.f('uq_agreement_debts_agreement_id')),
    )
    op.create_index(op.f('ix_agreement_debts_debt_id'), 'agreement_debts', ['debt_id'],
                    unique=False)
    op.create_table(
        'promises',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('debtor_id', sa.Integer(), nullable=False),
        sa.Column('debt_id', sa.Integer(), nullable=True),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTC_DATETIME, nullable=False),
        sa.Column('resolved_at', UTC_DATETIME, nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f('ck_promises_amount_positive')),
        sa.CheckConstraint("status IN ('open', 'kept', 'broken', 'cancelled')",
                           name=op.f('ck_promises_status')),
        sa.ForeignKeyConstraint(['created_by'], ['operators.id'],
                                name=op.f('fk_promises_created_by_operators')),
        sa.ForeignKeyConstraint(['debt_id'], ['debts.id'],
                                name=op.f('fk_promises_debt_id_debts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'],
                                name=op.f('fk_promises_debtor_id_debtors'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_promises')),
    )
    op.create_index(op.f('ix_promises_debtor_id'), 'promises', ['debtor_id'], unique=False)
    op.create_index('ix_promises_status_due', 'promises', ['status', 'due_date'], unique=False)
    op.create_table(
        'phone_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=False),
        sa.Column('opted_out', sa.Boolean(), nullable=False),
        sa.Column('wrong_party', sa.Boolean(), nullable=False),
        sa.Column('suppressed', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('created_at', UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_blocks')),
        sa.UniqueConstraint('phone_hash', name=op.f('uq_phone_blocks_phone_hash')),
    )
    with op.batch_alter_table('debts') as batch:
        batch.add_column(sa.Column('agreement_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_debts_agreement_id_agreements'), 'agreements',
                                 ['agreement_id'], ['id'], ondelete='SET NULL')
        batch.create_index(op.f('ix_debts_agreement_id'), ['agreement_id'], unique=False)
    op.create_index('ix_audit_log_object', 'audit_log', ['object_type', 'object_id', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_log_object', table_name='audit_log')
    with op.batch_alter_table('debts') as batch:
        batch.drop_index(op.f('ix_debts_agreement_id'))
        batch.drop_constraint(op.f('fk_debts_agreement_id_agreements'), type_='foreignkey')
        batch.drop_column('agreement_id')
    op.drop_table('phone_blocks')
    op.drop_index('ix_promises_status_due', table_name='promises')
    op.drop_index(op.f('ix_promises_debtor_id'), table_name='promises')
    op.drop_table('promises')
    op.drop_index(op.f('ix_agreement_debts_debt_id'), table_name='agreement_debts')
    op.drop_table('agreement_debts')
    op.drop_index(op.f('ix_agreements_debtor_id'), table_name='agreements')
    op.drop_table('agreements')
