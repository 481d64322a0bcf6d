"""The DPO takes an erasure request for a former client from intake to completion in a real
browser: records it in the console, verifies the requester's identity, previews the
erasure with the KYC/AML hold, confirms it by typing the contact's number. Identity stays
under the hold, the rest is anonymised, and the RM no longer finds the contact."""

import base64
import datetime as dt
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from compliance.erasure.plan import ERASED_TEXT
from compliance.models import DataSubjectRequest, ErasureRecord, ErasureStatus, RequestStatus
from contacts.models import Contact, LifecycleStage
from contacts.services import details
from contacts.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # factories.UserFactory's


@pytest.fixture
def former_client(reference_data):
    rm = factories.rm(username="rm_erasure")
    factories.compliance_officer(username="dpo_erasure")
    ended = factories.today() - dt.timedelta(days=2 * 365)
    person = factories.make_contact(
        owner=rm,
        family_name="Kuo",
        given_name="Mei-hua",
        name_zh="郭美華",
        country_of_residence="TW",
        national_id="A123456789",
        national_id_country="TW",
        notes="Likes the Da'an branch",
        lifecycle_stage=LifecycleStage.FORMER_CLIENT,
        relationship_started_on=ended - dt.timedelta(days=3000),
        relationship_ended_on=ended,
    )
    details.contact_point_add(actor=rm, contact=person, kind="email", value="meihua@example.org")
    return person


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()


def test_the_dpo_erases_a_former_client_on_request_and_the_kyc_hold_keeps_identity(
    page, browser, live_server, former_client, screenshot
):
    log_in(page, "dpo_erasure")
    # First log-in of a role that sees every book: enrol an authenticator.
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))
    key = base64.b32decode(page.get_by_test_id("totp-secret").inner_text().strip())
    page.fill("#id_token", f"{totp(key):06d}")
    page.click("button[type=submit]")

    # Intake, in the console.
    page.goto("/admin/compliance/datasubjectrequest/add/")
    page.fill("#id_contact", str(former_client.pk))
    page.select_option("#id_request_type", "erasure")
    page.select_option("#id_channel", "letter")
    page.fill("#id_description", "Letter asking to be forgotten")
    page.click("input[name=_save]")
    expect(page).to_have_url(re.compile(r"/admin/compliance/datasubjectrequest/$"))
    page.wait_for_load_state("load")
    request = DataSubjectRequest.objects.get(contact=former_client)
    assert request.status == RequestStatus.RECEIVED

    page.locator("#result_list tbody tr a").first.click()
    page.wait_for_load_state("load")
    page.get_by_test_id("workflow-link").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Received")

    # Identity verification, then the work starts.
    verify = page.get_by_test_id("step-verify")
    verify.locator("select").select_option("id_document")
    verify.locator("textarea, input[type=text]").first.fill("National ID card seen at the branch")
    verify.locator("input[type=submit]").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Identity verified")
    page.get_by_test_id("step-start").locator("input[type=submit]").click()
    expect(page.get_by_test_id("request-status")).to_have_text("In progress")

    # The preview: what goes, and the KYC/AML hold that keeps the identity.
    preview = page.get_by_test_id("erasure-preview")
    expect(preview).to_contain_text("What the erasure will do")
    expect(preview).to_contain_text("KYC/AML")
    expect(preview).to_contain_text("placed when the erasure is executed")
    screenshot("dpo-erasure-request-preview")

    complete = page.get_by_test_id("step-complete")
    complete.locator("input[name=complete-confirmation]").fill(str(former_client.pk))
    complete.locator("input[type=submit]").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Completed")
    screenshot("dpo-erasure-request-completed")

    # Held fields kept, the rest anonymised.
    record = ErasureRecord.objects.get(contact_id=former_client.pk)
    assert record.status == ErasureStatus.HELD
    assert record.request_id == str(request.pk)
    person = Contact.objects.get(pk=former_client.pk)
    assert (person.family_name, person.name_zh, person.national_id) == (
        "Kuo",
        "郭美華",
        "A123456789",
    )
    assert person.notes == ERASED_TEXT
    assert not person.contact_points.exists()

    # The RM no longer sees the contact: not found, not forbidden.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    rm_page = context.new_page()
    try:
        log_in(rm_page, "rm_erasure")
        expect(rm_page).to_have_url(re.compile(r"/$"))
        response = rm_page.goto(f"/contacts/{former_client.pk}/")
        assert response.status == 404
    finally:
        context.close()
    assert page.problems == []
