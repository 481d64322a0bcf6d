"""The DPO in a real browser: log in, enrol and pass the TOTP second factor, filter the audit
log by a contact, verify the chain."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from compliance.models import AuditEvent
from contacts.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # factories.UserFactory's


@pytest.fixture
def trail():
    """Two contacts with audit events, and the DPO who will read them."""
    rm = factories.rm(username="rm_trail")
    watched = factories.make_contact(owner=rm, name_zh="陳怡君", preferred_name="Grace")
    factories.make_contact(owner=rm, name_zh="林家豪")
    dpo = factories.compliance_officer(username="dpo_browser")
    return {"watched": watched, "dpo": dpo}


def test_the_dpo_logs_in_with_totp_filters_the_audit_log_and_verifies_the_chain(
    page, trail, screenshot
):
    page.goto("/login/")
    page.fill("#id_username", "dpo_browser")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    # First log-in of a role that sees every book: enrol an authenticator.
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    key = base64.b32decode(secret)
    page.fill("#id_token", f"{totp(key):06d}")
    page.click("button[type=submit]")

    watched = trail["watched"]
    page.goto("/admin/compliance/auditevent/")
    page.fill("input[name=contact]", str(watched.pk))
    page.locator("input[name=contact]").press("Enter")
    rows = page.locator("#result_list tbody tr")
    expected = AuditEvent.objects.filter(contact_id=watched.pk).count()
    expect(rows).to_have_count(expected)
    for text in rows.locator("td.field-contact_id").all_inner_texts():
        assert text.strip() == str(watched.pk)
    screenshot("dpo-audit-log-filtered")

    page.get_by_role("link", name="Verify the chain").click()
    page.get_by_test_id("verify-chain").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("The chain is intact")
    screenshot("dpo-chain-verified")
    assert page.problems == []
