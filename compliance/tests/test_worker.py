"""A real Celery worker on Redis runs the audit sealing job and a framework job end to end
(CI sets REDIS_URL)."""

import importlib
import os
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.apps import apps
from django.utils import timezone

from compliance import audit
from compliance.consent.rules import Channel, ConsentStatus
from compliance.consent.services import consent_grant, privacy_notice_publish
from compliance.models import (
    AuditEvent,
    AuditSeal,
    AuditSealQueue,
    ConsentSource,
    ConsentState,
    PrivacyNotice,
    Purpose,
)
from compliance.tasks import seal_audit_log
from contacts.tests import factories
from core.models import JobRun
from core.tasks import run_job
from crm.celery import app

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_worker():
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL so the job tests run on a real worker")
        pytest.skip("REDIS_URL is not set: no real Celery worker to run the job on")
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield app
    finally:
        app.conf.update(previous)


def test_a_worker_on_redis_seals_committed_events(redis_worker):
    events = [audit.batch(actor=None, operation="worker-test", contact_ids=[n]) for n in range(3)]
    seal_audit_log.delay()
    deadline = time.monotonic() + 30
    while AuditSealQueue.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    sealed = set(AuditSeal.objects.values_list("event_id", flat=True))
    assert {e.pk for e in events} <= sealed
    assert not AuditSealQueue.objects.exists()
    assert AuditEvent.objects.count() == len(sealed)


def test_a_worker_on_redis_runs_a_job_and_records_its_run(redis_worker, settings, tmp_path):
    settings.JOB_LOCK_DIR = str(tmp_path)
    # A transactional test starts from empty tables: seed the purposes again.
    importlib.import_module("compliance.migrations.0005_consent").seed_purposes(apps, None)
    officer = factories.compliance_officer(username="dpo_worker")
    rm = factories.rm(username="rm_worker")
    notice = privacy_notice_publish(
        actor=officer,
        notice=PrivacyNotice(
            version="1",
            language="zh-hant",
            jurisdiction="TW",
            effective_from=timezone.localdate() - timedelta(days=30),
            url="https://bank.example/privacy",
        ),
    )
    now = timezone.now()
    contacts = [factories.make_contact(owner=rm, family_name=f"W{n}") for n in range(3)]
    for contact in contacts:
        consent_grant(
            actor=rm,
            contact=contact,
            purpose=Purpose.objects.get(code="marketing-email"),
            channel=Channel.EMAIL,
            source=ConsentSource.WEB_FORM,
            notice=notice,
            occurred_at=now - timedelta(days=10),
            expires_at=now - timedelta(days=1),
        )

    result = run_job.delay("compliance.expire_consents")
    assert not isinstance(result, EagerResult)  # queued on Redis, run by the worker
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        record = JobRun.objects.filter(job_name="compliance.expire_consents").first()
        if record is not None and record.status != JobRun.Status.RUNNING:
            break
        time.sleep(0.2)
    assert record is not None
    assert record.status == JobRun.Status.SUCCEEDED
    assert record.triggered_by == JobRun.Trigger.BEAT
    assert record.counts == {"seen": 3, "changed": 3, "skipped": 0, "errors": 0}
    assert record.worker  # the worker's host and process
    states = ConsentState.objects.filter(contact__in=contacts)
    assert {s.status for s in states} == {ConsentStatus.EXPIRED}
