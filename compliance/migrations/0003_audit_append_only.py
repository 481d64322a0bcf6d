"""The database itself keeps the audit log append-only, and queues every event for sealing.

PostgreSQL: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE, on
the events, the seals and the archive records. DELETE and TRUNCATE (never UPDATE) pass only
while the transaction-local setting ``prudence.audit_maintenance`` is 'on'
(``compliance.sealing.audit_maintenance``). An AFTER INSERT trigger on the events queues each
new id for the sealer in the inserting transaction.

SQLite (the quick start): BEFORE UPDATE / BEFORE DELETE triggers abort; DELETE passes only
while the guard table ``compliance_auditmaintenance`` holds an enabled row. The guard table
has no model, so Django's flush never empties it halfway through.

Careful: on SQLite, a later migration that rebuilds one of these tables (most AlterField /
AddField operations) drops its triggers; such a migration must run this one's SQL again.
``compliance/tests/test_audit_immutability.py`` fails if the triggers are gone.
"""

from django.db import migrations

PROTECTED = ("compliance_auditevent", "compliance_auditseal", "compliance_auditarchive")

POSTGRESQL_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION prudence_audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'UPDATE'
           AND coalesce(current_setting('prudence.audit_maintenance', true), '') = 'on' THEN
            IF TG_LEVEL = 'ROW' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'prudence: % on % refused: the audit log is append-only',
            TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION prudence_audit_enqueue() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO compliance_auditsealqueue (event_id) SELECT id FROM inserted_events;
        RETURN NULL;
    END;
    $$
    """,
]


def postgresql_forward():
    sql = list(POSTGRESQL_FUNCTIONS)
    for table in PROTECTED:
        sql += [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION prudence_audit_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION prudence_audit_refuse_change()",
        ]
    sql += [
        "CREATE TRIGGER compliance_auditevent_enqueue AFTER INSERT ON compliance_auditevent "
        "REFERENCING NEW TABLE AS inserted_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION prudence_audit_enqueue()",
        "INSERT INTO compliance_auditsealqueue (event_id) "
        "SELECT id FROM compliance_auditevent ORDER BY id",
    ]
    return sql


def postgresql_backward():
    sql = ["DROP TRIGGER IF EXISTS compliance_auditevent_enqueue ON compliance_auditevent"]
    for table in PROTECTED:
        sql += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [
        *sql,
        "DROP FUNCTION IF EXISTS prudence_audit_refuse_change()",
        "DROP FUNCTION IF EXISTS prudence_audit_enqueue()",
    ]


def sqlite_forward():
    sql = ["CREATE TABLE IF NOT EXISTS compliance_auditmaintenance (enabled integer NOT NULL)"]
    for table in PROTECTED:
        sql += [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'prudence: UPDATE on {table} refused: "
            "the audit log is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "WHEN NOT EXISTS (SELECT 1 FROM compliance_auditmaintenance WHERE enabled) BEGIN "
            f"SELECT RAISE(ABORT, 'prudence: DELETE on {table} refused: "
            "the audit log is append-only'); END",
        ]
    sql += [
        "CREATE TRIGGER compliance_auditevent_enqueue AFTER INSERT ON compliance_auditevent "
        "BEGIN INSERT INTO compliance_auditsealqueue (event_id) VALUES (NEW.id); END",
        "INSERT INTO compliance_auditsealqueue (event_id) "
        "SELECT id FROM compliance_auditevent ORDER BY id",
    ]
    return sql


def sqlite_backward():
    sql = ["DROP TRIGGER IF EXISTS compliance_auditevent_enqueue"]
    for table in PROTECTED:
        sql += [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    return [*sql, "DROP TABLE IF EXISTS compliance_auditmaintenance"]


VENDOR_SQL = {
    "postgresql": (postgresql_forward, postgresql_backward),
    "sqlite": (sqlite_forward, sqlite_backward),
}


def _run(schema_editor, direction: int) -> None:
    statements = VENDOR_SQL.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(
            f"no append-only audit triggers for {schema_editor.connection.vendor}; "
            "Prudence supports PostgreSQL and SQLite"
        )
    for sql in statements[direction]():
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0002_audit_chain"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
