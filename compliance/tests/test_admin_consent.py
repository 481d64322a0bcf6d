"""The DPO's console for purposes and notices: writes go through the audited services."""

import pytest
from django.urls import reverse

from compliance.models import AuditAction, AuditEvent, PrivacyNotice, Purpose

pytestmark = pytest.mark.django_db


def test_the_dpo_publishes_a_notice_through_the_console(compliance_client, compliance_user):
    compliance_user.is_staff = True
    compliance_user.save(update_fields=["is_staff"])
    response = compliance_client.post(
        reverse("admin:compliance_privacynotice_add"),
        {
            "jurisdiction": "TW",
            "language": "zh-hant",
            "version": "2",
            "effective_from": "2025-01-01",
            "material_change": "on",
            "text": "",
            "url": "bank.example/privacy",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = PrivacyNotice.objects.get(version="2")
    assert notice.url == "https://bank.example/privacy"
    assert notice.published_by == compliance_user
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE_PUBLISHED).exists()
    page = compliance_client.get(reverse("admin:compliance_privacynotice_change", args=[notice.pk]))
    assert page.status_code == 200
    assert "Contacts to ask again" in page.content.decode()


def test_the_dpo_changes_a_purpose_through_the_console(compliance_client, compliance_user):
    compliance_user.is_staff = True
    compliance_user.save(update_fields=["is_staff"])
    purpose = Purpose.objects.get(code="marketing-post")
    response = compliance_client.post(
        reverse("admin:compliance_purpose_change", args=[purpose.pk]),
        {
            "label_en": "Marketing by post",
            "label_zh_hant": "郵寄行銷",
            "is_marketing": "on",
            "lawful_bases": ["consent"],
            "channels": ["post"],
            "position": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    purpose.refresh_from_db()
    assert purpose.is_active is False
    assert AuditEvent.objects.filter(action=AuditAction.PURPOSE_SAVED).exists()
