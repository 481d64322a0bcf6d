"""The database refuses to change or remove audit rows, except through the maintenance
hatch, which the test suite's flush uses."""

import pytest
from django.db import IntegrityError, connection, transaction

from compliance import audit, sealing
from compliance.models import AuditArchive, AuditEvent, AuditSeal, AuditSealQueue

POSTGRESQL = connection.vendor == "postgresql"
TABLES = ["compliance_auditevent", "compliance_auditseal", "compliance_auditarchive"]


def write() -> AuditEvent:
    return audit.access_denied(
        actor=None, object_type="contacts.Contact", object_id="1", reason="outside book"
    )


@pytest.fixture
def one_of_each(db, settings, tmp_path):
    """A row in every protected table: events, seals and an archive record."""
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path)
    for _ in range(3):
        write()
    sealing.audit_seal_pending()
    sealing.audit_archive_segment(before_sequence=2)
    sealing.audit_seal_pending()
    assert AuditEvent.objects.exists()
    assert AuditSeal.objects.exists()
    assert AuditArchive.objects.exists()


def execute(sql: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("table", TABLES)
def test_a_raw_update_is_refused(one_of_each, table):
    column = {"compliance_auditevent": "via", "compliance_auditseal": "hash"}.get(
        table, "file_path"
    )
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"UPDATE {table} SET {column} = %s", ["forged"])  # noqa: S608


@pytest.mark.parametrize("table", TABLES)
def test_a_raw_delete_is_refused(one_of_each, table):
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"DELETE FROM {table}")  # noqa: S608


@pytest.mark.skipif(not POSTGRESQL, reason="SQLite has no TRUNCATE")
@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused(one_of_each, table):
    # Fire the fixture's deferred foreign-key checks first: PostgreSQL will not TRUNCATE
    # a table with trigger events pending in the same transaction.
    execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"TRUNCATE {table}")


def test_the_orm_cannot_edit_or_delete_events_either(one_of_each):
    event = AuditEvent.objects.order_by("pk").last()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(via="forged")
    with pytest.raises(IntegrityError), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).via == event.via


def test_the_hatch_lets_its_transaction_delete_but_never_update(one_of_each):
    with transaction.atomic(), sealing.audit_maintenance():
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            AuditEvent.objects.update(via="forged")
        AuditSeal.objects.all().delete()
    assert not AuditSeal.objects.exists()


def test_the_hatch_closes_with_its_transaction(one_of_each):
    with transaction.atomic(), sealing.audit_maintenance():
        pass
    with pytest.raises(IntegrityError, match="append-only"):
        execute("DELETE FROM compliance_auditseal")


def test_every_inserted_event_is_queued_for_sealing(db):
    events = [write() for _ in range(2)]
    AuditEvent.objects.bulk_create([AuditEvent(action="batch"), AuditEvent(action="batch")])
    queued = set(AuditSealQueue.objects.values_list("event_id", flat=True))
    assert queued == set(AuditEvent.objects.values_list("pk", flat=True))
    assert {e.pk for e in events} <= queued


# The two tests below run in this order: the first leaves audit rows committed, so the
# flush after it must get through the triggers (compliance.testing), or the second errors.


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_commit_audit_rows():
    with transaction.atomic():
        write()  # sealed inline after commit (eager task)
    assert AuditEvent.objects.count() == 1
    assert AuditSeal.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_starts_empty_with_the_triggers_armed():
    assert not AuditEvent.objects.exists()
    assert not AuditSeal.objects.exists()
    assert not AuditSealQueue.objects.exists()
    with transaction.atomic():
        write()
    with pytest.raises(IntegrityError, match="append-only"):
        execute("DELETE FROM compliance_auditevent")
