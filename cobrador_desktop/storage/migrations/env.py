"""Alembic environment: always run from code (`cobrador_desktop.storage.migrate`).

The caller passes an open connection, inside a transaction it owns, in
`config.attributes["connection"]`; every pending migration then runs in that one transaction.
"""

from __future__ import annotations

from alembic import context

from cobrador_desktop.storage.migrate import include_name
from cobrador_desktop.storage.orm import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through cobrador_desktop.storage.migrate, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead
    render_as_batch=connection.dialect.name == "sqlite",
    # SQLite DDL is transactional with db.py's BEGIN recipe; roll everything back together
    transactional_ddl=True,
    compare_type=True,
    # FTS5 tables and the pg_trgm index are made by hand in migration 0003
    include_name=include_name,
)

with context.begin_transaction():
    context.run_migrations()
