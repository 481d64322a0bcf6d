"""The DPO's console for data-subject requests: intake, the workflow page, the dashboard,
the deadline table and the one download. Writes go through the audited services."""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from compliance.models import (
    AccessExport,
    AuditAction,
    AuditEvent,
    DataSubjectRequest,
    RequestDeadlineRule,
    RequestStatus,
)
from compliance.requests import access, services
from compliance.tests.factories import make_request, verified_request
from contacts.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.DSR_EXPORT_DIR = str(tmp_path / "exports")


@pytest.fixture
def person(rm_user):
    return factories.make_contact(owner=rm_user, country_of_residence="TW", name_zh="陳怡君")


def workflow(request):
    return reverse("admin:compliance_datasubjectrequest_workflow", args=[request.pk])


def test_the_admin_index_links_to_the_overdue_dashboard(compliance_client):
    page = compliance_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:compliance_datasubjectrequest_dashboard") in page


def test_the_administrator_sees_no_request_links(admin_client_role):
    page = admin_client_role.get(reverse("admin:index")).content.decode()
    assert reverse("admin:compliance_datasubjectrequest_dashboard") not in page


def test_the_dpo_records_a_request_in_the_console(compliance_client, compliance_user, person):
    response = compliance_client.post(
        reverse("admin:compliance_datasubjectrequest_add"),
        {
            "contact": person.pk,
            "request_type": "access",
            "channel": "letter",
            "description": "Letter of 2 June",
            "assignee": compliance_user.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    request = DataSubjectRequest.objects.get()
    assert request.jurisdiction == "pdpa"
    assert request.received_by == compliance_user
    assert request.assignee == compliance_user
    assert AuditEvent.objects.filter(action=AuditAction.REQUEST_RECEIVED).count() == 1


def test_an_assignee_who_cannot_see_the_contact_is_a_form_error(
    compliance_client, other_rm, person
):
    response = compliance_client.post(
        reverse("admin:compliance_datasubjectrequest_add"),
        {
            "contact": person.pk,
            "request_type": "access",
            "channel": "letter",
            "assignee": other_rm.pk,
        },
    )
    assert response.status_code == 200
    assert "cannot see the contact" in response.content.decode()
    assert not DataSubjectRequest.objects.exists()


def test_the_change_page_changes_nothing(compliance_client, person):
    request = make_request(contact=person)
    url = reverse("admin:compliance_datasubjectrequest_change", args=[request.pk])
    page = compliance_client.get(url)
    assert page.status_code == 200
    assert workflow(request) in page.content.decode()
    compliance_client.post(url, {"status": "completed", "description": "Changed"})
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
    assert request.description == ""


def test_the_workflow_page_offers_the_steps_that_apply(compliance_client, person):
    request = make_request(contact=person)
    page = compliance_client.get(workflow(request)).content.decode()
    assert 'data-testid="step-verify"' in page
    assert 'data-testid="step-start"' not in page
    assert 'data-testid="step-complete"' not in page


def test_the_dpo_verifies_identity_on_the_workflow_page(compliance_client, compliance_user, person):
    request = make_request(contact=person)
    response = compliance_client.post(
        workflow(request),
        {"step": "verify", "verify-method": "id_document", "verify-evidence": "ID card seen"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.IDENTITY_VERIFIED
    assert request.identity_verified_by == compliance_user


def test_a_refused_step_shows_the_rule_and_changes_nothing(compliance_client, person):
    request = make_request(contact=person)
    response = compliance_client.post(
        workflow(request),
        {"step": "extend", "extend-reason": "Archive", "extend-new_due_on": "2099-01-01"},
    )
    assert response.status_code == 422
    assert "at the latest" in response.content.decode()
    request.refresh_from_db()
    assert not request.is_extended


def test_a_step_that_does_not_apply_is_refused(compliance_client, person):
    request = make_request(contact=person)
    response = compliance_client.post(workflow(request), {"step": "complete"}, follow=True)
    assert "does not apply" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_the_dashboard_groups_open_requests(compliance_client, person):
    overdue = make_request(contact=person, received_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    later = make_request(contact=person, request_type="erasure")
    page = compliance_client.get(reverse("admin:compliance_datasubjectrequest_dashboard"))
    html = page.content.decode()
    overdue_part = html.split('data-testid="bucket-overdue"')[1].split('data-testid="bucket-')[0]
    later_part = html.split('data-testid="bucket-later"')[1]
    assert workflow(overdue) in overdue_part
    assert workflow(later) in later_part


def test_the_dpo_changes_a_deadline_rule_and_it_is_audited(compliance_client):
    rule = RequestDeadlineRule.objects.get(jurisdiction="pdpa", request_type="access")
    response = compliance_client.post(
        reverse("admin:compliance_requestdeadlinerule_change", args=[rule.pk]),
        {
            "answer_amount": "10",
            "answer_unit": "days",
            "extension_amount": "15",
            "extension_unit": "days",
            "acknowledge_amount": "",
            "acknowledge_unit": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule.refresh_from_db()
    assert rule.answer_amount == 10
    assert AuditEvent.objects.filter(action=AuditAction.REQUEST_RULE_SAVED).exists()


def test_the_dpo_builds_and_downloads_the_package_once(
    compliance_client, compliance_user, person, django_capture_on_commit_callbacks
):
    request = verified_request(contact=person, actor=compliance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = compliance_client.post(workflow(request), {"step": "export"})
    assert response.status_code == 302
    export = AccessExport.objects.get()
    url = reverse("admin:compliance_accessexport_download", args=[export.pk])
    assert "Download now" in compliance_client.get(url).content.decode()
    response = compliance_client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "data.json" in archive.namelist()
    again = compliance_client.post(url, follow=True)
    assert "no longer available" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_EXPORT_DOWNLOADED).count() == 1


def test_an_administrator_cannot_download_a_package(
    client, admin_user_role, compliance_user, person, django_capture_on_commit_callbacks
):
    from core.testing import login_verified

    request = verified_request(contact=person, actor=compliance_user)
    with django_capture_on_commit_callbacks(execute=True):
        export = access.access_export_start(actor=compliance_user, request=request)
    login_verified(client, admin_user_role)
    url = reverse("admin:compliance_accessexport_download", args=[export.pk])
    assert client.post(url).status_code == 403
    export.refresh_from_db()
    assert export.status == "ready"


def test_completing_on_the_workflow_page_closes_the_request(
    compliance_client, compliance_user, person
):
    request = verified_request(contact=person, actor=compliance_user, request_type="objection")
    response = compliance_client.post(workflow(request), {"step": "complete"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    services.request_note_add(actor=compliance_user, request=request, body="Closed by letter")
    page = compliance_client.get(workflow(request)).content.decode()
    assert "Closed by letter" in page


def test_the_admin_index_lists_the_dpos_own_requests_due_soon(
    compliance_client, compliance_user, person
):
    overdue = make_request(
        contact=person,
        assignee=compliance_user,
        received_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    not_mine = make_request(contact=person, received_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    page = compliance_client.get(reverse("admin:index")).content.decode()
    panel = page.split('data-testid="console-requests-due"')[1]
    assert workflow(overdue) in panel
    assert workflow(not_mine) not in panel
    assert "Overdue" in panel
