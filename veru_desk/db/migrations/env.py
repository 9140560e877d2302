"""Alembic environment, run only from ``veru_desk.db.migrate`` with a live connection.

The migrations ship inside the package so an installed or frozen app can upgrade a database
without an ``alembic.ini`` on disk.
"""

from __future__ import annotations

from alembic import context

from veru_desk.db.models import Base

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    transactional_ddl=True,
)

with context.begin_transaction():
    context.run_migrations()
