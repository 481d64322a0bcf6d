"""Administrators edit the entry rules in the console; each save is audited."""

import pytest
from django.urls import reverse

from compliance.models import AuditAction, AuditEvent
from contacts.models import RequiredFieldRule, ReviewRule

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_segment_rule_and_it_is_audited(admin_client_role):
    from contacts.models import Tag

    hnw = Tag.objects.get(code="segment-hnw")
    response = admin_client_role.post(
        reverse("admin:contacts_requiredfieldrule_add"),
        {
            "lifecycle_stage": "client",
            "segment": hnw.pk,
            "requirement": "national_id",
            "severity": "block",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = RequiredFieldRule.objects.get(segment=hnw)
    event = AuditEvent.objects.get(action=AuditAction.RECORD_CREATED, object_id=str(rule.pk))
    assert event.object_type == "contacts.RequiredFieldRule"
    assert event.detail["severity"] == "block"
    assert event.detail["segment"] == "segment-hnw"


def test_an_administrator_switches_review_off_for_new_prospects(admin_client_role):
    rule = ReviewRule.objects.get(lifecycle_stage="prospect", subject="new_contact")
    response = admin_client_role.post(
        reverse("admin:contacts_reviewrule_change", args=[rule.pk]),
        {"lifecycle_stage": "prospect", "subject": "new_contact"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORD_UPDATED, object_id=str(rule.pk)
    ).exists()


def test_a_segment_field_offers_only_client_segments(admin_client_role):
    response = admin_client_role.get(reverse("admin:contacts_requiredfieldrule_add"))
    choices = response.context["adminform"].form.fields["segment"].queryset
    assert set(choices.values_list("code", flat=True)) >= {"segment-hnw", "segment-retiree"}
    assert not choices.filter(code__startswith="industry").exists()
