"""The database's own guard on the audit trail, beneath the ORM's (models/events.py).

An audit row can never be deleted, and the only change allowed is the anonymisation that
retention performs (services/data_protection.py): the link to a deleted family is cleared
and its detail replaced. Anything else, from the app, a script or a console, is refused
by the database itself. Migration 0005 installs these statements.
"""

from __future__ import annotations

REFUSAL = "audit events are append-only"

# Columns no statement may ever change.
FIXED_COLUMNS = ("id", "at", "user_id", "action", "object_type", "object_id", "remote_addr")

POSTGRESQL_INSTALL = (
    f"""
    CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION '{REFUSAL}';
        END IF;
        IF {" OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in FIXED_COLUMNS)}
           OR NEW.family_id IS NOT NULL THEN
            RAISE EXCEPTION '{REFUSAL}';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
)
POSTGRESQL_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
)

SQLITE_INSTALL = (
    f"""
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
    """,
    f"""
    CREATE TRIGGER audit_events_only_anonymise BEFORE UPDATE ON audit_events
    WHEN {" OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in FIXED_COLUMNS)}
         OR NEW.family_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
    """,
)
SQLITE_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_only_anonymise",
)


def install_statements(dialect: str) -> tuple[str, ...]:
    return POSTGRESQL_INSTALL if dialect == "postgresql" else SQLITE_INSTALL


def remove_statements(dialect: str) -> tuple[str, ...]:
    return POSTGRESQL_REMOVE if dialect == "postgresql" else SQLITE_REMOVE
