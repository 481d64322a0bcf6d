"""Completing an erasure, restriction or objection request carries it out: through
``compliance.erasure`` and the consent ledger, in the completion's transaction; in the
console, an erasure request shows the erasure plan and asks for the typed confirmation."""

import datetime as dt

import pytest
from django.urls import reverse

from compliance.consent.rules import RestrictionKind
from compliance.erasure.plan import ERASED_TEXT
from compliance.erasure.services import PlanChangedError, erasure_preview
from compliance.models import (
    AuditAction,
    AuditEvent,
    ContactMarketingRefusal,
    ContactRestriction,
    ErasureRecord,
    ErasureStatus,
    LegalHoldKind,
    RequestStatus,
)
from compliance.requests import services
from compliance.tests.factories import verified_request
from contacts.models import Contact, LifecycleStage
from contacts.services import details
from contacts.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(rm_user):
    return factories.make_contact(
        owner=rm_user, country_of_residence="TW", family_name="Kao", given_name="Yu-ting"
    )


@pytest.fixture
def former_client(rm_user):
    ended = factories.today() - dt.timedelta(days=365)
    return factories.make_contact(
        owner=rm_user,
        country_of_residence="TW",
        family_name="Hsu",
        notes="Prefers mornings",
        lifecycle_stage=LifecycleStage.FORMER_CLIENT,
        relationship_started_on=ended - dt.timedelta(days=2000),
        relationship_ended_on=ended,
    )


def workflow(request):
    return reverse("admin:compliance_datasubjectrequest_workflow", args=[request.pk])


def completed_event(request):
    return AuditEvent.objects.get(action=AuditAction.REQUEST_COMPLETED, object_id=str(request.pk))


# --- services ------------------------------------------------------------------------------


def test_completing_an_erasure_request_erases_the_contact(person, compliance_user):
    request = verified_request(contact=person, actor=compliance_user, request_type="erasure")

    services.request_complete(actor=compliance_user, request=request)

    record = ErasureRecord.objects.get(contact=person)
    assert record.request_id == str(request.pk)
    assert record.reason == f"data-subject request {request.pk}"
    assert record.status == ErasureStatus.COMPLETE
    person.refresh_from_db()
    assert person.family_name == ERASED_TEXT
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert completed_event(request).detail["executed"] is True


def test_an_erasure_request_refuses_a_plan_that_changed_and_stays_open(
    person, compliance_user, rm_user
):
    request = verified_request(contact=person, actor=compliance_user, request_type="erasure")
    plan = erasure_preview(contact=person)
    details.interaction_add(actor=rm_user, contact=person, channel="call", summary="Later call")

    with pytest.raises(PlanChangedError):
        services.request_complete(
            actor=compliance_user,
            request=request,
            options={"expected_fingerprint": plan.fingerprint, "reason": "DSR"},
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    assert not ErasureRecord.objects.exists()


def test_a_contact_erased_from_its_page_already_answers_the_request(person, compliance_user):
    from compliance.erasure.services import erasure_execute

    request = verified_request(contact=person, actor=compliance_user, request_type="erasure")
    erasure_execute(contact=person, by=compliance_user, reason="DSR")
    services.request_complete(actor=compliance_user, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert ErasureRecord.objects.count() == 1
    assert completed_event(request).detail["executed"] is False


def test_completing_a_restriction_request_restricts_processing(person, compliance_user):
    request = verified_request(contact=person, actor=compliance_user, request_type="restriction")

    services.request_complete(actor=compliance_user, request=request)

    restriction = ContactRestriction.objects.get(contact=person)
    assert restriction.kind == RestrictionKind.RESTRICTED
    assert restriction.reason == f"data-subject request {request.pk}"
    assert completed_event(request).detail["executed"] is True


def test_an_objection_to_direct_marketing_stops_all_marketing(person, compliance_user):
    request = verified_request(
        contact=person, actor=compliance_user, request_type="objection", channel="letter"
    )

    services.request_complete(
        actor=compliance_user, request=request, options={"stop_marketing": True}
    )

    refusal = ContactMarketingRefusal.objects.get(contact=person)
    assert refusal.source == "signed_paper"
    assert refusal.evidence_reference == f"data-subject request {request.pk}"
    assert completed_event(request).detail["executed"] is True


def test_another_objection_is_answered_by_hand(person, compliance_user):
    request = verified_request(contact=person, actor=compliance_user, request_type="objection")
    services.request_complete(actor=compliance_user, request=request)
    assert not ContactMarketingRefusal.objects.exists()
    assert completed_event(request).detail["executed"] is False


# --- the console ---------------------------------------------------------------------------


def test_the_workflow_page_previews_the_erasure_with_its_hold_before_completing(
    compliance_client, compliance_user, former_client
):
    request = verified_request(contact=former_client, actor=compliance_user, request_type="erasure")
    page = compliance_client.get(workflow(request)).content.decode()
    preview = page.split('data-testid="erasure-preview"')[1]
    assert "What the erasure will do" in preview
    assert str(LegalHoldKind.KYC_AML.label) in preview
    assert "Disclosed to" in preview
    assert "Type the contact" in page

    # A wrong number is refused, and nothing is erased.
    plan = erasure_preview(contact=former_client)
    data = {
        "step": "complete",
        "complete-reason": "DSR letter",
        "complete-confirmation": "999999",
        "complete-fingerprint": plan.fingerprint,
    }
    response = compliance_client.post(workflow(request), data)
    assert response.status_code == 422
    assert not ErasureRecord.objects.exists()

    data["complete-confirmation"] = str(former_client.pk)
    response = compliance_client.post(workflow(request), data)
    assert response.status_code == 302
    record = ErasureRecord.objects.get(contact=former_client)
    assert record.status == ErasureStatus.HELD
    assert record.reason == "DSR letter"
    former_client.refresh_from_db()
    assert former_client.family_name == "Hsu"  # kept by the KYC hold
    assert former_client.notes == ERASED_TEXT
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED


def test_the_workflow_page_refuses_an_erasure_whose_plan_changed(
    compliance_client, compliance_user, person, rm_user
):
    request = verified_request(contact=person, actor=compliance_user, request_type="erasure")
    plan = erasure_preview(contact=person)
    details.interaction_add(actor=rm_user, contact=person, channel="call", summary="Later call")
    response = compliance_client.post(
        workflow(request),
        {
            "step": "complete",
            "complete-reason": "DSR",
            "complete-confirmation": str(person.pk),
            "complete-fingerprint": plan.fingerprint,
        },
    )
    assert response.status_code == 422
    assert "changed since the preview" in response.content.decode()
    assert Contact.objects.get(pk=person.pk).family_name == "Kao"


def test_the_workflow_page_stops_all_marketing_for_an_objection(
    compliance_client, compliance_user, person
):
    request = verified_request(contact=person, actor=compliance_user, request_type="objection")
    page = compliance_client.get(workflow(request)).content.decode()
    assert "Stop all marketing to this person" in page
    response = compliance_client.post(
        workflow(request), {"step": "complete", "complete-stop_marketing": "on"}
    )
    assert response.status_code == 302
    assert ContactMarketingRefusal.objects.filter(contact=person).exists()
