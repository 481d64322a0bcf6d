"""The nightly jobs on the framework: registered, scheduled, incremental, resumable."""

import pytest
from django.core import mail

from contacts.services.contacts import contact_update
from contacts.services.quality import contacts_mark_deceased
from core import jobs
from core.models import JobRun
from dataquality.models import QualityRun, QualitySnapshot
from dataquality.tests.factories import contact_with_email

pytestmark = pytest.mark.django_db


def test_the_jobs_are_registered():
    names = {job.name for job in jobs.registered()}
    assert {
        "dataquality.score_incremental",
        "dataquality.score_full",
        "dataquality.review_reminders",
        "dataquality.verify_deliverability",
    } <= names


def test_full_then_incremental_touches_only_the_changed_contact(rm_user, settings):
    settings.DATAQUALITY_CHUNK_SIZE = 2
    contacts = [contact_with_email(owner=rm_user) for _ in range(5)]
    full = jobs.run_job("dataquality.score_full", triggered_by="command")
    assert full.status == JobRun.Status.SUCCEEDED
    assert full.counts["seen"] == 5 and full.chunks_done == 3
    changed = contacts[3]
    contact_update(actor=rm_user, contact=changed, expected_version=changed.version, notes="x")
    incremental = jobs.run_job("dataquality.score_incremental", triggered_by="command")
    assert incremental.counts["seen"] == 1 and incremental.counts["changed"] == 1
    assert QualityRun.objects.filter(kind="incremental").get().contacts_read == 1
    # Each run leaves a snapshot per RM for the trend.
    assert QualitySnapshot.objects.filter(owner=rm_user).count() == 2


def test_a_failed_run_resumes_after_its_last_chunk(rm_user, settings, monkeypatch):
    settings.DATAQUALITY_CHUNK_SIZE = 2
    contacts = [contact_with_email(owner=rm_user) for _ in range(4)]
    from dataquality import jobs as dq_jobs

    real = dq_jobs.score_ids
    calls = []

    def fail_on_second(ids, **kwargs):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(ids, **kwargs)

    monkeypatch.setattr(dq_jobs, "score_ids", fail_on_second)
    with pytest.raises(RuntimeError):
        jobs.run_job("dataquality.score_full", triggered_by="command")
    monkeypatch.setattr(dq_jobs, "score_ids", real)
    resumed = jobs.run_job("dataquality.score_full", triggered_by="command")
    assert resumed.resumed_from is not None
    assert resumed.counts["seen"] == 2
    assert {c.pk for c in contacts[2:]} == set(calls[1])


def test_the_reminder_job_emails_after_commit(rm_user, django_capture_on_commit_callbacks):
    rm_user.email = "alice@bank.example"
    rm_user.save()
    contact = contact_with_email(owner=rm_user)
    contacts_mark_deceased(actor=rm_user, contact_ids=[contact.pk], source="t")
    jobs.run_job("dataquality.score_full", triggered_by="command")
    with django_capture_on_commit_callbacks(execute=True):
        run = jobs.run_job("dataquality.review_reminders", triggered_by="command")
    assert run.counts["changed"] == 1
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = jobs.run_job("dataquality.review_reminders", triggered_by="command")
    assert again.counts["changed"] == 0 and len(mail.outbox) == 1


def test_the_deliverability_job_does_nothing_with_the_check_off(rm_user):
    contact_with_email(owner=rm_user)
    run = jobs.run_job("dataquality.verify_deliverability", triggered_by="command")
    assert run.counts["seen"] == 0
