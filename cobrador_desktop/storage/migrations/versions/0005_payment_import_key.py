"""Payments keep the key of the bank-statement line they came from (`import --payments`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('payments') as batch:
        batch.add_column(sa.Column('import_key', sa.String(length=32), nullable=True))
        batch.create_index(op.f('ix_payments_import_key'), ['import_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payments') as batch:
        batch.drop_index(op.f('ix_payments_import_key'))
        batch.drop_column('import_key')
