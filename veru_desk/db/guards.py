"""Database-level guards that hold even against SQL typed by hand: the audit trail and the
referral workflow history are append-only. Migrations call these so every engine gets them
from the same place.

Append-only has to meet the right to erasure (UK GDPR Art. 17) and anonymisation at the end of
retention, so each guard leaves exactly one narrow way through, which the database itself
checks:

- an audit event may be *redacted*: its summary replaced by ``REDACTED_SUMMARY`` and its
  changes emptied. Who did it, when, which action and which record never change, so the trail
  still shows that something happened, but no longer what the erased person's data was.
  Audit events are never deleted.
- a referral transition may have its free-text reason emptied (nothing else), and may be
  deleted only once its referral is gone, i.e. by the cascade of erasing the whole case.
"""

from __future__ import annotations

APPEND_ONLY_TABLES = ("audit_event", "referral_transition")

# What an audit event's summary becomes once the person it concerns is anonymised or erased.
REDACTED_SUMMARY = "[details removed: the young person was anonymised or erased]"

# Columns that must never change, and the only change each redactable column may take.
_FIXED = {
    "audit_event": (
        "id", "at", "user_id", "username", "action", "entity_type", "entity_id",
        "young_person_id",
    ),
    "referral_transition": (
        "id", "referral_id", "from_status", "to_status", "on_date", "at", "by_user_id",
        "worker_id",
    ),
}  # fmt: skip
_REDACTABLE = {
    "audit_event": {"summary": f"'{REDACTED_SUMMARY}'", "changes": "NULL"},
    "referral_transition": {"reason": "NULL"},
}


def _redaction_only(table: str, same: str) -> str:
    """SQL that is true when an UPDATE only redacts (``same`` is the engine's IS-equal)."""
    parts = [f"NEW.{column} {same} OLD.{column}" for column in _FIXED[table]]
    for column, value in _REDACTABLE[table].items():
        target = f"NEW.{column} IS NULL" if value == "NULL" else f"NEW.{column} = {value}"
        parts.append(f"(NEW.{column} {same} OLD.{column} OR {target})")
    return " AND ".join(parts)


def create_append_only_guards() -> None:
    # Alembic (with Mako and Pygments, 20 MiB) only when a migration runs: the app reads
    # REDACTED_SUMMARY from here in every start, through the audit trail.
    from alembic import op

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"WHEN NOT ({_redaction_only(table, 'IS')}) "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER referral_transition_no_delete BEFORE DELETE ON referral_transition "
            "WHEN EXISTS (SELECT 1 FROM referral WHERE referral.id = OLD.referral_id) "
            "BEGIN SELECT RAISE(ABORT, 'referral_transition is append-only'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION veru_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            "CREATE OR REPLACE FUNCTION veru_transition_delete_guard() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF EXISTS (SELECT 1 FROM referral WHERE referral.id = OLD.referral_id) THEN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END IF; "
            "RETURN OLD; END $$"
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
                f"WHEN (NOT ({_redaction_only(table, 'IS NOT DISTINCT FROM')})) "
                "EXECUTE FUNCTION veru_append_only()"
            )
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION veru_append_only()"
        )
        op.execute(
            "CREATE TRIGGER referral_transition_no_delete BEFORE DELETE ON referral_transition "
            "FOR EACH ROW EXECUTE FUNCTION veru_transition_delete_guard()"
        )


def drop_append_only_guards() -> None:
    from alembic import op

    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for verb in ("update", "delete"):
            if dialect == "sqlite":
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
            elif dialect == "postgresql":
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb} ON {table}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS veru_transition_delete_guard()")
        op.execute("DROP FUNCTION IF EXISTS veru_append_only()")
