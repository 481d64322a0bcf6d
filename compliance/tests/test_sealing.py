"""Sealing the audit log into a hash chain, verifying it, checkpoints and archives."""

import json
import logging
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction

from compliance import audit, chain, sealing
from compliance.models import (
    AuditAction,
    AuditArchive,
    AuditEvent,
    AuditSeal,
    AuditSealQueue,
)
from compliance.tasks import checkpoint_audit_log, seal_audit_log

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


def write(n: int = 1) -> AuditEvent:
    """An audit event through the one door, with nested JSON and a non-ASCII value."""
    return audit.batch(
        actor=None,
        operation="export",
        contact_ids=[n + 2, n, n + 1],
        detail={"purpose": "年度審查", "ratio": 0.1, "nested": {"b": [1, None], "a": True}},
    )


def write_many(count: int) -> list[AuditEvent]:
    return [write(n) for n in range(count)]


def verify(*args: str) -> str:
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("verify_audit_log", *args, stdout=Sink())
    return "".join(out)


def verify_fails(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        verify(*args)
    return str(caught.value)


@contextmanager
def tampering():
    """Act as someone with full rights over the database: the append-only triggers off,
    inside the test's transaction (rolled back with it)."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SET LOCAL session_replication_role = replica")
            yield cursor
            cursor.execute("SET LOCAL session_replication_role = origin")
            return
        for table in ("compliance_auditevent", "compliance_auditseal"):
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")
        yield cursor


def seals() -> list[tuple[int, int, str, str]]:
    return list(
        AuditSeal.objects.order_by("sequence").values_list(
            "sequence", "event_id", "prev_hash", "hash"
        )
    )


def test_each_event_is_queued_in_its_own_transaction_and_sealed_in_id_order():
    events = write_many(3)
    assert sorted(AuditSealQueue.objects.values_list("event_id", flat=True)) == [
        e.pk for e in events
    ]
    assert not AuditSeal.objects.exists()

    assert sealing.audit_seal_pending() == 3

    links = seals()
    assert [(s, e) for s, e, _, _ in links] == [
        (1, events[0].pk),
        (2, events[1].pk),
        (3, events[2].pk),
    ]
    assert links[0][2] == chain.GENESIS_HASH
    assert [p for _, _, p, _ in links[1:]] == [h for _, _, _, h in links[:-1]]
    assert not AuditSealQueue.objects.exists()
    assert sealing.chain_head() == (3, links[-1][3])


def test_a_seal_hashes_the_event_as_stored():
    event = write()
    sealing.audit_seal_pending()
    stored = AuditEvent.objects.get(pk=event.pk)
    expected = chain.link_hash(
        chain.GENESIS_HASH,
        chain.canonical_event(
            id=stored.pk,
            occurred_at=stored.occurred_at,
            actor_id=stored.actor_id,
            action=stored.action,
            object_type=stored.object_type,
            object_id=stored.object_id,
            contact_id=stored.contact_id,
            changes=stored.changes,
            detail=stored.detail,
            ip=stored.ip_address,
            request_id=stored.request_id,
            via=stored.via,
        ),
    )
    assert AuditSeal.objects.get().hash == expected


def test_sealing_twice_seals_nothing_twice():
    write_many(2)
    assert sealing.audit_seal_pending() == 2
    assert sealing.audit_seal_pending() == 0
    assert AuditSeal.objects.count() == 2


def test_sealing_works_in_chunks_and_resumes():
    write_many(5)
    assert sealing.audit_seal_pending(chunk_size=2, max_chunks=1) == 2
    assert AuditSealQueue.objects.count() == 3
    assert sealing.audit_seal_pending(chunk_size=2) == 3
    assert "OK: 5 events verified" in verify()


def test_an_event_committed_late_is_sealed_after_higher_ids():
    early, later = write_many(2)
    # Event `early` got the lower id but its transaction has not committed yet: the sealer
    # cannot see its queue row.
    AuditSealQueue.objects.filter(event_id=early.pk).delete()
    sealing.audit_seal_pending()
    AuditSealQueue.objects.create(event_id=early.pk)  # ... and now it commits
    sealing.audit_seal_pending()

    assert [(s, e) for s, e, _, _ in seals()] == [(1, later.pk), (2, early.pk)]
    assert "OK: 2 events verified" in verify()


@pytest.mark.skipif(not POSTGRESQL, reason="needs concurrent writers (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_that_commit_out_of_id_order_chain_in_commit_order():
    inserted, release = threading.Event(), threading.Event()
    slow_ids = []

    def slow_writer():
        try:
            with transaction.atomic():
                slow_ids.append(write(1).pk)
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inserted.wait(10)
    with transaction.atomic():
        fast = write(2)  # a higher id, committed first, sealed at once (eager task)
    assert fast.pk > slow_ids[0]
    assert [e for _, e, _, _ in seals()] == [fast.pk]
    release.set()
    thread.join(10)

    sealing.audit_seal_pending()
    assert [e for _, e, _, _ in seals()] == [fast.pk, slow_ids[0]]
    assert "OK: 2 events verified" in verify()


def test_writing_events_schedules_sealing_once_per_transaction(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        write_many(3)
    assert callbacks == [audit._start_sealing]


def test_events_are_sealed_right_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = write()
    assert AuditSeal.objects.get().event_id == event.pk


def test_a_failing_sealer_never_fails_the_write(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(sealing, "audit_seal_pending", broken)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        event = write()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert "periodic run will seal later" in caplog.text


def test_with_a_broker_a_burst_of_commits_enqueues_one_sealing_task(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(seal_audit_log.app.conf, "task_always_eager", False)
    monkeypatch.setattr(seal_audit_log, "apply_async", lambda **options: sent.append(options))
    monkeypatch.setattr(audit, "_sealing_started_at", -audit.SEALING_DEBOUNCE_SECONDS)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            write()
    assert sent == [{"retry": False}]


def test_the_sealing_task_seals():
    write_many(2)
    seal_audit_log.delay()
    assert AuditSeal.objects.count() == 2


def test_verify_reports_ok_with_the_count_and_head():
    write_many(3)
    sealing.audit_seal_pending()
    head = seals()[-1][3]
    assert verify().splitlines()[0] == f"OK: 3 events verified, head {head}"


def test_an_empty_log_verifies():
    assert verify().startswith(f"OK: 0 events verified, head {chain.GENESIS_HASH}")


def test_events_waiting_to_be_sealed_are_not_a_failure():
    write_many(2)
    sealing.audit_seal_pending()
    write()
    output = verify()
    assert "OK: 2 events verified" in output
    assert "1 waiting to be sealed" in output


def test_an_altered_event_fails_verification():
    events = write_many(3)
    sealing.audit_seal_pending()
    with tampering() as cursor:
        cursor.execute(
            "UPDATE compliance_auditevent SET object_id = %s WHERE id = %s", ["99", events[1].pk]
        )
    message = verify_fails()
    assert f"Event {events[1].pk} (sequence 2) was altered" in message


def test_an_altered_seal_fails_verification():
    write_many(3)
    sealing.audit_seal_pending()
    with tampering() as cursor:
        cursor.execute(
            "UPDATE compliance_auditseal SET prev_hash = %s WHERE sequence = 3", ["e" * 64]
        )
    assert "Broken link at sequence 3" in verify_fails()


def test_a_deleted_event_fails_verification():
    events = write_many(3)
    sealing.audit_seal_pending()
    with tampering() as cursor:
        cursor.execute("DELETE FROM compliance_auditevent WHERE id = %s", [events[1].pk])
    assert f"Event {events[1].pk} (sequence 2) was deleted" in verify_fails()


def test_a_deleted_link_is_a_gap():
    write_many(4)
    sealing.audit_seal_pending()
    with tampering() as cursor:
        cursor.execute("DELETE FROM compliance_auditseal WHERE sequence = 2")
    assert "Gap in the chain: sequence 2 is missing" in verify_fails()


def test_an_event_whose_seal_was_removed_fails_verification():
    events = write_many(3)
    sealing.audit_seal_pending()
    with tampering() as cursor:
        cursor.execute("DELETE FROM compliance_auditseal WHERE sequence = 3")
    assert f"Event {events[2].pk} is neither sealed nor waiting" in verify_fails()


def test_an_event_deleted_before_sealing_fails_verification():
    events = write_many(2)
    with tampering() as cursor:
        cursor.execute("DELETE FROM compliance_auditevent WHERE id = %s", [events[0].pk])
    sealing.audit_seal_pending()  # seals what is left, leaves the orphan queued
    assert f"Event {events[0].pk} was deleted before it was sealed" in verify_fails()


def test_a_queued_event_that_is_gone_never_stalls_sealing():
    gone, *kept = write_many(3)
    with tampering() as cursor:
        cursor.execute("DELETE FROM compliance_auditevent WHERE id = %s", [gone.pk])
    assert sealing.audit_seal_pending(chunk_size=1) == 2
    assert [e for _, e, _, _ in seals()] == [e.pk for e in kept]


def test_a_failed_verification_exits_with_status_1():
    events = write_many(2)
    sealing.audit_seal_pending()
    with tampering() as cursor:
        cursor.execute("UPDATE compliance_auditevent SET via = 'x' WHERE id = %s", [events[0].pk])
    with pytest.raises(CommandError) as caught:
        verify()
    assert caught.value.returncode == 1
    assert str(caught.value).startswith("FAILED: Event")


def test_a_checkpoint_matches_the_chain_it_was_taken_from(tmp_path):
    write_many(3)
    path = tmp_path / "checkpoints.log"
    point = sealing.audit_checkpoint_write(path=path)  # seals first
    write()
    sealing.audit_seal_pending()
    assert point.sequence == 3
    assert path.read_text().split()[:2] == ["3", point.hash]
    assert "checkpoint 3 matches" in verify("--checkpoint", str(path))


def test_a_cut_tail_or_older_copy_is_caught_by_the_checkpoint(tmp_path):
    events = write_many(4)
    path = tmp_path / "checkpoints.log"
    sealing.audit_checkpoint_write(path=path)
    # The last link and its event vanish (a restored backup, or a careful intruder): the
    # chain that is left is intact, only the checkpoint knows.
    with transaction.atomic(), sealing.audit_maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM compliance_auditseal WHERE sequence = 4")
        cursor.execute("DELETE FROM compliance_auditevent WHERE id = %s", [events[3].pk])
    assert "OK: 3 events verified" in verify()
    message = verify_fails("--checkpoint", str(path))
    assert "chain ends at sequence 3, before the checkpoint 4" in message


def test_a_checkpoint_hash_that_differs_is_caught(tmp_path):
    write_many(2)
    sealing.audit_seal_pending()
    path = tmp_path / "checkpoints.log"
    path.write_text(f"1 {'a' * 64} 2026-01-01T00:00:00.000000+00:00\n")
    assert "Sequence 1 has hash" in verify_fails("--checkpoint", str(path))


def test_a_missing_checkpoint_file_is_an_error(tmp_path):
    assert "does not exist" in verify_fails("--checkpoint", str(tmp_path / "nope.log"))


def test_the_checkpoint_task_appends_to_the_configured_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "cp" / "audit.log")
    write()
    checkpoint_audit_log.delay()
    write()
    checkpoint_audit_log.delay()
    lines = Path(settings.AUDIT_CHECKPOINT_FILE).read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["1", "2"]


def test_the_seal_command_seals_and_writes_a_checkpoint(tmp_path):
    write_many(2)
    path = tmp_path / "cp.log"
    call_command("seal_audit_log", "--checkpoint", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditSeal.objects.count() == 2
    assert path.read_text().startswith("2 ")


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    return Path(settings.AUDIT_ARCHIVE_DIR)


def test_archiving_moves_a_whole_segment_to_a_file_and_verification_continues(archive_dir):
    events = write_many(5)
    sealing.audit_seal_pending()
    links = seals()

    archive = sealing.audit_archive_segment(before_sequence=4)

    assert (archive.first_sequence, archive.last_sequence, archive.event_count) == (1, 3, 3)
    assert archive.start_hash == chain.GENESIS_HASH
    assert archive.end_hash == links[2][3]
    assert sorted(
        AuditEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("pk", flat=True)
    ) == [
        events[3].pk,
        events[4].pk,
    ]
    assert [s for s, *_ in seals()] == [4, 5]
    lines = [json.loads(line) for line in Path(archive.file_path).read_text().splitlines()]
    assert [r["sequence"] for r in lines[:-1]] == [1, 2, 3]
    assert lines[-1]["segment"]["end_hash"] == archive.end_hash
    archived = AuditEvent.objects.get(action=AuditAction.AUDIT_ARCHIVED)
    assert archived.detail["end_hash"] == archive.end_hash

    sealing.audit_seal_pending()  # the archive's own event joins the chain
    output = verify("--archives")
    assert "OK: 3 events verified" in output
    assert "head sequence 6, after 3 archived" in output


def test_a_second_archive_follows_the_first(archive_dir):
    write_many(6)
    sealing.audit_seal_pending()
    first = sealing.audit_archive_segment(before_sequence=3)
    second = sealing.audit_archive_segment(before_sequence=6)
    assert (second.first_sequence, second.start_hash) == (3, first.end_hash)
    sealing.audit_seal_pending()
    assert "after 5 archived" in verify("--archives")


def test_a_changed_archive_file_is_caught(archive_dir):
    write_many(3)
    sealing.audit_seal_pending()
    archive = sealing.audit_archive_segment(before_sequence=3)
    path = Path(archive.file_path)
    path.write_text(path.read_text().replace("export", "exp0rt", 1))
    assert "was changed" in verify_fails("--archives")
    assert "OK:" in verify()  # without --archives only the records are compared


def test_a_broken_chain_is_never_archived(archive_dir):
    events = write_many(3)
    sealing.audit_seal_pending()
    with tampering() as cursor:
        cursor.execute("UPDATE compliance_auditevent SET via = 'x' WHERE id = %s", [events[0].pk])
    with pytest.raises(sealing.ChainError, match="refusing to archive"):
        sealing.audit_archive_segment(before_sequence=3)
    assert not AuditArchive.objects.exists()


def test_archiving_nothing_is_refused(archive_dir):
    with pytest.raises(sealing.ChainError, match="nothing to archive"):
        sealing.audit_archive_segment(before_sequence=10)


@pytest.mark.django_db(transaction=True)
def test_the_maintenance_hatch_needs_a_transaction():
    with (
        pytest.raises(RuntimeError, match=r"inside transaction\.atomic"),
        sealing.audit_maintenance(),
    ):
        pass


def test_events_past_the_retention_period_are_archived_and_the_rest_stays_verifiable(
    archive_dir, settings
):
    import datetime

    import time_machine

    settings.AUDIT_RETENTION_YEARS = 7
    with time_machine.travel(datetime.datetime(2018, 1, 10, tzinfo=datetime.UTC)):
        write_many(3)
        sealing.audit_seal_pending()
    recent = write_many(2)
    sealing.audit_seal_pending()

    archive = sealing.audit_archive_expired()
    assert archive is not None
    assert (archive.first_sequence, archive.last_sequence) == (1, 3)
    assert set(AuditEvent.objects.values_list("pk", flat=True)) >= {e.pk for e in recent}
    assert sealing.verify_chain().ok
    # Nothing else is old enough: a second run does nothing.
    assert sealing.audit_archive_expired() is None
