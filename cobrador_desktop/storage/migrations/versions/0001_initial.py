"""Initial schema: operators, debtors, phones, debts, payments, conversations, messages, outbox,
templates, audit log and settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written out in full (no ORM import) so it never changes when orm.py does.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('login', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'operator')", name=op.f('ck_operators_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators')),
    sa.UniqueConstraint('login', name=op.f('uq_operators_login'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('parameter_format', sa.String(length=12), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.String(length=24), nullable=True),
    sa.Column('meta_id', sa.String(length=40), nullable=True),
    sa.Column('quality', sa.String(length=10), nullable=True),
    sa.Column('rejected_reason', sa.String(length=200), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_templates')),
    sa.UniqueConstraint('name', 'language', name=op.f('uq_templates_name'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=40), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_audit_log_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_log_hash'))
    )
    op.create_table('debtors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('document', sa.String(length=14), nullable=True),
    sa.Column('document_type', sa.String(length=4), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('uf', sa.String(length=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('assigned_operator_id', sa.Integer(), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('open_cents', sa.BigInteger(), nullable=False),
    sa.Column('open_debts', sa.Integer(), nullable=False),
    sa.Column('oldest_open_due', sa.Date(), nullable=True),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('last_contact_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("document_type IN ('cpf', 'cnpj')", name=op.f('ck_debtors_document_type')),
    sa.ForeignKeyConstraint(['assigned_operator_id'], ['operators.id'], name=op.f('fk_debtors_assigned_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debtors')),
    sa.UniqueConstraint('document', name=op.f('uq_debtors_document'))
    )
    op.create_index('ix_debtors_name_key', 'debtors', ['name_key', 'id'])
    op.create_index('ix_debtors_next_due', 'debtors', ['next_due', 'id'])
    op.create_index('ix_debtors_oldest_open_due', 'debtors', ['oldest_open_due', 'id'])
    op.create_index('ix_debtors_open_cents', 'debtors', ['open_cents', 'id'])
    op.create_table('phones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('e164', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('wa_id', sa.String(length=20), nullable=True),
    sa.Column('whatsapp_status', sa.String(length=8), nullable=False),
    sa.Column('whatsapp_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opt_out_source', sa.String(length=200), nullable=True),
    sa.Column('opt_in_source', sa.String(length=200), nullable=True),
    sa.Column('opt_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opt_in_wording', sa.Text(), nullable=True),
    sa.Column('opt_in_recorded_by', sa.Integer(), nullable=True),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    sa.Column('suppression_source', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('mobile', 'landline', 'unknown')", name=op.f('ck_phones_kind')),
    sa.CheckConstraint("whatsapp_status IN ('unknown', 'yes', 'no')", name=op.f('ck_phones_whatsapp_status')),
    sa.ForeignKeyConstraint(['opt_in_recorded_by'], ['operators.id'], name=op.f('fk_phones_opt_in_recorded_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phones')),
    sa.UniqueConstraint('e164', name=op.f('uq_phones_e164'))
    )
    op.create_index(op.f('ix_phones_wa_id'), 'phones', ['wa_id'])
    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_id', sa.Integer(), nullable=False),
    sa.Column('debtor_id', sa.Integer(), nullable=True),
    sa.Column('assigned_operator_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unread_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'waiting', 'resolved')", name=op.f('ck_conversations_status')),
    sa.ForeignKeyConstraint(['assigned_operator_id'], ['operators.id'], name=op.f('fk_conversations_assigned_operator_id_operators')),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], name=op.f('fk_conversations_debtor_id_debtors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['phone_id'], ['phones.id'], name=op.f('fk_conversations_phone_id_phones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('phone_id', name=op.f('uq_conversations_phone_id'))
    )
    op.create_index(op.f('ix_conversations_debtor_id'), 'conversations', ['debtor_id'])
    op.create_index('ix_conversations_last_message', 'conversations', ['last_message_at'])
    op.create_table('debtor_phones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debtor_id', sa.Integer(), nullable=False),
    sa.Column('phone_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('never_message', sa.Boolean(), nullable=False),
    sa.Column('wrong_party', sa.Boolean(), nullable=False),
    sa.Column('wrong_party_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cpc_status', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("cpc_status IN ('unverified', 'pending', 'confirmed', 'denied')", name=op.f('ck_debtor_phones_cpc_status')),
    sa.CheckConstraint("role = 'own' OR never_message", name=op.f('ck_debtor_phones_reference_never_messaged')),
    sa.CheckConstraint("role IN ('own', 'reference')", name=op.f('ck_debtor_phones_role')),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], name=op.f('fk_debtor_phones_debtor_id_debtors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phone_id'], ['phones.id'], name=op.f('fk_debtor_phones_phone_id_phones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debtor_phones')),
    sa.UniqueConstraint('debtor_id', 'phone_id', name=op.f('uq_debtor_phones_debtor_id'))
    )
    op.create_index(op.f('ix_debtor_phones_phone_id'), 'debtor_phones', ['phone_id'])
    op.create_table('debts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debtor_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('paid_cents', sa.BigInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('installment_number', sa.Integer(), nullable=True),
    sa.Column('installment_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'paid', 'cancelled', 'disputed', 'agreement')", name=op.f('ck_debts_status')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_debts_amount_positive')),
    sa.CheckConstraint('paid_cents >= 0', name=op.f('ck_debts_paid_not_negative')),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], name=op.f('fk_debts_debtor_id_debtors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debts')),
    sa.UniqueConstraint('external_id', name=op.f('uq_debts_external_id'))
    )
    op.create_index('ix_debts_debtor_due', 'debts', ['debtor_id', 'due_date'])
    op.create_index('ix_debts_status_due', 'debts', ['status', 'due_date'])
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('wamid', sa.String(length=128), nullable=True),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('template_name', sa.String(length=512), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('error_detail', sa.Text(), nullable=True),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_messages_direction')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown', 'received')", name=op.f('ck_messages_status')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_messages_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_messages_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('wamid', name=op.f('uq_messages_wamid'))
    )
    op.create_index('ix_messages_conversation_created', 'messages', ['conversation_id', 'created_at'])
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('pix', 'dinheiro', 'cartao', 'boleto', 'transferencia', 'outro')", name=op.f('ck_payments_method')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_payments_amount_positive')),
    sa.ForeignKeyConstraint(['debt_id'], ['debts.id'], name=op.f('fk_payments_debt_id_debts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['operators.id'], name=op.f('fk_payments_recorded_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    op.create_index(op.f('ix_payments_debt_id'), 'payments', ['debt_id'])
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('to', sa.String(length=20), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.Column('last_error_code', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled')", name=op.f('ck_outbox_state')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_outbox_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_id'))
    )
    op.create_index('ix_outbox_state_next', 'outbox', ['state', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_outbox_state_next', table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_payments_debt_id'), table_name='payments')
    op.drop_table('payments')
    op.drop_index('ix_messages_conversation_created', table_name='messages')
    op.drop_table('messages')
    op.drop_index('ix_debts_status_due', table_name='debts')
    op.drop_index('ix_debts_debtor_due', table_name='debts')
    op.drop_table('debts')
    op.drop_index(op.f('ix_debtor_phones_phone_id'), table_name='debtor_phones')
    op.drop_table('debtor_phones')
    op.drop_index('ix_conversations_last_message', table_name='conversations')
    op.drop_index(op.f('ix_conversations_debtor_id'), table_name='conversations')
    op.drop_table('conversations')
    op.drop_index(op.f('ix_phones_wa_id'), table_name='phones')
    op.drop_table('phones')
    op.drop_index('ix_debtors_open_cents', table_name='debtors')
    op.drop_index('ix_debtors_oldest_open_due', table_name='debtors')
    op.drop_index('ix_debtors_next_due', table_name='debtors')
    op.drop_index('ix_debtors_name_key', table_name='debtors')
    op.drop_table('debtors')
    op.drop_table('audit_log')
    op.drop_table('templates')
    op.drop_table('settings')
    op.drop_table('operators')
