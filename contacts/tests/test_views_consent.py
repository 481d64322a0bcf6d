"""The contact page's may-contact panel: record a consent, withdraw it, stop all marketing."""

from datetime import date

import pytest
from django.urls import reverse

from compliance.consent.services import privacy_notice_publish
from compliance.models import (
    AuditAction,
    AuditEvent,
    ConsentEvent,
    ConsentState,
    ContactMarketingRefusal,
    PrivacyNotice,
    Purpose,
)
from contacts.services.details import contact_point_add

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def notice(compliance_user):
    return privacy_notice_publish(
        actor=compliance_user,
        notice=PrivacyNotice(
            version="1",
            language="zh-hant",
            jurisdiction="TW",
            effective_from=date(2024, 1, 1),
            url="https://bank.example/privacy",
        ),
    )


def email_marketing() -> Purpose:
    return Purpose.objects.get(code="marketing-email")


def record(client, contact, notice=None, **overrides):
    data = {
        "purpose": email_marketing().pk,
        "channel": "email",
        "lawful_basis": "consent",
        "source": "signed_paper",
        "evidence_reference": "Form 2024/17",
        "notice": notice.pk if notice else "",
    } | overrides
    url = reverse("contacts:consent_record", args=[contact.pk])
    return client.post(url, data, headers=HTMX)


def test_the_contact_page_shows_a_badge_per_marketing_purpose_and_channel(rm_client, contact):
    page = rm_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert 'data-testid="may-contact-marketing-email-email"' in page
    assert 'data-testid="may-contact-marketing-phone-sms-sms"' in page
    assert "No consent on record" in page


def test_recording_a_consent_redraws_the_panel_allowed(rm_client, rm_user, contact, notice):
    contact_point_add(actor=rm_user, contact=contact, kind="email", value="grace@example.com")
    response = record(rm_client, contact, notice)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="section-may-contact"' in html
    line = html.split('data-testid="may-contact-marketing-email-email"')[1].split("</li>")[0]
    assert 'data-testid="may-contact-allowed"' in line
    event = ConsentEvent.objects.get(contact=contact)
    assert event.recorded_by == rm_user
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_GRANTED, actor=rm_user).exists()


def test_a_consent_without_a_notice_is_refused_on_the_form(rm_client, contact):
    response = record(rm_client, contact)
    assert response.status_code == 422
    assert "Choose the privacy notice" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_withdrawing_takes_effect_at_once(rm_client, contact, notice):
    record(rm_client, contact, notice)
    url = reverse("contacts:consent_withdraw", args=[contact.pk])
    data = {
        "purpose": email_marketing().pk,
        "channel": "email",
        "source": "call_recording",
    }
    response = rm_client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    assert ConsentState.objects.get(contact=contact).status == "withdrawn"
    assert "Consent withdrawn" in response.content.decode()


def test_stop_all_marketing_in_one_action(rm_client, contact, notice):
    record(rm_client, contact, notice)
    url = reverse("contacts:marketing_stop_all", args=[contact.pk])
    response = rm_client.post(url, {"source": "branch"}, headers=HTMX)
    assert response.status_code == 200
    assert ContactMarketingRefusal.objects.filter(contact=contact).exists()
    assert set(ConsentState.objects.filter(contact=contact).values_list("status", flat=True)) == {
        "withdrawn"
    }
    assert "Refused all marketing" in response.content.decode()


def test_without_htmx_the_browser_goes_back_to_the_contact_page(rm_client, contact, notice):
    url = reverse("contacts:marketing_stop_all", args=[contact.pk])
    response = rm_client.post(url, {"source": "branch"})
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
