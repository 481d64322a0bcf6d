"""An RM records a client's consent with its evidence, sees the may-contact badge change, and
withdraws it in one action, in a real browser."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from compliance.consent.services import privacy_notice_publish
from compliance.models import (
    ConsentEvent,
    ConsentEventKind,
    ConsentState,
    Jurisdiction,
    NoticeLanguage,
    PrivacyNotice,
)
from contacts.services import details
from contacts.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # factories.UserFactory's


@pytest.fixture
def client_with_email():
    rm = factories.rm(username="rm_consent")
    grace = factories.make_contact(owner=rm, name_zh="陳怡君", preferred_name="Grace")
    details.contact_point_add(actor=rm, contact=grace, kind="email", value="grace@example.com")
    notice = privacy_notice_publish(
        actor=factories.compliance_officer(),
        notice=PrivacyNotice(
            version="2026.1",
            language=NoticeLanguage.CHINESE,
            jurisdiction=Jurisdiction.TAIWAN,
            effective_from=date(2026, 1, 1),
            url="https://bank.example/privacy",
        ),
    )
    return rm, grace, notice


def test_an_rm_records_a_consent_with_evidence_and_withdraws_it(page, client_with_email):
    rm, grace, notice = client_with_email
    page.goto("/login/")
    page.get_by_label("Username").fill("rm_consent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto(grace.get_absolute_url())
    email_line = page.get_by_test_id("may-contact-marketing-email-email")
    expect(email_line.get_by_test_id("may-contact-denied")).to_be_visible()
    expect(email_line).to_contain_text("No consent on record")

    # Record the consent, with the signed form's number as evidence and the notice shown.
    page.get_by_text("Record a consent").click()
    form = page.get_by_test_id("form-consent")
    form.get_by_label("Purpose").select_option(label="Marketing by email")
    form.get_by_label("Channel").select_option("email")
    form.get_by_label("Lawful basis").select_option("consent")
    form.get_by_label("Source").select_option("signed_paper")
    form.get_by_label("Evidence reference").fill("Form MKT-2026-0042")
    form.get_by_label("Privacy notice version").select_option(str(notice.pk))
    form.get_by_role("button", name="Record consent").click()

    email_line = page.get_by_test_id("may-contact-marketing-email-email")
    expect(email_line.get_by_test_id("may-contact-allowed")).to_be_visible()
    event = ConsentEvent.objects.get(contact=grace)
    assert (event.kind, event.source, event.evidence_reference) == (
        ConsentEventKind.GRANT,
        "signed_paper",
        "Form MKT-2026-0042",
    )
    assert (event.notice, event.recorded_by) == (notice, rm)

    # Withdrawing is one action on the same line, written at once.
    email_line.get_by_role("button", name="Withdraw").click()
    email_line = page.get_by_test_id("may-contact-marketing-email-email")
    expect(email_line.get_by_test_id("may-contact-denied")).to_be_visible()
    expect(email_line).to_contain_text("Withdrawn")
    state = ConsentState.objects.get(contact=grace, purpose__code="marketing-email")
    assert state.status == "withdrawn"
    assert ConsentEvent.objects.filter(contact=grace).count() == 2
    assert page.problems == []
