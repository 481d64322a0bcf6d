"""The DPO's admin console: audit log, account activity, chain verification, training and
the access review."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from compliance.models import AccessReview, AuditAction, AuditEvent, TrainingRecord
from compliance.tests.factories import give_training, privacy_course
from contacts.tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_the_audit_log_is_read_only_and_filterable_by_contact(compliance_client, rm_user):
    first = factories.make_contact(owner=rm_user)
    second = factories.make_contact(owner=rm_user)
    response = compliance_client.get(f"/admin/compliance/auditevent/?contact={first.pk}")
    assert response.status_code == 200
    shown = {e.contact_id for e in response.context["cl"].result_list}
    assert shown == {first.pk}
    assert second.pk not in shown
    event = AuditEvent.objects.filter(contact_id=first.pk).first()
    page = compliance_client.get(f"/admin/compliance/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert compliance_client.get("/admin/compliance/auditevent/add/").status_code == 403


def test_exporting_the_audit_log_writes_the_filtered_rows_and_is_audited(
    compliance_client, rm_user
):
    person = factories.make_contact(owner=rm_user)
    response = compliance_client.get(
        f"/admin/compliance/auditevent/?contact={person.pk}&_export=csv"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + AuditEvent.objects.filter(contact_id=person.pk).count()
    export = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert export.object_type == "audit-log"
    assert export.detail["filters"] == {"contact": str(person.pk)}


def rm_session(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_one_query_answers_what_an_account_saw(compliance_client, rm_user):
    seen = factories.make_contact(owner=rm_user)
    factories.make_contact(owner=rm_user)
    rm_session(rm_user).get(f"/contacts/{seen.pk}/")
    today = TODAY().isoformat()
    response = compliance_client.get(
        f"/admin/compliance/auditevent/activity/?user={rm_user.pk}&start={today}&end={today}"
    )
    assert response.status_code == 200
    events = list(response.context["events"])
    assert [(e.action, e.contact_id) for e in events] == [(AuditAction.CONTACT_VIEWED, seen.pk)]


def test_the_console_verifies_the_chain(compliance_client, rm_user):
    factories.make_contact(owner=rm_user)
    response = compliance_client.post("/admin/compliance/auditevent/verify/")
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok
    assert result.verified == AuditEvent.objects.count()


@pytest.mark.parametrize(
    "url", ["/admin/compliance/auditevent/", "/admin/compliance/accessreview/report/"]
)
def test_administrators_cannot_read_the_audit_log(admin_client_role, url):
    assert admin_client_role.get(url).status_code == 403


def test_relationship_managers_cannot_open_the_console(rm_client):
    assert rm_client.get("/admin/compliance/auditevent/").status_code == 403


def test_a_training_record_defaults_its_validity_from_the_course(compliance_client, rm_user):
    course = privacy_course()
    course.validity_months = 12
    course.save()
    response = compliance_client.post(
        "/admin/compliance/trainingrecord/add/",
        {"user": rm_user.pk, "course": course.pk, "completed_on": "2026-03-31"},
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get(user=rm_user)
    assert record.valid_until.isoformat() == "2027-03-31"
    assert record.recorded_by.username == "dpo_carol"
    assert AuditEvent.objects.filter(action=AuditAction.TRAINING_RECORDED).exists()


def test_the_dpo_sees_who_is_overdue(compliance_client, rm_user, other_rm):
    give_training(rm_user)
    give_training(other_rm, valid_for_days=-5)
    response = compliance_client.get("/admin/compliance/trainingrecord/overdue/")
    overdue = {u.username for u in response.context["users"]}
    assert "rm_bob" in overdue
    assert "rm_alice" not in overdue


def test_the_access_review_reports_each_user_and_is_certified(compliance_client, rm_user):
    person = factories.make_contact(owner=rm_user)
    browser = rm_session(rm_user)
    browser.get(f"/contacts/{person.pk}/")
    browser.get("/contacts/999999/")  # denied: outside every book
    today = TODAY().isoformat()
    url = f"/admin/compliance/accessreview/report/?start={today}&end={today}"
    rows = {r["user"].username: r for r in compliance_client.get(url).context["rows"]}
    assert rows["rm_alice"]["viewed"] == 1
    assert rows["rm_alice"]["denied"] == 1
    assert rows["rm_alice"]["roles"] == ["relationship_manager"]

    exported = compliance_client.get(url + "&_export=csv")
    assert "rm_alice" in exported.content.decode("utf-8-sig")

    response = compliance_client.post(url, {"notes": "Quarterly review, no findings."})
    assert response.status_code == 302
    review = AccessReview.objects.get()
    assert review.certified_by.username == "dpo_carol"
    assert any(row["user"] == "rm_alice" and row["viewed"] == 1 for row in review.summary)
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REVIEW_CERTIFIED).exists()


def test_contacts_in_the_console_are_masked_and_audited(compliance_client, rm_user):
    person = factories.make_contact(
        owner=rm_user, national_id="A123456789", national_id_country="TW"
    )
    listing = compliance_client.get("/admin/contacts/contact/")
    assert listing.status_code == 200
    page = compliance_client.get(f"/admin/contacts/contact/{person.pk}/change/")
    assert page.status_code == 200
    assert b"A123456789" not in page.content
    assert person.national_id_masked.encode() in page.content
    assert person.national_id_masked.endswith("6789")
    assert AuditEvent.objects.filter(
        action=AuditAction.CONTACT_VIEWED, contact_id=person.pk, via="admin"
    ).exists()


def test_administrators_see_no_contact_data_in_the_console(admin_client_role, rm_user):
    factories.make_contact(owner=rm_user)
    assert admin_client_role.get("/admin/contacts/contact/").status_code == 403
