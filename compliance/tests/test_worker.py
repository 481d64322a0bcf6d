"""A real Celery worker on Redis runs the audit sealing job end to end (CI sets REDIS_URL)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from compliance import audit
from compliance.models import AuditEvent, AuditSeal, AuditSealQueue
from compliance.tasks import seal_audit_log
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
