"""A pytest plugin: let the test database be flushed despite the append-only audit tables.

Transactional tests (``transactional_db``, ``live_server``) end with Django's flush, which
TRUNCATEs (PostgreSQL) or DELETEs (SQLite) every table, and the audit tables' triggers refuse
that. This plugin opens the maintenance hatch (``compliance.sealing.maintenance_sql``) inside
the flush's own transaction, and nowhere else: a test that deletes audit rows itself still
fails, as production would.

Wire it into the root ``conftest.py``::

    pytest_plugins = ["compliance.testing"]
"""

import pytest


def _has_guard_table(connection) -> bool:
    from compliance.sealing import SQLITE_GUARD_TABLE

    with connection.cursor() as cursor:
        return SQLITE_GUARD_TABLE in connection.introspection.table_names(cursor)


def _through_hatch(execute_sql_flush):
    def execute_sql_flush_through_hatch(self, sql_list):
        """``execute_sql_flush`` with the audit hatch open for the flush's transaction."""
        from compliance.sealing import maintenance_sql

        opening, closing = maintenance_sql(self.connection)
        if self.connection.vendor == "sqlite" and not _has_guard_table(self.connection):
            opening, closing = [], []  # not migrated: no triggers to pass either
        return execute_sql_flush(self, [*opening, *sql_list, *closing])

    return execute_sql_flush_through_hatch


@pytest.fixture(autouse=True, scope="session")
def _audit_tables_open_for_flush():
    # Imported here: a plugin module loads before Django is set up.
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush
    BaseDatabaseOperations.execute_sql_flush = _through_hatch(original)
    try:
        yield
    finally:
        BaseDatabaseOperations.execute_sql_flush = original
