"""Consent expiry as a job of the framework: chunked by consent state, resumable, idempotent,
recorded, and scheduled through the one generic task."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from compliance.consent.rules import Channel, ConsentStatus
from compliance.jobs import ExpireConsentsJob
from compliance.models import AuditAction, AuditEvent, ConsentEvent, ConsentEventKind
from compliance.tests.test_consent_services import grant, publish, state_of
from contacts.tests import factories
from core import jobs
from core.models import JobRun
from core.tasks import run_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lock_dir(settings, tmp_path):
    settings.JOB_LOCK_DIR = str(tmp_path)


@pytest.fixture
def notice(compliance_user):
    return publish(compliance_user)


def expired_consents(rm_user, notice, count: int) -> list:
    now = timezone.now()
    contacts = [factories.make_contact(owner=rm_user, family_name=f"L{n}") for n in range(count)]
    for contact in contacts:
        grant(
            rm_user,
            contact,
            notice,
            occurred_at=now - timedelta(days=10),
            expires_at=now - timedelta(days=1),
        )
    return contacts


def expiries() -> int:
    return ConsentEvent.objects.filter(kind=ConsentEventKind.EXPIRE).count()


def test_consent_expiry_is_a_registered_job_scheduled_nightly_through_the_generic_task():
    assert jobs.get("compliance.expire_consents") is ExpireConsentsJob
    entry = settings.CELERY_BEAT_SCHEDULE["compliance.expire_consents"]
    assert entry["task"] == "core.tasks.run_job"
    assert entry["args"] == ("compliance.expire_consents",)


def test_the_job_expires_due_consents_in_chunks_and_records_its_run(rm_user, notice, monkeypatch):
    monkeypatch.setattr(ExpireConsentsJob, "chunk_size", 2)
    contacts = expired_consents(rm_user, notice, 5)
    fresh = factories.make_contact(owner=rm_user, family_name="Fresh")
    grant(rm_user, fresh, notice, expires_at=timezone.now() + timedelta(days=30))

    run_job.delay("compliance.expire_consents")

    record = JobRun.objects.get()
    assert record.status == JobRun.Status.SUCCEEDED
    assert record.triggered_by == JobRun.Trigger.BEAT
    assert record.counts == {"seen": 5, "changed": 5, "skipped": 0, "errors": 0}
    assert record.chunks_done == 3
    assert all(state_of(c).status == ConsentStatus.EXPIRED for c in contacts)
    assert state_of(fresh).status == ConsentStatus.GRANTED
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_EXPIRED).count() == 5


def test_running_the_job_again_records_no_expiry_twice(rm_user, notice):
    expired_consents(rm_user, notice, 3)
    call_command("run_job", "compliance.expire_consents")
    call_command("run_job", "compliance.expire_consents")
    assert expiries() == 3
    second = JobRun.objects.first()
    assert second.counts["changed"] == 0


def test_a_redone_chunk_records_nothing_twice(rm_user, notice):
    """Keys already expired (e.g. a chunk redone after a crash) are skipped, not re-recorded."""
    contacts = expired_consents(rm_user, notice, 2)
    job = ExpireConsentsJob()
    ids = list(job.keys(after=None, limit=10))
    assert job.process(ids).changed == 2
    assert job.process(ids) == jobs.Counts(seen=2, changed=0, skipped=2, errors=0)
    assert expiries() == 2
    assert all(state_of(c).status == ConsentStatus.EXPIRED for c in contacts)


def test_a_crashed_run_resumes_after_the_last_committed_chunk(rm_user, notice, monkeypatch):
    monkeypatch.setattr(ExpireConsentsJob, "chunk_size", 2)
    expired_consents(rm_user, notice, 5)
    real = ExpireConsentsJob.process_one
    calls = []

    def crash_on_the_third(self, key):
        calls.append(key)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real(self, key)

    monkeypatch.setattr(ExpireConsentsJob, "process_one", crash_on_the_third)
    with pytest.raises(CommandError, match="RuntimeError"):
        call_command("run_job", "compliance.expire_consents")
    failed = JobRun.objects.get()
    assert failed.status == JobRun.Status.FAILED
    assert failed.cursor == calls[1]
    assert expiries() == 2

    monkeypatch.setattr(ExpireConsentsJob, "process_one", real)
    resumed = jobs.run_job("compliance.expire_consents", triggered_by=JobRun.Trigger.COMMAND)
    assert resumed.resumed_from == failed
    assert resumed.counts == {"seen": 3, "changed": 3, "skipped": 0, "errors": 0}
    assert expiries() == 5


def test_a_consent_renewed_after_the_job_listed_it_is_left_alone(rm_user, notice):
    (contact,) = expired_consents(rm_user, notice, 1)
    job = ExpireConsentsJob()
    ids = list(job.keys(after=None, limit=10))
    grant(rm_user, contact, notice, expires_at=timezone.now() + timedelta(days=365))
    assert job.process(ids).skipped == 1
    assert state_of(contact).status == ConsentStatus.GRANTED
    assert state_of(contact, "marketing-email", Channel.EMAIL).expires_at > timezone.now()
