"""The admin console's job runs page: read-only, filterable, with durations and counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import JobRun

pytestmark = pytest.mark.django_db


def make_run(name: str, status: str, *, minutes: int = 0, **counts) -> JobRun:
    started = timezone.now() - timedelta(hours=1)
    return JobRun.objects.create(
        job_name=name,
        status=status,
        triggered_by=JobRun.Trigger.BEAT,
        started_at=started,
        finished_at=started + timedelta(minutes=minutes, seconds=5),
        counts={"seen": 0, "changed": 0, "skipped": 0, "errors": 0} | counts,
        error_summary="builtins.RuntimeError at x.py:1 in f" if status == "failed" else "",
    )


@pytest.fixture
def runs():
    return [
        make_run("compliance.expire_consents", JobRun.Status.SUCCEEDED, minutes=3, seen=1234),
        make_run("dataquality.cleanse", JobRun.Status.FAILED, changed=7, errors=2),
    ]


def test_the_console_lists_recent_runs_with_duration_and_counts(compliance_client, runs):
    response = compliance_client.get(reverse("admin:core_jobrun_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "compliance.expire_consents" in page
    assert "0:03:05" in page
    assert "1234" in page
    assert "builtins.RuntimeError at x.py:1 in f" in page
    assert reverse("admin:core_jobrun_add") not in page


def test_runs_filter_by_job_and_status(compliance_client, runs):
    url = reverse("admin:core_jobrun_changelist")

    def listed(**query) -> set[str]:
        response = compliance_client.get(url, query)
        return {run.job_name for run in response.context["cl"].result_list}

    assert listed() == {"compliance.expire_consents", "dataquality.cleanse"}
    assert listed(status__exact="failed") == {"dataquality.cleanse"}
    assert listed(job_name="compliance.expire_consents") == {"compliance.expire_consents"}


def test_a_run_cannot_be_changed_or_deleted_from_the_console(compliance_client, runs):
    run = runs[1]
    change = reverse("admin:core_jobrun_change", args=[run.pk])
    assert compliance_client.get(change).status_code == 200
    compliance_client.post(change, {"status": "succeeded", "job_name": "x"})
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED
    delete = reverse("admin:core_jobrun_delete", args=[run.pk])
    assert compliance_client.post(delete, {"post": "yes"}).status_code == 403
    assert JobRun.objects.filter(pk=run.pk).exists()
    assert compliance_client.get(reverse("admin:core_jobrun_add")).status_code == 403


def test_an_administrator_sees_the_runs_too(admin_client_role, runs):
    response = admin_client_role.get(reverse("admin:core_jobrun_changelist"))
    assert response.status_code == 200


def test_a_relationship_manager_may_not_see_the_runs(rm_client, runs):
    assert rm_client.get(reverse("admin:core_jobrun_changelist")).status_code == 403
