"""The shared inbox: who holds a conversation and who is typing in it, when it last changed,
whether the debtor waits for an answer, labels, private notes and quick replies.

- conversations: `changed_at` (indexed; backfilled from the last message), `waiting_since`
  (backfilled where the debtor wrote last), `typing_operator_id`/`typing_until`, `labels`,
  `resolved_at`, and an index for the list (status, last_message_at, id);
- messages: `direction` (now 4 characters) and `status` allow `note` (an operator's private
  note, never sent), and an index (conversation_id, id) for a conversation's pages;
- quick_replies, seeded with a few pt-BR answers.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)

#: (shortcut, title, text): variables are filled from the debtor and their oldest open debt
QUICK_REPLIES = (
    ("/pix", "Chave PIX para pagar",
     "Olá, {nome}! Para pagar os {valor} (vencimento {vencimento}) é só usar o PIX copia e "
     "cola abaixo:\n\n{pix}\n\nAssim que o pagamento cair a gente dá baixa. Obrigado! — {loja}"),
    ("/boleto-nao", "Não trabalhamos com boleto",
     "{nome}, no momento não emitimos boleto. Você pode pagar por PIX ({pix}) ou pelo link "
     "{link_pagamento}, ou ainda direto na {loja}."),
    ("/acordo", "Oferecer acordo",
     "{nome}, podemos fazer um acordo para os {valor} em aberto: entrada e o restante em "
     "parcelas que caibam no seu bolso. Quanto você consegue pagar por mês?"),
    ("/obrigado", "Agradecer o pagamento",
     "Recebemos seu pagamento, {nome}. Muito obrigado! Qualquer coisa, é só chamar aqui. "
     "— {loja}"),
    ("/horario", "Horário de atendimento",
     "Nosso atendimento pelo WhatsApp é de segunda a sexta, das 8h às 18h, e aos sábados, das "
     "8h às 12h. Respondemos assim que possível. — {loja}"),
    ("/link", "Link de pagamento",
     "{nome}, segue o link para pagar os {valor} com vencimento em {vencimento}: "
     "{link_pagamento}"),
)


def upgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.add_column(sa.Column('changed_at', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('waiting_since', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('typing_operator_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('typing_until', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('labels', sa.JSON(), server_default='[]', nullable=False))
        batch.add_column(sa.Column('resolved_at', UTC_DATETIME, nullable=True))
    with op.batch_alter_table('messages') as batch:
        batch.alter_column('direction', existing_type=sa.String(length=3),
                           type_=sa.String(length=4), existing_nullable=False)
        batch.drop_constraint(op.f('ck_messages_direction'), type_='check')
        batch.drop_constraint(op.f('ck_messages_status'), type_='check')
        batch.create_check_constraint(
            op.f('ck_messages_direction'), "direction IN ('in', 'out', 'note')")
        batch.create_check_constraint(
            op.f('ck_messages_status'),
            "status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown',"
            " 'received', 'note')")
        batch.create_index('ix_messages_conversation_key', ['conversation_id', 'id'],
                           unique=False)
    _backfill()
    with op.batch_alter_table('conversations') as batch:
        batch.alter_column('changed_at', existing_type=UTC_DATETIME, nullable=False)
        batch.create_foreign_key(op.f('fk_conversations_typing_operator_id_operators'),
                                 'operators', ['typing_operator_id'], ['id'])
        batch.create_index(op.f('ix_conversations_changed_at'), ['changed_at'], unique=False)
        batch.create_index('ix_conversations_status_last', ['status', 'last_message_at', 'id'],
                           unique=False)
    quick_replies = op.create_table(
        'quick_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shortcut', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['operators.id'],
                                name=op.f('fk_quick_replies_created_by_operators')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_replies')),
        sa.UniqueConstraint('shortcut', name=op.f('uq_quick_replies_shortcut')),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":  # naive UTC text, as orm.UTCDateTime stores it
        now = now.replace(tzinfo=None)
    op.bulk_insert(quick_replies, [
        {"shortcut": s, "title": t, "text": x, "updated_at": now} for s, t, x in QUICK_REPLIES])


def _backfill() -> None:
    """changed_at = the last message's instant (or the creation); waiting_since = the debtor's
    last message when it is the conversation's last one; resolved_at for resolved ones."""
    last = ("(SELECT m.{column} FROM messages m WHERE m.conversation_id = conversations.id "
            "ORDER BY m.created_at DESC, m.id DESC LIMIT 1)")
    op.execute(
        "UPDATE conversations SET changed_at = COALESCE(last_message_at, created_at)")
    op.execute(
        f"UPDATE conversations SET waiting_since = {last.format(column='created_at')} "
        f"WHERE status <> 'resolved' AND {last.format(column='direction')} = 'in'")
    op.execute(
        "UPDATE conversations SET resolved_at = COALESCE(last_message_at, created_at) "
        "WHERE status = 'resolved'")


def downgrade() -> None:
    op.drop_table('quick_replies')
    op.execute("DELETE FROM messages WHERE direction = 'note'")
    with op.batch_alter_table('messages') as batch:
        batch.drop_index('ix_messages_conversation_key')
        batch.drop_constraint(op.f('ck_messages_status'), type_='check')
        batch.drop_constraint(op.f('ck_messages_direction'), type_='check')
        batch.create_check_constraint(op.f('ck_messages_direction'), "direction IN ('in', 'out')")
        batch.alter_column('direction', existing_type=sa.String(length=4),
                           type_=sa.String(length=3), existing_nullable=False)
        batch.create_check_constraint(
            op.f('ck_messages_status'),
            "status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown',"
            " 'received')")
    with op.batch_alter_table('conversations') as batch:
        batch.drop_index('ix_conversations_status_last')
        batch.drop_index(op.f('ix_conversations_changed_at'))
        batch.drop_constraint(op.f('fk_conversations_typing_operator_id_operators'),
                              type_='foreignkey')
        batch.drop_column('resolved_at')
        batch.drop_column('labels')
        batch.drop_column('typing_until')
        batch.drop_column('typing_operator_id')
        batch.drop_column('waiting_since')
        batch.drop_column('changed_at')
