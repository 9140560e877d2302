"""a hash chain through the audit trail

Anyone who can sign in to an encrypted file holds its key, and could drop the append-only
triggers and rewrite the trail without trace. Each audit row now carries ``content_hash``
(its summary and changes) and ``chain_hash`` (its fields and the previous row's hash), and
``audit_chain_head`` records where the chain ends, locked by every writer so two transactions
never fork it (``db.audit_chain`` defines what is hashed, once, for good).

Rows written by earlier releases are chained here, in id order, so a database from the
previous release opens with every record intact and a chain that verifies. The update
trigger is then rebuilt so the two new columns can never change either.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veru_desk.db.audit_chain import GENESIS, canonical_row, content_hash, link

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REDACTED = "'[details removed: the young person was anonymised or erased]'"  # db.guards
_FIXED_BEFORE = (
    "id", "at", "user_id", "username", "action", "entity_type", "entity_id", "young_person_id",
)  # fmt: skip
_FIXED_NOW = (*_FIXED_BEFORE, "content_hash", "chain_hash")
_BATCH = 1000

_audit = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("user_id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("young_person_id", sa.Integer),
    sa.column("summary", sa.Text),
    sa.column("changes", sa.Text),
    sa.column("content_hash", sa.String),
    sa.column("chain_hash", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    for column in ("content_hash", "chain_hash"):
        if connection.dialect.name == "sqlite":
            op.execute(f"ALTER TABLE audit_event ADD COLUMN {column} VARCHAR(64)")
        else:
            op.add_column("audit_event", sa.Column(column, sa.String(length=64), nullable=True))
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("failure_queue", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    last_id, last_hash = _chain_existing_rows(connection)
    if last_id:  # an empty database stays empty (the first write makes the head)
        connection.execute(
            sa.text(
                "INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, :id, :hash)"
            ),
            {"id": last_id, "hash": last_hash},
        )
    _replace_update_trigger(connection, _FIXED_NOW)


def downgrade() -> None:
    connection = op.get_bind()
    _replace_update_trigger(connection, _FIXED_BEFORE)
    op.drop_table("audit_chain_head")
    if connection.dialect.name != "sqlite":  # SQLite keeps them: 0003 never reads them
        op.drop_column("audit_event", "chain_hash")
        op.drop_column("audit_event", "content_hash")


def _chain_existing_rows(connection: sa.Connection) -> tuple[int, str]:
    """Hashes every row in id order (the old trigger lets the new columns be set: it guards
    only the columns it knew)."""
    previous, last_id = GENESIS, 0
    after = 0
    while True:
        rows = connection.execute(
            sa.select(_audit).where(_audit.c.id > after).order_by(_audit.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return last_id, previous
        updates = []
        for row in rows:
            content = content_hash(row.summary, row.changes)
            chained = link(
                previous,
                canonical_row(
                    at=row.at,
                    user_id=row.user_id,
                    username=row.username,
                    action=row.action,
                    entity_type=row.entity_type,
                    entity_id=row.entity_id,
                    young_person_id=row.young_person_id,
                    content=content,
                ),
            )
            updates.append({"row": row.id, "content": content, "chained": chained})
            previous, last_id = chained, row.id
        connection.execute(
            sa.text(
                "UPDATE audit_event SET content_hash = :content, chain_hash = :chained "
                "WHERE id = :row"
            ),
            updates,
        )
        after = rows[-1].id


def _redaction_only(fixed: tuple[str, ...], same: str) -> str:
    """As ``db.guards``: true when an UPDATE changes nothing but a redaction."""
    parts = [f"NEW.{column} {same} OLD.{column}" for column in fixed]
    parts.append(f"(NEW.summary {same} OLD.summary OR NEW.summary = {_REDACTED})")
    parts.append(f"(NEW.changes {same} OLD.changes OR NEW.changes IS NULL)")
    return " AND ".join(parts)


def _replace_update_trigger(connection: sa.Connection, fixed: tuple[str, ...]) -> None:
    if connection.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            f"WHEN NOT ({_redaction_only(fixed, 'IS')}) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
    elif connection.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event")
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event FOR EACH ROW "
            f"WHEN (NOT ({_redaction_only(fixed, 'IS NOT DISTINCT FROM')})) "
            "EXECUTE FUNCTION veru_append_only()"
        )
