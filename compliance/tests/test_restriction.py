"""Restriction of processing: written with its reason and audited, refused by every outreach
path while in force, shown to the RM as a banner, lifted by the DPO."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.consent.queries import contact_facts, contacts_may_contact
from compliance.consent.rules import Reason, RestrictionKind, may_contact
from compliance.erasure.restriction import restriction_apply, restriction_lift
from compliance.models import AuditAction, AuditEvent, ContactRestriction, Purpose
from contacts.models import Contact

pytestmark = pytest.mark.django_db


def _decision(contact):
    purpose = Purpose.objects.get(code="marketing-email")
    return may_contact(contact_facts(contact), purpose.terms(), "email", timezone.now())


def test_a_restriction_is_recorded_with_its_reason_and_audited_without_it_in_clear(
    contact, compliance_user
):
    restriction = restriction_apply(
        actor=compliance_user, contact=contact, reason="Grace contests her address"
    )

    assert restriction.kind == RestrictionKind.RESTRICTED
    assert restriction.recorded_by == compliance_user
    event = AuditEvent.objects.get(action=AuditAction.RESTRICTION_APPLIED)
    assert event.contact_id == contact.pk
    assert "Grace" not in str(event.changes)
    assert event.changes["reason"]["new"].startswith("h:")


def test_a_restricted_contact_is_refused_by_the_may_contact_door_in_both_forms(
    contact, compliance_user
):
    restriction_apply(actor=compliance_user, contact=contact, reason="Request 14")
    purpose = Purpose.objects.get(code="marketing-email")

    assert Reason.RESTRICTED in _decision(contact).reasons
    assert (
        not contacts_may_contact(Contact.objects.all(), purpose, "email")
        .filter(pk=contact.pk)
        .exists()
    )


def test_a_second_restriction_while_one_is_in_force_is_refused(contact, compliance_user):
    restriction_apply(actor=compliance_user, contact=contact, reason="Request 14")
    with pytest.raises(ValidationError):
        restriction_apply(actor=compliance_user, contact=contact, reason="Request 15")
    with pytest.raises(ValidationError):
        restriction_apply(actor=compliance_user, contact=contact, reason="  ")
    assert ContactRestriction.objects.count() == 1


def test_lifting_ends_the_restriction_and_is_audited(contact, compliance_user):
    restriction = restriction_apply(actor=compliance_user, contact=contact, reason="Request 14")

    restriction_lift(actor=compliance_user, restriction=restriction)

    restriction.refresh_from_db()
    assert restriction.lifted_at is not None
    assert Reason.RESTRICTED not in _decision(contact).reasons
    assert AuditEvent.objects.filter(action=AuditAction.RESTRICTION_LIFTED).count() == 1
    with pytest.raises(ValidationError):
        restriction_lift(actor=compliance_user, restriction=restriction)


def test_the_rm_still_sees_a_restricted_contact_with_a_banner(rm_client, contact, compliance_user):
    restriction_apply(actor=compliance_user, contact=contact, reason="Request 14")

    response = rm_client.get(reverse("contacts:detail", args=[contact.pk]))

    assert response.status_code == 200
    assert 'data-testid="restricted-banner"' in response.content.decode()


def test_no_banner_without_a_restriction(rm_client, contact):
    response = rm_client.get(reverse("contacts:detail", args=[contact.pk]))
    assert "restricted-banner" not in response.content.decode()


def test_the_dpo_restricts_and_lifts_in_the_console(compliance_client, contact):
    response = compliance_client.post(
        reverse("admin:compliance_contactrestriction_add"),
        {"contact": contact.pk, "reason": "Request 14"},
    )
    assert response.status_code == 302
    restriction = ContactRestriction.objects.get()
    assert restriction.reason == "Request 14"

    response = compliance_client.post(
        reverse("admin:compliance_contactrestriction_changelist"),
        {"action": "lift", "_selected_action": [restriction.pk]},
    )
    assert response.status_code == 302
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None
