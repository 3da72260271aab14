"""Debtor search and list filters: search text, segment, reach and agreement summaries.

Adds four summary columns to `debtors` and fills them for the debtors already there, then indexes
`search_text` for substring search:

- SQLite: an FTS5 table with the `trigram` tokenizer over `debtors.search_text` (external content,
  so the text is stored once). Triggers add inserted debtors and remove deleted ones;
  `refresh_summaries`, the only writer of `search_text`, re-indexes changed texts itself (in
  batches: a per-row update trigger costs three times as much). A later migration that rebuilds
  the `debtors` table (batch mode) drops these triggers and must create them again.
- PostgreSQL: the `pg_trgm` extension and a GIN trigram index. The extension is created here; a
  server where our role may not create it stops the upgrade with a message saying what to ask
  the administrator.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the FTS5 table and triggers (SQLite) and the trigram index (PostgreSQL) this migration makes;
#: the ORM does not declare them (see `storage.migrate.include_name`)
FTS_TABLE = "debtor_search"
PG_INDEX = "ix_debtors_search_text_trgm"

_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER debtors_search_insert AFTER INSERT ON debtors BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    f"""CREATE TRIGGER debtors_search_delete AFTER DELETE ON debtors BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
    END""",
)


def upgrade() -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        _ensure_pg_trgm(conn)
    with op.batch_alter_table("debtors") as batch:
        batch.add_column(sa.Column("segment", sa.String(length=16), server_default="new",
                                   nullable=False))
        batch.add_column(sa.Column("reach", sa.String(length=12), server_default="ok",
                                   nullable=False))
        batch.add_column(sa.Column("in_agreement", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))

    if not postgres:
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='debtors', "
            "content_rowid='id', tokenize='trigram')")
        for trigger in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(trigger)

    _backfill(conn)  # on SQLite it ends with a rebuild of the FTS index
    op.create_index("ix_debtors_flags", "debtors", ["segment", "reach", "in_agreement"])

    if postgres:
        op.create_index(PG_INDEX, "debtors", ["search_text"], postgresql_using="gin",
                        postgresql_ops={"search_text": "gin_trgm_ops"})


def _backfill(conn: sa.Connection) -> None:
    """Compute the new summaries of every debtor already there, before any index exists.

    This runs today's `refresh_summaries`. If a later schema change makes it unable to run on a
    0003 schema, the golden databases' test fails: freeze a copy of the old code here then.
    """
    from cobrador_desktop.storage.repos.debtor_summaries import refresh_summaries

    # a savepoint of the migration's transaction: committing it keeps the outer one open
    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        # the shop's date is not known here; Brasília's is right for most shops, and a day off
        # only shifts "next due" until the next refresh
        refresh_summaries(session, None, datetime.now(ZoneInfo("America/Sao_Paulo")).date())
        session.commit()


def _ensure_pg_trgm(conn: sa.Connection) -> None:
    if conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        return
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise RuntimeError(
            "a busca de devedores precisa da extensão pg_trgm do PostgreSQL, que não pôde ser "
            f"criada ({reason}); peça ao administrador do servidor que rode "
            "'CREATE EXTENSION pg_trgm;' neste banco e abra o programa de novo") from exc


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.drop_index(PG_INDEX, table_name="debtors")
    else:
        for name in ("debtors_search_insert", "debtors_search_delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    op.drop_index("ix_debtors_flags", table_name="debtors")
    with op.batch_alter_table("debtors") as batch:
        batch.drop_column("search_text")
        batch.drop_column("in_agreement")
        batch.drop_column("reach")
        batch.drop_column("segment")
